"""Design stage: generate the ranked variants of an idea, record the merchant's pick, and learn
from it (a preference model per product family, written with an optimistic lock)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import domain_errors
from activities.mappers import variant_row, variant_summary
from models.contracts import DesignRequest, DesignResult, SelectionRecord
from models.db import session_scope
from models.names import Act
from models.tables import DesignVariant, PreferenceModel, Trend, utcnow

CATALOGUE_SIZE = 72  # earlier variants of the family that new ones should differ from
APPLIED_KEEP = 2000  # idea ids remembered per preference row, so a retry never learns twice


class DesignActivities:
    """Holds the database engine and the files folder (variants' meshes and previews)."""

    def __init__(self, engine: Engine, files_dir: Path, generators: Sequence[Any] = ()) -> None:
        self.engine = engine
        self.files_dir = Path(files_dir)
        self.generators = tuple(generators)  # engines.design.generators; () = parametric alone

    @activity.defn(name=Act.design_variants)
    @domain_errors
    def design_variants(self, req: DesignRequest) -> DesignResult:
        from engines.design.generate import write_all_assets

        with Session(self.engine) as s:
            trend = s.get(Trend, req.trend_id)
            rows = s.exec(
                select(DesignVariant)
                .where(DesignVariant.trend_id == req.trend_id)
                .order_by(col(DesignVariant.rank))
            ).all()
        own = trend is not None and trend.use_as == "design" and bool(trend.reference_mesh_path)
        only_own = own and trend is not None and not trend.alternatives
        if rows and len(rows) == (1 if only_own else req.count):
            return DesignResult(family=rows[0].family, variants=[variant_summary(r) for r in rows])
        activity.heartbeat("reading the idea")
        spec = self._stored_spec(trend) if only_own else self._spec(req, trend)
        variants = [self._own_model(req, trend, spec)] if own else []
        notes: list[str] = []
        if not only_own:
            made, notes = self._generated(
                req, trend, spec, req.count - len(variants), len(variants)
            )
            variants += made
        for note in notes:  # a broken or slow plug-in generator: skipped, said, never fatal
            activity.logger.warning("design of idea %s: %s", req.trend_id, note)
        family = variants[0].family
        out = self.files_dir.joinpath(f"trend-{req.trend_id}", "variants")
        out.mkdir(parents=True, exist_ok=True)
        written = write_all_assets(
            variants, out, [f"v{v.rank:03d}" for v in variants],
            done=lambda k: activity.heartbeat(f"variant {variants[k].rank}/{len(variants)}"),
        )  # fmt: skip
        new_rows = [
            variant_row(req.trend_id, v, mesh_path, preview_path)
            for v, (mesh_path, preview_path) in zip(variants, written, strict=True)
        ]
        with session_scope(self.engine) as s:
            for old in s.exec(select(DesignVariant).where(DesignVariant.trend_id == req.trend_id)):
                s.delete(old)  # a partial write from a crashed attempt
            s.flush()
            s.add_all(new_rows)
        return DesignResult(
            family=family, variants=[variant_summary(r) for r in new_rows], notes=notes
        )

    def _generated(
        self, req: DesignRequest, trend: Trend | None, spec: Any, count: int, first: int
    ) -> tuple[list[Any], list[str]]:
        """`count` generated variants of the spec, ranked after the first `first` ones, and
        what was said of plug-in generators that were skipped."""
        from engines.design.generate import generate_variants

        reference = self._reference_shape(trend)
        preference, catalogue = design_memory(self.engine, spec.form, req)
        _, variants = generate_variants(
            req.text,
            count=count,
            seed=req.seed,
            target_size_mm=req.target_size_mm,
            target_price=req.target_price,
            preference=preference,
            catalogue=catalogue,
            reference=reference,
            spec=spec,
            generators=self.generators or None,
        )
        for v in variants:
            v.rank += first
        return list(variants), list(getattr(variants, "skipped", []))

    def _own_model(self, req: DesignRequest, trend: Trend | None, spec: Any) -> Any:
        """The merchant's uploaded model as variant #1 (DesignError when it cannot be sized)."""
        from engines.design.own import own_model_variant
        from engines.printprep.profiles import printer_profile

        assert trend is not None and trend.reference_mesh_path
        return own_model_variant(
            self._files_path(trend.reference_mesh_path),
            spec,
            units=trend.units,
            scale=trend.scale,
            target_size_mm=req.target_size_mm,
            allow_split=trend.allow_split,
            bed_mm=printer_profile(req.printer).build_volume_mm,
        )

    @staticmethod
    def _stored_spec(trend: Trend | None) -> Any:
        """The spec read at intake, or None (an own model whose words name no form we make)."""
        from engines.design.kit.spec import DesignSpec

        if trend is None or not trend.design_spec:
            return None
        return DesignSpec.from_json(trend.design_spec)

    def _files_path(self, stored: str) -> Path:
        """A stored file path: absolute as kept, else under the files folder."""
        path = Path(stored)
        return path if path.is_absolute() else self.files_dir / path

    def _spec(self, req: DesignRequest, trend: Trend | None) -> Any:
        """The idea's design spec: as read at intake, else read now and kept on the idea (a
        feed's idea); DesignError (non-retryable, with the reason) when it cannot be made."""
        from engines.design.kit.spec import DesignSpec
        from engines.design.reader import read_spec

        if trend is not None and trend.design_spec:
            return DesignSpec.from_json(trend.design_spec)
        spec = read_spec(req.text, size_mm=req.target_size_mm)
        with session_scope(self.engine) as s:
            trend = s.get(Trend, req.trend_id)
            if trend is not None and not trend.design_spec:
                trend.design_spec = spec.to_json()
                s.add(trend)
        return spec

    def _reference_shape(self, trend: Trend | None) -> Any:
        """The trend's reference mesh, loaded safely (DesignError if unusable), or None."""
        from engines.design import load_reference

        if trend is None or not trend.reference_mesh_path:
            return None
        return load_reference(self._files_path(trend.reference_mesh_path))

    @activity.defn(name=Act.record_selection)
    def record_selection(self, sel: SelectionRecord) -> None:
        with session_scope(self.engine) as s:
            for v in s.exec(select(DesignVariant).where(DesignVariant.trend_id == sel.trend_id)):
                v.selected = v.id == sel.variant_id
                s.add(v)
            trend = s.get(Trend, sel.trend_id)
            if trend is not None:
                trend.selected_variant_id = sel.variant_id
                s.add(trend)
        if not sel.auto:  # an automatic pick says nothing about what merchants like
            learn_from_pick(self.engine, sel.trend_id, sel.variant_id)


def design_memory(engine: Engine, family: str, req: DesignRequest) -> tuple[Any, list[str]]:
    """The family's learned preference (or None) and recent variant descriptions of other ideas."""
    from engines.design.preference import PreferenceModel as Learned

    with Session(engine) as s:
        row = s.exec(select(PreferenceModel).where(PreferenceModel.family == family)).first()
        catalogue = s.exec(
            select(DesignVariant.description)
            .where(DesignVariant.family == family, DesignVariant.trend_id != req.trend_id)
            .order_by(col(DesignVariant.id).desc())
            .limit(CATALOGUE_SIZE)
        ).all()
    learned = None if row is None else Learned(family, dict(row.weights), row.updates)
    return learned, list(catalogue)


def learn_from_pick(engine: Engine, trend_id: int, variant_id: int) -> None:
    """Update the family's preference model with this pick, once per idea (optimistic lock)."""
    from engines.design.kit.vocab import FORMS
    from engines.design.preference import PreferenceModel as Learned
    from engines.design.ranking import learn

    with Session(engine) as s:
        rows = s.exec(
            select(DesignVariant)
            .where(DesignVariant.trend_id == trend_id)
            .order_by(col(DesignVariant.rank))
        ).all()
    rows = [r for r in rows if r.source != "merchant"]  # the merchant's own model: not a taste
    chosen = next((i for i, r in enumerate(rows) if r.id == variant_id), None)
    if chosen is None or len(rows) < 2 or rows[0].family not in FORMS:
        return
    family = rows[0].family
    for _ in range(10):
        with Session(engine) as s:
            row = s.exec(select(PreferenceModel).where(PreferenceModel.family == family)).first()
            if row is not None and trend_id in row.applied_trends:
                return
            start = None if row is None else Learned(family, dict(row.weights), row.updates)
            new = learn(
                start, family, [r.params for r in rows], [r.unit_cost_usd for r in rows], chosen
            )
            applied = [*(row.applied_trends if row else []), trend_id][-APPLIED_KEEP:]
            if _store_preference(s, family, row, new, applied):
                return
    raise ApplicationError(f"the {family} preference model stayed busy; retrying")


def _store_preference(
    s: Session, family: str, row: PreferenceModel | None, new: Any, applied: list[int]
) -> bool:
    """Write the new weights unless another pick wrote first; True when this write won."""
    if row is None:
        s.add(
            PreferenceModel(
                family=family, weights=new.weights, updates=new.updates, applied_trends=applied
            )
        )
        try:
            s.commit()
            return True
        except IntegrityError:
            s.rollback()
            return False
    done: CursorResult[Any] = s.execute(  # type: ignore[assignment]
        update(PreferenceModel)
        .where(col(PreferenceModel.id) == row.id, col(PreferenceModel.updates) == row.updates)
        .values(
            weights=new.weights, updates=new.updates, applied_trends=applied, updated_at=utcnow()
        )
    )
    s.commit()
    return bool(done.rowcount == 1)
