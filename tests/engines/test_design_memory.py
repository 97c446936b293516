"""The design stage's memory in the database: a merchant's pick updates the family's preference
model once per idea (a retried activity does not learn twice); an automatic pick teaches nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from activities.pipeline import PipelineActivities, _design_memory
from engines.design.generate import generate_variants
from models.contracts import DesignRequest, SelectionRecord
from models.tables import DesignVariant, PreferenceModel, Trend

pytestmark = pytest.mark.db


def _idea_with_variants(engine, family_text: str) -> tuple[int, list[int]]:
    """A stored idea with 6 stored variants (no files); its id and the variant ids by rank."""
    _, variants = generate_variants(family_text, count=6, seed=3)
    with Session(engine) as s:
        trend = Trend(dedup_key=uuid.uuid4().hex, text=family_text, merchant_id="m-pref")
        s.add(trend)
        s.commit()
        assert trend.id is not None
        rows = [
            DesignVariant(
                trend_id=trend.id,
                rank=v.rank,
                family=v.family,
                name=v.name,
                description=v.description,
                params=v.params,
                score=v.score,
                unit_cost_usd=v.unit_cost_usd,
                volume_cm3=v.volume_cm3,
                dims_mm=list(v.dims_mm),
                processes=v.processes,
                mesh_path=f"/nowhere/v{v.rank}.stl",
            )  # fmt: skip
            for v in variants
        ]
        s.add_all(rows)
        s.commit()
        return trend.id, [r.id for r in rows if r.id is not None]


def _model(engine, family: str) -> PreferenceModel | None:
    with Session(engine) as s:
        return s.exec(select(PreferenceModel).where(PreferenceModel.family == family)).first()


def test_picks_update_the_preference_model_once_per_idea(engine, tmp_path) -> None:
    acts = PipelineActivities(engine, tmp_path)
    before = _model(engine, "mug")
    start = before.updates if before else 0
    trend_id, ids = _idea_with_variants(engine, "ceramic coffee mug")
    acts.record_selection(SelectionRecord(trend_id=trend_id, variant_id=ids[4]))
    acts.record_selection(SelectionRecord(trend_id=trend_id, variant_id=ids[4]))  # a retry
    row = _model(engine, "mug")
    assert row is not None and row.updates == start + 1 and trend_id in row.applied_trends
    assert row.weights and all(isinstance(w, float) for w in row.weights.values())

    auto_id, auto_ids = _idea_with_variants(engine, "ceramic coffee mug")
    acts.record_selection(SelectionRecord(trend_id=auto_id, variant_id=auto_ids[0], auto=True))
    assert _model(engine, "mug").updates == start + 1  # type: ignore[union-attr]

    req = DesignRequest(workflow_id="w", trend_id=auto_id, text="mug")
    learned, catalogue = _design_memory(engine, "mug", req)
    assert learned is not None and learned.updates == start + 1
    assert catalogue and all("mug" in d.lower() for d in catalogue)
