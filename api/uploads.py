"""Reference-mesh uploads: the size limit enforced before the body is read, then a safe load.

The client's file name is never used as a path: only its suffix picks the parser, and the file
is stored under the hash of its content. A file the print-prep loader refuses (truncated, NaN
vertices, too many triangles, a zip bomb, unsafe 3MF part names) is a 422 with the loader's
reason, and nothing is kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException, UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engines.printprep.errors import UnprintableMesh
from engines.printprep.meshio import SUPPORTED_SUFFIXES, load_mesh

MAX_TRIANGLES = 2_000_000
_CHUNK = 1 << 20


class BodyTooLarge(BaseException):
    """Raised from `receive` when a body crosses the limit. A BaseException on purpose: FastAPI
    turns any Exception met while parsing a form into a 400, and this must end as a 413."""


class UploadLimit:
    """413 for a request to `paths` whose body is (declared or turns out) larger than the limit."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...], limit: Callable[[], int]) -> None:
        self.app, self.paths, self.limit = app, paths, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        limit = self.limit()
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"the upload is larger than the limit of {limit:,} bytes"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


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
