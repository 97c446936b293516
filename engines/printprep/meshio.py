"""Loading meshes safely and writing STL / 3MF files (mm)."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import quoteattr

import numpy as np
import trimesh
from lxml import etree as ET

from .errors import UnprintableMesh

SUPPORTED_SUFFIXES = (".stl", ".obj", ".ply", ".3mf", ".glb")
_CORE_NS = "http://schemas.microsoft.com/3dmanufacturing/core/2015/02"
_MODEL_REL = "http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"
_UNIT_MM = {
    "micron": 1e-3,
    "millimeter": 1.0,
    "centimeter": 10.0,
    "inch": 25.4,
    "foot": 304.8,
    "meter": 1000.0,
}
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="model" '
    'ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>\n'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Target="/3D/3dmodel.model" Id="rel0" Type="{_MODEL_REL}"/>'
    "</Relationships>\n"
)


MAX_ZIP_RATIO = 100.0  # uncompressed / compressed size of any 3MF part
MAX_ZIP_ENTRIES = 1000
_SAFE_XML = ET.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def load_mesh(
    path: str | Path,
    max_bytes: int = 100_000_000,
    max_triangles: int = 2_000_000,
    max_unpacked_bytes: int | None = None,
) -> trimesh.Trimesh:
    """Load STL/OBJ/PLY/3MF/GLB as one triangle mesh (mm); UnprintableMesh if unusable.

    A 3MF's declared unit is applied and recorded in `mesh.metadata["unit"]`.
    """
    p = Path(path)
    _check_file(p, max_bytes)
    unit: str | None = None
    try:
        if p.suffix.lower() == ".3mf":
            unpacked = max_unpacked_bytes if max_unpacked_bytes is not None else 4 * max_bytes
            vertices, faces, unit = _read_3mf(p, unpacked)
        else:
            vertices, faces = _read_trimesh(p)
    except UnprintableMesh:
        raise
    except Exception as exc:  # parsers raise anything from KeyError to struct.error
        detail = "unrecognised content" if isinstance(exc, ImportError) else str(exc)
        kind = p.suffix[1:].upper()
        raise UnprintableMesh(f"{p.name} is not a readable {kind} file: {detail}") from exc
    if faces.size == 0 and p.suffix.lower() != ".3mf" and p.stat().st_size > 0:
        # trimesh reads some junk as a mesh without triangles: say what the file is not
        kind = p.suffix[1:].upper()
        raise UnprintableMesh(f"{p.name} is not a readable {kind} file: no triangles in it")
    mesh = _validated_mesh(p, vertices, faces, max_triangles)
    if p.suffix.lower() == ".stl":  # STL is a triangle soup: weld identical corners
        mesh.merge_vertices()
        mesh.metadata["welded"] = True
    mesh.metadata["unit"] = unit
    return mesh


def _check_file(p: Path, max_bytes: int) -> None:
    """Reject missing, empty, oversized or unsupported files before parsing."""
    if not p.is_file():
        raise UnprintableMesh(f"mesh file {p} does not exist")
    if p.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UnprintableMesh(
            f"{p.name}: unsupported format {p.suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}"
        )
    size = p.stat().st_size
    if size == 0:
        raise UnprintableMesh(f"{p.name} is empty (0 bytes)")
    if size > max_bytes:
        raise UnprintableMesh(
            f"{p.name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB upload limit"
        )


def _read_trimesh(p: Path) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (mm) and faces of any trimesh-readable file, scenes flattened."""
    loaded = trimesh.load(p, force="mesh", process=False)
    if not isinstance(loaded, trimesh.Trimesh):
        raise UnprintableMesh(f"{p.name} holds no triangle mesh")
    vertices = np.asarray(loaded.vertices, dtype=np.float64)
    faces = np.asarray(loaded.faces, dtype=np.int64)
    return vertices, faces


def _validated_mesh(
    p: Path, vertices: np.ndarray, faces: np.ndarray, max_triangles: int
) -> trimesh.Trimesh:
    """Build the mesh after checking it is non-empty, small enough and finite."""
    faces = faces.reshape(-1, 3) if faces.size else np.zeros((0, 3), dtype=np.int64)
    if len(faces) == 0:
        raise UnprintableMesh(f"{p.name} contains no triangles")
    if len(faces) > max_triangles:
        raise UnprintableMesh(
            f"{p.name} has {len(faces):,} triangles, over the {max_triangles:,} limit"
        )
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise UnprintableMesh(f"{p.name} has triangles referring to missing vertices")
    bad = ~np.isfinite(vertices).all(axis=1)
    if bad.any():
        used = np.zeros(len(vertices), dtype=bool)
        used[faces.ravel()] = True
        bad &= used
    if bad.any():
        raise UnprintableMesh(
            f"{p.name} has {int(bad.sum())} vertices with NaN or infinite coordinates"
        )
    return trimesh.Trimesh(vertices=vertices, faces=faces, process=False)


