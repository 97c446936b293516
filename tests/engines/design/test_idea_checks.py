"""The geometric `checks:` of every development idea (tests/data/design_ideas.yaml) on its
literal design: the hat sits above the face, a vessel's cavity is open, a keychain's ring and
an ornament's loop have a hole, a mug's handle takes a finger, the features named are there.
One candidate per idea (the literal choice, not joined: parts keep their names and origins),
about 0.1 s each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.spatial import ConvexHull

from engines.design.axes import OWN, default_choice
from engines.design.forms.place import ray_hits
from engines.design.generate import Candidate, build_candidate, default_builders
from engines.design.reader import read_spec

DATA = Path(__file__).resolve().parents[2] / "data"
IDEAS: list[dict[str, Any]] = yaml.safe_load((DATA / "design_ideas.yaml").read_text())
CHECKED = [i for i in IDEAS if not i.get("refuse") and i.get("checks")]
VESSEL_PARTS = frozenset({"wall", "pot", "cup", "crown"})  # FORM_RULES fixtures holding a cavity


@cache
def literal(text: str) -> Candidate:
    """The literal design of an idea, built at its form's default size."""
    spec = read_spec(text)
    b = default_builders()
    return build_candidate(spec, default_choice(spec), b.rule(spec.form).default_size_mm, b)


def _parts(c: Candidate, origin: str) -> list[Any]:
    """The parts that came from `origin` ("feature:hat", "form", "subject")."""
    return [p for p, o in zip(c.model.parts, c.origin, strict=True) if o == origin]


def _named(c: Candidate, name: str) -> Any:
    """The mesh of the part named `name`; fails when there is none."""
    found = [p.mesh for p in c.model.parts if p.name == name]
    assert found, f"no {name} among {[p.name for p in c.model.parts]}"
    return found[0]


def _eyes_top(c: Candidate) -> float:
    """The height of the top of the subject's eyes (its face), mm."""
    eyes = [p.mesh for p in c.model.parts if p.name in ("eye_l", "eye_r")]
    assert eyes, "the subject shows no eyes to measure against"
    return max(float(e.bounds[1][2]) for e in eyes)


def _centroid_z(parts: list[Any]) -> float:
    """Mean height of the parts' vertices, mm."""
    return float(np.vstack([p.mesh.vertices for p in parts])[:, 2].mean())


def _feature(c: Candidate, name: str) -> list[Any]:
    """The parts of a worded feature; fails when it was not attached."""
    parts = _parts(c, f"feature:{name}")
    assert parts, f"no {name} on {[p.name for p in c.model.parts]}"
    return parts


def _all_hits(c: Candidate, origin: np.ndarray, direction: np.ndarray) -> int:
    """How many surfaces of the model's parts a ray crosses."""
    d = direction / np.linalg.norm(direction)
    return sum(len(ray_hits(p.mesh, origin, d)) for p in c.model.parts)


def check_hat_above_head(c: Candidate) -> None:
    hat = _feature(c, "hat")
    assert _centroid_z(hat) > _eyes_top(c), "the hat is not above the face"


def check_space_helmet(c: Candidate) -> None:
    """An astronaut's helmet: a shell around the whole head (wider, higher and lower than it,
    behind it too), open on the face side so each eye shows from the front."""
    hat = _feature(c, "hat")
    shells = [p.mesh for p in hat if p.name.endswith("shell")]
    assert shells, f"no helmet shell among {[p.name for p in hat]}"
    shell, head = shells[0], _named(c, "head")
    assert (shell.bounds[0][1:] < head.bounds[0][1:]).all(), "the shell does not wrap the head"
    assert (shell.bounds[1][1:] > head.bounds[1][1:]).all(), "the shell does not wrap the head"
    assert shell.bounds[0][0] < head.bounds[0][0], "the shell does not reach behind the head"
    for name in ("eye_l", "eye_r"):
        eye = _named(c, name).bounds.mean(axis=0)
        start = eye + np.array([3.0 * float(head.extents[0]), 0.0, 0.0])
        back = np.array([-1.0, 0.0, 0.0])
        before = float(np.linalg.norm(start - eye)) - 0.5 * float(_named(c, name).extents[0])
        hits = np.concatenate([ray_hits(p.mesh, start, back) for p in hat])
        assert not (hits < before).any(), f"the helmet hides the {name}"


def check_frog_hat(c: Candidate) -> None:
    """A frog hat on another subject (issue 20): two white eyes on the hat's crown, each with
    a dark pupil looking forward, above the subject's own eyes."""
    hat = _feature(c, "hat")
    eyes = [p for p in hat if p.name.endswith(" eye")]
    pupils = [p for p in hat if p.name.endswith(" pupil")]
    assert len(eyes) == 2 and len(pupils) == 2, f"no frog eyes among {[p.name for p in hat]}"
    assert all(min(p.colour) > 220 for p in eyes) and all(max(p.colour) < 80 for p in pupils)
    assert min(p.mesh.bounds[0][2] for p in eyes) > _eyes_top(c), "the frog eyes are not up top"
    for eye, pupil in zip(eyes, pupils, strict=True):
        assert pupil.mesh.centroid[0] > eye.mesh.centroid[0], "the frog eyes do not look ahead"


def _print(c: Candidate) -> list[Any]:
    """The print parts of a worded print (spots feature)."""
    parts = [p for p in _feature(c, "spots") if p.name.endswith(" print")]
    assert len(parts) >= 6, f"no print among {[p.name for p in c.model.parts]}"
    return parts


