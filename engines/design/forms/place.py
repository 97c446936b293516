"""Putting a subject into a product: scaling, head frame, decorations, snapping (all mm)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from engines.design.forms.geometry import cut_below
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import volume_mm3

# Part names that carry the subject's bulk; everything else on the head is a decoration
BULK_WORDS = ("head", "body", "torso", "belly", "leg", "arm", "paw", "foot", "feet", "tail",
              "limb", "fin", "flipper", "tentacle", "shell", "trunk", "neck", "hip", "shoulder", "branch")  # fmt: skip


def scale_about(scale: float | np.ndarray, centre: np.ndarray) -> np.ndarray:
    """4x4 matrix scaling by `scale` (scalar or per axis) about `centre`."""
    m = np.eye(4)
    m[:3, :3] = np.diag(np.broadcast_to(np.asarray(scale, float), (3,)))
    m[:3, 3] = np.asarray(centre, float) - m[:3, :3] @ np.asarray(centre, float)
    return m


def moved(offset: np.ndarray) -> np.ndarray:
    """4x4 translation by `offset` mm."""
    m = np.eye(4)
    m[:3, 3] = offset
    return m


def fitted(subject: Model, size_mm: float, at: np.ndarray = np.zeros(3)) -> Model:
    """The subject scaled so its longest side is `size_mm`, its base centred on `at`."""
    lo, hi = subject.bounds
    s = size_mm / float(np.max(hi - lo))
    base = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    return subject.transform(
        moved(np.asarray(at, float)) @ scale_about(s, np.zeros(3)) @ moved(-base)
    )


def fitted_height(subject: Model, height_mm: float, at: np.ndarray = np.zeros(3)) -> Model:
    """The subject scaled to `height_mm` tall, its base centred on `at`."""
    lo, hi = subject.bounds
    return fitted(subject, height_mm * float(np.max(hi - lo)) / float(hi[2] - lo[2]), at)


def head_frame(subject: Model) -> tuple[np.ndarray, float]:
    """Centre and radius of the subject's head (from its head_top anchor), mm."""
    lo, hi = subject.bounds
    top = subject.anchors.get("head_top")
    if top is None:
        r = float(np.min(hi - lo)) / 2.0
        return np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, hi[2] - r]), r
    r = max(top.size_mm, 1e-3)
    return top.point - top.normal * r, r


def thickened(mesh: trimesh.Trimesh, min_mm: float, on_floor: bool = False) -> trimesh.Trimesh:
    """The mesh stretched across its thinnest direction until it is nowhere thinner than
    `min_mm` (a few rounds: stretching one way can leave another thin), mm."""
    vertices = np.asarray(mesh.vertices).view(np.ndarray)
    changed = False
    for _ in range(8):
        direction, width = _thinnest(vertices)
        if width >= min_mm:
            break
        lo, hi = vertices.min(axis=0), vertices.max(axis=0)
        centre = (lo + hi) / 2
        if on_floor and lo[2] < 1e-6:  # grow up from the floor, keeping it flat
            centre[2] = lo[2]
        factor = 1.05 * min_mm / max(width, 1e-6)
        stretch = np.eye(3) + (factor - 1.0) * np.outer(direction, direction)
        vertices = (vertices - centre) @ stretch.T + centre  # symmetric: no mirror
        changed = True
    return trimesh.Trimesh(vertices, mesh.faces, process=False) if changed else mesh


def thinnest(mesh: trimesh.Trimesh) -> tuple[np.ndarray, float]:
    """The direction across which the mesh is thinnest and its width there, mm: searched
    over its principal axes and every 10 deg in the plane of the two thinnest ones (a
    principal box alone turns freely on round sections)."""
    return _thinnest(np.asarray(mesh.vertices).view(np.ndarray))


_ANGLES = np.radians(np.arange(0.0, 180.0, 10.0))


