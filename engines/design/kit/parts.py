"""The part model: a design is named, coloured solid parts plus named anchors (mm, Z up,
+X is the front the subject faces). Features attach at anchors; forms compose parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import trimesh
from manifold3d import Manifold, OpType

from engines.design.shapes import _manifold, _one_solid, carry_solid

RGB = tuple[int, int, int]

# Anchors a subject model provides (all in the model's own frame). Features and forms use them.
ANCHORS: tuple[str, ...] = (
    "head_top",  # top of the head: hats, crowns, horns (normal points up)
    "face",  # centre of the face on the head's front surface (normal points +X)
    "eye_l", "eye_r",  # eye centres on the face surface
    "mouth",  # mouth centre: teeth
    "cheek_l", "cheek_r",  # blush
    "neck",  # between head and body: scarf, bow (neck), cape
    "back",  # centre of the back: wings, cape
    "hand",  # where a held item goes (front, at chest height)
    "base",  # bottom centre, where the model stands (normal points down)
    "ear_l", "ear_r",  # ear roots (a bow on the head sits near one)
)  # fmt: skip

# Part roles: BODY parts carry the subject, FIXTURE parts make it a product (mug wall, ring,
# plinth, band), FEATURE parts come from features, DETAIL parts are small surface marks.
ROLES: tuple[str, ...] = ("body", "fixture", "feature", "detail")


@dataclass(frozen=True)
class Anchor:
    """A place on the model: a point, the outward normal there, and the local size (mm)."""

    point: np.ndarray
    normal: np.ndarray
    size_mm: float  # the scale of what sits there (head radius for head_top, eye radius ...)

    def moved(self, matrix: np.ndarray) -> Anchor:
        """This anchor under a 4x4 similarity transform."""
        p = trimesh.transform_points([self.point], matrix)[0]
        n = matrix[:3, :3] @ self.normal
        scale = float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))
        return Anchor(p, n / (np.linalg.norm(n) or 1.0), self.size_mm * scale)


@dataclass
class Part:
    """One named, coloured, watertight solid of a design."""

    name: str  # "head", "straw hat brim", "mug wall" ...
    mesh: trimesh.Trimesh
    colour: RGB
    role: str = "body"  # one of ROLES
    material: str | None = None
    # made separately and attached (a safety eye, a sewn-on bow, a charm), so it can come off:
    # the compliance small-parts test tries it alone; False: printed in one with the body
    # (relief); None: not decided yet (build_candidate decides by the form: detachable_default)
    detachable: bool | None = None


ASSEMBLED_FORMS = frozenset({"plush", "figurine"})  # pieces made apart, then sewn or glued on
_PIECES = re.compile(r"^(eye_[lr]|eyes|nose|charm)\b(?! inner| bump| patch| stripe| white)")


def detachable_default(name: str, role: str, form: str) -> bool:
    """Whether a part of a form is a separate piece by default: on a plush or a figurine the
    eyes, nose, accessories (feature parts) and charms; never a mark or relief printed in one
    with the body, never anything on a form printed in one piece (mug, keychain, planter)."""
    if form not in ASSEMBLED_FORMS or role == "body" or role == "fixture":
        return False
    return role == "feature" or _PIECES.match(name.strip().lower()) is not None


@dataclass
class Model:
    """Parts and anchors of one design (or of one subject before a form takes it)."""

    parts: list[Part] = field(default_factory=list)
    anchors: dict[str, Anchor] = field(default_factory=dict)
    # the union of exactly these part meshes, if one was made (forms.place.attached makes it
    # to find floating parts): (solid, its original id -> part index, the meshes' ids)
    joined: tuple[Manifold, dict[int, int], tuple[int, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    def with_parts(self, parts: list[Part]) -> Model:
        """A model of these parts (same meshes, other colours) and this model's anchors; it
        keeps the union when the meshes are the same."""
        out = Model(parts, dict(self.anchors))
        if self.joined is not None and tuple(id(p.mesh) for p in parts) == self.joined[2]:
            out.joined = self.joined
        return out

    def add(self, name: str, mesh: trimesh.Trimesh, colour: RGB, role: str = "body") -> Part:
        """Append a part and return it."""
        part = Part(name, mesh, colour, role)
        self.parts.append(part)
        return part

    def transform(self, matrix: np.ndarray) -> Model:
        """A copy of the model under a 4x4 similarity transform (parts and anchors)."""
        parts = [
            Part(p.name, _moved_mesh(p.mesh, matrix), p.colour, p.role, p.material, p.detachable)
            for p in self.parts
        ]
        out = Model(parts, {k: a.moved(matrix) for k, a in self.anchors.items()})
        if self._joined_valid():
            assert self.joined is not None
            solid = self.joined[0].transform(np.asarray(matrix, dtype=float)[:3, :4])
            out.joined = (solid, self.joined[1], tuple(id(p.mesh) for p in parts))
        return out

    def _joined_valid(self) -> bool:
        """Whether the kept union is of exactly this model's part meshes."""
        return self.joined is not None and self.joined[2] == tuple(id(p.mesh) for p in self.parts)

    def extend(self, other: Model) -> None:
        """Add another model's parts (its anchors are not taken)."""
        self.parts.extend(other.parts)

    @property
    def bounds(self) -> np.ndarray:
        """(2, 3) axis-aligned bounds of all parts, mm."""
        # from the raw vertex arrays: trimesh's cached .bounds re-hashes each mesh per access
        vertices = [np.asarray(p.mesh.vertices).view(np.ndarray) for p in self.parts]
        lo = np.min([v.min(axis=0) for v in vertices], axis=0)
        hi = np.max([v.max(axis=0) for v in vertices], axis=0)
        return np.array([lo, hi])

    def solid(self) -> tuple[trimesh.Trimesh, np.ndarray]:
        """One watertight solid of all parts (manifold union) and, per face of it, the index
        of the part it came from (manifold3d keeps each input's id through the boolean).
        Where parts meet so exactly that an STL reader would merge corners of the result and
        break it, the union is redone with each part nudged by a few micrometres."""
        for attempt in range(4):
            mesh, owner = self._union(attempt)
            if attempt == 3 or mesh.is_watertight:
                return mesh, owner
        raise AssertionError("unreachable")

    def _union(self, attempt: int) -> tuple[trimesh.Trimesh, np.ndarray]:
        """The union of all parts, each moved by a tiny distinct offset on later attempts."""
        offsets = (
            _NUDGE_MM * attempt * np.sin(np.arange(len(self.parts))[:, None] * _PHASES + attempt)
        )
        if attempt == 0 and self._joined_valid():
            assert self.joined is not None
            joined, ids = self.joined[0], self.joined[1]
        else:
            solids = [
                _manifold(p.mesh).translate(tuple(offsets[i])).as_original() if attempt else
                _manifold(p.mesh).as_original()
                for i, p in enumerate(self.parts)
            ]  # fmt: skip
            ids = {int(m.original_id()): i for i, m in enumerate(solids)}
            joined = Manifold.batch_boolean(solids, OpType.Add)
        out = joined.to_mesh()
        mesh = _one_solid(joined)
        if len(mesh.faces) != len(out.tri_verts):  # slivers dropped: the kept body's own runs
            out = max(joined.decompose(), key=lambda b: b.volume()).to_mesh()
        if len(mesh.faces) != len(out.tri_verts):  # (never seen) colour by nearest part centre
            mesh, _ = _stl_stable(mesh, np.zeros(len(mesh.faces), dtype=np.int64))
            return mesh, self._nearest_part(mesh)
        owner = np.zeros(len(out.tri_verts), dtype=np.int64)
        starts, originals = np.asarray(out.run_index), np.asarray(out.run_original_id)
        for k, original in enumerate(originals):
            owner[starts[k] // 3 : starts[k + 1] // 3] = ids.get(int(original), 0)
        return _stl_stable(mesh, owner)

    def _nearest_part(self, mesh: trimesh.Trimesh) -> np.ndarray:
        """Per face, the part whose centre of mass is nearest the face centre (fallback)."""
        centres = np.array([p.mesh.center_mass for p in self.parts])
        d = np.linalg.norm(mesh.triangles_center[:, None, :] - centres[None], axis=2)
        return np.argmin(d, axis=1)

    def face_colours(self, owner: np.ndarray) -> np.ndarray:
        """(n, 3) uint8 colours of faces given their owning part indices."""
        table = np.array([p.colour for p in self.parts], dtype=np.uint8)
        return table[owner]


def _moved_mesh(mesh: trimesh.Trimesh, matrix: np.ndarray) -> trimesh.Trimesh:
    """The mesh under a 4x4 affine transform by vertex arithmetic (trimesh's copy and
    apply_transform re-hash caches and visuals: ~4x slower); a mirror flips the faces."""
    vertices = np.asarray(mesh.vertices) @ matrix[:3, :3].T + matrix[:3, 3]
    faces = np.asarray(mesh.faces)
    if np.linalg.det(matrix[:3, :3]) < 0:
        faces = faces[:, ::-1]
    moved = trimesh.Trimesh(vertices, faces, process=False)
    carry_solid(mesh, moved, matrix)
    return moved


_NUDGE_MM = 0.002  # how far solid() moves parts apart when their union is not STL-stable
_PHASES = np.array([1.0, 2.3, 3.7])


def _stl_stable(mesh: trimesh.Trimesh, owner: np.ndarray) -> tuple[trimesh.Trimesh, np.ndarray]:
    """The solid with the vertices an STL reader would merge (closer than 1e-8 mm, e.g. where
    mirrored parts cross at y = 0) merged now and the zero-area faces that leaves dropped, so
    it is still watertight after an STL round trip; `owner` is kept in step with the faces."""
    mesh.merge_vertices()
    keep = mesh.nondegenerate_faces()
    if not keep.all():
        mesh.update_faces(keep)
        mesh.remove_unreferenced_vertices()
        owner = owner[keep]
    return mesh, owner


def parts_mesh(parts: list[Part]) -> tuple[trimesh.Trimesh, np.ndarray]:
    """All parts concatenated (not unioned: for previews) and each face's RGB colour."""
    mesh = trimesh.util.concatenate([p.mesh for p in parts])
    assert isinstance(mesh, trimesh.Trimesh)  # concatenating meshes gives a mesh
    colours = np.vstack(
        [np.tile(np.asarray(p.colour, dtype=np.uint8), (len(p.mesh.faces), 1)) for p in parts]
    )
    return mesh, colours


def preview(model: Model, path: str, size_px: int = 256) -> None:
    """A coloured PNG preview of the model's parts (no union needed), front-left view."""
    from engines.design.render import render_preview

    mesh, colours = parts_mesh(model.parts)
    render_preview(mesh, path, size_px, face_colours=colours)
