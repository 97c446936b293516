"""Open vessels: mug (and bubble-tea cup), planter, pen holder; the subject as relief (mm)."""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.spatial import ConvexHull, QhullError

from engines.design.axes import kept_by_words
from engines.design.forms.appendages import (
    RAY_WORDS,
    Wall,
    appendages,
    bound_to_handle,
    creature_handle,
)
from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.geometry import (
    cut_below,
    cylinder_z,
    mesh_of,
    minus,
    revolved,
    ring,
    vessel,
)
from engines.design.forms.place import (
    Decoration,
    base_anchor,
    chunky,
    decorations,
    fitted,
    fitted_height,
    head_frame,
    main_colour,
    moved,
    ray_hits,
    scale_about,
    snapped,
    thinnest,
)
from engines.design.forms.straw import drinking_straw, wants_straw
from engines.design.kit.fit import PLANTS  # subjects that grow in a pot, not decorate it
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import _manifold
from engines.design.subjects.geom import cone, tube

RGB = tuple[int, int, int]

EAR_ANGLE_DEG = 45.0  # ears sit on the rim this far either side of the front
MIN_RELIEF_MM = 0.8  # a face detail stands at least this far out of the wall
RIM_EYE_ANGLE_DEG = 24.0  # eyes on the rim (a frog's) sit this far either side of the front
RIM_EYE_SHARE = 0.3  # an eye group on the rim is at least this share of the rim's diameter


def _rotation_z(angle_rad: float) -> np.ndarray:
    """4x4 rotation about Z."""
    return trimesh.transformations.rotation_matrix(angle_rad, [0.0, 0.0, 1.0])


HAT_RIM_SHARE = 0.45  # a hat on a rim: its width, share of the rim's diameter
HAT_OUT_SHARE = 0.2  # its centre this share of its width outside the rim's middle line
HAT_SINK_MM = 0.6  # its seat this far into the rim, so it joins the wall


def _is_hat(deco: Decoration) -> bool:
    """Whether the group is a worded hat (its parts are named "<variant> hat <part>")."""
    return any(" hat " in f"{p.name} " for p in deco.parts)


def _hat_seat(deco: Decoration) -> float:
    """The height a hat sits at: its brim's underside, or (no brim) the underside of its
    widest part; what is below (the crown's plug into the head) is cut off, mm."""
    brims = [p.mesh for p in deco.parts if p.name.endswith(" brim")]
    if brims:
        return min(float(m.bounds[0][2]) for m in brims)
    widest = max(deco.parts, key=lambda p: float(np.max(p.mesh.extents[:2])))
    return float(widest.mesh.bounds[0][2])


def _hat_on_rim(deco: Decoration, r_rim: float, rim_z: float) -> Decoration:
    """A hat worn by a vessel: whole and level on the front rim above the face, like a cap
    on the head, its width HAT_RIM_SHARE of the rim's diameter, a little outside the rim's
    middle line so that it overhangs the opening only at its edge (kept whole there: the
    cavity does not cut it), its seat HAT_SINK_MM into the rim top, mm."""
    seat = _hat_seat(deco)
    parts = []
    for p in deco.parts:
        mesh = cut_below(p.mesh, seat) if float(p.mesh.bounds[0][2]) < seat - 1e-6 else p.mesh
        if mesh is not None:
            parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
    lo = np.min([p.mesh.bounds[0] for p in parts], axis=0)
    hi = np.max([p.mesh.bounds[1] for p in parts], axis=0)
    width = float(np.max(hi[:2] - lo[:2]))
    middle = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, seat])
    d = Decoration(parts, deco.kind, middle, 0.0).transformed(
        scale_about(2.0 * HAT_RIM_SHARE * r_rim / max(width, 1e-6), middle)
    )
    goal = np.array([r_rim + HAT_OUT_SHARE * 2.0 * HAT_RIM_SHARE * r_rim, 0.0, rim_z - HAT_SINK_MM])
    return d.transformed(moved(goal - middle))


def _on_rim(
    deco: Decoration, r_mid: float, rim_z: float, sink: float, body: trimesh.Trimesh
) -> Decoration:
    """An ear-like group turned to its rim angle and set on the rim (root `sink` into it)."""
    c = deco.centre
    if _is_hat(deco) and abs(c[1]) <= 0.15 * r_mid:
        return _hat_on_rim(deco, r_mid, rim_z)
    phi = float(np.arctan2(c[1], c[0]))
    if _is_eye(deco) and abs(c[1]) > 0.05 * r_mid:
        return _eye_on_rim(deco, np.sign(phi), body, rim_z, sink)
    if abs(c[1]) > 0.15 * r_mid:  # side groups (ears) frame the face at +-EAR_ANGLE_DEG
        target = np.sign(phi) * np.radians(min(np.degrees(abs(phi)), EAR_ANGLE_DEG))
        foot = _foot(deco)  # turned about its foot to face out of the rim as it faced forward
        turned = deco.transformed(moved(foot) @ _rotation_z(target) @ moved(-foot))
    else:  # a middle group (hat, horn, leaf cap) sits on the front rim, above the face
        target = 0.0
        lo = np.min([p.mesh.bounds[0] for p in deco.parts], axis=0)
        hi = np.max([p.mesh.bounds[1] for p in deco.parts], axis=0)
        side = float(np.max(hi[:2] - lo[:2]))
        shrink = min(1.0, 0.8 * r_mid / max(side, 1e-6))  # a hat no wider than the mug
        turned = deco.transformed(scale_about(shrink, deco.root))
        r_mid += 0.3 * side * shrink  # mostly outside the cavity, which cuts it back
    goal = np.array([r_mid * np.cos(target), r_mid * np.sin(target), rim_z - sink])
    return turned.transformed(moved(goal - _foot(turned)))


def _is_eye(deco: Decoration) -> bool:
    """Whether the group is an eye on top of the head (a frog's eye bump and eye)."""
    return any(p.name.startswith("eye") for p in deco.parts)


