"""Night-light: the subject as a hollow, thin-walled translucent shell standing on a base that
seats a bought LED puck, a cable hole at its back (all mm)."""

from __future__ import annotations

import itertools

import numpy as np
import trimesh
from manifold3d import CrossSection, Error, Manifold, OpType

from engines.design.base import DesignError
from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.figures import SQUISH, plinth_solid
from engines.design.forms.geometry import cylinder_z, mesh_of, polygon_area, revolved
from engines.design.forms.place import (
    base_anchor,
    chunky,
    flat_bottom,
    main_colour,
    moved,
    ray_hits,
    scale_about,
)
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import _manifold, box, volume_mm3

PUCK_MM = (40.0, 10.0)  # the bought LED puck the base seats: diameter, height
SEAT_CLEARANCE_MM = 0.6  # the seat's radius over the puck's
LIP_MM = 2.5  # the base's top over the puck (pushed in from below), round the light's aperture
APERTURE_MM = (10.0, 2.0)  # the aperture's least radius; the shell's foot rim around it
CABLE_MM = (7.0, 5.0)  # the cable hole at the back of the base: width, height
OPEN_WALLS = 3.0  # the bottom is cut at least this many walls above the hollow's lowest point
SHELL_WALL_MM = 2.0  # the translucent shell's wall at the default size
HOLLOW_MIN_WALLS = 6.0  # a part is hollowed when at least this many walls thick ...
HOLLOW_MIN_SHARE = 0.08  # ... and this share of the largest part's volume (ears stay solid)
FLAT_SHARE = 0.08  # share of the subject's height cut off its bottom: it stands flat
SINK_MM = 0.6  # the shell's bottom this far into the base, so they join
# knob "squish": as built, a round mochi, a tall slim shell (X, Y, Z scale)
SQUISHES: tuple[tuple[float, float, float], ...] = ((1.0, 1.0, 1.0), SQUISH, (0.88, 0.88, 1.15))
BASES: tuple[str, ...] = ("disc", "plinth")  # knob "base": a flat disc, a rounded plinth


def night_light(ctx: FormContext) -> Model:
    """The subject's big parts hollowed into a shell (part 'shell', wall ~2 mm) open over a
    base (part 'base') seating a 40 mm LED puck, a cable hole at its back (-X); knob 'squish'
    makes the shell a round mochi or tall, knob 'base' a rounded plinth; height size_mm."""
    wall = ctx.wall(SHELL_WALL_MM)
    base_h = PUCK_MM[1] + max(LIP_MM, ctx.rule.min_wall_mm)
    figure, cavity = _fitted(ctx, base_h, wall)
    seat_xy, aperture = _opening(_solid(figure), cavity, base_h + 0.5)
    model = Model(_hollowed(ctx, figure, cavity), dict(figure.anchors))
    model.parts.insert(0, _base(ctx, model, (seat_xy, aperture), base_h))
    model.anchors["base"] = base_anchor(np.array([*seat_xy, 0.0]), size_mm=PUCK_MM[0] / 2)
    model.anchors["cavity"] = Anchor(_inside(cavity, seat_xy), np.array([0.0, 0.0, 1.0]), wall)
    return model


def _fitted(ctx: FormContext, base_h: float, wall: float) -> tuple[Model, Manifold]:
    """The subject (squished by the knob) scaled so the light is size_mm tall and no wider,
    thin parts made chunky, and its hollow; its bottom cut flat where the hollow is open
    enough for the light (a body on legs loses them: a loaf), sunk into the base top, mm."""
    assert ctx.subject is not None
    squish = SQUISHES[int(ctx.knob("squish", 0.0)) % len(SQUISHES)]
    subject = ctx.subject.transform(scale_about(np.array(squish), np.zeros(3)))
    lo, hi = subject.bounds
    centre = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    wide, tall = float(np.max(hi[:2] - lo[:2])), float(hi[2] - lo[2])
    s = min((ctx.size_mm - base_h) / ((1.0 - FLAT_SHARE) * tall), ctx.size_mm / wide)
    figure = chunky(subject.transform(scale_about(s, np.zeros(3)) @ moved(-centre)),
                    ctx.rule.min_wall_mm, DETAIL_MIN_MM)  # fmt: skip
    cavity = _cavity(figure, wall)
    cut = _cut_height(figure, cavity, wall, s * tall)
    grow = min((ctx.size_mm - base_h) / (s * tall - cut), ctx.size_mm / (s * wide))
    if grow > 1.0 + 1e-3:  # cut higher than planned: the rest grows back to the height
        figure = figure.transform(scale_about(grow, np.zeros(3)))
        cavity, cut = cavity.scale((grow, grow, grow)), cut * grow  # walls a little thicker
    lift = np.array([0.0, 0.0, base_h - SINK_MM - cut])
    figure = flat_bottom(figure, cut).transform(moved(np.array([0.0, 0.0, base_h - SINK_MM])))
    cavity = cavity.translate(tuple(lift))
    return figure, _open_only(cavity, base_h)


