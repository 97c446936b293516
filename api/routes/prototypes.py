"""An idea's prototype: print estimates and findings, and its STL, 3MF and G-code files."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from sqlmodel import Session, select

from api.deps import OwnedIdea, SessionDep
from api.files import FILE_ANSWER, file_download
from api.schemas import PrototypeOut
from models.tables import Prototype

router = APIRouter(prefix="/ideas/{trend_id}/prototype", tags=["merchant"])


def _prototype(s: Session, trend_id: int | None) -> Prototype | None:
    return s.exec(select(Prototype).where(Prototype.trend_id == trend_id)).first()


def _files(p: Prototype) -> dict[str, str | None]:
    """Downloads by name: the files, the repair pictures and one STL per plate when several."""
    files = {
        "stl": p.stl_path,
        "3mf": p.threemf_path,
        "gcode": p.gcode_path,
        "before.png": p.before_preview_path,
        "after.png": p.after_preview_path,
    }
    return files | {f"plate-{i}": path for i, path in enumerate(p.plate_paths or [], start=1)}


@router.get("", response_model=PrototypeOut)
def prototype(trend: OwnedIdea, s: SessionDep) -> Any:
    """Print estimates, findings and download links of the idea's prototype."""
    p = _prototype(s, trend.id)
    if p is None:
        raise HTTPException(404, f"idea {trend.id} has no prototype yet")
    links = {kind: f"/ideas/{trend.id}/prototype/{kind}" for kind, f in _files(p).items() if f}
    return PrototypeOut(**p.model_dump(), downloads=links)


@router.get("/{kind}", responses=FILE_ANSWER)
def prototype_file(trend: OwnedIdea, kind: str, s: SessionDep) -> FileResponse:
    """The prototype's stl, 3mf or gcode file, its before.png / after.png repair pictures, or
    the STL of plate-N."""
    p = _prototype(s, trend.id)
    path = _files(p).get(kind) if p else None
    if not path:
        raise HTTPException(404, f"no {kind} file for idea {trend.id}")
    return file_download(path)
