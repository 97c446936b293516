"""The subject's own parts as a vessel's appendages: what a creature has (read from its part
names) shapes the mug, pot or cup it decorates. A fluked tail rises from the back, fins
and flippers stand out of the sides, tentacles wrap the lower wall and curl out as feet,
arms hug the wall in half relief under the face (a bird folds its wings), a cactus's arms
branch from the sides over ribs, a long tail curls up the back, a sun's rays ring the wall
under the rim; a subject worded as the handle ("a black cat handle") becomes the
handle: its body the loop, its head peeking over the rim, its tail the curl at the foot.

Every appendage is built in the vessel's frame (mm, the face at +X, a handle at -Y), set on
the outer wall found by rays from the axis (any profile: barrel, flared, hexagon), sunk
into the wall so that the union is one solid, and named as the subject part it stands for,
so that it takes the subject's colour."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import trimesh

from engines.design.axes import subject_is_handle
from engines.design.forms.context import FormContext
from engines.design.forms.geometry import mesh_of
from engines.design.forms.place import moved
from engines.design.kit.parts import Model, Part
from engines.design.shapes import _manifold, volume_mm3
from engines.design.subjects.creature import smooth
from engines.design.subjects.geom import blob, frame, tube

RGB = tuple[int, int, int]

# The appendage each subject part declares (a part name, or a prefix ending "_" or " ").
APPENDAGES: tuple[tuple[str, str], ...] = (
    ("tentacle_", "tentacles"),  # an octopus: tentacles wrap the lower wall, curl out as feet
    ("tail fin", "fluke"),  # a whale, a shark: the tail rises from the back in a fluke
    ("fin_", "fins"),  # side fins or flippers
    ("flipper_", "fins"),
    ("arm_", "arms"),  # arms hugging the wall under the face (a bird folds its wings)
    ("branch", "branches"),  # a cactus's arms branch from the sides
    ("tail", "tail"),  # a long tail curls up the back
    ("wing", "wings"),  # a dragon's own wings, or worded ones ("bat wings wing")
    ("ray", "rays"),  # a sun's rays: a ring of flat triangles round the wall under the rim
)
RAY_WORDS = ("ray",)  # subject parts a vessel shows as its ring of rays (not as face relief)
RAY_COUNT = 12  # rays round a vessel's wall (fewer where a handle is)
RAY_HEIGHT = 0.8  # their roots' height on the wall against its height: just under the rim
RAY_SLOPE_DEG = 35.0  # each rises out of the wall this steeply: it prints without support
# a vessel no lip touches (a planter, a pen cup) wears its rays as a crown round the rim, rising
# steeply past it, so that they frame the face as a drawn sun's rays; a mug keeps them under it
CROWN_SLOPE_DEG = 55.0
TAIL_WORDS = ("tail",)  # subject parts that make a tail (a stub is too short to show)
MIN_TAIL_SHARE = 0.25  # a tail shows on a vessel when it is this long against its subject
TENTACLE_ROOT = 0.28  # a vessel's tentacles leave its wall this high against its height
# a tentacle's radius along it against its root's: broad at the wall, a thin curled tip
TENTACLE_TAPER = np.array([1.0, 0.9, 0.75, 0.56, 0.42, 0.32, 0.25, 0.2, 0.17, 0.15])


@dataclass(frozen=True)
class Wall:
    """A vessel's outer wall as rays from its axis see it: the body, its height, the azimuth
    (degrees) of a handle to keep clear of (None without one)."""

    body: trimesh.Trimesh
    height: float
    handle_deg: float | None = None

    def radius(self, az_deg: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The outer wall's distance from the axis at azimuths and heights (0 on a miss), mm.
        Only the triangles a ray can reach are tried: those spanning the rays' heights and,
        when the rays keep to a sector, overlapping it (wrapping an arm onto the wall asks
        for every vertex of it: against the whole wall that took 1.5 s a frog mug)."""
        from engines.design.forms.vessels import _outer_hits

        az = np.atleast_1d(np.asarray(az_deg, dtype=float))
        a = np.radians(az)
        z = np.broadcast_to(np.asarray(z, dtype=float), a.shape)
        outs = np.column_stack([np.cos(a), np.sin(a), np.zeros(len(a))])
        origins = np.column_stack([np.zeros((len(a), 2)), z])
        tri = self._triangles
        near = (tri[:, :, 2].max(axis=1) >= z.min() - 1e-6) & (
            tri[:, :, 2].min(axis=1) <= z.max() + 1e-6
        )
        centre = float(np.degrees(np.arctan2(np.sin(a).sum(), np.cos(a).sum())))
        half = float(np.abs((az - centre + 180.0) % 360.0 - 180.0).max())
        if half < 90.0:  # a sector: its triangles and those whose own span reaches into it
            d = (self._azimuths - centre + 180.0) % 360.0 - 180.0
            lo, hi = d.min(axis=1), d.max(axis=1)
            near &= (hi - lo > 180.0) | ((hi >= -half - 1.0) & (lo <= half + 1.0))
        return _outer_hits(tri[near], origins, outs)

    @cached_property
    def _triangles(self) -> np.ndarray:
        return np.asarray(self.body.triangles)

    @cached_property
    def _azimuths(self) -> np.ndarray:
        """Each triangle corner's azimuth about the axis, degrees."""
        t = self._triangles
        return np.degrees(np.arctan2(t[:, :, 1], t[:, :, 0]))

    def points(self, az_deg: np.ndarray, z: np.ndarray, out: np.ndarray | float) -> np.ndarray:
        """Points `out` mm outside the wall at azimuths and heights, mm."""
        a = np.radians(np.asarray(az_deg, dtype=float))
        r = self.radius(az_deg, z) + out
        return np.column_stack([r * np.cos(a), r * np.sin(a), z])

    def clear_of_handle(self, az_deg: float, gap_deg: float = 28.0) -> bool:
        """Whether an azimuth keeps `gap_deg` from the handle."""
        if self.handle_deg is None:
            return True
        return abs((az_deg - self.handle_deg + 180.0) % 360.0 - 180.0) > gap_deg