def _thinnest(v: np.ndarray) -> tuple[np.ndarray, float]:
    """thinnest() of a vertex array, mm."""
    _, _, axes = np.linalg.svd(v - v.mean(axis=0), full_matrices=False)
    plane = np.outer(np.cos(_ANGLES), axes[1]) + np.outer(np.sin(_ANGLES), axes[2])
    directions = np.vstack([axes, plane])
    proj = v @ directions.T
    widths = proj.max(axis=0) - proj.min(axis=0)
    k = int(np.argmin(widths))
    return directions[k], float(widths[k])


def principal_extents(mesh: trimesh.Trimesh) -> tuple[np.ndarray, np.ndarray]:
    """Rows: the mesh's principal axes (largest variance first); its extent along each, mm."""
    v = np.asarray(mesh.vertices)
    _, _, axes = np.linalg.svd(v - v.mean(axis=0), full_matrices=False)
    proj = v @ axes.T
    return axes, proj.max(axis=0) - proj.min(axis=0)


def chunky(
    model: Model, min_mm: float, detail_min_mm: float | None = None, on_floor: bool = False
) -> Model:
    """The model with every part at least `min_mm` thick (details `detail_min_mm`); with
    `on_floor`, parts standing on z = 0 grow upwards, mm."""
    parts = []
    for p in model.parts:
        limit = min_mm if p.role != "detail" or detail_min_mm is None else detail_min_mm
        mesh = thickened(p.mesh, limit, on_floor)
        parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return Model(parts, dict(model.anchors))


def flat_bottom(model: Model, depth_mm: float) -> Model:
    """The model with its lowest `depth_mm` cut off and set back on z = 0 (stands flat)."""
    z = float(model.bounds[0][2]) + depth_mm
    parts = []
    for p in model.parts:
        mesh = cut_below(p.mesh, z) if p.mesh.bounds[0][2] < z else p.mesh
        if mesh is not None:
            parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return Model(parts, dict(model.anchors)).transform(moved(np.array([0.0, 0.0, -z])))


def is_bulk(part: Part, head_r: float) -> bool:
    """Whether a part carries the subject's bulk (head, body, limbs) rather than decorating it."""
    name = part.name.lower()
    if any(w in name for w in BULK_WORDS) and not any(w in name for w in ("band", "bow")):
        return True
    big = abs(volume_mm3(part.mesh)) > 0.3 * (4.0 / 3.0) * np.pi * head_r**3
    return part.role == "body" and big


@dataclass
class Decoration:
    """A rigid group of touching subject parts on the head (an ear, an eye with its pupil)."""

    parts: list[Part]
    kind: str  # "top" (ears, horns, eye bumps), "face" (eyes, mouth, snout, cheeks), "side"
    root: np.ndarray  # the point of the group nearest the head centre
    sink_mm: float  # how deep the root goes below the surface it is set on
    relief_mm: float = 0.0  # face groups: how far they stand out of the head
    depth_mm: float = 0.0  # face groups: how far they reach into the head

    def stand_out(self, min_relief_mm: float) -> float:
        """The sink that makes a face group stand out at least `min_relief_mm` while still
        reaching 0.3 mm into the surface (negative: set out), mm."""
        out = min(max(0.0, min_relief_mm - self.relief_mm), max(0.0, self.depth_mm - 0.3))
        return -out

    def transformed(self, matrix: np.ndarray) -> Decoration:
        """The group under a 4x4 transform (sink scaled with it)."""
        scale = float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))
        parts = [Part(p.name, p.mesh.copy().apply_transform(matrix), p.colour, p.role, p.material)
                 for p in self.parts]  # fmt: skip
        root = trimesh.transform_points([self.root], matrix)[0]
        return Decoration(parts, self.kind, root, self.sink_mm * scale, self.relief_mm * scale,
                          self.depth_mm * scale)  # fmt: skip

    @property
    def centre(self) -> np.ndarray:
        """Centre of the group's bounds, mm."""
        lo = np.min([p.mesh.bounds[0] for p in self.parts], axis=0)
        hi = np.max([p.mesh.bounds[1] for p in self.parts], axis=0)
        return (lo + hi) / 2.0


