"""Subjects: every vocab subject builds in several styles and poses with all anchors, as one
watertight solid (after an STL round trip) standing on z = 0 at the asked height; styles,
knobs, expressions and colours change what they should."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from engines.design.kit.parts import ANCHORS, Model
from engines.design.kit.vocab import CREATURES, OBJECTS, SUBJECTS
from engines.design.subjects import build_subject, default_colours

HEIGHT_MM = 100.0


def watertight_after_stl(mesh: trimesh.Trimesh) -> bool:
    """Whether a binary STL of the mesh, corners merged by their float32 bytes, has every edge
    in exactly two faces (once each way) and no face with a repeated corner."""
    data = trimesh.exchange.stl.export_stl(mesh)
    count = int(np.frombuffer(data, dtype="<u4", count=1, offset=80)[0])
    record = np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    corners = np.frombuffer(data, dtype=record, count=count, offset=84)["v"].reshape(-1, 3)
    keys = np.ascontiguousarray(corners).view(np.dtype((np.void, 12))).ravel()
    faces = np.unique(keys, return_inverse=True)[1].reshape(-1, 3)
    if count == 0 or (faces[:, [0, 1, 2]] == faces[:, [1, 2, 0]]).any():
        return False
    edges = np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]).astype(np.int64)
    k = int(faces.max()) + 1
    directed = edges[:, 0] * k + edges[:, 1]
    reverse = edges[:, 1] * k + edges[:, 0]
    return len(np.unique(directed)) == len(directed) and bool(np.isin(directed, reverse).all())


def check_solid(model: Model, height_mm: float = HEIGHT_MM) -> None:
    """Anchors, one watertight solid after STL, on z = 0, centred, the asked height."""
    missing = [a for a in ANCHORS if a not in model.anchors]
    assert not missing, missing
    mesh, owner = model.solid()
    assert len(owner) == len(mesh.faces)
    assert watertight_after_stl(mesh)
    lo, hi = model.bounds
    assert abs(lo[2]) < 1e-3 and abs(hi[2] - height_mm) < 1e-3 * height_mm
    assert np.all(np.abs((lo[:2] + hi[:2]) / 2) < 0.02 * height_mm)
    assert sum(len(p.mesh.faces) for p in model.parts) < 40_000


CASES = [
    (s, st, po) for s in SUBJECTS for st in ("kawaii", "chibi") for po in ("standing", "sitting")
]
CASES += [
    (s, st, po) for s in CREATURES for st, po in (("realistic", "lying"), ("cartoon", "waving"))
]


@pytest.mark.parametrize(("name", "style", "pose"), CASES)
def test_subject_builds_one_watertight_solid(name: str, style: str, pose: str) -> None:
    model = build_subject(name, style=style, pose=pose)
    check_solid(model)
    assert all(p.role in ("body", "detail", "feature") for p in model.parts)
    assert all(p.mesh.is_watertight for p in model.parts)


def test_anchors_sit_where_they_say() -> None:
    for name in ("cat", "capybara", "octopus", "shark", "strawberry"):
        m = build_subject(name)
        a = m.anchors
        assert a["head_top"].point[2] > a["face"].point[2] > a["base"].point[2]
        assert a["eye_l"].point[1] > a["eye_r"].point[1]  # the subject's left is +Y
        assert a["mouth"].point[2] < min(a["eye_l"].point[2], a["eye_r"].point[2])
        assert a["face"].normal[0] > 0.5  # faces +X
        assert a["back"].point[0] < a["face"].point[0]
        assert a["neck"].point[2] < a["head_top"].point[2]
        assert np.allclose(a["base"].point, 0.0)


def thinnest_mm(mesh: trimesh.Trimesh) -> float:
    """The smallest extent of a part along its principal axes, mm."""
    v = np.asarray(mesh.vertices) - np.asarray(mesh.vertices).mean(axis=0)
    axes = np.linalg.eigh(v.T @ v)[1]
    return float(np.ptp(v @ axes, axis=0).min())


def test_parts_are_printable_thickness() -> None:
    """No part is thinner than 2 mm at 100 mm (smallest extent along its principal axes)."""
    for name in SUBJECTS:
        for pose in ("standing", "waving"):
            m = build_subject(name, pose=pose, expression="crying" if pose == "waving" else "happy")
            thin = [p.name for p in m.parts if thinnest_mm(p.mesh) < 1.95]
            assert not thin, (name, pose, thin)


def test_height_scales_the_model() -> None:
    small = build_subject("frog", height_mm=40.0)
    check_solid(small, 40.0)
    big = build_subject("frog", height_mm=150.0)
    ratio = big.anchors["head_top"].size_mm / small.anchors["head_top"].size_mm
    assert ratio == pytest.approx(150.0 / 40.0, rel=1e-6)


def _extent(model: Model, name: str) -> np.ndarray:
    """The xyz extents of the named part."""
    return next(p for p in model.parts if p.name == name).mesh.extents


def test_styles_change_head_to_body_ratio() -> None:
    ratio = {}
    for style in ("chibi", "kawaii", "realistic"):
        m = build_subject("bear", style=style)
        ratio[style] = _extent(m, "head")[1] / _extent(m, "body")[1]
    assert ratio["chibi"] > ratio["kawaii"] * 1.15 > ratio["realistic"] * 1.3


def test_minimal_has_fewer_details_than_kawaii() -> None:
    for name in ("cow", "tiger", "cat", "strawberry"):
        kawaii = build_subject(name, style="kawaii")
        minimal = build_subject(name, style="minimal")
        assert len(minimal.parts) < len(kawaii.parts), name


def test_knobs_change_proportions() -> None:
    small = build_subject("cat", knobs={"head_ratio": 0.0, "ear_size": 0.0})
    large = build_subject("cat", knobs={"head_ratio": 1.0, "ear_size": 1.0})
    for m in (small, large):
        check_solid(m)
    head = [_extent(m, "head")[1] / _extent(m, "body")[1] for m in (small, large)]
    assert head[1] > 1.4 * head[0]
    short = build_subject("horse", knobs={"limb_length": 0.0})
    long = build_subject("horse", knobs={"limb_length": 1.0})
    legs = [_extent(m, "leg_fl")[2] / m.bounds[1][2] for m in (short, long)]
    assert legs[1] > 1.2 * legs[0]


def test_expressions_change_the_face() -> None:
    happy = build_subject("bear", expression="happy")
    crying = build_subject("bear", expression="crying")
    surprised = build_subject("bear", expression="surprised")
    assert any(p.name.startswith("tear") for p in crying.parts)
    assert not any(p.name.startswith("tear") for p in happy.parts)
    for p in crying.parts:  # tears run below the eyes
        if p.name.startswith("tear"):
            assert p.mesh.bounds[1][2] < max(crying.anchors[k].point[2] for k in ("eye_l", "eye_r"))
    mouth = {m: next(p for p in x.parts if p.name == "mouth") for m, x in
             (("happy", happy), ("surprised", surprised))}  # fmt: skip
    assert mouth["surprised"].mesh.extents[2] > 1.3 * mouth["happy"].mesh.extents[2]
    angry = build_subject("bear", expression="angry")
    assert any(p.name.startswith("brow") for p in angry.parts)
    for expression in ("sleepy", "neutral", "angry", "surprised", "crying"):
        check_solid(build_subject("owl", expression=expression))


def test_default_colours_have_the_roles_and_character() -> None:
    for name in SUBJECTS:
        colours = default_colours(name)
        assert {"body", "eyes"} <= set(colours)
        assert max(colours["eyes"]) < 90  # dark eyes
    assert default_colours("frog")["body"][1] > default_colours("frog")["body"][0]  # green
    assert default_colours("capybara")["body"][0] > default_colours("capybara")["body"][2]
    axolotl = default_colours("axolotl")["body"]
    assert axolotl[0] > 200 and axolotl[2] > 150  # pink


def test_body_colour_override_keeps_the_character() -> None:
    pink = (245, 160, 185)
    for name in ("frog", "penguin", "cow", "strawberry", "panda"):
        own = build_subject(name)
        m = build_subject(name, colours={"body": pink})
        body = next(p for p in m.parts if p.name == "body")
        assert body.colour == pink
        eyes = [p.colour for p in m.parts if p.name in ("eye_l", "eye_r")]
        own_eyes = [p.colour for p in own.parts if p.name in ("eye_l", "eye_r")]
        assert eyes and eyes == own_eyes
    penguin = build_subject("penguin", colours={"body": pink})
    beak = next(p for p in penguin.parts if p.name == "beak")
    assert beak.colour == default_colours("penguin")["beak"]


def test_subjects_are_recognisably_different() -> None:
    """Distinct silhouettes: the z-profiles of different subjects differ."""
    seen = {}
    for name in CREATURES[:12] + OBJECTS[:6]:
        m = build_subject(name)
        e = m.bounds[1] - m.bounds[0]
        seen[name] = np.round(e / e[2], 2)
    values = list(map(tuple, seen.values()))
    assert len(set(values)) == len(values)


@pytest.mark.parametrize("style", ["kawaii", "realistic", "chibi", "minimal"])
def test_a_dog_is_not_a_bear(style: str) -> None:
    """A dog's floppy ears and long snout set its outline apart from a bear's round ears
    (three-view silhouette IoU; the two were 0.87-0.90 apart when the dog read as a bear)."""
    from engines.design import ranking

    dog, bear = (build_subject(n, style=style, pose="sitting") for n in ("dog", "bear"))
    frame = max(float(np.ptp(m.bounds, axis=0).max()) for m in (dog, bear))
    masks = [ranking.silhouettes([p.mesh for p in m.parts], frame) for m in (dog, bear)]
    assert ranking.iou_matrix(np.stack(masks))[0, 1] < 0.84


@pytest.mark.parametrize("name", ["horse", "unicorn"])
@pytest.mark.parametrize("style", ["chibi", "minimal", "kawaii"])
@pytest.mark.parametrize("knob", [0.0, 0.5, 1.0])
def test_a_chibi_horse_keeps_its_muzzle_and_tall_ears(name: str, style: str, knob: float) -> None:
    """Whatever the style and the proportion knobs (short snout, small ears), a horse's head
    keeps what makes it a horse's (chibi: a bigger head, not a ball)."""
    from tests.engines.design.test_idea_checks import horse_head_shows

    knobs = {"snout_length": knob, "ear_size": knob, "head_ratio": 1.0 - knob}
    horse_head_shows(build_subject(name, style=style, pose="sitting", knobs=knobs).parts)


