"""Night-light: the subject as a hollow, thin-walled translucent shell standing on a base that
seats a bought LED puck, a cable hole at its back (all mm)."""

from __future__ import annotations

import itertools

import numpy as np
import trimesh
from manifold3d import Error, Manifold, OpType

from engines.design.base import DesignError
from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.figures import SQUISH, _plinth
from engines.design.forms.geometry import cylinder_z, mesh_of, revolved
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
from engines.design.shapes import _manifold, box

RGB = tuple[int, int, int]

PUCK_MM = (40.0, 10.0)  # the bought LED puck the base seats: diameter, height
SEAT_CLEARANCE_MM = 0.6  # the seat's radius over the puck's
FLOOR_MM = 2.5  # the base's floor under the puck
CABLE_MM = (7.0, 5.0)  # the cable hole at the back of the base: width, height
WELL_R_MM = 16.0  # the light's way up into a shell whose hollow starts above its floor
SHELL_WALL_MM = 2.0  # the translucent shell's wall at the default size
HOLLOW_MIN_WALLS = 6.0  # a part is hollowed when at least this many walls thick ...
HOLLOW_MIN_SHARE = 0.08  # ... and this share of the largest part's volume (ears stay solid)
FLAT_SHARE = 0.08  # share of the subject's height cut off its bottom: it stands flat
SINK_MM = 0.6  # the shell's bottom this far into the base, so they join
LIGHTEN = 0.35  # the shell's colour: the subject's, this share of the way to white
# knob "squish": as built, a round mochi, a tall slim shell (X, Y, Z scale)
SQUISHES: tuple[tuple[float, float, float], ...] = ((1.0, 1.0, 1.0), SQUISH, (0.88, 0.88, 1.15))
BASES: tuple[str, ...] = ("disc", "plinth")  # knob "base": a flat disc, a rounded plinth


def night_light(ctx: FormContext) -> Model:
    """The subject's big parts hollowed into a shell (part 'shell', wall ~2 mm) open over a
    base (part 'base') seating a 40 mm LED puck, a cable hole at its back (-X); knob 'squish'
    makes the shell a round mochi or tall, knob 'base' a rounded plinth; height size_mm."""
    assert ctx.subject is not None
    wall = ctx.wall(SHELL_WALL_MM)
    base_h = PUCK_MM[1] + FLOOR_MM + ctx.mm(2.0)
    figure = _fitted(ctx, base_h)
    cavity = _cavity(figure, wall)
    seat_xy, lowest = _seat(cavity)
    cutter = cavity
    if lowest > base_h + 0.5 * wall:  # a hollow above the floor (a body on legs): a light well
        well = cylinder_z(np.array([*seat_xy, base_h - SINK_MM - 1.0]), _well_r(ctx),
                          lowest - base_h + SINK_MM + 1.0 + 3.0 * wall, centred=False)  # fmt: skip
        cutter = cavity + _manifold(well)
    model = Model(_hollowed(ctx, figure, cutter), dict(figure.anchors))
    model.parts.insert(0, _base(ctx, model, seat_xy, base_h))
    model.anchors["base"] = base_anchor(np.array([*seat_xy, 0.0]), size_mm=PUCK_MM[0] / 2)
    model.anchors["cavity"] = Anchor(_inside(cavity, seat_xy), np.array([0.0, 0.0, 1.0]), wall)
    return model


def _fitted(ctx: FormContext, base_h: float) -> Model:
    """The subject (squished by the knob) scaled so the light is size_mm tall and no wider,
    its bottom cut flat and sunk into the base top, thin parts made chunky, mm."""
    assert ctx.subject is not None
    squish = SQUISHES[int(ctx.knob("squish", 0.0)) % len(SQUISHES)]
    subject = ctx.subject.transform(scale_about(np.array(squish), np.zeros(3)))
    lo, hi = subject.bounds
    height = float(hi[2] - lo[2]) * (1.0 - FLAT_SHARE)
    s = min((ctx.size_mm - base_h) / height, ctx.size_mm / float(np.max(hi[:2] - lo[:2])))
    centre = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    figure = subject.transform(scale_about(s, np.zeros(3)) @ moved(-centre))
    figure = flat_bottom(figure, FLAT_SHARE * s * float(hi[2] - lo[2]))
    figure = chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM)
    return figure.transform(moved(np.array([0.0, 0.0, base_h - SINK_MM])))


def _hollow(part: Part, largest_mm3: float, wall: float) -> bool:
    """Whether a part is big enough to be hollowed (a body, a head, a mushroom's cap)."""
    extent = float(np.min(part.mesh.extents))
    big = abs(float(part.mesh.volume)) >= HOLLOW_MIN_SHARE * largest_mm3
    return part.role == "body" and big and extent >= HOLLOW_MIN_WALLS * wall


