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
from pathlib import Path

from fastapi import HTTPException, UploadFile

from engines.printprep.errors import UnprintableMesh
from engines.printprep.meshio import SUPPORTED_SUFFIXES, load_mesh

MAX_TRIANGLES = 2_000_000
_CHUNK = 1 << 20


async def store_reference_mesh(upload: UploadFile, folder: Path, limit: int) -> str:
    """Validate and keep an uploaded mesh; its absolute path, or a 413/422 with the reason."""
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
            await asyncio.to_thread(load_mesh, tmp, limit, MAX_TRIANGLES)
        except UnprintableMesh as err:
            raise HTTPException(422, f"the reference mesh cannot be used: {err}") from err
        final = folder / f"{digest.hexdigest()[:32]}{suffix}"
        tmp.replace(final)
        return str(final.resolve())
    finally:
        tmp.unlink(missing_ok=True)
