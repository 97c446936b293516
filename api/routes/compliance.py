"""Compliance of an idea: what the check found and what each market needs (GET), a lab report
uploaded for a market (the merchant who owns the idea, or a planner), a planner's waiver with a
reason, and the documents drafted from the check (test plan, CPC, declarations of conformity)
as HTML or PDF. A gate opens only through the pipeline's Updates (`submit_lab_report`,
`waive_compliance`), whose validators give the reasons of a 409."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from api.calls import update
from api.deps import ActorDep, EngineDep, OwnedIdea, SettingsDep, TemporalDep, idea_for
from api.files import FILE_ANSWER, HTML_OR_PDF, file_download, pdf_answer
from api.problems import WORKFLOW_ANSWERS
from engines.compliance.errors import ComplianceError
from models.contracts import ComplianceWaiver
from models.names import trend_workflow_id
from models.tables import Compliance, DesignVariant, Trend
from services.compliance import (
    MAX_REPORT_BYTES,
    gate_market,
    report_of,
    shipped_rules,
    store_lab_report,
)
from workflows.trend_to_production import TrendToProduction

router = APIRouter(prefix="/ideas/{trend_id}/compliance", tags=["compliance"])
ReportableIdea = Annotated[Trend, Depends(idea_for("merchant", "planner"))]  # merchants: own
WaivableIdea = Annotated[Trend, Depends(idea_for("planner"))]
LAB_REPORT_PATH = re.compile(r"^/ideas/\d+/compliance/[^/]{1,16}/lab-report$")  # api.app's limit
_CHUNK = 1 << 20


class FindingOut(BaseModel):
    rule: str
    part: str
    severity: str  # fail, lab, label, info
    reason: str
    source: str
    fixes: list[str] = Field(default_factory=list)
    measures: dict[str, float] = Field(default_factory=dict)


class GateOut(BaseModel):
    """One market's gate: what its rules ask and what opened it (if anything has)."""

    market: str
    rules_market: str
    name: str
    status: str  # blocked (failing findings), awaiting (a lab report or a waiver), open
    ship_date: str | None
    standards: list[str]
    tests: list[str]
    lab_checks: list[str]
    certificates: list[str]
    labels: list[str]
    warnings: list[str]
    marks: list[str]
    lab_report_sha256: str | None = None
    lab_report_url: str | None = None
    waived_by: str | None = None
    waiver_reason: str | None = None
    cleared_at: Any = None
    documents: dict[str, str] = Field(
        default_factory=dict, description="Name -> URL: test plan and certificate drafts"
    )


class ComplianceOut(BaseModel):
    trend_id: int
    checked: bool  # False: the stage has not run (yet) for this idea
    age_grade: str | None
    age_label: str | None
    age_reasons: list[str]
    passed: bool | None
    rules_version: str | None
    variant_id: int | None
    findings: list[FindingOut]
    gates: list[GateOut]


