"""Compliance stage: check the picked variant for its markets (age grade, small parts, sharp
points, cords, holes, the rules in force on the shipping date) and keep one row per market;
record what opened a market's gate (a lab report or a planner's waiver)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import domain_errors, row_or_fail
from models.contracts import ComplianceGateRecord, ComplianceRequest, ComplianceResult
from models.db import session_scope
from models.names import Act
from models.tables import Compliance, DesignVariant, Trend, utcnow


class ComplianceActivities:
    """Holds the database engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=Act.check_compliance)
    @domain_errors
    def check_compliance(self, req: ComplianceRequest) -> ComplianceResult:
        from engines.compliance import check_design, load_rules, parts_from_glb
        from engines.design.generate import glb_path

        with Session(self.engine) as s:
            variant = row_or_fail(s, DesignVariant, req.variant_id, "variant")
            trend = row_or_fail(s, Trend, req.trend_id, "idea")
            text, form, mesh = trend.text, variant.family, variant.mesh_path
        activity.heartbeat("reading the variant's parts")
        parts = parts_from_glb(glb_path(mesh))
        report = check_design(
            parts,
            form=form,
            ship_date=req.ship_date,
            markets=req.markets,
            text=text,
            rules=load_rules(),
            age_override=req.age_grade,
            builds=req.builds,
        )
        data = report.to_json()
        with session_scope(self.engine) as s:
            for plan in data["plans"]:
                self._upsert(s, req, report.passed, data, plan)
        return ComplianceResult(
            variant_id=req.variant_id,
            passed=report.passed,
            age_grade=report.age.grade,
            age_reasons=list(report.age.reasons),
            failures=[f.reason for f in report.failures],
            fixes=list(dict.fromkeys(fix for f in report.failures for fix in f.fixes)),
            markets=[p.market for p in report.plans],
        )

    @staticmethod
    def _upsert(
        s: Session, req: ComplianceRequest, passed: bool, data: dict[str, Any], plan: dict[str, Any]
    ) -> None:
        """The market's row for this check (a retry or a re-pick rewrites it)."""
        row = s.exec(
            select(Compliance).where(
                Compliance.trend_id == req.trend_id, Compliance.market == plan["market"]
            )
        ).first() or Compliance(trend_id=req.trend_id, market=plan["market"], rules_market="",
                                age_grade="", rules_version="")  # fmt: skip
        row.rules_market = plan["rules_market"]
        row.variant_id = req.variant_id
        row.age_grade = data["age"]["grade"]
        row.rules_version = data["rules_version"]
        row.passed = passed
        row.status = "awaiting" if passed else "blocked"
        row.findings = data["findings"]
        row.plan = plan
        row.updated_at = utcnow()
        s.add(row)

    @activity.defn(name=Act.record_compliance_gate)
    def record_compliance_gate(self, rec: ComplianceGateRecord) -> None:
        if rec.kind == "lab_report":
            _check_report(rec)
        with session_scope(self.engine) as s:
            row = s.exec(
                select(Compliance).where(
                    Compliance.trend_id == rec.trend_id, Compliance.market == rec.market
                )
            ).first()
            if row is None:  # the check writes every gated market before the wait
                raise LookupError(f"no compliance row for idea {rec.trend_id} in {rec.market}")
            row.status = "open"
            row.cleared_at = rec.at
            row.updated_at = utcnow()
            if rec.kind == "lab_report":
                row.lab_report_path = rec.path
                row.lab_report_sha256 = rec.sha256
            else:
                row.waived_by = rec.by
                row.waiver_reason = rec.reason
            s.add(row)


def _check_report(rec: ComplianceGateRecord) -> None:
    """The stored report is there and is the one hashed (non-retryable failure otherwise)."""
    path = Path(rec.path or "")
    if not path.is_file():
        raise ApplicationError(f"no stored lab report at {path}", non_retryable=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != rec.sha256:
        raise ApplicationError(
            f"the stored report's sha256 is {digest[:12]}…, not {(rec.sha256 or '')[:12]}…",
            non_retryable=True,
        )
