"""Files from the data folder, and drafted documents as PDF, as downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response

from services.pdf import html_to_pdf

# what our files are, by suffix (not the host's mime.types, which differ between machines)
MEDIA_TYPES = {
    ".png": "image/png",
    ".stl": "model/stl",
    ".glb": "model/gltf-binary",
    ".3mf": "model/3mf",
    ".gcode": "text/x.gcode",
    ".pdf": "application/pdf",
}
OTHER_FILE = "application/octet-stream"
# the 200 of a route that answers one of our files
FILE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file",
        "content": {media: {} for media in (*dict.fromkeys(MEDIA_TYPES.values()), OTHER_FILE)},
    }
}


def file_download(path: str) -> FileResponse:
    p = Path(path)
    if not p.is_file():
        raise HTTPException(404, "the file is gone from the data folder")
    media = MEDIA_TYPES.get(p.suffix.lower(), OTHER_FILE)
    return FileResponse(p, filename=p.name, media_type=media)


# the 200 of a route that answers a document as HTML, or as PDF with ?format=pdf
HTML_OR_PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the document: HTML, or PDF with format=pdf",
        "content": {"text/html": {}, "application/pdf": {}},
    }
}


def pdf_answer(html: str, filename: str) -> Response:
    """An HTML document of ours as a text-only PDF download (services.pdf)."""
    return Response(
        html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