def _russet(rgb: tuple[int, int, int]) -> bool:
    return rgb[0] > 170 and rgb[0] - rgb[1] > 80 and rgb[0] - rgb[2] > 120


@pytest.mark.parametrize("style", ["kawaii", "chibi", "realistic"])
def test_a_red_panda_is_russet_with_a_white_mask_not_a_giant_panda(style: str) -> None:
    """Issue 20: a red panda read as a black-and-white panda. Its own build: a russet body and
    head, white cheek and brow marks and white-rimmed round ears, dark legs, a ringed tail."""
    m = build_subject("red_panda", style=style)
    by_name = {p.name: p.colour for p in m.parts}
    assert _russet(by_name["body"]) and _russet(by_name["head"])
    white = [p for p in m.parts if p.name in ("cheek mark", "brow mark")]
    assert len(white) == 4 and all(min(p.colour) > 220 for p in white)
    assert min(by_name["ear_l"]) > 220  # the white rim round a russet inside
    assert max(by_name["arm_l"]) < 90 and max(by_name["foot_l"]) < 90  # dark legs
    rings = [p for p in m.parts if p.name == "tail ring"]
    assert len(rings) == 3 and rings[0].colour != by_name["tail"]
    tail = next(p for p in m.parts if p.name == "tail").mesh
    assert tail.bounds[0][0] < m.parts[0].mesh.bounds[0][0]  # it shows behind the body
    panda = build_subject("panda", style=style)
    assert not _russet(next(p for p in panda.parts if p.name == "body").colour)