def check_cow_print(c: Candidate) -> None:
    """A cow print (issue 20): black patches on a white body, whatever the subject's colour."""
    assert min(_part(c, "body").colour) > 220, "a cow print's body is not white"
    assert all(max(p.colour) < 60 for p in _print(c)), "a cow print's patches are not black"


def check_strawberry_print(c: Candidate) -> None:
    """A strawberry print (issue 20): small red berries under green leaf caps on the body's
    own colour; a cow's own black patches give way to it."""
    berries = _print(c)
    assert all(p.colour[0] > 180 and p.colour[1] < 80 for p in berries), "the berries are not red"
    leaves = [p for p in _feature(c, "spots") if p.name.endswith(" leaf")]
    assert len(leaves) == len(berries) and all(p.colour[1] > p.colour[0] for p in leaves)
    assert _part(c, "body").colour != berries[0].colour
    assert not [p for p in c.model.parts if p.name == "patch"], "the cow's own patches show"
    size = float(np.min(_named(c, "body").extents))
    assert max(float(p.mesh.extents.max()) for p in berries) < 0.45 * size, "not small berries"


def _part(c: Candidate, name: str) -> Any:
    """The part named `name`; fails when there is none."""
    found = [p for p in c.model.parts if p.name == name]
    assert found, f"no {name} among {[p.name for p in c.model.parts]}"
    return found[0]


def _snout(c: Candidate) -> tuple[Any, Any]:
    """The subject's head and snout meshes."""
    return _named(c, "head"), _named(c, "snout")


def check_dragon_head(c: Candidate) -> None:
    """A dragon's head, not a cat's: a snout reaching out in front of the head, longer than it
    is wide; horns above the eyes where a cat has ears, and no ears."""
    head, snout = _snout(c)
    ahead = float(snout.bounds[1][0] - head.bounds[1][0])
    assert ahead > 0.15 * float(head.extents[0]), "no snout out in front of the head"
    assert snout.extents[0] > 1.2 * snout.extents[1], "the snout is no longer than wide"
    horns = [p for p in _parts(c, "subject") if p.name == "horn"]
    assert len(horns) >= 2 and _centroid_z(horns) > _eyes_top(c), "no horns on the head"
    ears = [p.name for p in c.model.parts if p.name.startswith("ear_")]
    assert not ears, f"a dragon with ears: {ears}"


def horse_head_shows(parts: list[Any]) -> None:
    """A horse's head, not a bear's: a long muzzle (twice as long as wide), tall narrow ears
    standing up over the head, and a mane of several locks."""
    named = {p.name: p.mesh for p in parts}
    assert {"head", "snout", "ear_l", "ear_r"} <= set(named), f"no horse head in {sorted(named)}"
    head, snout = named["head"], named["snout"]
    assert snout.extents[0] > 1.8 * snout.extents[1], "the muzzle is short"
    for name in ("ear_l", "ear_r"):
        ear = named[name]
        assert ear.extents[2] > 1.7 * max(ear.extents[:2]), f"the {name} is not tall and narrow"
        above = float(ear.bounds[1][2] - head.bounds[1][2])
        assert above > 0.18 * float(head.extents[2]), f"the {name} does not stand up"
    mane = [p for p in parts if p.name.startswith("mane")]
    assert len(mane) >= 3, "no mane"


def check_horse_head(c: Candidate) -> None:
    horse_head_shows(c.model.parts)


def check_hat_on_rim(c: Candidate) -> None:
    """A hat on a vessel shows whole on its rim: crown and brim both there (not cut to slivers
    by the cavity), the crown over the rim, in front (on the face side)."""
    hat = {p.name.rsplit(" ", 1)[-1]: p.mesh for p in _feature(c, "hat")}
    assert {"crown", "brim"} <= set(hat), f"the hat is cut to {sorted(hat)}"
    vessel = [p.mesh for p in c.model.parts if p.name in VESSEL_PARTS]
    rim_z = max(float(m.bounds[1][2]) for m in vessel)
    assert float(hat["crown"].bounds[1][2]) > rim_z + 0.3 * float(hat["crown"].extents[2])
    axis = np.mean([m.bounds.mean(axis=0) for m in vessel], axis=0)
    assert float(hat["crown"].centroid[0]) > float(axis[0]), "the hat is not on the face side"


LEDGE_UP = 0.77  # a face whose normal is within 40 degrees of straight up is a ledge's


def ledge_mm(parts: list[Any]) -> float:
    """How wide a ledge (a brim) the hat's body (crown and cuff) has: the area of its
    up-facing faces near its outside in its lower half, over its circumference, mm."""
    body = [p.mesh for p in parts if p.name in ("crown", "cuff")]
    v = np.vstack([m.vertices for m in body])
    r_max, tall = float(np.hypot(v[:, 0], v[:, 1]).max()), float(v[:, 2].max())
    area = 0.0
    for m in body:
        centre = m.triangles_center
        near_out = np.hypot(centre[:, 0], centre[:, 1]) > 0.85 * r_max
        low = (centre[:, 2] > 0.02 * tall) & (centre[:, 2] < 0.5 * tall)
        area += float(m.area_faces[near_out & low & (m.face_normals[:, 2] > LEDGE_UP)].sum())
    return area / (2.0 * np.pi * r_max)


def check_no_ledge(c: Candidate) -> None:
    """A beanie has no brim: its cuff hugs the crown, no flat ledge stands out of it."""
    r_max = float(np.hypot(*c.model.bounds[:, :2].T).max())
    ledge = ledge_mm(c.model.parts)
    assert ledge < 0.01 * r_max, f"a {ledge:.1f} mm ledge round the beanie"


