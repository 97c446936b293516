"""Compliance around the engine: an idea's markets (declared, else its destinations') as the
gates its pipeline waits on, and lab reports for those gates: a PDF checked, hashed (sha256)
and stored under the idea's folder, ready to hand to the pipeline's `submit_lab_report` Update."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engines.compliance.errors import ComplianceError
from engines.compliance.rules import Rules, load_rules
from models.contracts import IdeaInput, LabReport, PipelineConfig
from services.destinations import resolved_destinations

if TYPE_CHECKING:
    from engines.compliance.check import ComplianceReport

MAX_REPORT_BYTES = 20 * 1024 * 1024  # a scanned multi-page report stays well under this
_MARKET = re.compile(r"^[A-Z]{2}$|^DEFAULT$")


def store_lab_report(
    files_dir: Path, trend_id: int, market: str, pdf: bytes, uploaded_by: str = "merchant"
) -> LabReport:
    """Store a lab report (PDF bytes) for an idea's market; the same bytes twice are one file.
    ComplianceError when it is not a PDF, is empty or too big, or the market is no code."""
    code = market.strip().upper()
    if not _MARKET.match(code):
        raise ComplianceError(f"market {market!r} is not a two-letter code")
    if not pdf:
        raise ComplianceError("the lab report is empty")
    if len(pdf) > MAX_REPORT_BYTES:
        raise ComplianceError(f"the lab report is over {MAX_REPORT_BYTES // 2**20} MB")
    if not pdf.startswith(b"%PDF-"):
        raise ComplianceError("a lab report must be a PDF (it does not start with %PDF-)")
    digest = hashlib.sha256(pdf).hexdigest()
    folder = Path(files_dir) / f"trend-{trend_id}" / "compliance"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}-{digest[:16]}.pdf"
    if not path.exists():
        partial = path.with_suffix(".part")
        partial.write_bytes(pdf)
        partial.replace(path)  # never a half-written report under the final name
    return LabReport(
        trend_id=trend_id, market=code, sha256=digest, path=str(path), uploaded_by=uploaded_by
    )


@lru_cache(maxsize=1)
def shipped_rules() -> Rules:
    """The packaged rules file, read once per process."""
    return load_rules()


def known_markets(rules: Rules | None = None) -> tuple[str, ...]:
    """Every market code the rules know (markets and the codes that take a market's rules)."""
    rules = rules or shipped_rules()
    return tuple(sorted({*(m for m in rules.markets if m != "DEFAULT"), *rules.aliases}))


def gate_market(code: str, rules: Rules | None = None) -> str:
    """The gate a market code ships through: the market whose rules it takes (DE -> EU, GB ->
    UK), or the code itself where it takes the international default (CA, AE).
    ComplianceError naming the known codes for an unknown one."""
    rules = rules or shipped_rules()
    key = code.strip().upper()
    if key == "DEFAULT" or key not in known_markets(rules):
        raise ComplianceError(
            f"unknown market {code!r}: the rules know {', '.join(known_markets(rules))}"
        )
    market = rules.market(key)
    return key if market == "DEFAULT" else market


def compliance_markets(idea: IdeaInput, by_destination: bool = True) -> list[str]:
    """The gates an idea's compliance stage checks: the markets it declares, else (when
    `by_destination`) those of its destinations, each once, in order."""
    declared = idea.compliance_markets
    if declared is None and by_destination:
        declared = [d.market for d in resolved_destinations(idea)]
    return list(dict.fromkeys(gate_market(m) for m in declared or []))


def with_compliance(idea: IdeaInput, config: PipelineConfig) -> PipelineConfig:
    """The pipeline config for one idea: its compliance markets filled in (a config that
    names markets already keeps them)."""
    if config.compliance_markets:
        return config
    markets = compliance_markets(idea, config.compliance_by_destination)
    return config.model_copy(update={"compliance_markets": markets}) if markets else config


def report_of(rows: list[Any], text: str, form: str, override: str | None) -> ComplianceReport:
    """The stored check of an idea (its Compliance rows, one per market) as a report, the age
    grade's reasons read again from the words (the rows keep the grade)."""
    from engines.compliance import infer_age_grade, report_from_json

    first = rows[0]
    age = infer_age_grade(text, form, override or None)
    if age.grade != first.age_grade:  # the merchant's pick set another grade
        age = infer_age_grade(text, form, first.age_grade)
    return report_from_json(
        {
            "age": {"grade": age.grade, "reasons": age.reasons, "overridden": age.overridden},
            "form": form,
            "findings": first.findings,
            "plans": [r.plan for r in rows if r.plan],
            "rules_version": first.rules_version,
        }
    )