def _eye_on_rim(
    deco: Decoration, sign: float, body: trimesh.Trimesh, rim_z: float, sink: float
) -> Decoration:
    """An eye set on the rim near the front (both read from the front, not one round the
    side like an ear), grown to RIM_EYE_SHARE of the rim and standing over its outer edge,
    so the cavity cuts back only its inner side; on the wall where it is at that angle (a
    hexagon's flats are nearer than its corners), mm."""
    lo = np.min([p.mesh.bounds[0] for p in deco.parts], axis=0)
    hi = np.max([p.mesh.bounds[1] for p in deco.parts], axis=0)
    side = float(np.max(hi[:2] - lo[:2]))
    target = sign * np.radians(RIM_EYE_ANGLE_DEG)
    out = np.array([np.cos(target), np.sin(target), 0.0])
    wall = ray_hits(body, np.array([0.0, 0.0, rim_z - 1.0]), out)
    r_mid = float(wall.min() + wall.max()) / 2 if len(wall) else float(body.bounds[1][0])
    grow = max(1.0, 2.0 * RIM_EYE_SHARE * r_mid / max(side, 1e-6))
    d = deco.transformed(scale_about(grow, _foot(deco)))
    foot = _foot(d)
    d = d.transformed(moved(foot) @ _rotation_z(target) @ moved(-foot))
    r = r_mid + 0.25 * side * grow
    goal = np.array([r * np.cos(target), r * np.sin(target), rim_z - sink * grow])
    return d.transformed(moved(goal - _foot(d)))


SIDE_EAR_ANGLE_DEG = 60.0  # a hanging ear on a wall: this far either side of the front


def _beside_face(deco: Decoration) -> Decoration:
    """A hanging ear (beside the head, 90 degrees round a wall) turned about the vessel's
    axis to SIDE_EAR_ANGLE_DEG, where it frames the face and shows from the front; it is then
    set on the wall like the face."""
    phi = float(np.arctan2(deco.root[1], deco.root[0]))
    target = np.sign(phi) * np.radians(SIDE_EAR_ANGLE_DEG)
    return deco.transformed(_rotation_z(target - phi))


def _foot(deco: Decoration) -> np.ndarray:
    """Where a group stands: the middle of its lowest fifth at its lowest point (a slanted
    ear's foot is not under its bounding box's centre), mm."""
    v = np.vstack([p.mesh.vertices for p in deco.parts])
    z0, z1 = float(v[:, 2].min()), float(v[:, 2].max())
    low = v[v[:, 2] <= z0 + 0.2 * (z1 - z0)]
    return np.array([*low[:, :2].mean(axis=0), z0])


def relief(
    ctx: FormContext,
    body: trimesh.Trimesh,
    centre_z: float,
    radius: float,
    rim_z: float,
    wall: float,
    rim_r: float,
    cavity: trimesh.Trimesh,
    face: bool = True,
    avoid_deg: float | None = None,
) -> list[Part]:
    """The subject's face as relief on a round vessel wall and its ears on the rim, cut
    back from the `cavity` so nothing blocks it, mm."""
    if ctx.subject is None:
        return []
    c, r = head_frame(ctx.subject)
    k = 1.15 * radius / r  # a bold face: features keep their angles and grow
    to_wall = moved(np.array([0.0, 0.0, centre_z])) @ scale_about(k, np.zeros(3)) @ moved(-c)
    parts: list[Part] = []
    tears: list[Part] = []
    hats: list[Part] = []  # a hat on the rim stays whole (it overhangs the opening's edge)
    faced: list[Decoration] = []  # the face's groups on the wall
    marks = face_marks(ctx.subject, body, to_wall, (c, r), rim_z) if face else []
    surface = trimesh.util.concatenate([body, *(p.mesh for p in marks)])  # the face sits on it
    assert isinstance(surface, trimesh.Trimesh)
    for deco in decorations(ctx.subject, sides=True):
        if any(p.name.startswith("tear") for p in deco.parts):
            tears += deco.parts  # drawn again, bold, down the wall under the eyes (wall_tears)
            continue
        if all(p.name in COAT_WORDS for p in deco.parts):
            continue  # the head's quills: coat() covers the wall with them
        if all(p.name in RAY_WORDS for p in deco.parts):
            continue  # a sun's rays (leaned forward lying, they read as face relief): the
            # appendages ring the wall with them
        d = deco.transformed(to_wall)
        if d.kind == "side":  # a dog's ear: turned from the side to frame the face
            d = _beside_face(d)
        if d.kind == "top":
            sink = max(d.sink_mm, 1.5)
            d = _on_rim(d, rim_r, rim_z, sink, body)
        elif face:
            origin = np.array([0.0, 0.0, d.root[2]])
            d = snapped(d, surface, origin, d.stand_out(MIN_RELIEF_MM))
            top = max(float(p.mesh.bounds[1][2]) for p in d.parts)
            if top > rim_z - 1.0:
                d = d.transformed(moved(np.array([0.0, 0.0, rim_z - 1.0 - top])))
            faced.append(d)
            continue
        else:
            continue
        if d.kind == "top" and _is_hat(d) and abs(d.centre[1]) <= 0.15 * rim_r:
            hats.extend(d.parts)
            continue
        parts.extend(d.parts)
    for d in _nose_under_eyes(faced, surface):
        parts.extend(d.parts)
    minimum = max(ctx.rule.min_wall_mm, 2.0)
    parts = chunky(Model(parts), minimum, DETAIL_MIN_MM).parts
    out = _kept_clear(ctx, parts, cavity)
    if hats:  # thickened (a straw hat's thin brim) about its middle: seated on the rim again
        worn = chunky(Model(hats), minimum, DETAIL_MIN_MM)
        out += worn.transform(
            moved(np.array([0.0, 0.0, rim_z - HAT_SINK_MM - worn.bounds[0][2]]))
        ).parts
    out += marks  # built on the wall's outside, clear of the cavity
    for p in wall_tears(tears, out, body, rim_z, radius) + coat(
        ctx, body, rim_z, radius, avoid_deg
    ):
        mesh = minus(p.mesh, cavity)  # the quills' roots stop inside the wall
        if mesh is not None:
            out.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return out


