"""The prototype activity refuses a design that will not print instead of storing a 0 s estimate."""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.prototype import PrototypeActivities
from models.contracts import PrototypeRequest
from models.tables import Prototype

pytestmark = pytest.mark.db


def _request(tmp_path: Path, extents_mm: tuple[float, float, float], wf: str) -> PrototypeRequest:
    mesh_path = tmp_path / f"{wf}.stl"
    trimesh.creation.box(extents=extents_mm).export(mesh_path)
    return PrototypeRequest(
        workflow_id=wf, trend_id=1, variant_id=1, mesh_path=str(mesh_path), use_slicer=False
    )


def test_a_design_that_will_not_print_fails_with_reason_and_fix(engine, tmp_path) -> None:
    acts = PrototypeActivities(engine, tmp_path)
    req = _request(tmp_path, (40.0, 30.0, 0.5), "proto-unprintable")  # a 0.5 mm sheet
    with pytest.raises(ApplicationError) as err:
        ActivityEnvironment().run(acts.prepare_prototype, req)
    assert err.value.non_retryable and "will not print" in str(err.value)
    assert "scale it by" in str(err.value)  # the fix comes with the reason
    with Session(engine) as s:
        assert (
            s.exec(select(Prototype).where(Prototype.workflow_id == req.workflow_id)).first()
            is None
        )
