"""What issue 3 asks of each family, checked on the built solids: the plush animal's parts and its
mouth from crying to smiling, the hat's crown, brim width and droop and band, the robot
figurine, and distinct variants for each benchmark trend."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from bench.design.baseline import FAMILIES, detect_family, generate_variants, parse_intent
from bench.design.baseline.families._parts import face
from bench.design.baseline.families.plush_animal import SPECIES


def _params(family: str, **changes: float | str) -> dict[str, float]:
    fam = FAMILIES[family]
    params = fam.defaults()
    for name, value in changes.items():
        p = fam.param(name)
        params[name] = float(p.choices.index(value)) if isinstance(value, str) else value
    return params


def _inside(mesh: trimesh.Trimesh, point: np.ndarray) -> bool:
    """Whether a 0.5 mm ball at the point lies (almost) wholly inside the solid."""
    ball = trimesh.creation.icosphere(2, 0.5)
    ball.apply_translation(point)
    common = trimesh.boolean.intersection([mesh, ball], engine="manifold")
    return bool(len(common.faces)) and bool(common.volume > 0.9 * ball.volume)


def _volume(family: str, **changes: float | str) -> float:
    return float(FAMILIES[family].build(_params(family, **changes)).volume)


@pytest.mark.parametrize("species", SPECIES)
def test_plush_has_body_head_ears_legs_and_tail(species: str) -> None:
    p = _params("plush_animal", species=species)
    mesh = FAMILIES["plush_animal"].build(p)
    assert mesh.is_watertight and mesh.body_count == 1
    # legs stand on the floor below the body; the body sits above the legs
    assert mesh.bounds[0][2] == pytest.approx(0.0, abs=1e-3)
    leg_x, leg_y = 0.28 * p["body_length"], 0.26 * p["body_width"]
    assert _inside(mesh, np.array([leg_x, leg_y, 0.5 * p["leg_length"]]))
    assert not _inside(mesh, np.array([0.0, 0.0, 0.5 * p["leg_length"]]))  # between the legs
    # longer legs, ears, tail and a bigger head each add material
    for part, (low, high) in {
        "leg_length": (10.0, 45.0), "ear_size": (10.0, 28.0),
        "tail_length": (8.0, 65.0), "head_radius": (30.0, 52.0),
    }.items():  # fmt: skip
        assert _volume("plush_animal", species=species, **{part: high}) > _volume(
            "plush_animal", species=species, **{part: low}
        ), part


def test_horse_has_a_neck_mane_and_the_text_says_so() -> None:
    fam = FAMILIES["plush_animal"]
    p = _params("plush_animal", species="horse", tail_length=70.0)
    mesh = fam.build(p)
    length, width, hr = p["body_length"], p["body_width"], p["head_radius"]
    body_cz = p["leg_length"] + 0.45 * width
    neck = np.array([0.3 * length, 0.0, body_cz + 0.2 * width])
    head = neck + np.array([0.25 * length, 0.0, 0.3 * width + 0.6 * hr])
    axis = (head - neck) / np.linalg.norm(head - neck)
    crest = np.array([-axis[2], 0.0, axis[0]])  # backwards and up, across the neck
    point = neck + 0.3 * (head - neck) + 0.6 * hr * crest
    # beyond the neck (radius 0.55 head radii) and the head: only a mane can fill it
    assert np.linalg.norm(point - head) > hr
    assert _inside(mesh, point)
    assert "mane" in fam.describe(p, 220.0)[1]
    assert "mane" not in fam.describe(_params("plush_animal", species="bear"), 220.0)[1]


def test_mouth_curves_from_crying_to_smiling() -> None:
    head = np.zeros(3)

    def mouth_z(curve: float) -> tuple[float, float, int]:
        parts = face(head, 40.0, curve)
        beads = [p.centroid for p in parts[2:8]]  # eyes first, then six mouth beads
        corners = (beads[0][2] + beads[-1][2]) / 2
        middle = (beads[2][2] + beads[3][2]) / 2
        return corners, middle, len(parts)

    crying, smiling = mouth_z(-1.0), mouth_z(1.0)
    assert crying[0] < crying[1]  # corners droop: a frown
    assert smiling[0] > smiling[1]  # corners lift: a smile
    assert crying[2] == smiling[2] + 4  # and tears when crying
    _, crying_horse = generate_variants("viral crying horse plushie", count=6, embeddings=False)
    assert all(v.params["mouth_curve"] < -0.4 and v.params["species"] == 2.0 for v in crying_horse)


def test_hat_has_crown_brim_width_droop_and_band() -> None:
    hat = FAMILIES["hat"]
    base = hat.build(_params("hat"))
    wide = hat.build(_params("hat", brim_width=110.0))
    droopy = hat.build(_params("hat", brim_droop=0.8))
    tall = hat.build(_params("hat", crown_height=140.0))
    assert wide.extents[0] > base.extents[0] + 2 * 40.0  # brim width widens the footprint
    assert droopy.bounds[0][2] < base.bounds[0][2] - 20.0  # droop lowers the brim's edge
    assert tall.bounds[1][2] > base.bounds[1][2] + 30.0  # the crown sets the height
    banded, plain = (
        hat.build(_params("hat", band_height=30.0)),
        hat.build(_params("hat", band_height=4.0)),
    )
    # 20 mm above the brim the default crown wall's outside is ~84.7 mm from the axis; a 30 mm
    # band stands ~2.5 mm proud of it there, a 4 mm band has ended below
    band_point = np.array([86.0, 0.0, 22.5])
    assert _inside(banded, band_point) and not _inside(plain, band_point)
    assert banded.volume > plain.volume


def test_palm_sized_hat_is_a_printable_miniature() -> None:
    intent = parse_intent("palm-sized straw sun hat", embeddings=False)
    assert intent.family == "hat" and intent.size_mm == 80.0
    _, hats = generate_variants("palm-sized straw sun hat", count=6, embeddings=False)
    assert all(max(v.dims_mm) == pytest.approx(80.0) and v.printable for v in hats)


def test_robot_toy_is_a_figurine_with_a_robot_style() -> None:
    assert detect_family("robot toy", embeddings=False) == "figurine"
    assert detect_family("robot toy") == "figurine"
    family, robots = generate_variants("little robot toy for the desk", count=6)
    assert family == "figurine"
    assert all(v.params["style"] == 1.0 and "robot" in v.description for v in robots)
    assert all(v.mesh.is_watertight and v.printable for v in robots)
    character = FAMILIES["figurine"].build(_params("figurine"))
    robot = FAMILIES["figurine"].build(_params("figurine", style="robot"))
    assert robot.volume > character.volume  # a boxy body and head


@pytest.mark.parametrize(
    ("text", "family"),
    [("robot phone stand", "phone_stand"), ("cat-shaped phone holder", "phone_stand"),
     ("pink heart keychain charm for your bag", "keychain_charm"),
     ("oversized coffee mug with a round belly", "cup")],
)  # fmt: skip
def test_other_families_are_named_by_their_words(text: str, family: str) -> None:
    assert detect_family(text) == family


BENCH_TRENDS = (
    "viral crying horse plushie",
    "mini straw sun hat for your palm",
    "cat-shaped phone holder",
    "pink heart keychain charm for your bag",
    "oversized coffee mug with a round belly",
)


@pytest.mark.parametrize("text", BENCH_TRENDS)
def test_36_variants_of_each_bench_trend_are_distinct_solids(text: str) -> None:
    family, variants = generate_variants(text, count=36)
    fam = FAMILIES[family]
    units = np.array([fam.normalise(v.design_params) for v in variants])
    dist = np.linalg.norm(units[:, None] - units[None], axis=2) / np.sqrt(units.shape[1])
    assert len(variants) == 36
    assert dist[np.triu_indices(len(units), 1)].min() > 0.03  # no two near-identical
    assert all(v.mesh.is_watertight and v.mesh.volume > 0 for v in variants)