def _groups(parts: list[Part], gap_mm: float) -> list[list[Part]]:
    """Parts joined into groups whose bounding boxes touch (within `gap_mm`). A left and a
    right part never share a group (big ears' boxes meet); a middle part touching both sides
    (a mouth under two big eyes) stays on its own; tears and hats are their own groups."""
    boxes = [p.mesh.bounds for p in parts]
    label = list(range(len(parts)))

    def find(i: int) -> int:
        while label[i] != i:
            i = label[i]
        return i

    side = [_side(p.name) for p in parts]
    tags = [_kind_tag(p.name) for p in parts]
    touching = [
        (i, j)
        for i in range(len(parts))
        for j in range(i + 1, len(parts))
        if tags[i] == tags[j]
        and np.all(boxes[i][0] - gap_mm <= boxes[j][1])
        and np.all(boxes[j][0] - gap_mm <= boxes[i][1])
    ]
    for i, j in touching:  # first each side on its own, and the middle parts together
        if side[i] == side[j]:
            label[find(i)] = find(j)
    sides_of: dict[int, set[str]] = {}
    for i, j in touching:  # then a middle group joins the one side it touches, if only one
        for mid, other in ((i, j), (j, i)):
            if side[mid] == "" and side[other]:
                sides_of.setdefault(find(mid), set()).add(side[other])
    for i, j in touching:
        for mid, other in ((i, j), (j, i)):
            if side[mid] == "" and side[other] and len(sides_of.get(find(mid), ())) == 1:
                label[find(mid)] = find(other)
    out: dict[int, list[Part]] = {}
    for i, p in enumerate(parts):
        out.setdefault(find(i), []).append(p)
    return list(out.values())


PATTERN_WORDS = ("patch", "spot", "stripe", "mane")  # body patterns, hair: not head decorations


def _pattern(part: Part) -> bool:
    """Whether the part is a body pattern (cow patch, spots, stripes) or a mane."""
    return any(w in part.name.lower() for w in PATTERN_WORDS)


def _kind_tag(name: str) -> str:
    """'tear', 'hat' or '': parts of different tags never group (a tear runs down from an
    eye but sits on the face; a hat touching the ears goes on its own)."""
    low = name.lower()
    return "tear" if "tear" in low else "hat" if "hat" in low else ""


def _side(name: str) -> str:
    """'l' or 'r' for a part of one side ("ear_l inner", "eye bump_r"), else ''."""
    for word in name.split(" "):
        if word[-2:] in ("_l", "_r"):
            return word[-1]
    return ""


def decorations(subject: Model, sides: bool = False) -> list[Decoration]:
    """The subject's head decorations (ears and things on top; eyes, mouth, snout in front;
    with `sides`, ears hanging beside the head, a dog's, as kind "side"). A face or side
    group's root is the head-surface point under it, so set on a product's surface it stands
    out of it as far as it stood out of the head."""
    centre, r = head_frame(subject)
    loose = [p for p in subject.parts if not is_bulk(p, r) and not _pattern(p)]
    bulk = [p.mesh for p in subject.parts if is_bulk(p, r)]
    head = trimesh.Trimesh(
        np.vstack([m.vertices for m in bulk]) if bulk else np.zeros((0, 3)),
        np.vstack([m.faces + sum(len(b.vertices) for b in bulk[:i]) for i, m in enumerate(bulk)])
        if bulk
        else np.zeros((0, 3), dtype=np.int64),
        process=False,
    )  # the subject's bulk in one mesh, for rays
    head_part = next((p.mesh for p in subject.parts if p.name == "head"), None)
    out = []
    for group in _groups(loose, 0.02 * r):
        vertices = np.vstack([p.mesh.vertices for p in group])
        c = vertices.mean(axis=0) - centre
        dist = float(np.linalg.norm(c))
        if dist > 2.2 * r or c[2] < -0.75 * r:  # held items, wings, neck wear: not on the head
            continue
        u = c / (dist or 1.0)
        kind = "top" if u[2] > 0.5 and u[0] < 0.75 else "face" if u[0] > 0.3 else ""
        if not kind and sides and any(p.name.startswith("ear_") for p in group):
            kind = "side"
        if kind == "top":  # root: its foot; a fifth of the height goes into the product
            group = _outside(group, head_part)
            if not group:
                continue
            vertices = np.vstack([p.mesh.vertices for p in group])
            lo, hi = vertices.min(axis=0), vertices.max(axis=0)
            low = vertices[vertices[:, 2] <= lo[2] + 0.2 * (hi[2] - lo[2])]
            root = np.array([*low[:, :2].mean(axis=0), lo[2]])  # a slanted ear's foot
            out.append(Decoration(group, kind, root, 0.2 * float(hi[2] - lo[2])))
        elif kind:
            hits = ray_hits(head, centre, u)
            surface = float(hits.max()) if len(hits) else r
            along = (vertices - centre) @ u
            relief, depth = float(along.max()) - surface, surface - float(along.min())
            out.append(Decoration(group, kind, centre + u * surface, 0.0, relief, depth))
    return out