RIM_EYES = (0.22, 0.13, 32.0)  # an eye on a rim: its group's and its eyeball's least width
# (of the rim's diameter), its farthest angle from the front (degrees)


def rim_eyes_show(parts: list[Any]) -> None:
    """A creature's eyes on a vessel's rim read as its eyes: both there, each group (bump and
    eyeball) and eyeball wide enough against the rim, near the front, and each eyeball the
    first thing a ray from the front meets."""
    vessel = np.vstack([p.mesh.vertices for p in parts if p.name in VESSEL_PARTS])
    axis = (vessel.min(axis=0) + vessel.max(axis=0)) / 2
    rim = float(np.ptp(vessel[:, 1]))  # across the rim, clear of a handle on -Y
    for side in ("l", "r"):
        group = [p.mesh for p in parts if p.name.startswith("eye") and f"_{side}" in p.name]
        ball = [p.mesh for p in parts if p.name == f"eye_{side}"]
        assert ball, f"no eye_{side} on the rim"
        az = np.degrees(np.arctan2(*(ball[0].centroid - axis)[[1, 0]]))
        assert abs(az) <= RIM_EYES[2], f"the eye_{side} is {az:.0f} degrees round the rim"
        for what, meshes, share in (("eye", group, RIM_EYES[0]), ("eyeball", ball, RIM_EYES[1])):
            wide = float(np.ptp(np.vstack([m.vertices for m in meshes])[:, 1]))
            assert wide >= share * rim, f"the {what} {side} is {wide / rim:.2f} of the rim"
        start = ball[0].centroid + np.array([2.0 * rim, 0.0, 0.0])
        hits = {id(p.mesh): ray_hits(p.mesh, start, np.array([-1.0, 0.0, 0.0])) for p in parts}
        first = min((float(d.min()), k) for k, d in hits.items() if len(d))
        assert first[1] in {id(m) for m in group}, f"the eye_{side} is hidden from the front"


def check_rim_eyes(c: Candidate) -> None:
    rim_eyes_show(c.model.parts)


def check_rainbow_mane(c: Candidate) -> None:
    """A rainbow mane shows several colours: its locks and tufts are not one colour."""
    mane = {p.colour for p in _parts(c, "subject") if p.name.startswith("mane")}
    assert len(mane) >= 4, f"a mane of {len(mane)} colours"


WALL_EAR_DEG = (35.0, 75.0)  # a hanging ear on a vessel's wall: its angle from the front


def wall_ears_show(parts: list[Any]) -> None:
    """A dog's floppy ears on a vessel hang on its wall either side of the face (framing it,
    clear of the handle on -Y), below the rim, each a good part of the wall's height."""
    v = np.vstack([p.mesh.vertices for p in parts if p.name in VESSEL_PARTS])
    axis, rim_z = (v.min(axis=0) + v.max(axis=0)) / 2, float(v[:, 2].max())
    named = {p.name: p.mesh for p in parts}
    for name in ("ear_l", "ear_r"):
        assert name in named, f"no {name} on the wall"
        ear = named[name]
        az = abs(np.degrees(np.arctan2(*(ear.centroid - axis)[[1, 0]])))
        assert WALL_EAR_DEG[0] <= az <= WALL_EAR_DEG[1], f"the {name} is {az:.0f} degrees round"
        assert float(ear.bounds[1][2]) < rim_z, f"the {name} stands over the rim"
        assert ear.extents[2] > 0.2 * float(np.ptp(v[:, 2])), f"the {name} is small"


def check_wall_ears(c: Candidate) -> None:
    wall_ears_show(c.model.parts)


def check_cavity(c: Candidate) -> None:
    """The vessel itself (its fixtures: a planted pot's soil and plant fill it on purpose)
    is open along the cavity's normal and closed the other way (floor or crown)."""
    anchor = c.model.anchors["cavity"]
    vessel = [p for p in c.model.parts if p.name in VESSEL_PARTS]
    assert vessel, "no vessel part"
    d = anchor.normal / np.linalg.norm(anchor.normal)
    assert sum(len(ray_hits(p.mesh, anchor.point, d)) for p in vessel) == 0, "the cavity is closed"
    assert _all_hits(c, anchor.point, anchor.normal) == 0 or "soil" in {
        p.name for p in c.model.parts
    }, "something blocks the cavity"
    side = anchor.point + np.array([0.3 * anchor.size_mm, 0.0, 0.0])
    assert _all_hits(c, side, -anchor.normal) > 0, "the cavity has no floor or crown"


def _hole(c: Candidate, name: str) -> None:
    """A ring-like part whose hole (anchor 'hole') a ray along its axis passes, nothing of
    the model in the way, and the hole is as wide as the anchor says."""
    ring, hole = _named(c, name), c.model.anchors["hole"]
    axis = hole.normal / np.linalg.norm(hole.normal)
    start = hole.point - axis * 2.0 * float(ring.extents.max())
    assert _all_hits(c, start, axis) == 0, f"the {name} has no open hole"
    side = np.cross(axis, [0.0, 0.0, 1.0])
    side = side / np.linalg.norm(side) if np.linalg.norm(side) > 0 else np.array([0.0, 1.0, 0.0])
    rim = hole.point + side * 1.6 * hole.size_mm
    assert _all_hits(c, rim - axis * 2.0 * float(ring.extents.max()), axis) > 0, "no ring"


def check_ring(c: Candidate) -> None:
    _hole(c, "ring")


def check_loop(c: Candidate) -> None:
    _hole(c, "loop")