def _read_3mf(p: Path, max_unpacked_bytes: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Vertices (mm), faces and declared unit of every build item in a 3MF package."""
    with zipfile.ZipFile(p) as z:
        part = _model_part(p, z.infolist(), max_unpacked_bytes)
        root = ET.fromstring(_bounded_read(z, part), _SAFE_XML)
    unit = root.get("unit", "millimeter")
    if unit not in _UNIT_MM:
        raise UnprintableMesh(f"{p.name} declares an unknown unit {unit!r}")
    objects = {o.get("id"): o for o in root.iter(f"{{{_CORE_NS}}}object")}
    items = [(i.get("objectid"), i.get("transform")) for i in root.iter(f"{{{_CORE_NS}}}item")]
    meshes = [
        mesh
        for object_id, transform in items or [(k, None) for k in objects]
        for mesh in _object_mesh(objects, object_id, _matrix(transform))
    ]
    vertices, faces = _concatenate(meshes, _UNIT_MM[unit])
    return vertices, faces, unit


def _model_part(
    p: Path, entries: list[zipfile.ZipInfo], max_unpacked_bytes: int
) -> zipfile.ZipInfo:
    """The 3D model part, after refusing unsafe names and zip bombs (sizes in bytes)."""
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnprintableMesh(f"{p.name} holds {len(entries)} files, over {MAX_ZIP_ENTRIES}")
    for info in entries:
        _check_entry_name(p, info.filename)
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_ZIP_RATIO:
            raise UnprintableMesh(
                f"{p.name} looks like a zip bomb: {info.filename} expands {ratio:.0f}:1 "
                f"(limit {MAX_ZIP_RATIO:.0f}:1)"
            )
    total = sum(i.file_size for i in entries)
    if total > max_unpacked_bytes:
        raise UnprintableMesh(
            f"{p.name} unpacks to {total / 1e6:.1f} MB, over the "
            f"{max_unpacked_bytes / 1e6:.1f} MB limit (zip bomb?)"
        )
    part = next((i for i in entries if i.filename.lower().endswith(".model")), None)
    if part is None:
        raise UnprintableMesh(f"{p.name} is a zip without a 3D model part")
    return part


def _check_entry_name(p: Path, name: str) -> None:
    """Refuse absolute, drive-lettered or parent-escaping names inside a package."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or ".." in posix.parts or ":" in name or "\0" in name:
        raise UnprintableMesh(f"{p.name} contains an unsafe path {name!r} (path traversal)")


def _bounded_read(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read one part, never more than its declared size (bytes) however the stream lies."""
    with z.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise UnprintableMesh(f"{info.filename} unpacks past its declared size (zip bomb?)")
    return data


def _matrix(text: str | None) -> np.ndarray:
    """4x4 column-vector transform from a 3MF 3x4 row-major attribute."""
    out = np.eye(4)
    if text:
        out[:3, :] = np.array(text.split(), dtype=np.float64).reshape(4, 3).T
    return out


def _object_mesh(
    objects: dict[str | None, ET._Element],
    object_id: str | None,
    transform: np.ndarray,
    depth: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Transformed (vertices, faces) of one 3MF object, following components."""
    obj = objects.get(object_id)
    if obj is None or depth > 16:
        raise UnprintableMesh(f"3MF build refers to missing object {object_id}")
    mesh = obj.find(f"{{{_CORE_NS}}}mesh")
    if mesh is not None:
        v = np.array(
            [[e.get("x"), e.get("y"), e.get("z")] for e in mesh.iter(f"{{{_CORE_NS}}}vertex")],
            dtype=np.float64,
        ).reshape(-1, 3)
        f = np.array(
            [[e.get("v1"), e.get("v2"), e.get("v3")] for e in mesh.iter(f"{{{_CORE_NS}}}triangle")],
            dtype=np.int64,
        ).reshape(-1, 3)
        return [(trimesh.transform_points(v, transform), f)]
    return [
        part
        for c in obj.iter(f"{{{_CORE_NS}}}component")
        for part in _object_mesh(
            objects, c.get("objectid"), transform @ _matrix(c.get("transform")), depth + 1
        )
    ]


def _concatenate(
    parts: list[tuple[np.ndarray, np.ndarray]], scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Stack several (vertices, faces) into one, vertices scaled to mm."""
    if not parts:
        return np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)
    offsets = np.cumsum([0] + [len(v) for v, _ in parts[:-1]])
    vertices = np.vstack([v for v, _ in parts]) * scale
    faces = np.vstack([f + o for (_, f), o in zip(parts, offsets, strict=True)])
    return vertices, faces


def threemf_bytes(mesh: trimesh.Trimesh, metadata: dict[str, str] | None = None) -> bytes:
    """A core-spec 3MF package (unit millimeter) holding one object, with metadata."""
    vertices, faces = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    meta = {"Application": "TrendForge printprep", **(metadata or {})}
    model = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<model unit="millimeter" xml:lang="en-US" xmlns="{_CORE_NS}">\n',
            "".join(
                f"<metadata name={quoteattr(k)}>{_text(v)}</metadata>\n" for k, v in meta.items()
            ),
            '<resources><object id="1" type="model"><mesh><vertices>\n',
            ('<vertex x="%.6f" y="%.6f" z="%.6f"/>\n' * len(vertices))
            % tuple(vertices.ravel().tolist()),
            "</vertices><triangles>\n",
            ('<triangle v1="%d" v2="%d" v3="%d"/>\n' * len(faces)) % tuple(faces.ravel().tolist()),
            "</triangles></mesh></object></resources>",
            '<build><item objectid="1"/></build></model>\n',
        ]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("3D/3dmodel.model", model)
    return out.getvalue()


def threemf_metadata(path: str | Path) -> tuple[str, dict[str, str]]:
    """(unit, metadata name -> value) of a 3MF written by threemf_bytes."""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(_bounded_read(z, z.getinfo("3D/3dmodel.model")), _SAFE_XML)
    meta = {m.get("name"): m.text or "" for m in root.iter(f"{{{_CORE_NS}}}metadata")}
    return root.get("unit", "millimeter"), meta


def _text(value: str) -> str:
    """XML-escaped element text."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stl_bytes(mesh: trimesh.Trimesh) -> bytes:
    """Binary STL of the mesh (mm)."""
    data = mesh.export(file_type="stl")
    return data if isinstance(data, bytes) else str(data).encode()


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to path via a temporary file and rename, so retries never see half files."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