def _outside(group: list[Part], head: trimesh.Trimesh | None) -> list[Part]:
    """The group's parts with what is buried in the head cut away (an ear's root ball would
    show as a knob on a band or a rim); parts wholly inside dropped; hats kept whole."""
    if head is None:
        return group
    from engines.design.forms.geometry import minus

    out = []
    for p in group:
        if " hat " in f"{p.name} ":  # a hat stays whole: cut by the head its crown and brim
            out.append(p)  # fall apart (the head held them together)
            continue
        mesh = minus(p.mesh, head)
        if mesh is not None:
            out.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return out


def snapped(
    deco: Decoration, target: trimesh.Trimesh, origin: np.ndarray, sink_mm: float
) -> Decoration:
    """The group moved along the ray origin -> its root onto the outer surface of `target`,
    its root `sink_mm` below that surface (so it joins the target), mm."""
    direction = deco.root - origin
    direction /= np.linalg.norm(direction) or 1.0
    t = ray_hits(target, origin, direction)
    if len(t) == 0:
        return deco
    far = origin + direction * float(t.max())
    return deco.transformed(moved(far - direction * sink_mm - deco.root))


def ray_hits(mesh: trimesh.Trimesh, origin: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Distances along a ray (origin, unit direction) at which it crosses the mesh, mm
    (Moller-Trumbore over all triangles; the meshes here have a few thousand)."""
    tri = mesh.triangles
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    p = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = origin - tri[:, 0]
    u = np.einsum("ij,ij->i", s, p) * inv
    q = np.cross(s, e1)
    v = (q @ direction) * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    return np.unique(np.round(t[hit], 6))  # a ray through an edge crosses the surface once


def main_colour(model: Model) -> tuple[int, int, int]:
    """The colour of the model's largest body part (the subject's own colour; a potted
    plant's pot is not its body, though it may be larger than a squat cactus)."""
    bodies = [p for p in model.parts if p.role == "body" and p.name != "pot"] or model.parts
    return max(bodies, key=lambda p: abs(volume_mm3(p.mesh))).colour


HEAD_REACH = 1.25  # a portrait keeps parts that come this many head radii near its centre


def head_only(model: Model) -> Model:
    """The subject's head alone (a "cat face" charm): the parts whose middle lies above its
    neck and that come within HEAD_REACH head radii of the head's centre (head, face, a hat,
    ears however long; not a raised arm or a tail curling up behind); the model itself when
    it has no neck to cut at or nothing would be left."""
    neck = model.anchors.get("neck")
    if neck is None:
        return model
    centre, radius = head_frame(model)
    kept = []
    for p in model.parts:
        v = np.asarray(p.mesh.vertices).view(np.ndarray)
        middle = 0.5 * (v.min(axis=0) + v.max(axis=0))
        near = float(np.linalg.norm(v - centre, axis=1).min())
        if middle[2] >= neck.point[2] and near <= HEAD_REACH * radius:
            kept.append(p)
    if not any(p.role == "body" for p in kept):
        return model
    return Model(kept, dict(model.anchors))


def mostly_head(model: Model, spec_subject: str | None) -> bool:
    """Whether the subject is an object that is all head (strawberry, heart), not a creature
    with ears: the spec's subject when known, else a head at least 0.35 of the height."""
    from engines.design.kit.vocab import OBJECTS

    if spec_subject:
        return spec_subject in OBJECTS
    lo, hi = model.bounds
    return head_frame(model)[1] >= 0.35 * float(hi[2] - lo[2])


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two (2, 3) bounding boxes overlap."""
    return bool(np.all(a[0] <= b[1]) and np.all(b[0] <= a[1]))


def _shared(a: np.ndarray, b: np.ndarray) -> float:
    """Volume two (2, 3) boxes share (negative when they are apart, 0 when they touch), mm3."""
    size = np.minimum(a[1], b[1]) - np.maximum(a[0], b[0])
    return float(np.prod(size)) if (size >= 0).all() else -1.0


def _box(mesh: trimesh.Trimesh) -> np.ndarray:
    """(2, 3) bounds from the raw vertex array, mm."""
    v = np.asarray(mesh.vertices).view(np.ndarray)
    return np.array([v.min(axis=0), v.max(axis=0)])


def attached(model: Model) -> Model:
    """The model without the parts that touch nothing it is built on (fixtures, else its
    largest part): a floating eye would make the product fall apart. Found on the union of
    all parts (each face knows its part): a part showing on no body that holds a fixture is
    dropped; a part showing nowhere is buried in another and stays. When nothing is dropped
    the union is kept on the model for Model.solid()."""
    from manifold3d import Manifold, OpType

    from engines.design.shapes import _manifold

    if not model.parts:
        return model
    seeds = {i for i, p in enumerate(model.parts) if p.role == "fixture"}
    if not seeds:
        seeds = {int(np.argmax([abs(volume_mm3(p.mesh)) for p in model.parts]))}
    solids = [_manifold(p.mesh).as_original() for p in model.parts]
    ids = {int(m.original_id()): i for i, m in enumerate(solids)}
    joined = Manifold.batch_boolean(solids, OpType.Add)
    bodies = joined.decompose()
    out = Model(list(model.parts), dict(model.anchors))
    if len(bodies) <= 1:
        out.joined = (joined, ids, tuple(id(p.mesh) for p in out.parts))
        return out
    members = [_shown(b, ids) for b in bodies]
    shown = set().union(*members)
    keep = set(range(len(model.parts))) - shown  # buried: inside a part
    for group in members:
        if group & seeds:
            keep |= group
    if len(keep) == len(model.parts):
        out.joined = (joined, ids, tuple(id(p.mesh) for p in out.parts))
        return out
    return Model([p for i, p in enumerate(model.parts) if i in keep], dict(model.anchors))


def _shown(body: object, ids: dict[int, int]) -> set[int]:
    """The parts with faces on one body of a union (runs of triangles per original solid;
    a body lists every run of the union, the others empty)."""
    mesh = body.to_mesh()  # type: ignore[attr-defined]
    starts = np.asarray(mesh.run_index)
    originals = np.asarray(mesh.run_original_id).tolist()
    return {ids[o] for k, o in enumerate(originals) if o in ids and starts[k + 1] > starts[k]}


def base_anchor(point: np.ndarray | None = None, size_mm: float = 1.0) -> Anchor:
    """The anchor where a product stands: bottom centre, normal down."""
    p = np.zeros(3) if point is None else np.asarray(point, float)
    return Anchor(p, np.array([0.0, 0.0, -1.0]), size_mm)
