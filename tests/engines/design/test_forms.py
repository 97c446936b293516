"""Product forms (engines.design.forms): every form built around stand-in subjects, checked
for watertightness after an STL round trip, the bed, walls and the form's own geometry."""

from __future__ import annotations

import io

import numpy as np
import pytest
import trimesh

from engines.design.base import PROCESS_COST_USD, DesignError
from engines.design.forms import FORM_RULES, build_form, fits_bed
from engines.design.forms.context import DETAIL_MIN_MM
from engines.design.forms.place import ray_hits, thinnest
from engines.design.kit.parts import Anchor, Model
from engines.design.kit.spec import DesignSpec, FeatureSpec
from engines.design.kit.vocab import FORMS, MATERIALS
from engines.design.shapes import capsule, cone, ellipsoid, sphere, volume_mm3

# ---- stand-in subjects (the real ones come from engines.design.subjects) -------------------
BLACK, WHITE, PINK = (40, 40, 45), (245, 245, 240), (245, 160, 185)


def _anchors(head: np.ndarray, r: float, body_top: float) -> dict[str, Anchor]:
    """The ANCHORS of a creature whose head (centre, radius r) sits on a body."""
    x, up, down = np.array([1.0, 0, 0]), np.array([0, 0, 1.0]), np.array([0, 0, -1.0])
    face = head + x * r
    eye = lambda s: Anchor(head + r * np.array([0.85, s * 0.35, 0.25]), x, 0.15 * r)  # noqa: E731
    return {
        "head_top": Anchor(head + up * r, up, r),
        "face": Anchor(face, x, 0.6 * r),
        "eye_l": eye(1), "eye_r": eye(-1),
        "mouth": Anchor(head + r * np.array([0.95, 0, -0.3]), x, 0.2 * r),
        "cheek_l": Anchor(head + r * np.array([0.75, 0.55, -0.2]), x, 0.15 * r),
        "cheek_r": Anchor(head + r * np.array([0.75, -0.55, -0.2]), x, 0.15 * r),
        "neck": Anchor(np.array([head[0], 0, body_top]), x, 0.7 * r),
        "back": Anchor(np.array([-r, 0, body_top - r]), -x, r),
        "hand": Anchor(np.array([r, 0, body_top - r]), x, 0.3 * r),
        "base": Anchor(np.zeros(3), down, r),
        "ear_l": Anchor(head + r * np.array([0, 0.6, 0.75]), up, 0.4 * r),
        "ear_r": Anchor(head + r * np.array([0, -0.6, 0.75]), up, 0.4 * r),
    }  # fmt: skip


def _face(model: Model, head: np.ndarray, r: float) -> None:
    """Eyes (white, pupil), a mouth and blush on a head."""
    for s, side in ((1, "l"), (-1, "r")):
        eye = head + r * np.array([0.86, s * 0.36, 0.22])
        model.add(f"eye_{side}", sphere(eye, 0.2 * r), BLACK, "detail")
        model.add(f"eye_shine_{side}", sphere(eye + r * np.array([0.15, 0.05, 0.07]), 0.06 * r),
                  WHITE, "detail")  # fmt: skip
        cheek = head + r * np.array([0.8, s * 0.55, -0.2])
        model.add(f"cheek_{side}", ellipsoid(cheek, (0.05 * r, 0.13 * r, 0.08 * r)), PINK, "detail")
    model.add("mouth", ellipsoid(head + r * np.array([0.97, 0, -0.28]), (0.06 * r, 0.14 * r, 0.05 * r)),
              BLACK, "detail")  # fmt: skip


def creature(ears: str = "cat", colour: tuple[int, int, int] = (235, 150, 60)) -> Model:
    """A sitting animal about 80 mm tall: body, head, ears (cat or bunny), face, tail."""
    m = Model()
    r, head = 20.0, np.array([2.0, 0.0, 58.0])
    m.add("body", ellipsoid((0, 0, 22), (18, 20, 23)), colour)
    m.add("head", sphere(head, r, 3), colour)
    for s, side in ((1, "l"), (-1, "r")):
        root = head + r * np.array([0.0, s * 0.55, 0.7])
        if ears == "bunny":
            m.add(f"ear_{side}", capsule(root, root + np.array([0, s * 5, 30]), 5.5), colour)
        else:
            m.add(
                f"ear_{side}",
                cone(root - np.array([0, 0, 3]), root + np.array([0, s * 6, 17]), 9),
                colour,
            )
        m.add(f"foot_{side}", ellipsoid((12, s * 9, 4), (8, 6, 4)), colour)
    m.add("tail", capsule((-15, 0, 10), (-26, 0, 26), 4), colour)
    _face(m, head, r)
    m.anchors = _anchors(head, r, 40.0)
    return m