def _cavity(figure: Model, wall: float) -> Manifold:
    """The hollow: the subject's big parts each offset inwards by the wall, joined, mm."""
    bodies = [p for p in figure.parts if p.role == "body"]
    largest = max(abs(float(p.mesh.volume)) for p in bodies)
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
    return solid if (outer - solid).genus() == -1 else None  # a closed void, no tunnels out


_WAYS = np.array([d for d in itertools.product((-1, 0, 1), repeat=3) if any(d)], float)
_WAYS /= np.linalg.norm(_WAYS, axis=1, keepdims=True)
ERODE_COS = 0.9  # a normal is at most ~25 degrees off the nearest of the 26 ways


def _seat(cavity: Manifold) -> tuple[np.ndarray, float]:
    """Where the LED puck sits (XY under the hollow's lowest reach) and that lowest z, mm."""
    v = np.asarray(cavity.to_mesh().vert_properties)[:, :3]
    lowest = float(v[:, 2].min())
    low = v[v[:, 2] <= lowest + 0.05 * float(np.ptp(v[:, 2]))]
    return low[:, :2].mean(axis=0), lowest


def _well_r(ctx: FormContext) -> float:
    """The light well's radius: within the seat, and within a small light's body, mm."""
    return min(WELL_R_MM, ctx.mm(WELL_R_MM) * 1.4)


def _inside(cavity: Manifold, seat_xy: np.ndarray) -> np.ndarray:
    """A point inside the hollow: halfway up its first span above the seat, mm."""
    mesh = mesh_of(cavity)
    hits = ray_hits(mesh, np.array([*seat_xy, -1.0]), np.array([0.0, 0.0, 1.0]))
    z = 0.5 * float(hits[0] + hits[1]) if len(hits) >= 2 else float(mesh.centroid[2])
    return np.array([*seat_xy, z])


def _hollowed(ctx: FormContext, figure: Model, cutter: Manifold) -> list[Part]:
    """The subject's parts with the hollow cut out: those of its main colour joined into the
    translucent 'shell', the rest (a cap, a belly, the face) kept in their colours, mm."""
    main = main_colour(figure)
    shell = [p for p in figure.parts if p.role == "body" and p.colour == main]
    joined = Manifold.batch_boolean([_manifold(p.mesh) for p in shell], OpType.Add) - cutter
    parts = [Part("shell", mesh_of(joined), _shell_colour(ctx, main), "fixture", ctx.material)]
    for p in figure.parts:
        if p in shell:
            continue
        kept = _manifold(p.mesh) - cutter
        if not kept.is_empty() and kept.volume() > 1e-3:
            parts.append(Part(p.name, mesh_of(kept), p.colour, p.role, p.material))
    return parts


def _shell_colour(ctx: FormContext, main: RGB) -> RGB:
    """The shell's colour: a worded one, else the subject's lightened (it glows), RGB."""
    if ctx.colour_given:
        return ctx.colour
    light = np.asarray(main, float) + LIGHTEN * (255.0 - np.asarray(main, float))
    return (int(light[0]), int(light[1]), int(light[2]))


def _base(ctx: FormContext, shell: Model, seat_xy: np.ndarray, height: float) -> Part:
    """The opaque base (knob 'base': a flat disc or a rounded plinth) under the shell's
    footprint, a seat for the LED puck in its top and a cable hole out of its back, mm."""
    v = np.vstack([p.mesh.vertices for p in shell.parts])
    foot = v[v[:, 2] <= height + 1.0]
    reach = float(np.linalg.norm(foot[:, :2] - seat_xy, axis=1).max()) if len(foot) else 0.0
    seat_r = PUCK_MM[0] / 2 + SEAT_CLEARANCE_MM
    radius = max(reach + ctx.mm(6.0), seat_r + ctx.wall(5.0))
    kind = BASES[int(ctx.knob("base", 0.0)) % len(BASES)]
    solid = _plinth("round", np.full(2, radius), seat_xy, height) if kind == "disc" else (
        _rounded(radius, height, seat_xy))  # fmt: skip
    floor = height - PUCK_MM[1]
    seat = cylinder_z(np.array([*seat_xy, floor]), seat_r, PUCK_MM[1] + 1.0, centred=False)
    width, tall = CABLE_MM
    cable = box([radius + 2.0, width, tall], [seat_xy[0] - (radius + 2.0) / 2, seat_xy[1],
                                              floor + tall / 2])  # fmt: skip
    cut = _manifold(solid) - Manifold.batch_boolean([_manifold(seat), _manifold(cable)],
                                                    OpType.Add)  # fmt: skip
    return Part("base", mesh_of(cut), ctx.colour, "fixture", ctx.material)


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
