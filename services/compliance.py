"""Lab reports for the compliance gates: a PDF checked, hashed (sha256) and stored under the
idea's folder, ready to hand to the pipeline's `submit_lab_report` Update."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from engines.compliance.errors import ComplianceError
from models.contracts import LabReport

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