@pytest.mark.parametrize("pose", ["standing", "sitting", "waving"])
def test_a_salamander_is_long_and_low_on_four_splayed_legs_not_a_frog(pose: str) -> None:
    """Issue 20: a salamander read as a frog. Its own build: a long low body on four short
    splayed legs, a long tail, its eyes on its face (no frog eye bumps); it sits as it stands."""
    m = build_subject("salamander", pose=pose)
    size = m.bounds[1] - m.bounds[0]
    assert size[0] > 2.4 * size[2]  # long and low (the frog: 0.9)
    legs = [p for p in m.parts if p.name.startswith("leg_")]
    assert len(legs) == 4
    body = next(p for p in m.parts if p.name == "body").mesh
    side = 1.1 * body.bounds[1][1]  # feet out past the body's sides (a waving one lifted)
    assert sum(abs(p.mesh.bounds[:, 1]).max() > side for p in legs) >= 3
    tail = next(p for p in m.parts if p.name == "tail").mesh
    assert body.bounds[0][0] - tail.bounds[0][0] > 0.5 * body.extents[0]  # a long tail
    assert not any("eye bump" in p.name for p in m.parts)
    frog = build_subject("frog", pose=pose)
    assert any("eye bump" in p.name for p in frog.parts)


def _reach_past_head(model: Model) -> float:
    """How far the figure reaches forward (+x) of its head's centre, in head half-lengths."""
    head = next(p for p in model.parts if p.name == "head").mesh.bounds
    front = max(p.mesh.bounds[1][0] for p in model.parts)
    return float((front - head.mean(axis=0)[0]) / (0.5 * (head[1][0] - head[0][0])))


