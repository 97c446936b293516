"""Files from the data folder as downloads."""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse


def file_download(path: str) -> FileResponse:
    p = Path(path)
    if not p.is_file():
        raise HTTPException(404, "the file is gone from the data folder")
    return FileResponse(p, filename=p.name)
