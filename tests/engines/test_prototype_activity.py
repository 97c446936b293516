"""The prototype activity: a design that will not print is kept as `unprintable` with its
reason and fix (no estimate) and fails for good; a merchant's own model is prepared from the
original upload in the units they chose, with before/after repair pictures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.prototype import PrototypeActivities
from models.contracts import PrototypeRequest
from models.db import session_scope
from models.tables import DesignVariant, Prototype
from tests.helpers.records import new_idea_row

pytestmark = pytest.mark.db


def _variant(engine, trend_id: int, mesh_path: Path, source: str = "parametric") -> int:
    """A design variant row of the idea pointing at mesh_path; its id."""
    with session_scope(engine) as s:
        row = DesignVariant(
            trend_id=trend_id, rank=1, family="figurine", name="v", score=1.0,
            unit_cost_usd=1.0, volume_cm3=1.0, dims_mm=[1, 1, 1], mesh_path=str(mesh_path),
            source=source,
        )  # fmt: skip
        s.add(row)
        s.flush()
        assert row.id is not None
        return row.id


def _stored(engine, workflow_id: str) -> Prototype | None:
    with Session(engine) as s:
        return s.exec(select(Prototype).where(Prototype.workflow_id == workflow_id)).first()


def test_a_design_that_will_not_print_is_kept_unprintable_and_fails(engine, tmp_path) -> None:
    acts = PrototypeActivities(engine, tmp_path)
    mesh_path = tmp_path / "sheet.stl"
    trimesh.creation.box(extents=(40.0, 30.0, 0.5)).export(mesh_path)  # a 0.5 mm sheet
    trend_id = new_idea_row(engine, "thin sheet", "m-proto")
    req = PrototypeRequest(
        workflow_id="proto-unprintable", trend_id=trend_id,
        variant_id=_variant(engine, trend_id, mesh_path), mesh_path=str(mesh_path),
        use_slicer=False,
    )  # fmt: skip
    for _ in range(2):  # a second attempt finds the row and fails the same way
        with pytest.raises(ApplicationError) as err:
            ActivityEnvironment().run(acts.prepare_prototype, req)
        assert err.value.non_retryable and "will not print" in str(err.value)
        assert "scale it by" in str(err.value)  # the fix comes with the reason
    row = _stored(engine, req.workflow_id)
    assert row is not None and row.status == "unprintable"
    assert row.reason and row.fix and "scale it by" in row.fix
    assert row.print_time_s == 0 and row.filament_g == 0  # no estimate for it


def test_an_own_model_is_prepared_from_the_upload_in_its_units(engine, tmp_path) -> None:
    """The merchant picked their own model: the activity reads the original upload (inches, as
    they said, with a hole) rather than the variant's STL, repairs it and draws the repair."""
    upload = tmp_path / "upload.stl"
    holed = trimesh.creation.box(extents=(2.0, 1.5, 1.0))  # inches
    holed.update_faces(np.arange(len(holed.faces)) > 1)  # two triangles gone: a hole
    holed.export(upload)
    decoy = tmp_path / "variant.stl"  # the variant's own STL must not be the one prepared
    trimesh.creation.box(extents=(10.0, 10.0, 10.0)).export(decoy)
    trend_id = new_idea_row(engine, "my bracket", "m-own")
    with session_scope(engine) as s:
        from models.tables import Trend

        trend = s.get(Trend, trend_id)
        assert trend is not None
        trend.use_as, trend.reference_mesh_path, trend.units = "design", str(upload), "inch"
        s.add(trend)
    req = PrototypeRequest(
        workflow_id="proto-own", trend_id=trend_id, units="inch",
        variant_id=_variant(engine, trend_id, decoy, source="merchant"), mesh_path=str(decoy),
        use_slicer=False,
    )  # fmt: skip
    out = ActivityEnvironment().run(PrototypeActivities(engine, tmp_path).prepare_prototype, req)
    assert sorted(out.dims_mm) == pytest.approx([25.4, 38.1, 50.8], abs=0.05)
    row = _stored(engine, req.workflow_id)
    assert row is not None and row.status == "ready" and row.unit == "inch"
    assert "inches" in row.unit_note and row.scale == pytest.approx(25.4)
    assert row.health_before["boundary_edges"] > 0 == row.health_after["boundary_edges"]
    assert row.before_preview_path and Path(row.before_preview_path).stat().st_size > 1000
    assert row.after_preview_path and Path(row.after_preview_path).stat().st_size > 1000