def check_handle(c: Candidate) -> None:
    handle, wall = _named(c, "handle"), _named(c, "wall")
    axis = wall.bounds.mean(axis=0)  # the wall's own axis (ears and toppers shift the model)
    r_wall = float(wall.bounds[1][0] - axis[0])
    far = float(handle.bounds[0][1] - axis[1])
    assert far < -r_wall - 20.0, "the handle does not reach out from the wall"
    centre = axis + np.array([0.0, 0.5 * (far - r_wall), 0.0])
    centre[2] = float(handle.bounds.mean(axis=0)[2])
    for x in (1.0, -1.0):  # a finger goes through
        assert _all_hits(c, centre, np.array([x, 0.0, 0.0])) == 0, "no room for a finger"


def check_band(c: Candidate) -> None:
    band = _named(c, "band")
    centre = np.array([0.0, 0.0, float(band.bounds.mean(axis=0)[2])])
    assert len(ray_hits(band, centre, np.array([0.0, 0.0, 1.0]))) == 2, "not one arc overhead"
    assert len(ray_hits(band, centre, np.array([0.0, 1.0, 0.0]))) == 2, "no room for a head"


def check_base(c: Candidate) -> None:
    base = _named(c, "base")
    rest = np.vstack([p.mesh.vertices for p in c.model.parts if p.name != "base"])
    assert rest[:, 2].min() >= base.bounds[0][2] - 1e-6, "something hangs below the base"
    assert rest[:, 2].min() <= base.bounds[1][2], "the figure floats over its base"


def check_lenses(c: Candidate) -> None:
    for name in ("lens_l", "lens_r"):
        assert _named(c, name).volume > 0


def check_wings(c: Candidate) -> None:
    assert len(_feature(c, "wings")) >= 2, "a pair of wings"


def check_horns(c: Candidate) -> None:
    """Horns above the eyes: the feature's, or the subject's own (a cow's, a dragon's)."""
    if dict(c.choice.features).get("horns") == OWN:
        horns = [p for p in _parts(c, "subject") if p.name == "horn"]
        assert len(horns) >= 2, f"no horns of its own on {[p.name for p in c.model.parts]}"
    else:
        horns = _feature(c, "horns")
    assert _centroid_z(horns) > _eyes_top(c), "horns above the eyes"


def _out_of_wall(vessel: list[Any], points: np.ndarray) -> np.ndarray:
    """How far each point stands out of a round vessel's wall at its height and bearing, mm."""
    axis = np.mean([m.bounds.mean(axis=0) for m in vessel], axis=0)
    axis[2] = 0.0
    out = []
    for point in points:
        flat = point - axis
        flat[2] = 0.0
        reach = float(np.linalg.norm(flat))
        origin = axis + np.array([0.0, 0.0, point[2]])
        wall = max(ray_hits(m, origin, flat / reach).max(initial=0.0) for m in vessel)
        out.append(reach - wall)
    return np.array(out)


def check_tears(c: Candidate) -> None:
    """Tears under the eyes; on a vessel's face, bold drops a merchant sees: over a quarter
    of the wall's height long, standing 3 mm out of it."""
    tears = _feature(c, "tears")
    assert _centroid_z(tears) < _eyes_top(c), "tears under the eyes"
    vessel = [p.mesh for p in c.model.parts if p.name in VESSEL_PARTS]
    if vessel:
        wall = max(float(m.extents[2]) for m in vessel)
        for tear in tears:
            assert float(tear.mesh.extents[2]) > 0.28 * wall, f"the {tear.name} is too short"
            out = _out_of_wall(vessel, np.asarray(tear.mesh.vertices)[::5])
            assert out.max() > 3.0, f"the {tear.name} hardly stands out of the wall"


def check_teeth(c: Candidate) -> None:
    assert _centroid_z(_feature(c, "teeth")) < _eyes_top(c), "teeth under the eyes"


BUCK_TOOTH_MIN = (0.1, 0.12)  # a buck tooth's least width and height / the head's width


def buck_teeth_show(parts: list[Any]) -> None:
    """Two front teeth a viewer reads from the front: each at least BUCK_TOOTH_MIN of the
    head's width wide and tall, and the first thing a ray from in front meets at its lower
    half (not hidden in the face)."""
    teeth = [p.mesh for p in parts if p.name.endswith("tooth")]
    assert len(teeth) == 2, f"{len(teeth)} buck teeth"
    head = next(p.mesh for p in parts if p.name == "head")
    front = np.mean([t.centroid for t in teeth], axis=0) - head.centroid
    front[2] = 0.0
    front /= np.linalg.norm(front)
    side = np.cross((0.0, 0.0, 1.0), front)
    width = float(np.ptp(head.vertices @ side))
    for tooth in teeth:
        wide, tall = float(np.ptp(tooth.vertices @ side)), float(tooth.extents[2])
        assert wide >= BUCK_TOOTH_MIN[0] * width, f"a tooth {wide / width:.2f} of the head wide"
        assert tall >= BUCK_TOOTH_MIN[1] * width, f"a tooth {tall / width:.2f} of the head tall"
        point = tooth.centroid.copy()
        point[2] = tooth.bounds[0][2] + 0.3 * tall
        origin = point + front * 3.0 * width
        nearest = {id(p.mesh): ray_hits(p.mesh, origin, -front) for p in parts}
        first = min((d.min(), k) for k, d in nearest.items() if len(d))
        assert first[1] == id(tooth), "a tooth is hidden from the front"


def check_buck_teeth(c: Candidate) -> None:
    buck_teeth_show(c.model.parts)