def frog() -> Model:
    """A frog about 60 mm tall: wide head with eye bumps on top, a face, feet."""
    green = (90, 170, 80)
    m = Model()
    r, head = 20.0, np.array([3.0, 0.0, 40.0])
    m.add("body", ellipsoid((0, 0, 18), (20, 22, 18)), green)
    m.add("head", ellipsoid(head, (19, 23, 17)), green)
    for s, side in ((1, "l"), (-1, "r")):
        bump = head + np.array([6.0, s * 11, 14])
        m.add(f"eye_bump_{side}", sphere(bump, 8.0), green)
        m.add(f"eye_{side}", sphere(bump + np.array([6.5, 0, 1.0]), 3.2), BLACK, "detail")
        m.add(f"foot_{side}", ellipsoid((14, s * 12, 3), (9, 7, 3)), green)
    m.add("mouth", ellipsoid(head + np.array([17.5, 0, -6]), (2, 9, 1.2)), BLACK, "detail")
    m.anchors = _anchors(head, r, 30.0)
    m.anchors["head_top"] = Anchor(head + np.array([0, 0, 17.0]), np.array([0, 0, 1.0]), 17.0)
    return m


def strawberry() -> Model:
    """A strawberry with a face and a green leaf cap, about 60 mm tall."""
    m = Model()
    r, c = 24.0, np.array([0.0, 0.0, 28.0])
    m.add("berry", ellipsoid(c, (24, 24, 28)), (215, 45, 50))
    for k in range(5):
        a = 2 * np.pi * k / 5
        tip = c + np.array([20 * np.cos(a), 20 * np.sin(a), 22])
        m.add(
            f"leaf {k}",
            ellipsoid((c + tip + np.array([0, 0, 56])) / 3, (8, 8, 3)),
            (90, 170, 80),
            "feature",
        )
    m.add(
        "stem",
        capsule(c + np.array([0, 0, 26]), c + np.array([0, 0, 34]), 2.2),
        (90, 170, 80),
        "feature",
    )
    _face(m, c + np.array([0, 0, 0]), r)
    m.anchors = _anchors(c, r, 10.0)
    m.anchors["head_top"] = Anchor(c + np.array([0, 0, 28.0]), np.array([0, 0, 1.0]), r)
    return m


def cactus() -> Model:
    """A cactus with two arms and a face, about 70 mm tall."""
    green = (70, 150, 80)
    m = Model()
    m.add("body", capsule((0, 0, 14), (0, 0, 56), 14), green)
    m.add("arm_l", capsule((0, 12, 30), (0, 24, 44), 6), green)
    m.add("arm_r", capsule((0, -12, 26), (0, -22, 36), 5.5), green)
    m.add("flower", sphere((0, 0, 71), 5), (245, 160, 185), "feature")
    _face(m, np.array([0.0, 0, 44]), 14.0)
    m.anchors = _anchors(np.array([0.0, 0, 56]), 14.0, 40.0)
    return m


SUBJECTS = {"cat": creature, "bunny": lambda: creature("bunny", WHITE), "frog": frog,
            "strawberry": strawberry, "cactus": cactus}  # fmt: skip
CASES = {
    "plush": ("cat", "frog", "strawberry"),
    "figurine": ("cat", "frog", "strawberry"),
    "keychain": ("cat", "frog", "strawberry"),
    "ornament": ("bunny", "frog", "strawberry"),
    "mug": ("cat", "frog", "strawberry", None),
    "planter": ("cat", "frog", "cactus", None),
    "pen_holder": ("cat", "frog", None),
    "phone_stand": ("cat", "strawberry", None),
    "headband": ("cat", "bunny", "strawberry", None),
    "hat": ("cat", "frog", "strawberry", None),
    "eyewear": ("cat", "strawberry", None),
    "coaster": ("cat", "frog", "strawberry", None),
    "hair_clip": ("cat", "frog", "strawberry"),
    "night_light": ("cat", "frog", "strawberry", "cactus"),
}
PARAMS = [(form, s) for form, subjects in CASES.items() for s in subjects]
_BUILT: dict[tuple[str, str | None, float | None], Model] = {}


