"""A vessel wearing its subject's face: a worded hat sits whole and level on the rim, sized
to it; the nose sits centred under the eyes (a capybara's long snout put it at eye level as
a big dark oval); the subject's face markings (a sloth's pale face and dark eye stripes, a
panda's eye patches, a penguin's white face) come along. Built from the ideas' words
(tests/data/design_ideas.yaml and alike) at the literal choice; measured geometry."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engines.design.forms.place import ray_hits
from engines.design.generate import Candidate
from tests.engines.design.test_vessel_appendages import VESSELS, built, printable

HATTED = (
    ("duck planter wearing a sailor hat", "planter"),
    ("capybara cup with a little straw hat", "mug"),
    ("black cat mug with a gold crown", "mug"),
    ("strawberry milk cow mug", "mug"),
)


def _rim(c: Candidate) -> tuple[np.ndarray, float, float]:
    """(the vessel's axis point, the rim's top height, the rim's outer diameter), mm."""
    v = np.vstack([p.mesh.vertices for p in c.model.parts if p.name in VESSELS])
    top = float(v[:, 2].max())
    near = v[v[:, 2] > top - 1.0]
    axis = (v.min(axis=0) + v.max(axis=0)) / 2
    return axis, top, float(np.ptp(near[:, 0]))


def _tilt_deg(mesh: Any) -> float:
    """How far the flat of a flat part (a brim, a crown's band) leans from level, degrees:
    the angle of its thinnest principal axis from vertical."""
    v = np.asarray(mesh.vertices)
    _, _, axes = np.linalg.svd(v - v.mean(axis=0), full_matrices=False)
    return float(np.degrees(np.arccos(min(1.0, abs(axes[2][2])))))


@pytest.mark.parametrize(("text", "form"), HATTED)
def test_a_hat_sits_whole_and_level_on_the_rim_sized_to_it(text: str, form: str) -> None:
    c = built(text)
    hat = [p for p, o in zip(c.model.parts, c.origin, strict=True) if o == "feature:hat"]
    assert hat, f"no hat among {[p.name for p in c.model.parts]}"
    axis, rim_z, diameter = _rim(c)
    v = np.vstack([p.mesh.vertices for p in hat])
    assert v[:, 2].min() >= rim_z - 1.5, "the hat sinks below the rim"  # it sits on it
    assert float(np.ptp(v[:, 0])) >= 0.4 * diameter, "the hat is small for the rim"
    flat = max(hat, key=lambda p: float(np.max(p.mesh.extents[:2])))  # its brim or band
    assert _tilt_deg(flat.mesh) < 8.0, f"the hat's {flat.name} leans"
    centre = (v.min(axis=0) + v.max(axis=0)) / 2 - axis
    assert centre[0] > 0.0 and abs(np.degrees(np.arctan2(centre[1], centre[0]))) < 10.0
    reach = np.hypot(v[:, 0] - axis[0], v[:, 1] - axis[1]).min()  # the opening stays usable
    assert reach > 0.3 * diameter, "the hat covers the opening"
    printable(c, form)


NOSED: tuple[tuple[str, dict[str, float]], ...] = (
    ("capybara pen cup", {"hug": 1.0}),
    ("capybara cup with a little straw hat", {}),
    ("koala pen holder", {"hug": 1.0}),
    ("penguin pen holder", {"hug": 1.0}),
)
NOSE_WORDS = ("nose", "snout", "muzzle", "beak")


@pytest.mark.parametrize(("text", "knobs"), NOSED)
def test_the_nose_sits_centred_under_the_eyes(text: str, knobs: dict[str, float]) -> None:
    c = built(text, **knobs)
    axis, _, _ = _rim(c)
    subject = [p for p, o in zip(c.model.parts, c.origin, strict=True) if o == "subject"]
    eyes = [p.mesh.bounds.mean(axis=0) - axis for p in subject if p.name in ("eye_l", "eye_r")]
    nose = [p.mesh for p in subject if p.name.split(" ")[0] in NOSE_WORDS]
    assert len(eyes) == 2 and nose, f"no eyes or nose among {[p.name for p in subject]}"
    b = np.vstack([m.bounds for m in nose]) - axis
    lo, hi = b.min(axis=0), b.max(axis=0)
    middle = (lo + hi) / 2
    face_az = np.degrees(np.mean([np.arctan2(e[1], e[0]) for e in eyes]))
    assert abs(np.degrees(np.arctan2(middle[1], middle[0])) - face_az) < 4.0, "nose aside"
    eye_z = float(np.mean([e[2] for e in eyes]))
    assert hi[2] <= eye_z + 0.5, "the nose reaches above the eyes' centre"
    assert middle[2] < eye_z - 2.0, "the nose is not under the eyes"
    words = {p.name.split(" ")[0] for p in subject if p.name.split(" ")[0] in NOSE_WORDS}
    if words == {"nose"}:  # a nose pad alone (a capybara's): not a big dark oval
        gap = float(np.linalg.norm(eyes[0] - eyes[1]))
        assert hi[1] - lo[1] <= 0.55 * gap, "the nose pad is as wide as the face"


MARKED: tuple[tuple[str, dict[str, float], tuple[str, ...], str], ...] = (
    ("succulent pot shaped like a sleepy sloth", {}, ("face", "eye stripe"), "planter"),
    ("panda pen holder", {"hug": 1.0}, ("eye patch",), "pen_holder"),
    ("penguin pen holder", {"hug": 1.0}, ("face",), "pen_holder"),
)


@pytest.mark.parametrize(("text", "knobs", "marks", "form"), MARKED)
def test_the_face_markings_come_along_onto_the_vessel(
    text: str, knobs: dict[str, float], marks: tuple[str, ...], form: str
) -> None:
    c = built(text, **knobs)
    axis, rim_z, diameter = _rim(c)
    parts = list(zip(c.model.parts, c.origin, strict=True))
    vessel = [p.mesh for p in c.model.parts if p.name in VESSELS]
    for name in marks:
        found = [p.mesh for p, o in parts if o == "subject" and p.name == name]
        assert found, f"no {name} among {[p.name for p, _ in parts]}"
        for m in found:  # on the front wall, a thin sheet on it, under the rim
            centre = m.bounds.mean(axis=0) - axis
            assert abs(np.degrees(np.arctan2(centre[1], centre[0]))) < 40.0
            out = np.array([centre[0], centre[1], 0.0]) / np.hypot(centre[0], centre[1])
            origin = np.array([axis[0], axis[1], m.bounds.mean(axis=0)[2]])
            wall = max(float(ray_hits(w, origin, out).max()) for w in vessel)
            sheet = float(ray_hits(m, origin, out).max())
            assert wall + 0.3 < sheet < wall + 3.0, f"the {name} is not a sheet on the wall"
            assert m.bounds[1][2] < rim_z
    shown = [p.mesh for p, o in parts if o == "subject" and p.name in marks]
    for side in ("eye_l", "eye_r"):  # the eyes stand out over the markings
        v = np.vstack([p.mesh.vertices for p, _ in parts if side in p.name.split(" ")])
        r = np.hypot(v[:, 0] - axis[0], v[:, 1] - axis[1])
        tip = v[int(np.argmax(r))]
        out = np.array([tip[0] - axis[0], tip[1] - axis[1], 0.0]) / float(r.max())
        start = tip + out * diameter
        hits = np.concatenate([ray_hits(m, start, -out) for m in shown])
        assert not len(hits) or hits.min() > diameter + 0.3, f"a marking buries {side}"
    printable(c, form)