def kinds(subject: Model) -> list[str]:
    """The appendages the subject declares by its parts, in APPENDAGES' order, each once."""
    names = {p.name for p in subject.parts}
    found: list[str] = []
    for prefix, kind in APPENDAGES:
        # "arm_" and "tentacle_" name a pair or a row; "branch" and "tail" are the part itself
        has = any(n == prefix or (prefix[-1] in "_ " and n.startswith(prefix)) for n in names)
        if kind == "tail":
            has = has and _long_tail(subject)
        if kind == "wings":  # a bird's wing-arms are its arms: only plate wings count
            has = any(_is_wing(n) for n in names)
        if kind == "arms" and "tentacles" in found:
            has = False
        if has and kind not in found and not (kind == "tail" and "fluke" in found):
            found.append(kind)
    return found


def _is_wing(name: str) -> bool:
    """A plate wing: a dragon's own ("wing") or a worded pair's ("bat wings wing")."""
    return name == "wing" or name.endswith(" wings wing")


def _wings(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """A pair of wings standing out of the back of the wall, behind the sides, swept up and
    back, in the wings' own colour and outline (bat or feathered)."""
    from engines.design.features.wear import _wing_outline
    from engines.design.subjects.geom import plate

    found = [p for p in subject.parts if _is_wing(p.name)]
    name, c = found[0].name, found[0].colour
    variant = "feathered" if ("feathered" in name or "fairy" in name) else "bat"
    h = wall.height
    size = 0.5 * h
    outline = _wing_outline(variant, size)
    out = []
    for sign in (1.0, -1.0):
        az = sign * 125.0
        if not wall.clear_of_handle(az, 35.0):
            az = sign * 100.0
        a = np.radians(az)
        radial = np.array([np.cos(a), np.sin(a), 0.0])
        root = wall.points(np.array([az]), np.array([0.62 * h]), -1.5 * thick)[0]
        u = radial * 0.8 + np.array([0.0, 0.0, 0.6])  # out of the wall and up
        u /= np.linalg.norm(u)
        v = np.array([0.0, 0.0, 1.0]) - u[2] * u  # up, in the wing's plane
        v /= np.linalg.norm(v)
        centre = root + u * 0.45 * size
        mesh = plate(outline, max(thick, 0.04 * h), centre, u, v)
        out.append(Part(name, mesh, c, "body"))
    return out


def _long_tail(subject: Model) -> bool:
    """Whether the subject's tail is long enough to show (a cat's, not a bear's stub)."""
    tails = [p.mesh for p in subject.parts if p.name in TAIL_WORDS]
    if not tails:
        return False
    lo, hi = subject.bounds
    size = float(np.max(hi - lo))
    return max(float(np.max(t.extents)) for t in tails) >= MIN_TAIL_SHARE * size


def _colour(subject: Model, prefix: str, fallback: RGB) -> tuple[str, RGB]:
    """The name and colour of the subject's first part named with `prefix`."""
    for p in subject.parts:
        if p.name.startswith(prefix):
            return p.name, p.colour
    return prefix, fallback


def bound_to_handle(ctx: FormContext) -> bool:
    """Whether the words make the subject the mug's handle ("a black cat handle")."""
    return ctx.subject is not None and subject_is_handle(ctx.spec)


def appendages(
    ctx: FormContext, wall: Wall, body_colour: RGB, skip: tuple[str, ...] = ()
) -> list[Part]:
    """The subject's appendages on a vessel's wall, each a part named as the subject part it
    stands for (role "body": the subject's), mm. `skip`: kinds another part already shows
    (a mug whose handle is the tail)."""
    if ctx.subject is None:
        return []
    out: list[Part] = []
    thick = max(ctx.rule.min_wall_mm, 1.5)
    for kind in kinds(ctx.subject):
        if kind in skip:
            continue
        out += BUILD[kind](ctx.subject, wall, thick, body_colour)
    return out


def _tube_part(
    name: str, pts: np.ndarray, radii: np.ndarray, colour: RGB, sections: int = 12
) -> Part:
    """A smooth tapered tube through control points as one subject part."""
    path = smooth(list(pts), 4 * len(pts))
    r = np.interp(np.linspace(0, 1, len(path)), np.linspace(0, 1, len(radii)), radii)
    return Part(name, tube(path, r, sections), colour, "body")


def _tentacles(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """Tentacles flowing out of the lower wall as a skirt: broad roots side by side round
    the wall (one body splitting into arms), each running down and out over the table (the
    vessel stands on them) and tapering hard to a thin tip that curls up and out; spaced
    round the wall clear of a handle."""
    h = wall.height
    count = min(sum(1 for p in subject.parts if p.name.startswith("tentacle_")) or 6, 8)
    step = 360.0 / count
    root_z = TENTACLE_ROOT * h
    ring = wall.radius(np.array([0.0, 90.0, 180.0, 270.0]), np.full(4, root_z))
    if (ring <= 0).any():
        return []
    # roots touch: each as wide as its share of the wall's round at the root
    r0 = min(0.52 * 2.0 * np.pi * float(ring.mean()) / count, 0.17 * h)
    r0 = max(r0, 2.0 * thick)
    taper = r0 * TENTACLE_TAPER
    # (out past the wall, height, sweep round the wall in deg): down the wall, out over
    # the table, the tip lifting and curling up and out
    zs = np.array([root_z, 0.62 * root_z, 0.3 * root_z])
    outs = np.array([-0.4, 0.1, 0.4]) * r0
    sweep = np.array([0.0, 3.0, 7.0])
    table = np.array([0.1, 0.17, 0.235, 0.285, 0.31, 0.3, 0.275]) * h
    lift = np.array([0.0, 0.0, 0.0, 0.035, 0.085, 0.125, 0.14]) * h
    turn = np.array([10.0, 12.0, 14.0, 16.0, 17.0, 18.0, 18.0])
    out = []
    for k in range(count):
        az = 180.0 / count + k * step  # none straight under the face
        if not wall.clear_of_handle(az, 18.0):
            continue
        name, c = _colour(subject, f"tentacle_{k}", colour)
        down = wall.points(az + sweep, zs, outs)
        foot_r = float(wall.radius(np.array([az]), np.array([0.04 * h]))[0])
        if (np.linalg.norm(down[:, :2], axis=1) <= 0).any() or foot_r <= 0:
            continue
        radii = taper[3:]
        a = np.radians(az + turn)
        rr = foot_r + table
        flat = np.column_stack([rr * np.cos(a), rr * np.sin(a), 0.9 * radii + lift])
        pts = np.vstack([down, flat])
        out.append(_tube_part(name, pts, np.maximum(taper, 0.6 * thick), c, 20))
    return out


def _fluke(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """A tail rising from the back of the vessel (-X), its fluke spread over the rim."""
    h = wall.height
    name, c = _colour(subject, "tail", colour)
    fin_name, fin_c = _colour(subject, "tail fin", c)
    tr = max(0.07 * h, thick)
    root = wall.points(
        np.array([180.0, 180.0]), np.array([0.3, 0.55]) * h, np.array([0.2, 0.5]) * tr
    )
    r0 = -float(root[0][0])
    pts = np.vstack([root, [[-(r0 + 0.14 * h), 0.0, 0.82 * h], [-(r0 + 0.2 * h), 0.0, 1.0 * h]]])
    tail = _tube_part(name, pts, tr * np.array([1.1, 1.0, 0.8, 0.6]), c)
    tip = pts[-1]
    lobes = []
    for sign in (1.0, -1.0):
        spread = np.array([-0.25, sign * 1.0, 0.45])
        axis = frame(np.array([1.0, 0.0, 0.15]), spread)  # thin along X, long along `spread`
        centre = tip + 0.12 * h * spread / np.linalg.norm(spread)
        lobes.append(
            blob(centre, (0.17 * h, 0.07 * h, max(0.035 * h, thick)), axis @ _xy_swap(), 2)
        )
    hub = blob(tip + np.array([0.0, 0.0, 0.3 * tr]), (0.9 * tr, 1.3 * tr, 1.1 * tr), None, 2)
    fluke = mesh_of(_manifold(lobes[0]) + _manifold(lobes[1]) + _manifold(hub))
    return [tail, Part(fin_name, fluke, fin_c, "body")]


def _xy_swap() -> np.ndarray:
    """Columns (up, side, -normal) of a frame: a blob's first radius along `up`, still a
    rotation (a mirrored blob would be inside out)."""
    return np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]])  # det +1: outward