@pytest.mark.parametrize("style", ["kawaii", "chibi", "realistic"])
@pytest.mark.parametrize("knob", [0.0, 1.0])
def test_a_dolphin_has_a_long_beak_and_a_dorsal_fin_not_a_whale(style: str, knob: float) -> None:
    """A dolphin is its own subject (it was read as a whale): a beak that reaches well past its
    head where a whale's face ends at its head, a fin standing up from its back, grey-blue."""
    knobs = {"snout_length": knob}
    dolphin = build_subject("dolphin", style=style, pose="standing", knobs=knobs)
    whale = build_subject("whale", style=style, pose="standing", knobs=knobs)
    assert _reach_past_head(dolphin) > 1.3
    assert _reach_past_head(dolphin) > _reach_past_head(whale) + 0.25
    body = next(p for p in dolphin.parts if p.name == "body").mesh.bounds
    fin = next(p for p in dolphin.parts if p.name == "dorsal fin").mesh.bounds
    assert fin[1][2] > body[1][2] + 0.3 * (body[1][2] - body[0][2])  # above the back
    assert body[0][0] < fin.mean(axis=0)[0] < body[1][0]  # on the back, not the tail
    assert fin[1][1] - fin[0][1] < 0.4 * (body[1][1] - body[0][1])  # a thin upright fin
    flukes = next(p for p in dolphin.parts if p.name == "tail fin").mesh.extents
    assert flukes[1] > 3 * flukes[2]  # the flukes lie flat (wide across, thin up)
    r, g, b = default_colours("dolphin")["body"]
    assert b > r + 30 and abs(r - g) < 40  # grey-blue


