"""Files from the data folder, and drafted documents as PDF, as downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response

from services.pdf import html_to_pdf


def file_download(path: str) -> FileResponse:
    p = Path(path)
    if not p.is_file():
        raise HTTPException(404, "the file is gone from the data folder")
    return FileResponse(p, filename=p.name)


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