def _fins(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """Two flat fins (flippers) on the sides under the face, swept down and back."""
    h = wall.height
    out = []
    for side, sign in (("l", 1.0), ("r", -1.0)):
        name, c = _colour(subject, f"fin_{side}", colour)
        az = sign * 62.0
        root = wall.points(np.array([az]), np.array([0.4 * h]), 0.0)[0]
        a = np.radians(az)
        radial = np.array([np.cos(a), np.sin(a), 0.0])
        back = np.array([-np.sin(a), np.cos(a), 0.0])
        if back[0] > 0:  # the tangent away from the face
            back = -back
        down = 0.5 * radial + 0.5 * back + np.array([0.0, 0.0, -0.7])
        down /= np.linalg.norm(down)
        centre = root + down * 0.1 * h
        rot = frame(back, down)  # a paddle: thin along the wall's tangent, long down and out
        mesh = blob(centre, (0.07 * h, 0.16 * h, max(0.03 * h, thick)), rot, 2)
        out.append(Part(name, mesh, c, "body"))
    return out


def _arms(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """Two arms hugging the wall in half relief, as a ceramic animal mug sculpts them: from a
    shoulder high on the side down to the elbow, the forearm round to the front under the
    face, tapered and flat against the wall, each ending in a mitten paw with three toes. A
    bird (a duck, a penguin, an owl) folds its wings on the sides instead."""
    if _bird_wings(subject):
        return _folded_wings(subject, wall, thick, colour)
    h = wall.height
    out = []
    for side, sign in (("l", 1.0), ("r", -1.0)):
        name, c = _colour(subject, f"arm_{side}", colour)
        k = _mm_per_degree(wall, sign * 70.0, 0.3 * h)
        wide = _girth(_mm_per_degree(wall, sign * 70.0, 0.95 * h) * 180.0 / np.pi, h)
        r = np.maximum(np.array([0.1, 0.09, 0.078, 0.067, 0.06]) * h * wide, 0.6 * thick)
        back = _clear_back(wall, sign, 92.0, float(r[0]) / k)
        az = np.array([back, back - 2.0, back - 7.0, 0.5 * (back - 7.0 + 48.0), 48.0])
        zs = np.array([0.46, 0.35, 0.23, 0.175, 0.155]) * h
        path = smooth(list(np.column_stack([az * k, zs, np.zeros(5)])), 40)
        t = np.linspace(0, 1, len(path))
        radii = np.interp(t, np.linspace(0, 1, len(r)), r)
        path[:, 2] = -0.7 * r[0] * np.clip(1.0 - t / 0.3, 0.0, 1.0) ** 2  # the shoulder rises out
        arm = _flattened(tube(path, radii, 14), 0.6 / wide, -0.005 * h)  # as low, only wider
        fore = path[-1] - path[-6]
        paw_c = path[-1] + 0.085 * h * fore / np.linalg.norm(fore)
        meshes = [arm, *_paw(paw_c, fore, h, wide)]
        wrapped = [_on_wall(wall, m, k, sign) for m in meshes]
        if any(m is None for m in wrapped):
            continue
        out += [Part(name, m, c, "body") for m in wrapped if m is not None]
    return out


def _bird_wings(subject: Model) -> bool:
    """Whether the subject's arms are a bird's wings: it has a beak, and its arms are flat
    plates (the thinnest spread of their vertices under half the next) rather than round
    limbs; an axolotl's flat arms (no beak) still hug."""
    names = {p.name for p in subject.parts}
    arm = next((p.mesh for p in subject.parts if p.name.startswith("arm_")), None)
    if "beak" not in names or arm is None or len(arm.vertices) < 4:
        return False
    spread = np.linalg.svd(arm.vertices - arm.vertices.mean(axis=0), compute_uv=False)
    return bool(spread[2] < 0.5 * spread[1])


def _mm_per_degree(wall: Wall, az_deg: float, z: float) -> float:
    """The wall's arc length per degree of azimuth at a point (its radius in mm a degree)."""
    r = float(wall.radius(np.array([az_deg]), np.array([z]))[0])
    return max(r, 1.0) * np.pi / 180.0


def _clear_back(wall: Wall, sign: float, back: float, half_deg: float) -> float:
    """The furthest-back azimuth (degrees from the front, up to `back`) a limb `half_deg`
    wide can reach on one side and keep clear of the handle."""
    az = back
    while az > 60.0 and not wall.clear_of_handle(sign * az, 12.0 + half_deg):
        az -= 2.0
    return az


def _flattened(mesh: trimesh.Trimesh, share: float, depth: float) -> trimesh.Trimesh:
    """A mesh built flat on the wall (z: out of it) squashed to `share` of its thickness and
    set `depth` mm out of the wall (negative: into it)."""
    v = mesh.vertices.copy()
    v[:, 2] = depth + share * v[:, 2]
    return trimesh.Trimesh(v, mesh.faces, process=False)


def _on_wall(wall: Wall, flat: trimesh.Trimesh, k: float, sign: float) -> trimesh.Trimesh | None:
    """A mesh built flat (x: mm round the wall at `k` mm a degree from the front, y: height,
    z: mm out of the wall) wrapped onto the wall on one side (`sign` +1: +Y); None where
    the wall is missed."""
    v = flat.vertices
    az = sign * v[:, 0] / k
    r = wall.radius(az, v[:, 1])
    if (r <= 1e-6).any():
        return None
    a = np.radians(az)
    rr = r + v[:, 2]
    mesh = trimesh.Trimesh(np.column_stack([rr * np.cos(a), rr * np.sin(a), v[:, 1]]),
                           flat.faces.copy(), process=False)  # fmt: skip
    if volume_mm3(mesh) < 0:
        mesh.invert()
    return mesh


def _paw(
    centre: np.ndarray, fore: np.ndarray, h: float, wide: float = 1.0
) -> list[trimesh.Trimesh]:
    """A mitten paw flat on the wall (built flat: z out of it) pointing along `fore`, with
    three toe bumps at its tip; `wide` widens it across the forearm (not longer, towards the
    face, nor higher out of the wall)."""
    along = np.array([fore[0], fore[1], 0.0]) / np.linalg.norm(fore[:2])
    across = np.array([-along[1], along[0], 0.0])
    rot = np.column_stack([along, across, [0.0, 0.0, 1.0]])
    w = wide * h
    mitt = blob(centre + (0, 0, 0.008 * h), (0.075 * h, 0.065 * w, 0.04 * h), rot, 2)
    toes = [
        blob(centre + along * 0.065 * h + across * t * 0.04 * w + (0, 0, 0.014 * h),
             (0.026 * h, 0.022 * w, 0.024 * h), rot, 2)
        for t in (-1.0, 0.0, 1.0)
    ]  # fmt: skip
    return [mitt, *toes]


MUG_GIRTH = 0.45  # a mug's radius over its height, where the arms were drawn to scale
MAX_WIDEN = 1.35  # the most a wide pot widens its arms and paws along the wall


def _girth(radius: float, height: float) -> float:
    """How much wider than on a mug a vessel's hugging arms are drawn, so that they still
    read as arms on a wide pot (rim radius over height 0.6-0.8 against a mug's 0.45): 1 on a
    mug or a narrower cup, up to MAX_WIDEN (their relief stays as low)."""
    return float(np.clip((radius / max(height, 1e-6) / MUG_GIRTH) ** 0.7, 1.0, MAX_WIDEN))


def _folded_wings(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """A bird's wings folded on the sides in low relief: a flat teardrop lying on the wall,
    rounded at the shoulder behind the face's side, its tip pointing back and down, two
    flight feathers under it reaching the tip."""
    h = wall.height
    out = []
    for side, sign in (("l", 1.0), ("r", -1.0)):
        name, c = _colour(subject, f"arm_{side}", colour)
        k = _mm_per_degree(wall, sign * 85.0, 0.3 * h)
        back = _clear_back(wall, sign, 122.0, 6.0)
        front = back - 56.0
        shapes = [  # (share of the way from front to back, heights / h, radii / h, depth / h)
            ((0.0, 0.25, 0.55, 0.8, 1.0), (0.44, 0.42, 0.36, 0.29, 0.22),
             (0.1, 0.12, 0.1, 0.06, 0.02), 0.0),
            ((0.35, 0.6, 0.82, 0.97), (0.33, 0.28, 0.23, 0.19), (0.05, 0.05, 0.035, 0.015),
             -0.006),
            ((0.3, 0.55, 0.75, 0.9), (0.29, 0.24, 0.2, 0.165), (0.045, 0.045, 0.03, 0.013),
             -0.012),
        ]  # fmt: skip
        meshes = []
        for share, zs, rs, depth in shapes:
            az = front + (back - front) * np.array(share)
            pts = np.column_stack([az * k, np.array(zs) * h, np.zeros(len(az))])
            path = smooth(list(pts), 10 * len(az))
            r = np.maximum(np.array(rs) * h, 0.5 * thick)
            radii = np.interp(np.linspace(0, 1, len(path)), np.linspace(0, 1, len(r)), r)
            meshes.append(
                _on_wall(wall, _flattened(tube(path, radii, 14), 0.4, depth * h), k, sign)
            )
        out += [Part(name, m, c, "body") for m in meshes if m is not None]
    return out


def _branches(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """A cactus's arms: elbows out of the sides turning up, and ribs up the back and sides."""
    h = wall.height
    name, c = _colour(subject, "branch", colour)
    out = []
    ar = max(0.085 * h, thick)
    for sign, z0, z1 in ((1.0, 0.42, 0.72), (-1.0, 0.32, 0.6)):
        az = sign * 90.0
        if not wall.clear_of_handle(az):
            az = sign * 60.0
        root = wall.points(np.array([az, az]), np.array([z0, z0]) * h, np.array([-0.3 * ar, 0.0]))
        a = np.radians(az)
        radial = np.array([np.cos(a), np.sin(a), 0.0])
        elbow = root[1] + radial * 0.17 * h
        pts = np.vstack([root[0], elbow - np.array([0, 0, 0.0]) - radial * 0.05 * h, elbow,
                         elbow + np.array([0.0, 0.0, (z1 - z0) * h])])  # fmt: skip
        out.append(_tube_part(name, pts, np.full(4, ar), c))
    rib_r = max(0.035 * h, thick)
    for az in np.arange(45.0, 316.0, 30.0):
        if not wall.clear_of_handle(float(az), 20.0):
            continue
        zs = np.linspace(0.08, 0.88, 6) * h
        pts = wall.points(np.full(6, az), zs, -0.35 * rib_r)  # a ridge, half in the wall
        if (np.linalg.norm(pts[:, :2], axis=1) <= 1e-6).any():
            continue
        out.append(Part("body", tube(pts, rib_r, 8), c, "body"))
    return out


def _tail(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """A long tail curling up the back of the vessel from its foot."""
    h = wall.height
    name, c = _colour(subject, "tail", colour)
    tr = max(0.05 * h, thick)
    zs = np.array([0.12, 0.3, 0.5, 0.62]) * h
    az = np.array([200.0, 190.0, 178.0, 165.0])
    pts = wall.points(az, zs, 0.3 * tr)
    if (np.linalg.norm(pts[:, :2], axis=1) <= 1e-6).any():
        return []
    a = np.radians(165.0)
    radial = np.array([np.cos(a), np.sin(a), 0.0])
    curl = [pts[-1] + radial * 0.07 * h + np.array([0.0, 0.0, 0.08 * h]),
            pts[-1] + radial * 0.1 * h, pts[-1] + radial * 0.05 * h - np.array([0, 0, 0.03 * h])]  # fmt: skip
    return [_tube_part(name, np.vstack([pts, curl]), tr * np.linspace(1.0, 0.6, 7), c)]


def _rays(subject: Model, wall: Wall, thick: float, colour: RGB) -> list[Part]:
    """A sun's rays: a ring of flattened rounded pyramids round the upper wall just under the
    rim, above the face, each radiating out and rising RAY_SLOPE_DEG (its underside steeper
    still: it prints without support) from a root wider round the wall than it is tall,
    sunk into the wall but not through it, clear of a handle, in the rays' colour. Where no
    lip drinks from the rim (no handle: a planter, a pen cup) the roots sit at the rim and
    the rays rise CROWN_SLOPE_DEG past it, a crown that frames the face as a drawn sun's
    rays do; seen from the front, rays under the rim read as eyebrows."""
    from engines.design.subjects.geom import ray_wedge

    h = wall.height
    name, c = _colour(subject, "ray", colour)
    azs = 360.0 * np.arange(RAY_COUNT) / RAY_COUNT
    ring = wall.radius(azs, np.full(RAY_COUNT, RAY_HEIGHT * h))
    if (ring <= 0).any():
        return []
    r_mean = float(ring.mean())
    width = 0.9 * 2.0 * np.pi * r_mean / RAY_COUNT  # the root round the wall
    tall = max(0.6 * width, 2.5 * thick)  # the root up the wall: flattened
    length = min(0.24 * h, 0.5 * r_mean)  # how far the tip reaches out of the wall
    tip = max(0.25 * tall, 1.5 * thick)  # the tip's thickness, rounded
    sink = min(1.5, 0.5 * thick)  # into the wall, never through it
    crown = wall.handle_deg is None  # no lip touches it: the rays rise past the rim
    z0 = h - 0.5 * tall - max(thick, 1.0) if crown else RAY_HEIGHT * h  # the root's middle
    up = np.radians(CROWN_SLOPE_DEG if crown else RAY_SLOPE_DEG)
    t = np.linspace(0.0, 2.0 * np.pi, 16, endpoint=False)
    out = []
    for az in azs:
        if not wall.clear_of_handle(float(az), 15.0 + np.degrees(0.5 * width / r_mean)):
            continue
        # the root: an ellipse on the wall, each point sunk under the wall's radius there
        a_deg = az + np.degrees(0.5 * width * np.cos(t) / r_mean)
        zs = z0 + 0.5 * tall * np.sin(t)
        rs = wall.radius(a_deg, zs)
        if (rs <= 0).any():
            continue
        a = np.radians(a_deg)
        base = np.column_stack([(rs - sink) * np.cos(a), (rs - sink) * np.sin(a), zs])
        radial = np.array([np.cos(np.radians(az)), np.sin(np.radians(az)), 0.0])
        root = np.array([0.0, 0.0, z0]) + radial * float(rs.max())
        end = root + length * (np.cos(up) * radial + np.array([0.0, 0.0, np.sin(up)]))
        out.append(Part(name, ray_wedge(base, end, 0.0, tip), c, "body"))
    return out


BUILD = {"tentacles": _tentacles, "fluke": _fluke, "fins": _fins, "arms": _arms,
         "branches": _branches, "tail": _tail, "wings": _wings, "rays": _rays}  # fmt: skip


HANDLE_HEAD = ("head", "ear", "eye", "nose", "mouth", "muzzle", "blush", "snout", "cheek")


def creature_handle(
    ctx: FormContext, height: float, loop: trimesh.Trimesh, colour: RGB
) -> list[Part]:
    """The subject as the mug's handle: the loop is its body (named "handle", role body: the
    subject's), its head peeking over the handle's top, facing out between front and side.
    `loop` is the handle's solid on -Y; parts in the vessel's frame, mm."""
    assert ctx.subject is not None
    parts = [Part("handle", loop, colour, "body", ctx.material)]
    head = [p for p in ctx.subject.parts if p.name.split(" ")[0].split("_")[0] in HANDLE_HEAD]
    if not head:
        return parts
    hm = Model(head)
    lo, hi = hm.bounds
    size = float(np.max(hi - lo))
    k = 0.42 * height / max(size, 1e-6)
    centre = (lo + hi) / 2
    top = float(loop.bounds[1][2])
    y_top = float(loop.vertices[np.argmax(loop.vertices[:, 2])][1])
    spin = trimesh.transformations.rotation_matrix(np.radians(-55.0), [0.0, 0.0, 1.0])
    at = np.array([0.0, y_top - 0.1 * height, top + 0.1 * height])
    placed = hm.transform(moved(at) @ spin @ np.diag([k, k, k, 1.0]) @ moved(-centre))
    parts += placed.parts
    return parts