def _lowest(cavity: Manifold) -> float:
    """The lowest z of a hollow, mm."""
    return float(cavity.bounding_box()[2])


def _open_only(cavity: Manifold, base_h: float) -> Manifold:
    """The hollow's bodies open at the bottom (a head's hollow that does not meet the body's
    stays solid: sealed, it would be a void in the print), mm."""
    bodies = [b for b in cavity.decompose() if _lowest(b) < base_h]
    if not bodies:
        raise DesignError("the night-light's hollow does not open over the light")
    return Manifold.batch_boolean(bodies, OpType.Add)


MAX_CUT_SHARE = 0.4  # the bottom is never cut higher than this share of the subject's height


def _cut_height(figure: Model, cavity: Manifold, wall: float, height: float) -> float:
    """How much of the subject's bottom is cut off: a little (it stands flat), at least a few
    walls above the hollow's lowest point (the light gets in), and up to where the shell's
    foot rings the puck's seat (it stands on the base around it), mm."""
    solid = _solid(figure)
    first = max(FLAT_SHARE * height, _lowest(cavity) + OPEN_WALLS * wall)
    for cut in np.arange(first, MAX_CUT_SHARE * height, wall):
        if _holds(solid, cavity, float(cut) + 0.5, APERTURE_MM[0]):
            return float(cut)
    return first


def _solid(figure: Model) -> Manifold:
    """The union of the figure's bulk (its details only mark its surface)."""
    bulk = [_manifold(p.mesh) for p in figure.parts if p.role != "detail"]
    return Manifold.batch_boolean(bulk, OpType.Add)


def _holds(solid: Manifold, cavity: Manifold, z: float, radius: float) -> bool:
    """Whether the subject's section at z holds an aperture of `radius` and a rim for the
    shell's foot around it, centred under the hollow's opening there."""
    opening = _centroid(cavity.slice(z))
    if opening is None:
        return False
    rim = CrossSection.circle(radius + APERTURE_MM[1], 48).translate(tuple(opening))
    return (rim - solid.slice(z)).area() < 1.0


def _centroid(section: CrossSection) -> np.ndarray | None:
    """The centre of a section's largest outline, XY mm (None when it is empty)."""
    rings = [np.asarray(r, float) for r in section.to_polygons()]
    if not rings:
        return None
    ring = max(rings, key=lambda r: abs(polygon_area(r)))
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = 0.5 * float(cross.sum())
    if abs(area) < 1e-9:
        return ring.mean(axis=0)
    return np.array(
        [((x + np.roll(x, -1)) * cross).sum(), ((y + np.roll(y, -1)) * cross).sum()]
    ) / (6 * area)


def _opening(solid: Manifold, cavity: Manifold, z: float) -> tuple[np.ndarray, float]:
    """Where the LED puck sits (XY under the middle of the hollow's opening at the base top,
    mm) and the radius of the aperture over it the shell's foot rings (at most the puck's)."""
    section = cavity.slice(z)
    centre = _within(section, _centroid(section))
    widest = PUCK_MM[0] / 2 - APERTURE_MM[1]
    for radius in np.arange(widest, APERTURE_MM[0], -1.0):
        if _holds(solid, cavity, z, float(radius)):
            return centre, float(radius)
    return centre, APERTURE_MM[0]


def _within(section: CrossSection, centre: np.ndarray | None) -> np.ndarray:
    """The centre if it lies in the section, else the point of the section deepest inside
    it along the rays from the centre to its corners (a donut's opening is a ring round its
    hole), XY mm."""
    rings = [np.asarray(r, float) for r in section.to_polygons()]
    if centre is None or not rings:
        raise DesignError("the night-light's hollow does not open over the light")
    if _inside_rings(rings, centre):
        return centre
    corners = np.vstack(rings)
    shares = np.array([0.2, 0.35, 0.5, 0.65, 0.8])
    points = (centre + shares[:, None, None] * (corners - centre)[None]).reshape(-1, 2)
    points = points[[_inside_rings(rings, q) for q in points]]
    if not len(points):
        raise DesignError("the night-light's hollow does not open over the light")
    depth = np.linalg.norm(points[:, None] - corners[None], axis=2).min(axis=1)
    return points[int(np.argmax(depth))]