FACE_MARKS = ("face", "eye stripe", "eye patch")  # a subject's face markings: a pale face
# patch (a sloth's, a penguin's), dark stripes or patches round the eyes (sloth, panda)
MARK_RELIEF_MM = {"face": 0.8}  # how far a marking stands out of the wall (others: DARK_MARK)
DARK_MARK_MM = 1.4  # dark marks stand on the pale patch; the eyes stand on both
MARK_STEP_MM = 3.0  # a marking's outline is followed this closely on the wall


def face_marks(
    subject: Model,
    body: trimesh.Trimesh,
    to_wall: np.ndarray,
    head: tuple[np.ndarray, float],
    rim_z: float,
) -> list[Part]:
    """The subject's face markings (FACE_MARKS) laid on the wall as flat relief under the
    face: each the outline of the marking as seen from the head's centre (where the face's
    eyes and mouth are set too), mm. decorations() leaves them out: the face patch is as big
    as head bulk, the stripes are named like a body pattern."""
    c, _ = head
    head_mesh = next((p.mesh for p in subject.parts if p.name == "head"), None)
    wall_r = float(np.linalg.norm(np.asarray(body.vertices)[:, :2], axis=1).max())
    out = []
    for p in sorted(subject.parts, key=lambda p: p.name != "face"):  # the pale patch first
        if p.name not in FACE_MARKS:
            continue
        mesh: trimesh.Trimesh | None = p.mesh
        if p.name == "face" and head_mesh is not None:  # only what shows out of the head
            mesh = minus(p.mesh, head_mesh)
        if mesh is None:
            continue
        v = np.asarray(mesh.vertices) - c
        v = v[v[:, 0] > 0.0]  # its front
        if len(v) < 4:
            continue
        z = trimesh.transform_points(v + c, to_wall)[:, 2]
        outline = np.column_stack([np.arctan2(v[:, 1], v[:, 0]) * wall_r, z])
        relief_mm = MARK_RELIEF_MM.get(p.name, DARK_MARK_MM)
        patch = _wall_patch(body, outline, wall_r, rim_z, relief_mm)
        if patch is not None:
            out.append(Part(p.name, patch, p.colour, "detail", p.material))
    return out


def _wall_patch(
    body: trimesh.Trimesh, points: np.ndarray, wall_r: float, rim_z: float, relief_mm: float
) -> trimesh.Trimesh | None:
    """A closed sheet on the outside of a vessel wall (`body`, reached by rays from its
    axis) covering the convex outline of `points` ((arc length at wall_r, height) pairs),
    standing relief_mm out of the wall and as far into it, mm; None where it leaves the wall."""
    points = points.copy()
    points[:, 1] = np.clip(points[:, 1], 2.0, rim_z - 1.5)
    try:
        hull = points[ConvexHull(points).vertices]
    except QhullError:
        return None
    ring = []
    for a, b in zip(hull, np.roll(hull, -1, axis=0), strict=True):
        steps = max(1, int(np.ceil(np.linalg.norm(b - a) / MARK_STEP_MM)))
        ring += [a + (b - a) * t for t in np.arange(steps) / steps]
    outline = np.array(ring)
    middle = outline.mean(axis=0)
    rings = 4
    grid = np.vstack(
        [middle] + [middle + (outline - middle) * f / rings for f in range(1, rings + 1)]
    )
    az = grid[:, 0] / wall_r
    out = np.column_stack([np.cos(az), np.sin(az), np.zeros(len(az))])
    origins = np.column_stack([np.zeros((len(az), 2)), grid[:, 1]])
    reach = _outer_hits(body, origins, out)
    if (reach <= 0).any():
        return None
    top = origins + out * (reach + relief_mm)[:, None]
    bottom = origins + out * (reach - relief_mm)[:, None]
    n, m = len(outline), len(grid)
    faces = [(0, 1 + j, 1 + (j + 1) % n) for j in range(n)]
    for i in range(rings - 1):
        a, b = 1 + i * n, 1 + (i + 1) * n
        for j in range(n):
            j1 = (j + 1) % n
            faces += [(a + j, b + j, b + j1), (a + j, b + j1, a + j1)]
    faces_arr = np.array(faces)
    edge = 1 + (rings - 1) * n
    side = []
    for j in range(n):
        j1 = (j + 1) % n
        side += [(edge + j, edge + j + m, edge + j1 + m), (edge + j, edge + j1 + m, edge + j1)]
    all_faces = np.vstack([faces_arr, faces_arr[:, ::-1] + m, np.array(side)])
    mesh = trimesh.Trimesh(np.vstack([top, bottom]), all_faces, process=True)
    if not mesh.is_watertight:
        return None
    mesh.fix_normals()
    return mesh


NOSE_WORDS = ("nose", "snout", "muzzle", "beak", "trunk")  # a face's middle: under the eyes
NOSE_PAD_SHARE = 0.5  # a nose pad alone is at most this share of the eyes' spacing wide
MOUTH_WORDS = ("mouth", "nostril", "tongue")  # what goes with a nose


def _word(name: str) -> str:
    """A part name's first word without its side ("nose", "eye" of "eye_l shine")."""
    return name.split(" ")[0].split("_")[0]


def _nose_bounds(d: Decoration) -> np.ndarray:
    """The bounds of the group's nose parts (nose, snout, muzzle, beak, trunk), mm."""
    b = np.vstack([p.mesh.bounds for p in d.parts if _word(p.name) in NOSE_WORDS])
    return np.array([b.min(axis=0), b.max(axis=0)])


def _eye_centres(groups: list[Decoration]) -> np.ndarray:
    """The centre of each eye (its parts named eye_l or eye_r, "sleepy eyes eye_l sleepy"
    too) among the groups on a wall, mm."""
    out = []
    for side in ("eye_l", "eye_r"):
        found = [p.mesh.bounds for d in groups for p in d.parts if side in p.name.split(" ")]
        if found:
            b = np.vstack(found)
            out.append((b.min(axis=0) + b.max(axis=0)) / 2)
    return np.array(out)


