"""HTML the merchant completes: a test plan per market and certificate drafts (CPC, EU and UK
declarations of conformity), filled from the check and the rules; blanks stay blanks."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from engines.compliance.check import ComplianceReport, MarketPlan
from engines.compliance.errors import ComplianceError
from engines.compliance.rules import Rules

# What each certificate field asks, and the product key that fills it (or None: a blank).
FIELD_LABELS: dict[str, tuple[str, str | None]] = {
    "product": ("Identification of the product covered by this certificate", "product"),
    "citations": ("Each rule to which this product is certified", None),
    "importer": (
        "Importer or domestic manufacturer certifying (name, full address, telephone)",
        "importer",
    ),
    "records_custodian": (
        "Contact of the person maintaining test records (name, address, e-mail, telephone)",
        "records_custodian",
    ),
    "manufactured": (
        "Date (month and year) and place (city, country) of manufacture",
        "manufactured",
    ),
    "tested": ("Date and place where the product was tested", "tested"),
    "lab": ("Third-party, CPSC-accepted laboratory (name, address, telephone)", "lab"),
    "manufacturer": (
        "Name and address of the manufacturer (and authorised representative)",
        "manufacturer",
    ),
    "sole_responsibility": (
        "This declaration is issued under the sole responsibility of the manufacturer.",
        None,
    ),
    "object": (
        "Object of the declaration (identification allowing traceability, with a colour image)",
        "product",
    ),
    "legislation": ("The object of the declaration described above is in conformity with", None),
    "standards": ("References to the designated or harmonised standards used", None),
    "notified_body": (
        "Notified body and EC-type examination certificate (where applicable)",
        "notified_body",
    ),
    "approved_body": (
        "Approved body and UK type-examination certificate (where applicable)",
        "approved_body",
    ),
    "responsible_party": (
        "Responsible party in the United States (name, address, telephone or internet contact)",
        "importer",
    ),
    "fcc_statement": (
        "This device complies with part 15 of the FCC Rules. Operation is subject to the "
        "following two conditions: (1) This device may not cause harmful interference, and (2) "
        "this device must accept any interference received, including interference that may "
        "cause undesired operation.",
        None,
    ),
    "signed": ("Signed for and on behalf of (place, date, name, function, signature)", None),
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.4}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.4rem;"
    "vertical-align:top;text-align:left}.blank{background:#fff8d6;min-height:1.4rem}"
    ".fail{color:#a00}.lab{color:#a60}.note{color:#555;font-size:.9rem}"
)


def _page(title: str, body: str) -> str:
    """A whole HTML document."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def _items(values: tuple[str, ...] | list[str], empty: str = "none") -> str:
    """A bullet list, or the `empty` words."""
    if not values:
        return f"<p>{escape(empty)}</p>"
    return "<ul>" + "".join(f"<li>{escape(v)}</li>" for v in values) + "</ul>"


def plan_for(report: ComplianceReport, market: str) -> MarketPlan:
    """The report's plan for a market code, or ComplianceError."""
    for plan in report.plans:
        if plan.market == market.strip().upper():
            return plan
    raise ComplianceError(f"the check has no plan for market {market!r}")


def plan_html(report: ComplianceReport, market: str, product: str = "") -> str:
    """The test plan for one market: grade and why, findings, tests, labels, certificates."""
    plan = plan_for(report, market)
    rows = "".join(
        f'<tr class="{f.severity}"><td>{escape(f.severity)}</td><td>{escape(f.part)}</td>'
        f"<td>{escape(f.rule.replace('_', ' '))}</td><td>{escape(f.reason)}<br>"
        f'<span class="note">{escape(f.source)}</span></td><td>{_items(list(f.fixes), "")}</td></tr>'
        for f in report.findings if f.severity != "info"
    )  # fmt: skip
    findings = (
        "<table><tr><th>severity</th><th>part</th><th>rule</th><th>why</th><th>fix</th></tr>"
        f"{rows}</table>"
        if rows
        else "<p>No geometric findings.</p>"
    )
    sources = "".join(
        f'<li><a href="{escape(s["url"])}">{escape(s["title"])}</a></li>' for s in plan.sources
    )
    blocked = (
        '<p class="fail"><strong>Blocked:</strong> fix the failing findings before testing.</p>'
        if plan.blocked else ""
    )  # fmt: skip
    body = (
        f"<p>{escape(product)}</p>"
        f"<p><strong>Market:</strong> {escape(plan.name)} ({escape(plan.market)}) · "
        f"<strong>ships:</strong> {plan.ship_date.isoformat()} · <strong>age grade:</strong> "
        f"{escape(report.age.label)} ({escape('; '.join(report.age.reasons))}) · "
        f"<strong>rules:</strong> {escape(report.rules_version)}: {escape(', '.join(plan.rules))}</p>"
        f"{blocked}<h2>Findings on the design</h2>{findings}"
        f"<h2>Standards</h2>{_items(plan.standards)}<h2>Tests to order</h2>{_items(plan.tests)}"
        f"<h2>Lab checks from the findings</h2>{_items(plan.lab_checks)}"
        f"<h2>Certificates</h2>{_items(plan.certificates)}<h2>Labels</h2>{_items(plan.labels)}"
        f"<h2>Warnings on the product and package</h2>{_items(plan.warnings)}"
        f"<h2>Marks</h2>{_items(plan.marks)}<h2>Sources</h2><ul>{sources}</ul>"
        '<p class="note">A plan to test against, not legal advice: the lab and the importer of '
        "record confirm it.</p>"
    )
    return _page(f"Test plan: {plan.name}", body)


def certificate_html(
    report: ComplianceReport,
    market: str,
    certificate: str,
    rules: Rules,
    product: Mapping[str, str] | None = None,
) -> str:
    """A certificate draft (CPC, EU_DOC, UKCA_DOC, GCC) for one market, the known fields
    filled from the check and `product`, the rest left as highlighted blanks."""
    plan = plan_for(report, market)
    if certificate not in plan.certificates:
        raise ComplianceError(
            f"{plan.name} asks for {', '.join(plan.certificates) or 'no certificate'} "
            f"on {plan.ship_date}, not {certificate!r}"
        )
    cert = rules.certificates[certificate]
    known = dict(product or {})
    auto = {
        "citations": "; ".join(plan.standards),
        "legislation": cert.legislation,
        "standards": "; ".join(plan.standards),
        "sole_responsibility": "Yes",
        "fcc_statement": "Yes",
    }
    rows = []
    for i, name in enumerate(cert.fields, start=1):
        label, key = FIELD_LABELS.get(name, (name.replace("_", " "), name))
        value = known.get(key or "", "") or auto.get(name, "")
        cell = escape(value) if value else "&nbsp;"
        cls = "" if value else ' class="blank"'
        rows.append(f"<tr><td>{i}</td><td>{escape(label)}</td><td{cls}>{cell}</td></tr>")
    body = (
        f"<p><strong>{escape(cert.legislation)}</strong> · market {escape(plan.name)} · "
        f"age grade {escape(report.age.label)} · rules {escape(report.rules_version)}</p>"
        f"<table><tr><th>#</th><th>field</th><th>entry</th></tr>{''.join(rows)}</table>"
        '<p class="note">Draft generated by TrendForge: complete the highlighted fields, attach '
        "the lab reports, and sign. Not valid until completed and signed.</p>"
    )
    return _page(f"{cert.title} (draft)", body)