def check_scarf(c: Candidate) -> None:
    assert _centroid_z(_feature(c, "scarf")) < _eyes_top(c), "a scarf under the face"


def check_bow(c: Candidate) -> None:
    _feature(c, "bow")


def check_held(c: Candidate) -> None:
    _feature(c, "held")


def held_item(parts: list[Any]) -> list[Any]:
    """A held item's own parts (not the grip or peg joining it to the body)."""
    item = [p for p in parts if not p.name.endswith(("grip", "peg"))]
    assert item, f"no held item among {[p.name for p in parts]}"
    return item


def held_shows(parts: list[Any], item: list[Any], anchors: dict[str, Any], place: str) -> None:
    """A held item sits where the words put it (at the paws: near the hand, under the eyes; on
    the head: above the eyes, over the head; at the mouth: some of it within 0.3 of the head's
    half width of it) and reads from the front: at least half the head's half width across or tall,
    and the first thing a ray from in front meets at its largest part."""
    head_w = float(anchors["head_top"].size_mm)
    v = np.vstack([p.mesh.vertices for p in item])
    lo, hi = v.min(axis=0), v.max(axis=0)
    centre = (lo + hi) / 2
    eyes_top = max(float(anchors[k].point[2] + anchors[k].size_mm) for k in ("eye_l", "eye_r"))
    if place == "head":
        assert lo[2] > eyes_top, "the item is not above the face"
        off = np.linalg.norm(centre[:2] - anchors["head_top"].point[:2])
        assert off < head_w, "the item is not over the head"
    elif place == "mouth":  # held there: some of it at the mouth (a balloon's string)
        off = np.linalg.norm(v - anchors["mouth"].point, axis=1).min()
        assert off < 0.3 * head_w, f"the item is {off:.0f} mm from the mouth"
    else:
        off = np.linalg.norm(centre - anchors["hand"].point)
        assert off < 1.2 * head_w and centre[2] < eyes_top, "the item is not at the paws"
    assert max(hi[1] - lo[1], hi[2] - lo[2]) >= 0.5 * head_w, "too small to read from the front"
    main = max(item, key=lambda p: float(p.mesh.volume))
    origin = main.mesh.bounds.mean(axis=0) + np.array([1000.0, 0.0, 0.0])
    hits = [(d.min(), id(p)) for p in parts if len(d := ray_hits(p.mesh, origin, -np.eye(3)[0]))]
    assert min(hits)[1] in {id(p) for p in item}, "the item is hidden from the front"


def _held_at(c: Candidate, place: str) -> None:
    parts = _parts(c, "feature:held")
    assert parts, f"nothing held among {[p.name for p in c.model.parts]}"
    held_shows(c.model.parts, held_item(parts), c.model.anchors, place)


def check_held_at_paws(c: Candidate) -> None:
    _held_at(c, "")


def check_held_on_head(c: Candidate) -> None:
    _held_at(c, "head")


def check_held_in_mouth(c: Candidate) -> None:
    _held_at(c, "mouth")


def check_spines(c: Candidate) -> None:
    """The subject's quills or spikes are there; on a vessel, standing out of the back of
    its wall (not just a few on the rim)."""
    spines = [p.mesh for p in _parts(c, "subject") if p.name in ("quill", "spike")]
    assert spines, f"no spines among {[p.name for p in c.model.parts]}"
    vessel = [p.mesh for p in c.model.parts if p.name in VESSEL_PARTS]
    if not vessel:
        return
    axis = np.mean([m.bounds.mean(axis=0) for m in vessel], axis=0)
    axis[2] = 0.0
    rim_z = max(float(m.bounds[1][2]) for m in vessel)
    v = np.vstack([m.vertices for m in spines])
    back = v[(v[:, 0] < axis[0]) & (v[:, 2] < 0.8 * rim_z)][::7]  # behind the face (+X)
    assert (_out_of_wall(vessel, back) > 4.0).sum() > 10, "no spines out of the back wall"


def check_floppy_ears(c: Candidate) -> None:
    """A dog's ears hang beside its head (their tops under the head's, most of them below
    the eyes), and its snout reaches out in front of the head."""
    head = _named(c, "head")
    top = float(head.bounds[1][2])
    tall = float(head.extents[2])
    for name in ("ear_l", "ear_r"):
        ear = _named(c, name)
        assert float(ear.bounds[1][2]) < top - 0.1 * tall, f"the {name} stands up"
        assert float(ear.vertices[:, 2].mean()) < _eyes_top(c), f"the {name} does not hang"
    ahead = float(_named(c, "snout").bounds[1][0]) - float(head.bounds[1][0])
    assert ahead > 0.12 * float(head.extents[0]), "no snout out in front of the head"


def check_perched(c: Candidate) -> None:
    """The subject whole (body and head) sits on the vessel's rim: its seat at the rim's
    height, most of it above, over the wall rather than the middle of the cavity."""
    vessel = [p.mesh for p in c.model.parts if p.name in VESSEL_PARTS]
    assert vessel, "no vessel part"
    rim_z = max(float(m.bounds[1][2]) for m in vessel)
    axis = np.mean([m.bounds.mean(axis=0) for m in vessel], axis=0)
    r_rim = max(float(m.bounds[1][0] - axis[0]) for m in vessel)
    names = {p.name for p in _parts(c, "subject")}
    assert {"body", "head"} <= names, f"not the whole subject: {sorted(names)}"
    subject = np.vstack([p.mesh.vertices for p in _parts(c, "subject")])
    tall = float(np.ptp(subject[:, 2]))
    assert subject[:, 2].min() > rim_z - 0.3 * tall, "the subject hangs below the rim"
    assert subject[:, 2].mean() > rim_z, "the subject is not above the rim"
    centre = subject[:, :2].mean(axis=0) - axis[:2]
    assert np.linalg.norm(centre) > 0.7 * r_rim, "the subject is not on the rim"