def _nose_under_eyes(faced: list[Decoration], body: trimesh.Trimesh) -> list[Decoration]:
    """The face's groups with its nose (snout, muzzle, beak) under the eyes: its top no
    higher than the eyes' centre, its middle no higher than halfway from the eyes' centre to
    the top of a mouth of its own group, and a lone nose pad no wider than NOSE_PAD_SHARE of the
    eyes' spacing, set on the wall again. A long head's snout tip (a capybara's nose pad,
    far in front of its eyes) is at eye level seen from the front: on a wall it read as a
    big dark oval between the eyes, mm."""
    eyes = _eye_centres(faced)
    if len(eyes) < 2:
        return faced
    eye_z = float(eyes[:, 2].mean())
    gap = float(np.linalg.norm(eyes[0] - eyes[1]))
    mouths = [
        float(p.mesh.bounds[1][2]) for d in faced for p in d.parts if _word(p.name) == "mouth"
    ]
    out = []
    for d in faced:
        words = {_word(p.name) for p in d.parts}
        if not words & set(NOSE_WORDS) or not words <= {*NOSE_WORDS, *MOUTH_WORDS}:
            out.append(d)  # no nose, or a nose with a mask or a face disc: as it is
            continue
        lo, hi = _nose_bounds(d)
        if words <= {"nose", "nostril"} and float(hi[1] - lo[1]) > NOSE_PAD_SHARE * gap:
            d = d.transformed(scale_about(NOSE_PAD_SHARE * gap / float(hi[1] - lo[1]), d.root))
            lo, hi = _nose_bounds(d)
        drop = float(hi[2]) - eye_z  # its top no higher than the eyes' centre
        if mouths and "mouth" not in words:  # its middle no higher than halfway to the mouth
            drop = max(drop, float(lo[2] + hi[2]) / 2 - (eye_z + max(mouths)) / 2)
        if drop > 0.0:
            d = d.transformed(moved(np.array([0.0, 0.0, -drop])))
            d = snapped(d, body, np.array([0.0, 0.0, d.root[2]]), d.stand_out(MIN_RELIEF_MM))
        out.append(d)
    return out


TEAR_RUN, TEAR_WIDTH = 0.3, 0.085  # a wall tear's length (of the wall's height), its widest
# radius (of the wall's radius): a drop a merchant sees from across a shelf


def wall_tears(
    tears: list[Part], placed: list[Part], body: trimesh.Trimesh, height: float, radius: float
) -> list[Part]:
    """The subject's tears as bold drops running down the wall from under each eye already
    placed (on the wall, or on the rim for a frog), growing towards the bottom, mm."""
    if not tears:
        return []
    out = []
    for side in ("l", "r"):
        eye = next((p.mesh for p in placed if p.name == f"eye_{side}"), None)
        mine = [p for p in tears if p.name[-2:] in (f"_{side}", f" {side}")]
        if eye is None or not mine:
            continue
        # one drop a side, named as the worded feature's when there is one (its origin)
        tear = next((p for p in mine if not p.name.startswith("tear_")), mine[0])
        centre = eye.bounds.mean(axis=0)
        az = float(np.arctan2(centre[1], centre[0]))
        az += np.sign(az) * np.radians(4.0)  # from the outer corner of the eye
        start = min(float(eye.bounds[0][2]) - 0.03 * height, 0.9 * height)
        z = start - np.linspace(0.0, TEAR_RUN * height, 6)
        direction = np.array([np.cos(az), np.sin(az), 0.0])
        origins = np.column_stack([np.zeros((len(z), 2)), z])
        reach = _outer_hits(body, origins, np.tile(direction, (len(z), 1)))
        if (reach <= 0).any():
            continue
        widths = TEAR_WIDTH * radius * np.linspace(0.45, 1.0, len(z))
        pts = origins + direction * (reach + 0.35 * widths)[:, None]
        out.append(Part(tear.name, tube(pts, widths, 10), tear.colour, "feature"))
    return out


COAT_WORDS = ("quill", "spike")  # a subject's covering that must show on a vessel's back
# Quills (hedgehog): a staggered field over the back and sides, clear of the face at the front
# (+X) and the handle; spikes (dragon, dinosaur): a ridge up the back. Azimuths in degrees.
QUILL_AZ, QUILL_ROWS, QUILL_STEP_DEG = (62.0, 298.0), (0.32, 0.5, 0.68, 0.86), 21.0
SPIKE_ROWS = (0.3, 0.5, 0.7, 0.88)
HANDLE_CLEAR_DEG = 28.0