@pytest.mark.parametrize("pose", ["standing", "sitting"])
@pytest.mark.parametrize("style", ["kawaii", "chibi", "realistic"])
def test_a_banana_is_a_crescent_from_the_front_not_a_cob(style: str, pose: str) -> None:
    """The front view (+X towards the viewer: sideways is Y, up is Z) shows the banana's curve:
    it bent front to back before and read as a corn cob from the front."""
    model = build_subject("banana", style=style, pose=pose)
    body = next(p for p in model.parts if p.name == "body").mesh
    v = np.asarray(body.vertices)
    assert np.ptp(v[:, 1]) > 1.4 * np.ptp(v[:, 0])  # wider across than deep
    lo, hi = v[:, 2].min(), v[:, 2].max()

    def centre_y(z: float) -> float:
        band = v[np.abs(v[:, 2] - z) < 0.04 * (hi - lo)]
        return 0.5 * float(band[:, 1].min() + band[:, 1].max())

    zs = lo + (hi - lo) * np.array([0.12, 0.5, 0.88])
    ends, mid = 0.5 * (centre_y(zs[0]) + centre_y(zs[2])), centre_y(zs[1])
    width = float(np.ptp(v[np.abs(v[:, 2] - zs[1]) < 0.04 * (hi - lo)][:, 1]))
    assert abs(mid - ends) > 0.4 * width  # the middle bows out sideways from the chord
    assert {"tip", "end"} <= {p.name for p in model.parts}  # its stem and dark tip


def test_a_sitting_dolphin_leaps_nose_up() -> None:
    """A swimmer's poses differ little on a base (lying and sitting measured 0.95 IoU joined):
    a dolphin sits up in a leap, its beak well above its flukes; standing, it swims level."""

    def rise(pose: str) -> float:
        model = build_subject("dolphin", pose=pose)
        snout = next(p for p in model.parts if p.name == "snout").mesh.bounds.mean(axis=0)
        flukes = next(p for p in model.parts if p.name == "tail fin").mesh.bounds.mean(axis=0)
        return float(np.degrees(np.arctan2(snout[2] - flukes[2], snout[0] - flukes[0])))

    assert rise("sitting") > rise("standing") + 20.0


@pytest.mark.parametrize("pose", ["standing", "sitting", "lying", "waving"])
def test_an_octopus_has_broad_tentacles_tapering_to_thin_tips_not_sausages(pose: str) -> None:
    """An octopus's tentacles were even sausages (the tip half the root): each now leaves
    the mantle broad (a quarter of its half width) and tapers to a tip under a quarter
    of its root's radius."""
    import networkx as nx

    from tests.engines.design.test_vessel_appendages import _ball

    octopus = build_subject("octopus", pose=pose)
    head = next(p.mesh for p in octopus.parts if p.name == "head")
    tentacles = [p.mesh for p in octopus.parts if p.name.startswith("tentacle_")]
    assert len(tentacles) == 8
    for t in tentacles:
        v = np.asarray(t.vertices)
        root = int(np.argmin(np.linalg.norm(v - head.centroid, axis=1)))  # in the mantle
        steps = dict(nx.single_source_shortest_path_length(t.vertex_adjacency_graph, root))
        tip = max(steps, key=lambda k: steps[k])
        reach = float(np.max(t.extents))
        r_root, r_tip = _ball(t, root, reach), _ball(t, tip, reach)
        assert r_root > 0.24 * 0.5 * head.extents[0], f"a root {r_root:.1f} mm"
        assert r_tip < 0.25 * r_root, f"a tip {r_tip / r_root:.2f} of the root"


def _body(model: Model) -> trimesh.Trimesh:
    """The subject's body-role parts as one mesh (no face, limbs or details)."""
    return trimesh.util.concatenate([p.mesh for p in model.parts if p.role == "body"])


def _thickness(mesh: trimesh.Trimesh, y: float, z: float) -> float:
    """The mesh's depth along X on the line through (y, z), mm (0 if the line misses it):
    the spread of the X where the line crosses its triangles (their YZ shadows hold it)."""
    tri = np.asarray(mesh.vertices)[np.asarray(mesh.faces)]
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    e1, e2, q = (b - a)[:, 1:], (c - a)[:, 1:], np.array([y, z]) - a[:, 1:]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    ok = np.abs(det) > 1e-12
    u = np.where(ok, (q[:, 0] * e2[:, 1] - q[:, 1] * e2[:, 0]) / np.where(ok, det, 1), -1)
    w = np.where(ok, (e1[:, 0] * q[:, 1] - e1[:, 1] * q[:, 0]) / np.where(ok, det, 1), -1)
    inside = ok & (u >= 0) & (w >= 0) & (u + w <= 1)
    if not inside.any():
        return 0.0
    x = a[:, 0] + u * (b - a)[:, 0] + w * (c - a)[:, 0]
    return float(np.ptp(x[inside]))