class WaiverBody(BaseModel):
    reason: str = Field(
        min_length=1,
        max_length=1000,
        pattern=r"\S",
        description="Why the gate may open without a report",
    )

    @field_validator("reason", mode="before")  # before the pattern: say it in words
    @classmethod
    def _has_reason(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            raise ValueError("a waiver needs a reason")
        return v.strip() if isinstance(v, str) else v


class GateOpened(BaseModel):
    market: str
    opened: str  # the pipeline's words: "US open: lab report 3f2a…"
    sha256: str | None = None


def rows_of(engine: Any, trend_id: int) -> list[Compliance]:
    with Session(engine) as s:
        q = select(Compliance).where(Compliance.trend_id == trend_id)
        return list(s.exec(q.order_by(col(Compliance.id))))


def gated_row(engine: Any, trend: Trend, market: str) -> Compliance:
    """The idea's gate for a market: 422 naming the known markets for an unknown code, 409
    when the idea has no gate there (naming those it has)."""
    try:
        code = gate_market(market)
    except ComplianceError as err:
        raise HTTPException(422, str(err)) from err
    rows = rows_of(engine, trend.id or 0)
    for row in rows:
        if row.market == code:
            return row
    gated = ", ".join(r.market for r in rows) or "none (its compliance check has not run)"
    raise HTTPException(409, f"market {code} is not gated for idea {trend.id} (gated: {gated})")


@router.get("", response_model=ComplianceOut)
def compliance_view(trend: OwnedIdea, engine: EngineDep) -> Any:
    """The idea's age grade (and why), the findings on its picked design (part, rule, reason,
    fixes), and per market the test plan, the gate and links to the drafted documents."""
    assert trend.id is not None
    rows = rows_of(engine, trend.id)
    if not rows:
        return ComplianceOut(
            trend_id=trend.id, checked=False, age_grade=None, age_label=None, age_reasons=[],
            passed=None, rules_version=None, variant_id=None, findings=[], gates=[],
        )  # fmt: skip
    report = report_of(rows, trend.text, _form(engine, rows[0]), trend.age_grade)
    base = f"/ideas/{trend.id}/compliance"
    gates = []
    for row in rows:
        plan = row.plan or {}
        docs = {"test plan": f"{base}/{row.market}/documents/test-plan"}
        docs |= {c: f"{base}/{row.market}/documents/{c}" for c in plan.get("certificates", [])}
        gates.append(
            GateOut(
                market=row.market,
                rules_market=row.rules_market,
                name=plan.get("name", row.market),
                status=row.status,
                ship_date=plan.get("ship_date"),
                **{
                    k: list(plan.get(k, []))
                    for k in (
                        "standards",
                        "tests",
                        "lab_checks",
                        "certificates",
                        "labels",
                        "warnings",
                        "marks",
                    )
                },
                lab_report_sha256=row.lab_report_sha256,
                lab_report_url=f"{base}/{row.market}/lab-report" if row.lab_report_path else None,
                waived_by=row.waived_by,
                waiver_reason=row.waiver_reason,
                cleared_at=row.cleared_at,
                documents=docs,
            )  # fmt: skip
        )
    return ComplianceOut(
        trend_id=trend.id, checked=True, age_grade=report.age.grade, age_label=report.age.label,
        age_reasons=list(report.age.reasons), passed=rows[0].passed,
        rules_version=rows[0].rules_version, variant_id=rows[0].variant_id,
        findings=[FindingOut.model_validate(f, from_attributes=True) for f in report.findings],
        gates=gates,
    )  # fmt: skip


def _form(engine: Any, row: Compliance) -> str:
    """The product form of the checked variant (its family)."""
    with Session(engine) as s:
        variant = s.get(DesignVariant, row.variant_id) if row.variant_id else None
    return variant.family if variant else ""


@router.post("/{market}/lab-report", response_model=GateOpened, responses=WORKFLOW_ANSWERS)
async def upload_lab_report(
    trend: ReportableIdea,
    market: str,
    who: ActorDep,
    engine: EngineDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    report: Annotated[UploadFile, File(description="The lab's test report (PDF)")],
) -> Any:
    """A lab report for one market of the idea: stored (sha256-named) and handed to the
    pipeline, which opens the market's gate. 422: not a PDF, empty, unknown market; 413:
    over the limit; 409: the idea does not wait on that market (with the pipeline's reason)."""
    assert trend.id is not None
    row = gated_row(engine, trend, market)
    pdf = await read_limited(report, MAX_REPORT_BYTES)
    try:
        stored = await asyncio.to_thread(
            store_lab_report, settings.uploads_dir, trend.id, row.market, pdf, who.user
        )
    except ComplianceError as err:
        raise HTTPException(422, str(err)) from err
    elsewhere = reused_report(engine, trend.id, stored.sha256)
    if elsewhere is not None:
        raise HTTPException(
            409, f"this lab report (sha256 {stored.sha256[:12]}…) opened idea {elsewhere.trend_id}'s "
            f"{elsewhere.market} gate: a report is for the product it tested",
        )  # fmt: skip
    client = await temporal.client()
    opened = await update(
        client, trend_workflow_id(trend.id), TrendToProduction.submit_lab_report, stored
    )
    return GateOpened(market=row.market, opened=opened, sha256=stored.sha256)


def reused_report(engine: Any, trend_id: int, sha256: str) -> Compliance | None:
    """Another idea's gate this very report opened, if any."""
    with Session(engine) as s:
        q = select(Compliance).where(
            Compliance.lab_report_sha256 == sha256, Compliance.trend_id != trend_id
        )
        return s.exec(q).first()


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The whole upload, or 413 past `limit` bytes (read in chunks, never more)."""
    chunks, size = [], 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the lab report is larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/{market}/waiver", response_model=GateOpened, responses=WORKFLOW_ANSWERS)
async def waive(
    trend: WaivableIdea, market: str, body: WaiverBody, who: ActorDep, temporal: TemporalDep,
    engine: EngineDep,
) -> Any:  # fmt: skip
    """A planner opens a market's gate without a lab report, saying why (422 without a reason;
    409 with the pipeline's reason when the gate is not closed and awaited)."""
    assert trend.id is not None
    row = gated_row(engine, trend, market)
    waiver = ComplianceWaiver(
        market=row.market, reason=body.reason, reviewer=who.user, role=who.role
    )
    client = await temporal.client()
    opened = await update(
        client, trend_workflow_id(trend.id), TrendToProduction.waive_compliance, waiver
    )
    return GateOpened(market=row.market, opened=opened)


@router.get("/{market}/lab-report", responses=FILE_ANSWER)
def lab_report(trend: OwnedIdea, market: str, engine: EngineDep) -> FileResponse:
    """The lab report that opened a market's gate (PDF)."""
    row = gated_row(engine, trend, market)
    if not row.lab_report_path:
        raise HTTPException(404, f"no lab report opened idea {trend.id}'s {row.market} gate")
    return file_download(row.lab_report_path)


@router.get("/{market}/documents/{document}", response_class=HTMLResponse, responses=HTML_OR_PDF)
def compliance_document(
    trend: OwnedIdea,
    market: str,
    document: Literal[
        "test-plan", "CPC", "EU_DOC", "UKCA_DOC", "GCC", "FCC_SDOC", "EU_DOC_EEE", "UKCA_DOC_EEE"
    ],
    engine: EngineDep,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
) -> Response:
    """A market's test plan or a certificate draft (CPC, EU or UK declaration of conformity,
    GCC; for a night-light's electrics the FCC SDoC and the EU and UK electrical declarations)
    filled from the check, blanks for the merchant to complete; 409 when the market's rules ask
    for no such certificate on the shipping date."""
    from engines.compliance import certificate_html, plan_html

    row = gated_row(engine, trend, market)
    rows = rows_of(engine, trend.id or 0)
    report = report_of(rows, trend.text, _form(engine, row), trend.age_grade)
    product = _product(engine, trend, row)
    try:
        if document == "test-plan":
            html = plan_html(report, row.market, product["product"])
        else:
            html = certificate_html(report, row.market, document, shipped_rules(), product)
    except ComplianceError as err:
        raise HTTPException(409, str(err)) from err
    if format == "pdf":
        return pdf_answer(html, f"idea-{trend.id}-{row.market}-{document}.pdf")
    return HTMLResponse(html)


def _product(engine: Any, trend: Trend, row: Compliance) -> dict[str, str]:
    """What the drafts know of the product: the idea's words and the checked variant."""
    with Session(engine) as s:
        variant = s.get(DesignVariant, row.variant_id) if row.variant_id else None
    name = f"{trend.text}; design #{variant.rank} {variant.name}" if variant else trend.text
    return {"product": f"{name} (TrendForge idea {trend.id})"}