def check_straw(c: Candidate) -> None:
    """A drinking straw stands in the cup: from below its rim to well above it."""
    straw = _named(c, "straw")
    vessel = [p.mesh for p in c.model.parts if p.name in VESSEL_PARTS]
    assert vessel, "no vessel part"
    rim_z = max(float(m.bounds[1][2]) for m in vessel)
    assert straw.bounds[0][2] < 0.5 * rim_z, "the straw does not stand in the cup"
    assert straw.bounds[1][2] > 1.2 * rim_z, "the straw does not rise above the rim"


COASTER_MM = (80.0, 110.0, 12.0)  # a coaster's least and most width, its most height
# a glass stands on the points of the top within this of the highest (leaning under 1 degree
# across its 60 mm foot), all around a disc of this radius about the coaster's middle (a full
# glass, its weight 40 mm up, then tips only past 14 degrees)
GLASS_SEAT_MM = (1.0, 10.0)


def _tops(c: Candidate, step_mm: float = 2.5) -> np.ndarray:
    """(n, 3) where rays cast straight down on a grid over the model first hit it: the
    highest of the upward faces over each grid point (barycentric, all faces at once), mm."""
    lo, hi = c.model.bounds
    xs, ys = np.meshgrid(
        np.arange(lo[0] + 1.0, hi[0], step_mm), np.arange(lo[1] + 1.0, hi[1], step_mm)
    )
    points = np.column_stack([xs.ravel(), ys.ravel()])
    tri = np.vstack([p.mesh.triangles[p.mesh.face_normals[:, 2] > 1e-6] for p in c.model.parts])
    top = np.full(len(points), -np.inf)
    for chunk in np.array_split(tri, max(1, len(tri) // 2000)):
        a, b, d = chunk[:, 0], chunk[:, 1] - chunk[:, 0], chunk[:, 2] - chunk[:, 0]
        det = b[:, 0] * d[:, 1] - b[:, 1] * d[:, 0]
        rel = points[:, None, :] - a[None, :, :2]
        u = (rel[..., 0] * d[:, 1] - rel[..., 1] * d[:, 0]) / det
        v = (b[:, 0] * rel[..., 1] - b[:, 1] * rel[..., 0]) / det
        z = a[:, 2] + u * b[:, 2] + v * d[:, 2]
        inside = (u >= 0) & (v >= 0) & (u + v <= 1)
        top = np.maximum(top, np.where(inside, z, -np.inf).max(axis=1))
    hit = np.isfinite(top)
    return np.column_stack([points[hit], top[hit]])


def check_coaster(c: Candidate) -> None:
    """A flat slab 80-110 mm wide, at most 12 mm high, flat underneath, and a glass set down
    on its middle stands on points of one level all around it."""
    lo, hi = c.model.bounds
    width, height = float(np.max(hi[:2] - lo[:2])), float(hi[2] - lo[2])
    assert COASTER_MM[0] <= width <= COASTER_MM[1], f"{width:.0f} mm across"
    assert height <= COASTER_MM[2], f"{height:.1f} mm high"
    slab = _named(c, "slab")
    centre = slab.bounds.mean(axis=0)
    up = ray_hits(slab, np.array([centre[0], centre[1], lo[2] - 1.0]), np.array([0.0, 0, 1]))
    assert len(up) and abs(float(up.min()) - 1.0) < 1e-3, "the slab's bottom is not flat"
    tops = _tops(c)
    seat = tops[tops[:, 2] >= tops[:, 2].max() - GLASS_SEAT_MM[0], :2]
    hull = ConvexHull(seat)
    inset = -(hull.equations[:, :2] @ centre[:2] + hull.equations[:, 2])
    assert inset.min() >= GLASS_SEAT_MM[1], f"a glass rocks: its seat {inset.min():.1f} mm"


def _subject_top(c: Candidate) -> tuple[list[Any], float]:
    """The subject's parts and the slab's top at the middle, mm."""
    relief = _parts(c, "subject")
    assert relief, "no subject on the coaster"
    slab = _named(c, "slab")
    centre = slab.bounds.mean(axis=0)
    down = ray_hits(slab, np.array([centre[0], centre[1], 100.0]), np.array([0.0, 0, -1]))
    return relief, 100.0 - float(down.min())


def check_relief(c: Candidate) -> None:
    """The subject lies on the slab's top in relief: it stands 1-4 mm above it, inside its
    outline, and seen from above the coaster shows mostly the subject around its middle."""
    relief, slab_top = _subject_top(c)
    top = max(float(p.mesh.bounds[1][2]) for p in relief)
    assert 1.0 <= top - slab_top <= 4.0, f"relief {top - slab_top:.1f} mm"
    slab = _named(c, "slab").bounds
    for p in relief:
        assert (p.mesh.bounds[0][:2] >= slab[0][:2]).all(), f"{p.name} hangs over the edge"
        assert (p.mesh.bounds[1][:2] <= slab[1][:2]).all(), f"{p.name} hangs over the edge"
    tops = _tops(c)
    raised = tops[tops[:, 2] > slab_top + 0.5]
    assert len(raised) >= 0.15 * len(tops), "the subject is hardly seen from above"


def check_outlined(c: Candidate) -> None:
    """The coaster's outline is the subject's: a border of at most 8 mm all round it."""
    relief, _ = _subject_top(c)
    lo = np.min([p.mesh.bounds[0][:2] for p in relief], axis=0)
    hi = np.max([p.mesh.bounds[1][:2] for p in relief], axis=0)
    slab = _named(c, "slab").bounds[:, :2]
    border = np.concatenate([lo - slab[0], slab[1] - hi])
    assert border.max() <= 8.0, f"a border of {border.max():.1f} mm: not its outline"


def check_rim(c: Candidate) -> None:
    """A rim runs round the top, higher than the relief, so drips stay on the coaster."""
    relief, slab_top = _subject_top(c)
    slab = _named(c, "slab")
    lo, hi = slab.bounds
    middle = 0.5 * (lo + hi)
    for edge in ((lo[0] + 1.5, middle[1]), (hi[0] - 1.5, middle[1]), (middle[0], lo[1] + 1.5)):
        down = ray_hits(slab, np.array([edge[0], edge[1], 100.0]), np.array([0.0, 0, -1]))
        rim_top = 100.0 - float(down.min())
        assert rim_top > max(float(p.mesh.bounds[1][2]) for p in relief), "no rim at the edge"
        assert rim_top > slab_top + 1.0, "no rim at the edge"


def _clip_frame(c: Candidate) -> tuple[Any, float, float]:
    """A hair clip's clip part, its length (Y) and the height (Z) of its middle, mm."""
    clip = _named(c, "clip")
    return clip, float(clip.extents[1]), float(clip.bounds.mean(axis=0)[2])


def _clip_hits(c: Candidate, y: float) -> int:
    """How many surfaces of the clip a ray from behind, along +X at `y`, crosses."""
    clip, _, z = _clip_frame(c)
    start = np.array([float(clip.bounds[0][0]) - 5.0, y, z])
    return len(ray_hits(clip, start, np.array([1.0, 0.0, 0.0])))


def _clip_heights(c: Candidate) -> tuple[float, float]:
    """The clip's height (Z) within 15 % of its length of its -Y and its +Y end, mm."""
    clip, length, _ = _clip_frame(c)
    v = np.asarray(clip.vertices)
    lo, hi = float(clip.bounds[0][1]), float(clip.bounds[1][1])
    ends = (v[v[:, 1] < lo + 0.15 * length], v[v[:, 1] > hi - 0.15 * length])
    return tuple(float(np.ptp(e[:, 2])) for e in ends)  # type: ignore[return-value]


def check_clip(c: Candidate) -> None:
    """A hair clip: a clip about as long as the product under the topper, whose flat back
    (first met by rays from behind on one plane) sits on the clip's front."""
    clip, length, _ = _clip_frame(c)
    lo, hi = c.model.bounds
    assert length >= 0.95 * float(hi[1] - lo[1]), "the clip is shorter than the product"
    topper = [p.mesh for p in c.model.parts if p.name != "clip"]
    back = min(float(m.bounds[0][0]) for m in topper)
    front = float(clip.bounds[1][0])
    assert back <= front <= back + 1.0, "the clip's front is not on the topper's back"
    tlo = np.min([m.bounds[0] for m in topper], axis=0)
    thi = np.max([m.bounds[1] for m in topper], axis=0)
    firsts = []
    for y in np.linspace(tlo[1], thi[1], 11)[1:-1]:
        for z in np.linspace(tlo[2], thi[2], 11)[1:-1]:
            start = np.array([float(clip.bounds[0][0]) - 5.0, y, z])
            hits = [h for m in topper for h in ray_hits(m, start, np.array([1.0, 0.0, 0.0]))]
            if hits:
                firsts.append(start[0] + min(hits))
    assert firsts, "no topper in front of the clip"
    flat = float(np.mean(np.abs(np.array(firsts) - back) < 0.3))
    assert flat >= 0.6, f"the topper's back is not flat ({flat:.0%} on its back plane)"


def check_alligator(c: Candidate) -> None:
    """An alligator clip: two prongs tapering to their tips (a ray through them near the tip
    crosses two plates)."""
    clip, length, _ = _clip_frame(c)
    root, tip = _clip_heights(c)
    assert root >= 1.4 * tip, f"no prongs tapering to a tip ({root:.1f} vs {tip:.1f} mm)"
    assert _clip_hits(c, float(clip.bounds[1][1]) - 0.15 * length) == 4, "not two prongs"


def check_snap_clip(c: Candidate) -> None:
    """A snap clip: a teardrop frame, open in its round end, at least twice as tall there
    as at its point."""
    clip, length, _ = _clip_frame(c)
    root, tip = _clip_heights(c)
    assert root >= 2.0 * tip, f"no teardrop ({root:.1f} mm vs {tip:.1f} mm)"
    assert _clip_hits(c, float(clip.bounds[0][1]) + 0.1 * length) == 0, "no open frame"


def check_barrette(c: Candidate) -> None:
    """A barrette: a bar as tall at both ends, its clasp's rod behind it."""
    clip, length, _ = _clip_frame(c)
    root, tip = _clip_heights(c)
    assert abs(root - tip) <= 0.1 * max(root, tip), "the bar is not even"
    assert _clip_hits(c, float(clip.bounds[1][1]) - 0.2 * length) == 4, "no clasp behind"


def check_claw(c: Candidate) -> None:
    """A claw clip: two jaws of at least five teeth each (a ray along Y through either jaw
    crosses ten surfaces or more, at the height where it crosses most)."""
    clip, _, _ = _clip_frame(c)
    lo, hi = clip.bounds
    for x in (float(hi[0]) - 1.0, float(lo[0]) + 1.0):
        most = max(
            len(ray_hits(clip, np.array([x, float(lo[1]) - 5.0, z]), np.array([0.0, 1.0, 0.0])))
            for z in np.linspace(float(lo[2]), float(hi[2]), 40)
        )
        assert most >= 10, f"a jaw with {most // 2} teeth"


def check_hollow(c: Candidate) -> None:
    """A night-light's shell is hollow over its light: a ray up from under the base, through
    the puck's seat, crosses nothing until it is well inside the shell, then its wall, as
    thick as the form's minimum (up to 2.5 of them plus a face detail standing on it)."""
    from engines.design.forms import FORM_RULES

    seat = c.model.anchors["base"].point - np.array([0.0, 0.0, 1.0])
    up = np.array([0.0, 0.0, 1.0])
    first = min(float(t[0]) for p in c.model.parts if len(t := ray_hits(p.mesh, seat, up)))
    base_top = float(_named(c, "base").bounds[1][2])
    assert first > base_top + 10.0, f"the shell is not hollow over the seat ({first:.0f} mm)"
    wall = ray_hits(_named(c, "shell"), seat, up)
    assert len(wall) >= 2 and wall[0] == pytest.approx(first), "the first wall is not the shell"
    thick, least = float(wall[1] - wall[0]), FORM_RULES["night_light"].min_wall_mm
    assert least - 1e-6 <= thick <= 2.5 * least + 1.0, f"the shell's wall is {thick:.1f} mm"


def check_cable_hole(c: Candidate) -> None:
    """The base has a cable hole out of its back: a ray from the seat's middle, low, runs out
    of the back (-X) through nothing, while towards the front it meets the base."""
    base = _named(c, "base")
    low = c.model.anchors["base"].point + np.array([0.0, 0.0, 1.5])
    assert len(ray_hits(base, low, np.array([-1.0, 0.0, 0.0]))) == 0, "no cable hole at the back"
    assert len(ray_hits(base, low, np.array([1.0, 0.0, 0.0]))) > 0, "the base is open in front"


def check_portrait(c: Candidate) -> None:
    """The charm shows the subject's head alone ("cat face coaster"): its head and face, no
    body, belly, limbs or tail."""
    names = {p.name for p in c.model.parts}
    assert {"head", "eye_l", "eye_r"} <= names, sorted(names)
    below = names & {"body", "belly", "tail", "foot_l", "foot_r", "arm_l", "arm_r", "leg_fl"}
    assert not below, f"more than the head: {sorted(below)}"


CHECKS: dict[str, Callable[[Candidate], None]] = {
    name.removeprefix("check_"): fn for name, fn in globals().items() if name.startswith("check_")
}


def test_every_check_kind_is_implemented_and_used() -> None:
    used = {k for i in CHECKED for k in i["checks"]}
    assert used == set(CHECKS), used ^ set(CHECKS)


@pytest.mark.parametrize("idea", CHECKED, ids=[i["text"][:60] for i in CHECKED])
def test_each_ideas_checks_hold_on_its_literal_design(idea: dict[str, Any]) -> None:
    candidate = literal(idea["text"])
    for kind in idea["checks"]:
        CHECKS[kind](candidate)


def test_the_checks_catch_a_closed_cavity_and_a_missing_hat() -> None:
    mug = literal(next(i["text"] for i in CHECKED if "handle" in i["checks"]))
    closed = Candidate(mug.choice, mug.model, mug.origin, mug.worded, 1.0, [])
    closed.model = type(mug.model)(list(mug.model.parts), dict(mug.model.anchors))
    from engines.design.kit.parts import Anchor

    cavity = closed.model.anchors["cavity"]
    closed.model.anchors["cavity"] = Anchor(cavity.point, -cavity.normal, cavity.size_mm)
    with pytest.raises(AssertionError):
        check_cavity(closed)
    plain = literal(next(i["text"] for i in CHECKED if i["checks"] == ["ring"]))
    with pytest.raises(AssertionError):
        check_hat_above_head(plain)
    with pytest.raises(AssertionError):  # a frog face on the wall is no frog on the rim
        check_perched(literal("frog mug"))
    with pytest.raises(AssertionError):  # a cat has no spines
        check_spines(literal("cat planter"))
    with pytest.raises(AssertionError):  # a bear's round ears stand on its head
        check_floppy_ears(literal("bear keychain"))


def test_the_clip_checks_tell_the_clips_apart() -> None:
    with pytest.raises(AssertionError):  # a keychain has no clip
        check_clip(literal("capybara keychain"))
    with pytest.raises(AssertionError):  # a barrette's bar does not taper to prongs
        check_alligator(literal("capybara barrette"))
    with pytest.raises(AssertionError):  # an alligator clip is no open teardrop
        check_snap_clip(literal("axolotl hair clip"))
    with pytest.raises(AssertionError):  # a snap clip is no even bar
        check_barrette(literal("star snap clip"))
    with pytest.raises(AssertionError):  # a barrette has no teeth
        check_claw(literal("capybara barrette"))
    clip = literal("strawberry hair clip")
    loose = Candidate(clip.choice, clip.model, clip.origin, clip.worded, 1.0, [])
    off = lambda p: type(p.mesh)(p.mesh.vertices + [3.0, 0.0, 0.0], p.mesh.faces)  # noqa: E731
    loose.model = type(clip.model)(
        [p if p.name == "clip" else replace(p, mesh=off(p)) for p in clip.model.parts],
        dict(clip.model.anchors),
    )
    with pytest.raises(AssertionError):  # a topper 3 mm off its clip is not glued on it
        check_clip(loose)