def test_star_is_puffy_with_the_face_on_it() -> None:
    """A puffy star: one body part (no blob carrying the face), thickest in the middle and
    thinning along each arm to its tip; the eyes sit on its front."""
    model = build_subject("star", pose="standing")
    body = [p for p in model.parts if p.role == "body"]
    assert len(body) == 1
    mesh = body[0].mesh
    v = np.asarray(mesh.vertices)
    centre = v[:, 1:].mean(axis=0)
    tip = v[int(np.argmax(v[:, 2])), 1:]
    depth = [_thickness(mesh, *(centre + f * (tip - centre))) for f in (0.0, 0.5, 0.8)]
    assert depth[0] >= 2.0 * depth[2] > 0
    assert depth[0] > depth[1] > depth[2]
    front = float(v[:, 0].max())
    for side in ("eye_l", "eye_r"):
        eye = model.anchors[side].point
        assert abs(_thickness(mesh, eye[1], eye[2]) / 2 - (eye[0] - float(v[:, 0].mean()))) < 2.5
        assert eye[0] > 0.7 * front


def test_heart_has_two_lobes_and_one_pointed_tip() -> None:
    """The heart's front outline: a narrow pointed bottom tip and a notch between two lobes."""
    v = np.asarray(_body(build_subject("heart", pose="standing")).vertices)
    lo, hi = v.min(axis=0), v.max(axis=0)
    height, width = hi[2] - lo[2], hi[1] - lo[1]
    low = v[v[:, 2] < lo[2] + 0.08 * height]
    assert np.ptp(low[:, 1]) < 0.15 * width
    cy = 0.5 * (lo[1] + hi[1])
    notch = v[np.abs(v[:, 1] - cy) < 0.03 * width][:, 2].max()
    assert hi[2] - notch > 0.12 * height
    for sg in (1, -1):  # a lobe's top on each side of the notch
        side = v[sg * (v[:, 1] - cy) > 0.1 * width]
        assert side[:, 2].max() > hi[2] - 0.02 * height


def test_donut_stands_up_face_on_for_a_charm() -> None:
    """A charm shows a donut face-on: its ring's hole faces the front (a line along X through
    the ring's centre misses it), the face on the icing; a figurine keeps it lying flat."""
    from engines.design.forms import build_form

    flat = build_subject("donut")
    lo, hi = flat.bounds
    assert hi[2] - lo[2] < 0.5 * (hi[1] - lo[1])
    model = build_form("keychain", build_subject("donut", face_on=True), knobs={"tag": 0.0})
    ring = trimesh.util.concatenate([p.mesh for p in model.parts if p.name in ("dough", "icing")])
    lo, hi = ring.bounds
    assert hi[2] - lo[2] > 0.8 * (hi[1] - lo[1])  # as tall as wide: seen face-on
    mid = 0.5 * (lo + hi)
    assert _thickness(ring, mid[1], mid[2]) == 0.0  # the hole
    assert _thickness(ring, mid[1], lo[2] + 0.15 * (hi[2] - lo[2])) > 0.0  # the ring below it
    eyes = [model.anchors[s].point for s in ("eye_l", "eye_r")]
    icing = [p.mesh for p in model.parts if p.name == "icing"][0]
    assert all(e[0] > icing.bounds[0][0] and e[2] < mid[2] for e in eyes)


def test_a_donut_keychain_shows_the_donut_face_on() -> None:
    """The pipeline stands the donut up for a keychain (every variant, tagged or not)."""
    from engines.design.generate import generate_designs, read

    for v in generate_designs(read("donut keychain, 5 cm"), 4):
        ring = [k for k, name in enumerate(v.parts) if name in ("dough", "icing")]
        faces = v.mesh.faces[np.isin(v.owner, ring)]
        pts = v.mesh.vertices[np.unique(faces)]
        size = np.ptp(pts, axis=0)
        assert size[2] > 0.8 * size[1], v.name
