"""Design variants of an idea: the ranked gallery, their files, and the merchant's pick."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlmodel import col, select

from api.calls import update
from api.deps import ActorDep, OwnedIdea, PickableIdea, SessionDep, TemporalDep
from api.files import FILE_ANSWER, file_download
from api.problems import WORKFLOW_ANSWERS
from api.schemas import VariantOut
from engines.compliance.parts import Build
from models.contracts import AgeGradeName, SelectVariant, VariantSummary
from models.names import trend_workflow_id
from models.tables import DesignVariant
from workflows.trend_to_production import TrendToProduction

router = APIRouter(prefix="/ideas/{trend_id}", tags=["merchant"])


class SelectionBody(BaseModel):
    variant_id: int
    builds: dict[str, Build] = Field(
        default_factory=dict,
        max_length=20,
        description="How pieces are made, for the compliance check: eyes/nose/<feature> -> "
        "hard, soft, surface (embroidered) or integral",
    )
    age_grade: AgeGradeName | None = None


class SelectionOut(BaseModel):
    selected: VariantSummary


@router.get("/variants", response_model=list[VariantOut])
def list_variants(trend: OwnedIdea, s: SessionDep) -> Any:
    """The ranked design variants (best first) with cost, size and preview links."""
    rows = s.exec(
        select(DesignVariant)
        .where(DesignVariant.trend_id == trend.id)
        .order_by(col(DesignVariant.rank))
    ).all()
    base = f"/ideas/{trend.id}/variants"
    return [
        VariantOut(
            **r.model_dump(),
            preview_url=f"{base}/{r.id}/preview.png",
            mesh_url=f"{base}/{r.id}/mesh.stl",
            model_url=f"{base}/{r.id}/model.glb",
        )
        for r in rows
    ]


@router.get("/variants/{variant_id}/{asset}", responses=FILE_ANSWER)
def variant_asset(trend: OwnedIdea, variant_id: int, asset: str, s: SessionDep) -> FileResponse:
    """A variant's preview.png, mesh.stl or model.glb (3D viewer, written next to the STL)."""
    v = s.get(DesignVariant, variant_id)
    if v is None or v.trend_id != trend.id:
        raise HTTPException(404, f"idea {trend.id} has no variant {variant_id}")
    glb = str(Path(v.mesh_path).with_suffix(".glb")) if v.mesh_path else None
    paths = {"preview.png": v.preview_path, "mesh.stl": v.mesh_path, "model.glb": glb}
    found = paths.get(asset)
    if not found:
        raise HTTPException(404, f"no asset '{asset}': try preview.png, mesh.stl or model.glb")
    return file_download(found)


@router.post("/selection", response_model=SelectionOut, responses=WORKFLOW_ANSWERS)
async def select_variant(
    trend: PickableIdea, body: SelectionBody, who: ActorDep, temporal: TemporalDep
) -> Any:
    """Pick a variant (after a failed compliance check: the same one built otherwise, `builds`
    {"eyes": "surface"}, or another grade); refused (409) when the idea is not waiting for a
    pick or the id is foreign; 422 for a build that is not one of hard, soft, surface, integral,
    body (the schema's enum)."""
    assert trend.id is not None
    pick = SelectVariant(
        variant_id=body.variant_id, merchant_id=trend.merchant_id, actor=who.user, role=who.role,
        builds=body.builds, age_grade=body.age_grade,
    )  # fmt: skip
    client = await temporal.client()
    chosen = await update(
        client, trend_workflow_id(trend.id), TrendToProduction.select_variant, pick
    )
    return SelectionOut(selected=chosen)