def built(form: str, subject: str | None, size_mm: float | None = None, **kw: object) -> Model:
    """The form built around a stand-in subject (cached per form, subject and size)."""
    key = (form, subject, size_mm)
    custom = bool(kw)
    if key not in _BUILT or custom:
        spec = DesignSpec(text=f"{subject or 'plain'} {form}", form=form, subject=subject)
        model = build_form(
            form,
            SUBJECTS[subject]() if subject else None,
            size_mm=size_mm,
            spec=kw.pop("spec", spec),
            **kw,
        )  # type: ignore[arg-type]
        if custom:
            return model
        _BUILT[key] = model
    return _BUILT[key]


def round_trip(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """The mesh written to binary STL and read back."""
    data = io.BytesIO(trimesh.exchange.stl.export_stl(mesh))
    return trimesh.Trimesh(**trimesh.exchange.stl.load_stl(data))


def solid_of(model: Model) -> trimesh.Trimesh:
    """The model's one watertight solid."""
    return model.solid()[0]


def inside(mesh: trimesh.Trimesh, point: np.ndarray) -> bool:
    """Whether a point is inside a watertight mesh (odd number of crossings of a ray)."""
    direction = np.array([0.2873, 0.5461, 0.7869])
    return (
        len(ray_hits(mesh, np.asarray(point, float), direction / np.linalg.norm(direction))) % 2
        == 1
    )


def part(model: Model, name: str) -> trimesh.Trimesh:
    """The mesh of the model's part called `name`."""
    found = [p.mesh for p in model.parts if p.name == name]
    assert found, f"no part {name!r} in {[p.name for p in model.parts]}"
    return found[0]


def test_every_form_has_rules_processes_and_costs() -> None:
    assert set(FORM_RULES) == set(FORMS)
    for rule in FORM_RULES.values():
        assert set(rule.processes) <= set(PROCESS_COST_USD)
        assert rule.process_cost_usd() > 0 and rule.material_usd_per_cm3 > 0
        assert rule.min_wall_mm >= 1.0 and rule.material in MATERIALS
    assert "straw_weaving" in FORM_RULES["hat"].processes_for("straw")


@pytest.mark.parametrize(("form", "subject"), PARAMS)
def test_form_is_watertight_after_stl_and_fits_the_bed(form: str, subject: str | None) -> None:
    model = built(form, subject)
    back = round_trip(solid_of(model))
    assert back.is_watertight and back.is_volume
    assert fits_bed(model), model.bounds
    assert abs(model.bounds[0][2]) < 1e-6  # stands on z = 0
    base = model.anchors["base"]
    assert base.point[2] == pytest.approx(0.0, abs=1e-3) and base.normal[2] == pytest.approx(-1.0)
    names = {p.name for p in model.parts}
    assert set(FORM_RULES[form].fixtures[:1]) <= names
    assert all(p.colour and len(p.colour) == 3 for p in model.parts)


@pytest.mark.parametrize(("form", "subject"), PARAMS)
def test_subject_parts_keep_their_colours(form: str, subject: str | None) -> None:
    if subject is None:
        return
    model = built(form, subject)
    own = {p.colour for p in SUBJECTS[subject]().parts}
    shown = {p.colour for p in model.parts if p.role != "fixture"}
    assert shown and shown <= own  # only the subject's colours on subject parts
    if form not in ("headband", "eyewear"):  # (those wear only its ears)
        assert len(shown) >= 2  # the subject's face/features came along, not just a blob


def test_forms_that_need_a_subject_refuse_without_one() -> None:
    for form in ("plush", "figurine", "keychain", "ornament", "hair_clip"):
        with pytest.raises(DesignError):
            build_form(form, None)


def test_product_colour_and_material_colour_the_fixtures() -> None:
    mug = built("mug", "cat", product_colour=(10, 20, 30))
    assert part(mug, "wall") is not None
    assert {p.colour for p in mug.parts if p.role == "fixture"} == {(10, 20, 30)}
    assert (235, 150, 60) in {p.colour for p in mug.parts if p.role != "fixture"}
    wood = built("phone_stand", None, material="wood")
    assert {p.colour for p in wood.parts} == {MATERIALS["wood"]}


def _open_cavity(model: Model, up: bool) -> None:
    """The cavity anchor is outside the solid and a ray out of the opening hits nothing."""
    solid = solid_of(model)
    point = model.anchors["cavity"].point
    assert not inside(solid, point)
    direction = np.array([0.0, 0.0, 1.0 if up else -1.0])
    assert len(ray_hits(solid, point, direction)) == 0
    sideways = ray_hits(solid, point, np.array([-1.0, 0.0, 0.0]))
    assert len(sideways) >= 2  # walled in: the ray crosses the wall (in and out)


@pytest.mark.parametrize(("form", "subject"), [c for c in PARAMS if c[0] in ("mug", "pen_holder")])
def test_vessels_have_an_open_cavity_and_walls(form: str, subject: str | None) -> None:
    model = built(form, subject)
    _open_cavity(model, up=True)


@pytest.mark.parametrize("subject", ["cat", "frog", None])
def test_planter_has_an_open_cavity_and_a_drain_hole(subject: str | None) -> None:
    model = built("planter", subject)
    _open_cavity(model, up=True)
    solid = solid_of(model)
    below = np.array([0.0, 0.0, -5.0])
    assert len(ray_hits(solid, below, np.array([0.0, 0.0, 1.0]))) == 0  # light through the drain


def test_cactus_stands_in_the_planter_with_room_around_it() -> None:
    model = built("planter", "cactus")
    assert any(p.name == "soil" for p in model.parts)
    pot_top = part(model, "pot").bounds[1][2]
    plant = np.vstack([p.mesh.vertices for p in model.parts if p.role != "fixture"])
    assert plant[:, 2].max() > pot_top + 10  # the plant rises out of the pot
    solid = solid_of(model)
    r_in = 0.5 * model.anchors["cavity"].size_mm + 0.3 * model.anchors["cavity"].size_mm
    gap = np.array([-r_in, 0.0, pot_top - 2.0])
    assert not inside(solid, gap)
    assert len(ray_hits(solid, gap, np.array([0.0, 0.0, 1.0]))) == 0


@pytest.mark.parametrize("subject", ["cat", "frog", "strawberry", None])
def test_hat_has_a_head_cavity_open_below(subject: str | None) -> None:
    model = built("hat", subject)
    _open_cavity(model, up=False)
    width = model.bounds[1][:2] - model.bounds[0][:2]
    assert 170 <= width.max() <= 220


@pytest.mark.parametrize("style", ["bucket", "beanie", "cap", "straw", "top", "witch", "party"])
def test_every_hat_style_is_a_wearable_shell(style: str) -> None:
    spec = DesignSpec(text=f"frog {style} hat", form="hat", subject="frog",
                      features=(FeatureSpec("hat", style),))  # fmt: skip
    model = built("hat", "frog", spec=spec)
    _open_cavity(model, up=False)
    assert round_trip(solid_of(model)).is_watertight
    assert fits_bed(model)


def test_hat_styles_differ() -> None:
    heights = set()
    for style in ("bucket", "beanie", "witch"):
        spec = DesignSpec(text="hat", form="hat", features=(FeatureSpec("hat", style),))
        heights.add(round(float(build_form("hat", None, spec=spec).bounds[1][2])))
    assert len(heights) == 3


@pytest.mark.parametrize(("form", "name"), [("keychain", "ring"), ("ornament", "loop")])
@pytest.mark.parametrize("subject", ["cat", "frog", "strawberry"])
def test_ring_hole_stays_open(form: str, name: str, subject: str) -> None:
    if subject not in CASES[form]:
        subject = CASES[form][0]
    model = built(form, subject)
    solid = solid_of(model)
    hole = model.anchors["hole"]
    assert not inside(solid, hole.point)
    for direction in ((1.0, 0.0, 0.0), (-1.0, 0.0, 0.0)):  # a key ring passes through
        assert len(ray_hits(solid, hole.point, np.array(direction))) == 0
    for direction in ((0.0, 1.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, 1.0), (0.0, 0.0, -1.0)):
        assert len(ray_hits(solid, hole.point, np.array(direction))) > 0  # closed around it
    ring = part(model, name)
    assert ring.bounds[0][2] >= model.bounds[1][2] - (ring.bounds[1][2] - ring.bounds[0][2]) - 1e-6


@pytest.mark.parametrize("subject", ["cat", "frog", "strawberry"])
def test_keychain_is_a_flat_backed_charm_of_40_to_60_mm(subject: str) -> None:
    model = built("keychain", subject)
    size = model.bounds[1] - model.bounds[0]
    assert 40 <= size.max() <= 60
    assert size[0] < 0.4 * size[2]  # flattened in depth
    solid = solid_of(model)
    back = solid.vertices[:, 0].min()
    on_back = solid.triangles_center[:, 0] < back + 1e-3
    assert solid.area_faces[on_back].sum() > 0.2 * size[1] * size[2]  # a flat back


@pytest.mark.parametrize("subject", ["cat", "frog", "strawberry", None])
def test_mug_has_a_handle_beside_its_wall(subject: str | None) -> None:
    model = built("mug", subject)
    wall, handle = part(model, "wall"), part(model, "handle")
    r_wall = wall.bounds[1][0]
    assert handle.bounds[0][1] < -r_wall - 20  # reaches out from the wall
    centre = np.array([0.0, handle.bounds[0][1] + 0.5 * (-r_wall - handle.bounds[0][1]),
                       handle.bounds.mean(axis=0)[2]])  # fmt: skip
    solid = solid_of(model)
    for x in (1.0, -1.0):  # fingers go through the handle
        assert len(ray_hits(solid, centre, np.array([x, 0.0, 0.0]))) == 0


def test_mug_shows_ears_on_the_rim_and_the_face_on_the_front() -> None:
    model = built("mug", "cat")
    rim = part(model, "wall").bounds[1][2]
    ears = [p.mesh for p in model.parts if p.name.startswith("ear")]
    assert len(ears) == 2 and all(e.bounds[1][2] > rim + 10 for e in ears)
    eyes = [p.mesh.centroid for p in model.parts if p.name in ("eye_l", "eye_r")]
    assert len(eyes) == 2 and all(e[0] > 0.8 * part(model, "wall").bounds[1][0] for e in eyes)


def test_bubble_tea_cup_is_taller_than_a_mug() -> None:
    spec = DesignSpec(text="bear bubble tea cup", form="mug", subject="cat")
    cup = built("mug", "cat", spec=spec)
    mug = built("mug", "cat")
    assert part(cup, "wall").bounds[1][2] > 1.3 * part(mug, "wall").bounds[1][2]


def test_figurine_stands_on_its_base() -> None:
    model = built("figurine", "cat")
    base = part(model, "base")
    assert base.bounds[0][2] == pytest.approx(0.0, abs=1e-6)
    figure = np.vstack([p.mesh.vertices for p in model.parts if p.name != "base"])
    assert figure[:, 2].min() < base.bounds[1][2]  # sunk into the base: they join
    assert figure[:, 2].min() > base.bounds[1][2] - 3.0
    assert np.all(np.abs(figure[:, :2]).max(axis=0) <= np.abs(base.bounds).max(axis=0)[:2])


@pytest.mark.parametrize("subject", ["cat", "bunny", "strawberry", None])
def test_headband_is_a_wearable_arc(subject: str | None) -> None:
    model = built("headband", subject)
    band = part(model, "band")
    width = band.bounds[1][1] - band.bounds[0][1]
    assert 130 <= width <= 150
    top = np.array([0.0, 0.0, band.bounds[1][2] + 1.0])
    hits = np.sort(ray_hits(band, top, np.array([0.0, 0.0, -1.0])))
    assert len(hits) == 2 and 3.0 <= hits[1] - hits[0] <= 5.0 + 1e-6  # 3-5 mm thick
    centre = np.array([0.0, 0.0, band.bounds.mean(axis=0)[2]])
    assert not inside(band, centre)  # an arc, not a disc
    for y in (-1.0, 1.0):  # both ends reach down to the bed
        ends = band.vertices[np.sign(band.vertices[:, 1]) == y]
        assert ends[:, 2].min() < 1.0
    if subject in ("cat", "bunny"):
        ears = [p.mesh for p in model.parts if p.name.startswith("ear")]
        assert len(ears) == 2 and all(e.centroid[2] > 0.6 * band.bounds[1][2] for e in ears)


def _lens_fill(model: Model, name: str) -> float:
    """The lens's area over its bounding box's in the frame's plane."""
    lens = part(model, name)
    size = lens.bounds[1] - lens.bounds[0]
    return float(lens.volume / (size[0] * size[1] * size[2]))


@pytest.mark.parametrize("subject", ["cat", None])
def test_eyewear_has_two_lenses_of_the_worded_shape(subject: str | None) -> None:
    fills = {}
    for shape in ("round", "heart", "star"):
        spec = DesignSpec(
            text=f"{shape} sunglasses", form="eyewear", subject=subject, lens_shape=shape
        )
        model = built("eyewear", subject, spec=spec)
        left, right = part(model, "lens_l"), part(model, "lens_r")
        assert left.centroid[1] > 20 and right.centroid[1] < -20
        assert round_trip(solid_of(model)).is_watertight and fits_bed(model)
        fills[shape] = _lens_fill(model, "lens_l")
        front = solid_of(model).vertices[:, 0].max()
        assert front == pytest.approx(part(model, "frame").bounds[1][0])  # prints face down
    assert fills["star"] < fills["heart"] < fills["round"]
    assert fills["round"] == pytest.approx(np.pi / 4, abs=0.03)


@pytest.mark.parametrize("subject", ["cat", None])
def test_phone_stand_leans_the_phone_at_60_to_75_degrees(subject: str | None) -> None:
    model = built("phone_stand", subject)
    solid = solid_of(model)
    front = model.bounds[1][0] + 10
    rest_x = []  # x of the back rest's front face at two heights (the phone's middle plane)
    for z in (40.0, 80.0):
        hits = ray_hits(solid, np.array([front, 0.0, z]), np.array([-1.0, 0.0, 0.0]))
        rest_x.append(front - hits.min())
    angle = np.degrees(np.arctan2(40.0, rest_x[0] - rest_x[1]))
    assert 60 <= angle <= 75
    lip = ray_hits(solid, np.array([front, 0.0, 8.0]), np.array([-1.0, 0.0, 0.0]))
    foot_x = rest_x[0] + (40.0 - 8.0) / np.tan(np.radians(angle))
    assert front - lip.min() > foot_x + 8.0  # a lip a phone's thickness in front of the rest


@pytest.mark.parametrize("form", sorted(FORM_RULES))
def test_walls_hold_the_min_wall_at_default_and_mini_size(form: str) -> None:
    rule = FORM_RULES[form]
    subject = CASES[form][0]
    for size in (None, 0.5 * rule.default_size_mm):
        model = built(form, subject, size)
        assert round_trip(solid_of(model)).is_watertight
        for p in model.parts:
            if p.role == "fixture":
                continue
            limit = DETAIL_MIN_MM if p.role == "detail" else rule.min_wall_mm
            assert thinnest(p.mesh)[1] >= limit - 1e-6, (p.name, size)
        if "cavity" in model.anchors:
            cavity = model.anchors["cavity"].point
            hits = np.sort(ray_hits(solid_of(model), cavity, np.array([-1.0, 0.0, 0.0])))
            assert hits[1] - hits[0] >= rule.min_wall_mm - 1e-6, size


def test_plush_is_chunky_and_stands_flat() -> None:
    model = built("plush", "cat")
    solid = solid_of(model)
    bottom = solid.triangles_center[:, 2] < 1e-3
    assert solid.area_faces[bottom].sum() > 100.0  # a flat footprint, mm2
    assert max(model.bounds[1] - model.bounds[0]) == pytest.approx(
        FORM_RULES["plush"].default_size_mm, rel=0.05
    )


# ---- the real subjects (engines.design.subjects) in every form ---------------------------
REAL = [(form, s) for form in FORMS for s in ("capybara", "strawberry")] + [
    ("mug", "axolotl"), ("hat", "frog"), ("headband", "bunny"), ("planter", "cactus"),
    ("keychain", "octopus"), ("eyewear", "cat"), ("pen_holder", "penguin"), ("pen_holder", "donut"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "subject"), REAL)
def test_real_subjects_make_every_form(form: str, subject: str) -> None:
    from engines.design.subjects import build_subject

    spec = DesignSpec(text=f"{subject} {form}", form=form, subject=subject)
    source = build_subject(subject)
    model = build_form(form, source, spec=spec)
    assert round_trip(solid_of(model)).is_watertight
    assert fits_bed(model)
    assert set(FORM_RULES[form].fixtures[:1]) <= {p.name for p in model.parts}
    own = {p.colour for p in source.parts}
    shown = {p.colour for p in model.parts if p.role != "fixture"}
    assert shown and shown <= own
    if form == "planter" and subject == "cactus":
        pots = [p for p in model.parts if p.name == "pot"]
        assert len(pots) == 1 and pots[0].role == "fixture"  # the planter is the cactus's pot


def test_pen_holder_as_the_subjects_body_keeps_its_cavity_open() -> None:
    model = built("pen_holder", "cat", knobs={"hug": 1.0})
    _open_cavity(model, up=True)
    cup = part(model, "cup")
    eyes = [p.mesh for p in model.parts if p.name in ("eye_l", "eye_r")]
    assert len(eyes) == 2 and all(e.bounds[1][0] > 0.9 * cup.bounds[1][0] for e in eyes)
    radius = cup.bounds[1][0]

    def reach(m: Model) -> float:
        v = np.vstack([p.mesh.vertices for p in m.parts if p.role != "fixture"])
        return float(np.hypot(v[:, 0], v[:, 1]).max())

    assert reach(model) < 1.5 * radius < reach(built("pen_holder", "cat"))  # on it, not beside


@pytest.mark.parametrize("angle", [60.0, 75.0])
def test_phone_stand_angle_knob(angle: float) -> None:
    model = built("phone_stand", None, knobs={"angle_deg": angle})
    normal = model.anchors["phone"].normal
    assert np.degrees(np.arctan2(normal[0], normal[2])) == pytest.approx(angle, abs=0.5)


@pytest.mark.parametrize("size", [200.0, 100.0])
def test_hat_brim_holds_the_min_wall(size: float) -> None:
    model = built("hat", None, size)
    brim = part(model, "brim")
    r = 0.5 * (brim.bounds[1][0] + model.anchors["cavity"].size_mm)
    hits = np.sort(ray_hits(brim, np.array([r, 0.0, 100.0]), np.array([0.0, 0.0, -1.0])))
    assert len(hits) == 2 and hits[1] - hits[0] >= FORM_RULES["hat"].min_wall_mm


@pytest.mark.parametrize(
    ("form", "subject", "feature", "variant"),
    [("mug", "capybara", "hat", "straw"), ("keychain", "capybara", "hat", "straw"),
     ("headband", "cat", "bow", "head"), ("figurine", "bunny", "wings", "fairy"),
     ("ornament", "penguin", "hat", "santa")],
)  # fmt: skip
def test_worded_features_come_along_into_the_form(
    form: str, subject: str, feature: str, variant: str
) -> None:
    from engines.design.features import attach_feature
    from engines.design.subjects import build_subject

    source = build_subject(subject)
    attach_feature(source, FeatureSpec(feature, variant))
    wanted = {p.name for p in source.parts if p.role == "feature"}
    model = build_form(form, source, spec=DesignSpec(text="", form=form, subject=subject))
    assert wanted & {p.name for p in model.parts if p.role == "feature"}
    assert round_trip(solid_of(model)).is_watertight and fits_bed(model)


def test_the_quick_volume_is_trimeshs_with_its_sign() -> None:
    for mesh in (
        trimesh.creation.icosphere(3, 12.0).apply_translation((40.0, -5.0, 90.0)),
        trimesh.creation.box((10.0, 20.0, 3.0)),
        trimesh.creation.annulus(8.0, 15.0, 6.0),
    ):
        assert volume_mm3(mesh) == pytest.approx(mesh.volume, rel=1e-9)
        mesh.invert()
        assert volume_mm3(mesh) == pytest.approx(-abs(mesh.volume), rel=1e-9)