def _outer_hits(
    mesh: trimesh.Trimesh | np.ndarray, origins: np.ndarray, directions: np.ndarray
) -> np.ndarray:
    """Per ray (origin, unit direction): the farthest distance at which it crosses the mesh
    (or the (n, 3, 3) triangles given instead), 0 when it misses; all rays against all
    triangles at once (Moller-Trumbore), mm."""
    tri = np.asarray(mesh.triangles) if isinstance(mesh, trimesh.Trimesh) else mesh
    if len(tri) == 0:
        return np.zeros(len(origins))
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    p = np.cross(directions[:, None, :], e2[None, :, :])  # (rays, triangles, 3)
    det = np.einsum("tj,rtj->rt", e1, p)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = origins[:, None, :] - tri[None, :, 0]
    u = np.einsum("rtj,rtj->rt", s, p) * inv
    q = np.cross(s, e1[None, :, :])
    v = np.einsum("rtj,rj->rt", q, directions) * inv
    t = np.einsum("tj,rtj->rt", e2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    return np.where(hit, t, 0.0).max(axis=1)


def coat(
    ctx: FormContext,
    body: trimesh.Trimesh,
    height: float,
    radius: float,
    avoid_deg: float | None = None,
) -> list[Part]:
    """The subject's quills or spikes standing out of a round vessel wall (`body`, the wall
    reached by rays from its axis) as one part in their colour, clear of the face and of the
    handle at `avoid_deg`, mm."""
    assert ctx.subject is not None
    found = [p for p in ctx.subject.parts if p.name in COAT_WORDS]
    if not found:
        return []
    name, colour, quills = found[0].name, found[0].colour, found[0].name == "quill"
    spots: list[tuple[float, float]] = []
    if quills:
        for k, row in enumerate(QUILL_ROWS):
            start = QUILL_AZ[0] + (QUILL_STEP_DEG / 2 if k % 2 else 0.0)
            spots += [(az, row) for az in np.arange(start, QUILL_AZ[1] + 1e-6, QUILL_STEP_DEG)]
    else:
        spots = [(180.0, row) for row in SPIKE_ROWS]
    if avoid_deg is not None:
        gap = lambda az: abs((az - avoid_deg + 180.0) % 360.0 - 180.0)  # noqa: E731
        spots = [(az, row) for az, row in spots if gap(az) > HANDLE_CLEAR_DEG]
    length = (0.24 if quills else 0.34) * radius
    base_r = max((0.075 if quills else 0.16) * radius, 0.6 * ctx.rule.min_wall_mm)
    cones = []
    azimuths = np.radians([az for az, _ in spots])
    outs = np.column_stack([np.cos(azimuths), np.sin(azimuths), np.zeros(len(spots))])
    origins = np.column_stack([np.zeros((len(spots), 2)), [row * height for _, row in spots]])
    for out, origin, reach in zip(outs, origins, _outer_hits(body, origins, outs), strict=True):
        if reach <= 0:
            continue
        root = origin + out * reach
        tip_dir = out + np.array([0.0, 0.0, 0.45 if quills else 0.2])  # swept up and back
        tip_dir /= np.linalg.norm(tip_dir)
        base, tip = root - out * 0.35 * base_r, root + tip_dir * length
        cones.append(cone(base, tip, base_r, 6, cap=1))  # coarse: dozens go into one union
    if not cones:
        return []
    mesh = trimesh.util.concatenate(cones)
    assert isinstance(mesh, trimesh.Trimesh)
    return [Part(name, mesh, colour, "body")]


def cavity_cutter(
    r_bottom: float, r_top: float, floor: float, height: float, sections: int = 60
) -> trimesh.Trimesh:
    """The space a vessel's decorations must keep clear: its cavity and the air above (as many
    sides as the vessel: a round cutter in a hexagon cuts the rim away at its flats), mm."""
    up = height + max(height, 100.0)
    slope = (r_top - r_bottom) / max(height - floor, 1e-6)
    outline = [(0.0, floor), (r_bottom, floor), (r_top, height), (r_top + slope * (up - height), up),
               (0.0, up)]  # fmt: skip
    return revolved(np.array(outline), sections)


# Mug body profiles (knob "body"): name -> (bottom radius share, top radius share, bulge
# share of the radius at mid height, height factor); shares of the mug's nominal radius.
MUG_PROFILES: dict[str, tuple[float, float, float, float]] = {
    "straight": (0.97, 1.0, 0.0, 1.0),
    "barrel": (0.86, 0.86, 0.16, 1.0),
    "flared": (0.7, 1.1, 0.0, 1.0),
    "stout": (1.12, 1.12, 0.05, 0.78),
}
MUG_HANDLES: tuple[str, ...] = ("classic", "square", "tail")  # knob "handle"
PROFILE_STEPS = 14  # points up a curved vessel wall


def profile_radii(
    kind: tuple[float, float, float, float], radius: float, s: np.ndarray
) -> np.ndarray:
    """Outer radius of a vessel profile at height shares s (0 bottom .. 1 rim), mm."""
    bottom, top, bulge, _ = kind
    return radius * (bottom + (top - bottom) * s + bulge * np.sin(np.pi * s))


def profiled_vessel(
    radii: np.ndarray, heights: np.ndarray, wall: float, floor: float
) -> tuple[trimesh.Trimesh, trimesh.Trimesh]:
    """(the vessel, its cavity) for an outer profile of radii at heights (bottom to rim), the
    wall offset `wall` inward along the radius, the floor `floor` thick, mm."""
    height = float(heights[-1])
    outer = [(0.0, 0.0), *zip(radii, heights, strict=True), (0.0, height)]
    inside = heights >= floor
    inner_r = np.maximum(radii[inside] - wall, 0.5 * wall)
    cavity_pts = [(0.0, floor), *zip(inner_r, heights[inside], strict=True),
                  (float(inner_r[-1]), height + 5.0), (0.0, height + 5.0)]  # fmt: skip
    if heights[inside][0] > floor:
        cavity_pts.insert(1, (float(inner_r[0]), floor))
    solid = revolved(np.array(outer))
    cavity = revolved(np.array(cavity_pts))
    body = minus(solid, cavity)
    assert body is not None
    return body, cavity


def _handle(
    ctx: FormContext,
    radius: float,
    height: float,
    wall: float,
    cavity: trimesh.Trimesh,
    style: str,
    bulk: float = 1.0,
) -> trimesh.Trimesh:
    """A handle on the -Y side of a mug of outer radius `radius`: classic D, square loop or
    the subject's tail curling from rim to foot; its ends buried in the wall, mm."""
    from engines.design.forms.geometry import one_body
    from engines.design.subjects.geom import tube

    wire = max(ctx.wall(9.0), 2 * wall) * bulk  # bulk > 1: a creature's body, not a wire
    if style == "tail":
        y0 = -(radius - wall / 2)
        pts = [(0.0, y0, 0.8 * height), (0.0, -(radius + 0.12 * height), 0.9 * height),
               (0.0, -(radius + 0.3 * height), 0.7 * height),
               (0.0, -(radius + 0.26 * height), 0.4 * height),
               (0.0, -(radius + 0.1 * height), 0.2 * height), (0.0, y0, 0.16 * height)]  # fmt: skip
        from engines.design.subjects.creature import smooth

        path = smooth(pts, 28)
        taper = np.linspace(0.62, 0.4, len(path)) * wire
        loop = tube(path, taper, 14)
        curl = [(0.0, -(radius + 0.26 * height), 0.42 * height),
                (0.0, -(radius + 0.36 * height), 0.3 * height),
                (0.0, -(radius + 0.3 * height), 0.2 * height),
                (0.0, -(radius + 0.24 * height), 0.27 * height)]  # fmt: skip
        tip = tube(smooth(curl, 12), np.linspace(0.45, 0.3, 12) * wire, 12)
        solid = _manifold(loop) + _manifold(tip)
    elif style == "square":
        y0, out = -(radius - wall), -(radius + 0.24 * height)
        corners = [(0.0, y0, 0.78 * height), (0.0, out, 0.78 * height),
                   (0.0, out, 0.26 * height), (0.0, y0, 0.26 * height)]  # fmt: skip
        path = np.vstack([np.linspace(a, b, 8, endpoint=False) for a, b in
                          zip(corners[:-1], corners[1:], strict=True)] + [np.array(corners[-1:])])  # fmt: skip
        solid = _manifold(tube(path, 0.5 * wire, 12))
    else:
        major = 0.27 * height
        centre = np.array([0.0, -(radius + 0.14 * height), 0.52 * height])
        ring_ = ring(centre, major - wire / 2, wire, np.array([1.0, 0.0, 0.0]))
        ring_.apply_transform(scale_about(np.array([1.0, 1.0, 1.12]), centre))
        solid = _manifold(ring_).trim_by_plane((0.0, -1.0, 0.0), 0.0)
    return one_body(solid - _manifold(cavity))


def mug(ctx: FormContext) -> Model:
    """A mug (or a taller bubble-tea cup) of a body profile with a handle (classic, round or
    the subject's tail); the subject's face on the front and its ears on the rim, mm."""
    tall = ctx.knob(
        "tall", 1.0 if any(w in ctx.words() for w in ("bubble", "boba", "tumbler")) else 0.0
    )
    profile = MUG_PROFILES[tuple(MUG_PROFILES)[int(ctx.knob("body", 0)) % len(MUG_PROFILES)]]
    height = ctx.size_mm * (1.45 if tall >= 0.5 else 1.0) * profile[3]
    radius = (0.4 if tall >= 0.5 else 0.43) * ctx.size_mm
    wall, floor = ctx.wall(4.0), ctx.wall(6.0)
    if tall >= 0.5:
        profile = (profile[0] * 0.84, profile[1], profile[2], profile[3])
    s = np.linspace(0.0, 1.0, PROFILE_STEPS)
    radii, heights = profile_radii(profile, radius, s), s * height
    radii[0] -= 1.0  # a chamfered foot
    heights = np.r_[0.0, heights[1:]]
    radii, heights = np.r_[radii[0], radii[0] + 1.0, radii[1:]], np.r_[0.0, 1.0, heights[1:]]
    body, cavity = profiled_vessel(radii, heights, wall, floor)
    on_rim = perched(ctx)
    colour = ctx.colour if on_rim else ctx.body_colour()  # a frog on a mug: the mug's own
    model = Model([Part("wall", body, colour, "fixture", ctx.material)])
    r_mid = float(profile_radii(profile, radius, np.array([0.5]))[0])
    r_rim = float(radii[-1])
    as_handle = bound_to_handle(ctx)  # "a black cat handle": the subject is the handle
    style, handle_deg = "", None
    if as_handle or tall < 0.5 or kept_by_words("mug", "handle", ctx.words()):
        style = MUG_HANDLES[int(ctx.knob("handle", 0)) % len(MUG_HANDLES)]
        if as_handle:
            style = "tail"  # its body the loop, its tail the curl at the foot
        if style == "tail" and ctx.subject is None:
            style = "classic"
        handle_r = float(profile_radii(profile, radius, np.array([0.2, 0.5, 0.8])).min())
        loop = _handle(ctx, handle_r, height, wall, cavity, style, 1.5 if as_handle else 1.0)
        handle_deg = -90.0
        if as_handle:
            assert ctx.subject is not None
            model.parts += creature_handle(ctx, height, loop, main_colour(ctx.subject))
        else:
            model.parts.append(Part("handle", loop, colour, "fixture", ctx.material))
    above = cavity_cutter(r_rim - 0.7 * wall, r_rim - 0.7 * wall, height, height)
    clear = mesh_of(_manifold(above) + _manifold(cavity))
    if on_rim:
        perch(ctx, model, r_rim, height, wall, clear)
    elif as_handle:
        model.parts[:] = model.parts[:1] + _kept_clear(ctx, model.parts[1:], clear)
    else:
        skip = ("tail",) if style == "tail" else ()
        shape = Wall(body, height, handle_deg)
        model.parts.extend(_kept_clear(ctx, appendages(ctx, shape, colour, skip), clear))
        model.parts.extend(
            relief(
                ctx,
                body,
                0.5 * height,
                r_mid,
                height,
                wall,
                r_rim - wall / 2,
                clear,
                avoid_deg=-90.0,
            )  # the handle is on -Y  # fmt: skip
        )
    if wants_straw(ctx):  # "bubble tea cup with a straw"
        model.parts.extend(drinking_straw(ctx, r_rim, height, floor))
    _vessel_anchors(model, max(r_mid, r_rim), height, floor)
    return model


PERCH_HEIGHT = 0.55  # a subject sitting on a rim: its height, share of the vessel's size
PERCH_SINK = 0.14  # share of its height it sinks over the rim (its seat joins the wall)
PERCH_ANGLE_DEG = 0.0  # where on the rim, from the front (+X) away from the handle (-Y)


def perched(ctx: FormContext) -> bool:
    """Whether the words sit the subject on the vessel ("a frog sitting on a mug")."""
    return ctx.subject is not None and ctx.spec is not None and ctx.spec.placement == "on"


def perch(
    ctx: FormContext,
    model: Model,
    r_rim: float,
    rim_z: float,
    wall: float,
    clear: trimesh.Trimesh,
) -> None:
    """The subject whole, in its pose, sitting on the rim facing out: its back over the
    wall, its front over the side, nothing of it in the cavity (cut back by `clear`), mm."""
    assert ctx.subject is not None
    figure = chunky(
        fitted_height(ctx.subject, PERCH_HEIGHT * ctx.size_mm), ctx.rule.min_wall_mm, DETAIL_MIN_MM
    )
    lo, hi = figure.bounds
    sink = PERCH_SINK * float(hi[2] - lo[2])
    body = [p.mesh.bounds for p in figure.parts if p.name == "body"]  # its seat, not its tail
    seat = body[0] if body else figure.bounds
    back = r_rim - 0.8 * wall  # its rear rests on the inner half of the wall
    angle = np.radians(PERCH_ANGLE_DEG)
    at = np.array([back - float(seat[0][0]), 0.0, rim_z - sink - float(seat[0][2])])
    place = _rotation_z(angle) @ moved(at)
    figure = figure.transform(place)
    for p in figure.parts:
        mesh = minus(p.mesh, clear)
        limit = DETAIL_MIN_MM if p.role == "detail" else ctx.rule.min_wall_mm
        if mesh is not None and (mesh is p.mesh or thinnest(mesh)[1] >= limit):  # no slivers
            model.parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
    model.anchors.update({k: a for k, a in figure.anchors.items() if k != "base"})


def _kept_clear(ctx: FormContext, parts: list[Part], clear: trimesh.Trimesh) -> list[Part]:
    """The parts cut back from a vessel's cavity (`clear`), dropping slivers of the cut."""
    out = []
    reach = float(np.linalg.norm(np.asarray(clear.vertices)[:, :2], axis=1).max())
    for p in parts:
        v = np.asarray(p.mesh.vertices)
        if float(np.linalg.norm(v[:, :2], axis=1).min()) > reach:  # wholly outside: no cut
            out.append(p)
            continue
        mesh = minus(p.mesh, clear)
        limit = DETAIL_MIN_MM if p.role == "detail" else ctx.rule.min_wall_mm
        if mesh is not None and thinnest(mesh)[1] >= 0.95 * limit:  # no slivers of the cut
            out.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return out


def _vessel_anchors(model: Model, radius: float, height: float, floor: float) -> None:
    """base (bottom centre), cavity (a point inside the open cavity), face (front wall)."""
    model.anchors["base"] = base_anchor(size_mm=radius)
    model.anchors["cavity"] = Anchor(np.array([0.0, 0.0, (floor + height) / 2]),
                                     np.array([0.0, 0.0, 1.0]), radius)  # fmt: skip
    model.anchors["face"] = Anchor(np.array([radius, 0.0, height / 2]),
                                   np.array([1.0, 0.0, 0.0]), radius / 2)  # fmt: skip


def _is_plant(ctx: FormContext) -> bool:
    """Whether the subject is a plant that stands in the pot (cactus, mushroom)."""
    if ctx.spec and ctx.spec.subject:
        return ctx.spec.subject in PLANTS
    names = " ".join(p.name.lower() for p in ctx.subject.parts) if ctx.subject else ""
    return any(w in names for w in PLANTS)


PLANTER_PROFILES: tuple[str, ...] = ("flowerpot", "cylinder", "bowl", "hexagon")  # knob "pot"


def _pot_profile(kind: str, r_top: float, height: float, lip: float, lip_h: float) -> np.ndarray:
    """The outer (radius, height) points of a pot from its foot to its rim, mm."""
    if kind == "cylinder":
        return np.array([(0.92 * r_top, 0.0), (r_top, 1.0), (r_top, height)])
    if kind == "bowl":
        s = np.linspace(0.0, 1.0, PROFILE_STEPS)
        r = r_top * (0.58 + 0.5 * np.sin(0.5 * np.pi * s) ** 0.7)
        r = np.minimum(r, r_top + lip)
        return np.column_stack([r, s * 0.78 * height])
    r_bottom = 0.74 * r_top
    return np.array([(r_bottom, 0.0), (r_top, height - lip_h), (r_top + lip, height - lip_h),
                     (r_top + lip, height)])  # fmt: skip


def _feet(ctx: FormContext, r_foot: float, foot_h: float, colour: RGB) -> list[Part]:
    """Four round feet (the subject's paws on a creature pot) under a pot's foot, mm."""
    from engines.design.subjects.geom import blob

    r = max(0.22 * r_foot, ctx.rule.min_wall_mm * 2)
    out = []
    for k, angle in enumerate((45.0, 135.0, 225.0, 315.0)):
        a = np.radians(angle)
        c = np.array([0.78 * r_foot * np.cos(a), 0.78 * r_foot * np.sin(a), foot_h])
        paw = cut_below(blob(c, (r, r, foot_h * 1.4), None, 3), 0.0)
        if paw is not None:
            out.append(Part(f"foot_{k}", paw, colour, "fixture", ctx.material))
    return out


def planter(ctx: FormContext) -> Model:
    """A pot with a drain hole, of a profile (flowerpot, cylinder, bowl, hexagon), on feet or
    not; the subject's face and ears on it, or the plant subject standing in it; width size_mm."""
    kind = PLANTER_PROFILES[int(ctx.knob("pot", 0)) % len(PLANTER_PROFILES)]
    r_top = 0.5 * ctx.size_mm
    height = 0.85 * ctx.size_mm
    wall, floor = ctx.wall(4.0), ctx.wall(6.0)
    lip_h, lip = ctx.mm(12.0), ctx.wall(3.0)
    outline = _pot_profile(kind, r_top, height, lip, lip_h)
    height = float(outline[-1, 1])
    sections = 6 if kind == "hexagon" else 64
    hex_wall = wall / np.cos(np.pi / 6) if kind == "hexagon" else wall  # across the flats
    inner = [(max(r - 1.1 * hex_wall, wall), z) for r, z in outline if z >= floor]
    inner_top, inner_bottom = inner[-1][0], (outline[0][0] - 1.1 * hex_wall)
    if kind == "flowerpot":
        inner = [(inner_bottom, floor), (r_top - 1.1 * wall, height)]
    cavity = [(0.0, floor), (inner_bottom if kind != "bowl" else inner[0][0], floor), *inner,
              (inner[-1][0], height + 5.0), (0.0, height + 5.0)]  # fmt: skip
    solid = revolved(np.vstack([[0.0, 0.0], outline, [0.0, height]]), sections)
    hollow = revolved(np.array(cavity), sections)
    drain = max(ctx.mm(5.0), 3.0)
    pot = minus(solid, hollow)
    assert pot is not None
    pot = minus(pot, cylinder_z(np.zeros(3), drain, 3 * floor, True))
    assert pot is not None
    plant = ctx.subject is not None and _is_plant(ctx)
    colour = ctx.colour if plant or perched(ctx) else ctx.body_colour()
    model = Model([Part("pot", pot, colour, "fixture", ctx.material)])
    if plant:
        _plant_in(ctx, model, height, wall, np.array(cavity[1:-2]), inner_top)
    else:
        r_mid = 0.5 * (r_top + float(outline[0][0]))
        clear = cavity_cutter(
            inner_bottom + 0.3 * wall, inner_top + 0.3 * wall, floor + 0.3 * wall, height,
            sections if kind == "hexagon" else 60,
        )  # fmt: skip
        clear = mesh_of(_manifold(clear) + _manifold(hollow))
        rim_r = r_top - wall / 2 + (lip / 2 if kind == "flowerpot" else 0.0)
        if perched(ctx):
            rim_wall = wall + (lip if kind == "flowerpot" else 0.0)
            perch(
                ctx, model, r_top + (lip if kind == "flowerpot" else 0.0), height, rim_wall, clear
            )
        else:
            model.parts.extend(relief(ctx, pot, 0.45 * height, r_mid, height, wall, rim_r, clear))
            shape = Wall(pot, height)
            model.parts.extend(_kept_clear(ctx, appendages(ctx, shape, colour), clear))
    if ctx.knob("feet", 0.0) >= 0.5:
        foot_h = ctx.mm(9.0)
        feet_colour = main_colour(ctx.subject) if ctx.subject is not None and not plant else colour
        model = model.transform(moved(np.array([0.0, 0.0, foot_h])))
        model.parts.extend(_feet(ctx, float(outline[0][0]), foot_h, feet_colour))
        height += foot_h
    _vessel_anchors(model, r_top, height, floor)
    model.anchors["drain"] = Anchor(np.zeros(3), np.array([0.0, 0.0, -1.0]), drain)
    return model


def _plant_in(
    ctx: FormContext,
    model: Model,
    height: float,
    wall: float,
    inner: np.ndarray,
    inner_top: float,
) -> None:
    """Soil and the plant subject standing in it, added to the pot model, mm. `inner` is the
    cavity wall's (radius, height) points from its floor up: the soil disc reaches into the
    wall at half its thickness whatever the pot's profile (a straight line from the floor to
    the rim fell short of a bowl's curved wall, and the soil and plant floated in it)."""
    soil_z = 0.72 * height
    r_soil = float(np.interp(soil_z + 0.5 * wall, inner[:, 1], inner[:, 0]))
    soil = cylinder_z(np.array([0.0, 0.0, soil_z]), r_soil + 0.6 * wall, wall, centred=False)
    model.parts.append(Part("soil", soil, (110, 75, 50), "fixture"))
    assert ctx.subject is not None
    own_pot = [p for p in ctx.subject.parts if p.name != "pot"]  # the planter is the pot
    plant_only = Model(own_pot, dict(ctx.subject.anchors)) if own_pot else ctx.subject
    at = np.array([0.0, 0.0, soil_z + wall - ctx.mm(3.0)])
    figure = fitted_height(plant_only, 0.95 * height, at)
    lo, hi = figure.bounds
    reach = max(float(np.abs(lo[:2]).max()), float(np.abs(hi[:2]).max()))
    if reach > 0.8 * inner_top:
        figure = figure.transform(scale_about(0.8 * inner_top / reach, at))
    model.extend(chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM))