def _inside_rings(rings: list[np.ndarray], q: np.ndarray) -> bool:
    """Whether a point lies inside closed outlines (even-odd: holes count out), XY mm."""
    crossings = 0
    for r in rings:
        a, b = r, np.roll(r, -1, axis=0)
        spans = (a[:, 1] > q[1]) != (b[:, 1] > q[1])
        t = (q[1] - a[spans, 1]) / (b[spans, 1] - a[spans, 1])
        crossings += int(np.count_nonzero(a[spans, 0] + t * (b[spans, 0] - a[spans, 0]) > q[0]))
    return crossings % 2 == 1


def _hollow(part: Part, largest_mm3: float, wall: float) -> bool:
    """Whether a part is big enough to be hollowed (a body, a head, a mushroom's cap)."""
    extent = float(np.min(part.mesh.extents))
    big = abs(volume_mm3(part.mesh)) >= HOLLOW_MIN_SHARE * largest_mm3
    return part.role == "body" and big and extent >= HOLLOW_MIN_WALLS * wall


def _cavity(figure: Model, wall: float) -> Manifold:
    """The hollow: the subject's big parts each offset inwards by the wall, joined, mm."""
    bodies = [p for p in figure.parts if p.role == "body"]
    largest = max(abs(volume_mm3(p.mesh)) for p in bodies)
    inner = [_shrunk(p.mesh, wall) for p in bodies if _hollow(p, largest, wall)]
    kept = [m for m in inner if m is not None]
    if not kept:
        raise DesignError("this subject has no part big enough to hollow into a night-light")
    return Manifold.batch_boolean(kept, OpType.Add)


def _shrunk(mesh: trimesh.Trimesh, wall: float) -> Manifold | None:
    """A part offset inwards by `wall`: a convex one along its vertex normals (exact on a
    smooth part), another (a crescent moon, creased where two shapes were cut) as the common
    part of itself moved inwards 26 ways (a cube's faces, edges and corners); None when that
    leaves no clean hollow, mm."""
    merged = trimesh.Trimesh(mesh.vertices, mesh.faces, process=True)
    outer = _manifold(merged)
    if merged.is_convex:
        inner = trimesh.Trimesh(merged.vertices - wall * merged.vertex_normals, merged.faces,
                                process=False)  # fmt: skip
        solid = _manifold(inner)
    else:
        reach = wall / ERODE_COS
        solid = Manifold.batch_boolean([outer.translate(tuple(reach * d)) for d in _WAYS],
                                       OpType.Intersect)  # fmt: skip
    if solid.status() != Error.NoError or solid.is_empty() or solid.volume() <= 0:
        return None
    tunnels = (outer - solid).genus() - (outer.genus() + solid.genus() - 1)
    return solid if tunnels == 0 else None  # a closed void: no tunnel out through the wall


_WAYS = np.array([d for d in itertools.product((-1, 0, 1), repeat=3) if any(d)], float)
_WAYS /= np.linalg.norm(_WAYS, axis=1, keepdims=True)
ERODE_COS = 0.9  # a normal is at most ~25 degrees off the nearest of the 26 ways


def _inside(cavity: Manifold, seat_xy: np.ndarray) -> np.ndarray:
    """A point inside the hollow: halfway up its first span above the seat, mm."""
    mesh = mesh_of(cavity)
    hits = ray_hits(mesh, np.array([*seat_xy, -1.0]), np.array([0.0, 0.0, 1.0]))
    z = 0.5 * float(hits[0] + hits[1]) if len(hits) >= 2 else float(mesh.centroid[2])
    return np.array([*seat_xy, z])


def _hollowed(ctx: FormContext, figure: Model, cutter: Manifold) -> list[Part]:
    """The subject's parts with the hollow cut out: those of its main colour joined into the
    'shell' (the subject's body: worded body colours paint it), the rest (a cap, a belly, the
    face) kept in their colours, mm."""
    main = main_colour(figure)
    shell = [p for p in figure.parts if p.role == "body" and p.colour == main]
    joined = Manifold.batch_boolean([_manifold(p.mesh) for p in shell], OpType.Add) - cutter
    parts = [Part("shell", mesh_of(_crumbless(joined)), main, "body", ctx.material)]
    reach = cutter.bounding_box()
    inner = _shy(cutter)  # the others' cut faces not on the shell's: a clean union
    for p in figure.parts:
        if p in shell:
            continue
        if p.role == "detail" and not _reaches(p.mesh, reach, cutter):
            parts.append(p)  # an eye on the wall: kept as it is (a boolean each is slow)
            continue
        kept = _manifold(p.mesh) - inner
        if not kept.is_empty() and kept.volume() > 1e-3:
            parts.append(Part(p.name, mesh_of(kept), p.colour, p.role, p.material))
    return parts


