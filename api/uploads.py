"""Reference-mesh uploads: the size limit (api.limits.BodyLimit enforces it before the body is
read; the route's own, larger than other routes'), then a safe load.

The client's file name is never used as a path: only its suffix picks the parser, and the file
is stored under the hash of its content. A file the print-prep loader refuses (truncated, NaN
vertices, too many triangles, a zip bomb, unsafe 3MF part names) is a 422 with the loader's
reason, and nothing is kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

import trimesh
from fastapi import HTTPException, UploadFile

from engines.printprep.errors import UnprintableMesh
from engines.printprep.fit import sizing_refusal
from engines.printprep.meshio import SUPPORTED_SUFFIXES, load_mesh
from engines.printprep.profiles import printer_profile
from models.contracts import IdeaInput, PipelineConfig

DEFAULT_PRINTER = PipelineConfig().printer

MAX_TRIANGLES = 2_000_000
_CHUNK = 1 << 20


MeshCheck = Callable[[trimesh.Trimesh, str], "str | None"]


def own_model_check(idea: IdeaInput) -> MeshCheck | None:
    """For a merchant's own model (use_as=design): why it cannot be printed at the size its
    units and scale give on the chosen printer (sub-millimetre, kilometres), or None."""
    if idea.use_as != "design":
        return None
    bed = printer_profile(idea.printer or DEFAULT_PRINTER).build_volume_mm

    def check(mesh: trimesh.Trimesh, suffix: str) -> str | None:
        e = tuple(float(x) for x in mesh.extents)
        declared = mesh.metadata.get("unit")
        _, refusal = sizing_refusal(
            (e[0], e[1], e[2]), suffix, declared, idea.units, idea.scale, idea.target_size_mm, bed
        )
        return None if refusal is None else f"your model cannot be printed as sent: {refusal}"

    return check


async def store_reference_mesh(
    upload: UploadFile, folder: Path, limit: int, check: MeshCheck | None = None
) -> str:
    """Validate and keep an uploaded mesh; its absolute path, or a 413/422 with the reason
    (the loader's, or `check`'s on the loaded mesh)."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(s[1:].upper() for s in SUPPORTED_SUFFIXES)
        raise HTTPException(
            422, f"the reference mesh must be one of {kinds}, not '{suffix or '?'}'"
        )
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{uuid.uuid4().hex}{suffix}"
    digest = hashlib.sha256()
    size = 0
    try:
        with tmp.open("wb") as out:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise HTTPException(
                        413, f"the upload is larger than the limit of {limit:,} bytes"
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise HTTPException(422, "the reference mesh file is empty")
        try:
            mesh = await asyncio.to_thread(load_mesh, tmp, limit, MAX_TRIANGLES)
        except UnprintableMesh as err:
            raise HTTPException(422, f"the reference mesh cannot be used: {err}") from err
        refusal = None if check is None else await asyncio.to_thread(check, mesh, suffix)
        if refusal is not None:
            raise HTTPException(422, refusal)
        final = folder / f"{digest.hexdigest()[:32]}{suffix}"
        tmp.replace(final)
        return str(final.resolve())
    finally:
        tmp.unlink(missing_ok=True)