def pen_holder(ctx: FormContext) -> Model:
    """An open cup for pens with the subject sitting beside it (knob 'hug' 1: the cup
    wears the subject's face instead), height size_mm."""
    height, radius = ctx.size_mm, 0.36 * ctx.size_mm
    wall, floor = ctx.wall(3.0), ctx.wall(4.0)
    cup = vessel(radius, radius, height, wall, floor)
    hug = ctx.subject is not None and ctx.knob("hug", 0.0) >= 0.5
    colour = ctx.body_colour() if hug else ctx.colour  # the cup is the subject's body
    model = Model([Part("cup", cup, colour, "fixture", ctx.material)])
    if hug:
        clear = cavity_cutter(radius - 0.7 * wall, radius - 0.7 * wall, floor + 0.3 * wall, height)
        model.parts.extend(
            relief(ctx, cup, 0.55 * height, radius, height, wall, radius - wall / 2, clear)
        )
        shape = Wall(cup, height)
        model.parts.extend(_kept_clear(ctx, appendages(ctx, shape, colour), clear))
    elif ctx.subject is not None:
        figure = fitted_height(ctx.subject, 0.72 * height)
        if float(np.max(figure.bounds[1] - figure.bounds[0])) > 0.9 * height:  # a wide donut
            figure = fitted(ctx.subject, 0.9 * height)
        figure = chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM)
        lo, hi = figure.bounds
        half_w = 0.5 * float(hi[1] - lo[1])
        at = np.array([0.3 * radius, -(radius + 0.55 * half_w), 0.0])
        figure = figure.transform(moved(at))
        # cut at mid-wall: the cut face is buried in the wall, none of the subject in the cavity
        hole = cylinder_z(np.array([0.0, 0.0, floor]), radius - wall / 2, 2 * height, centred=False)
        for p in figure.parts:
            mesh = minus(p.mesh, hole)
            if mesh is not None:
                limit = DETAIL_MIN_MM if p.role == "detail" else ctx.rule.min_wall_mm
                if thinnest(mesh)[1] >= limit:  # no slivers left by the cut
                    model.parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
        model.anchors.update({k: a for k, a in figure.anchors.items() if k != "base"})
    _vessel_anchors(model, radius, height, floor)
    return model


BUILDERS: dict[str, Builder] = {"mug": mug, "planter": planter, "pen_holder": pen_holder}