SHY_MM = 0.01  # the hollow cut out of the parts beside the shell is this much larger


def _shy(cutter: Manifold) -> Manifold:
    """The hollow grown about its middle by about SHY_MM: the parts beside the shell (a
    mushroom's stem under its cap) cut by it keep their cut faces inside the shell's wall,
    not on its inner face, where their union would meet face to face (an STL reader then
    opens its seams); nothing stands into the hollow."""
    box = np.asarray(cutter.bounding_box())
    lo, hi = box[:3], box[3:]
    middle, half = 0.5 * (lo + hi), 0.5 * float(np.max(hi - lo))
    factor = 1.0 + SHY_MM / max(half, 1.0)
    return cutter.translate(tuple(-middle)).scale((factor,) * 3).translate(tuple(middle))


CRUMB_SHARE = 0.1  # a piece of the shell under this share of the largest is dropped


def _crumbless(shell: Manifold) -> Manifold:
    """The shell without the crumbs the bottom cut left (a crescent's tip curling forward,
    cut through, sat on the base in pieces)."""
    bodies = shell.decompose()
    if len(bodies) <= 1:
        return shell
    largest = max(b.volume() for b in bodies)
    kept = [b for b in bodies if b.volume() >= CRUMB_SHARE * largest]
    return Manifold.batch_boolean(kept, OpType.Add)


def _reaches(mesh: trimesh.Trimesh, box: tuple[float, ...], cutter: Manifold) -> bool:
    """Whether a part reaches into the hollow (its box first, then the solids)."""
    lo, hi = mesh.bounds
    if (lo > np.asarray(box[3:])).any() or (hi < np.asarray(box[:3])).any():
        return False
    return not (_manifold(mesh) ^ cutter).is_empty()


def _base(ctx: FormContext, shell: Model, seat: tuple[np.ndarray, float], height: float) -> Part:
    """The opaque base (knob 'base': a flat disc or a rounded plinth) under the shell's
    footprint: a seat the LED puck is pushed up into from below, under a lip with the light's
    aperture (radius seat[1]), and a cable notch out of its back (-X) along the table, mm."""
    seat_xy, aperture = seat
    v = np.vstack([p.mesh.vertices for p in shell.parts])
    foot = v[v[:, 2] <= height + 1.0][:, :2]
    centre = 0.5 * (foot.min(axis=0) + foot.max(axis=0)) if len(foot) else seat_xy
    reach = float(np.linalg.norm(foot - centre, axis=1).max()) if len(foot) else 0.0
    seat_r = PUCK_MM[0] / 2 + SEAT_CLEARANCE_MM
    off = float(np.linalg.norm(seat_xy - centre))
    radius = max(reach + ctx.mm(6.0), off + seat_r + ctx.wall(5.0))
    kind = BASES[int(ctx.knob("base", 0.0)) % len(BASES)]
    solid = plinth_solid("round", np.full(2, radius), centre, height) if kind == "disc" else (
        _rounded(radius, height, centre))  # fmt: skip
    pocket = cylinder_z(np.array([*seat_xy, -1.0]), seat_r, PUCK_MM[1] + 1.0, centred=False)
    light = cylinder_z(np.array([*seat_xy, PUCK_MM[1] - 1.0]), aperture, height, centred=False)
    width, tall = CABLE_MM
    run = radius + off + 2.0  # from the seat's middle out through the back
    cable = box([run, width, tall + 1.0], [seat_xy[0] - run / 2, seat_xy[1], (tall - 1.0) / 2])
    holes = Manifold.batch_boolean([_manifold(m) for m in (pocket, light, cable)], OpType.Add)
    return Part("base", mesh_of(_manifold(solid) - holes), ctx.colour, "fixture", ctx.material)


def _rounded(radius: float, height: float, centre: np.ndarray) -> trimesh.Trimesh:
    """A rounded plinth: a wide foot, its top edge rounded over by half its height, mm."""
    bend = 0.5 * height
    t = np.linspace(0.0, np.pi / 2, 8)
    arc = [(radius - bend + bend * np.cos(a), height - bend + bend * np.sin(a)) for a in t]
    outline = [(0.0, 0.0), (radius + 0.08 * height, 0.0), *arc, (0.0, height)]
    plinth = revolved(np.array(outline))
    plinth.apply_translation([centre[0], centre[1], 0.0])
    return plinth


BUILDERS: dict[str, Builder] = {"night_light": night_light}
