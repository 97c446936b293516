"""What the pages show: the figures, charts and rows each template is rendered with.

Functions of the database (an engine or a session) and the caller; the routes that render them
are api.routes.pages.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from api import charts
from api.auth import Actor
from api.delivery import consignments_version, delivery_leadtimes
from api.deps import idea_scope, plan_or_404, scoped_idea_ids
from api.leadtimes import cached_leadtimes, compute_leadtimes, format_duration, leadtimes_version
from engines.logistics import LaneBook, load_lanes
from engines.printprep.profiles import PRINTERS
from engines.sourcing.geo import ROAD_FACTOR, SPEED_KMH
from models.contracts import (
    DELIVERY_MILESTONES,
    MILESTONE_ORDER,
    STAGE_SPANS,
    TERMINAL_STAGES,
    PipelineConfig,
)
from models.db import as_utc
from models.tables import (
    Compliance,
    Consignment,
    DesignVariant,
    Milestone,
    Notification,
    ProductionPlan,
    ProductionRun,
    ProgressEvent,
    Prototype,
    Shipment,
    SourcingMatch,
    Supplier,
    Trend,
)
from services.compliance import known_markets

HERE = Path(__file__).parent
REVIEWABLE = ("pending", "escalated", "proposed")
LABELS = {
    "trend_seen": "Trend seen",
    "variants_ready": "Design variants ready",
    "variant_selected": "Variant picked",
    "prototype_ready": "Prototype ready",
    "compliance_cleared": "Compliance gates open",
    "suppliers_reserved": "Suppliers reserved",
    "plan_proposed": "Production plan proposed",
    "plan_approved": "Plan approved",
    "first_batch": "First batch produced",
    "in_transit": "In transit (legs booked)",
    "shipped": "Shipped",
    "delivered": "Delivered",
}
DASHBOARD_ROWS = 50  # per-idea rows on the dashboard; ?ideas=all shows every idea
# straight line × road factor at truck speed, as the matcher reckons it: km reached per minute
KM_PER_MINUTE = SPEED_KMH / ROAD_FACTOR / 60.0


def ago(at: datetime | None) -> str:
    """'12s ago', '4m05s ago'."""
    if at is None:
        return ""
    return f"{format_duration((datetime.now(UTC) - as_utc(at)).total_seconds())} ago"


def timeline(milestones: list[Milestone]) -> list[dict[str, Any]]:
    """Every lead-time milestone in order: done (with time and time since the previous), next, later."""
    seen = {m.name: m for m in milestones}
    out, prev, next_marked = [], None, False
    ended_at_gate = "shipped" in seen and "in_transit" not in seen
    for name in MILESTONE_ORDER:
        m = seen.get(name.value)
        if m is None and name in DELIVERY_MILESTONES and ended_at_gate:
            continue  # nothing to deliver: the factory gate is the end
        item: dict[str, Any] = {"label": LABELS[name.value], "at": None, "detail": ""}
        if m is not None:
            at = as_utc(m.at)
            item.update(state="done", at=at, at_text=at.strftime("%Y-%m-%d %H:%M:%S UTC"))
            item["detail"] = m.detail
            item["took"] = format_duration((at - prev).total_seconds()) if prev else ""
            prev = at
        else:
            item["state"] = "later" if next_marked else "next"
            next_marked = True
        out.append(item)
    return out


def throughput(
    engine: Engine, trend_ids: list[int] | None, days: int = 14
) -> list[tuple[str, float]]:
    """Units shipped per UTC day over the last `days` days that shipped anything."""
    with Session(engine) as s:
        q = select(Shipment)
        if trend_ids is not None:
            q = q.where(col(Shipment.trend_id).in_(trend_ids))
        per_day: dict[str, int] = defaultdict(int)
        for ship in s.exec(q):
            per_day[as_utc(ship.at).strftime("%m-%d")] += ship.units
    return [(day, float(units)) for day, units in sorted(per_day.items())[-days:]]


def lot_label(lot: Any, units: list[Any]) -> str:
    """A Gantt bar's label: the lot, with its units when the plan stored them."""
    return f"lot {lot}" + (f" · {int(units[0]):,} units" if units else "")


def supplier_map(s: Session, match: SourcingMatch) -> str:
    """The match's hub, isochrone and suppliers (chosen and runner-up) as an SVG map."""
    ids = {a["supplier_id"] for a in match.assignments + match.alternatives if a.get("supplier_id")}
    where = {sup.id: sup for sup in s.exec(select(Supplier).where(col(Supplier.id).in_(list(ids))))}
    points = []
    for kind, rows in (("chosen", match.assignments), ("alternative", match.alternatives)):
        for a in rows:
            sup = where.get(a.get("supplier_id"))
            if sup is not None:
                label = f"{a['process']}: {sup.name} ({a['travel_minutes']} min)"
                points.append(charts.MapPoint(sup.lat, sup.lon, label, kind))
    hub = charts.MapPoint(match.hub_lat, match.hub_lon, f"{match.hub} hub", "hub")
    radius_km = match.max_travel_minutes * KM_PER_MINUTE
    return charts.map_svg(hub, radius_km, points, match.max_travel_minutes)


def make_templates(temporal_ui_url: str | None) -> Jinja2Templates:
    """The page templates, with the helpers they call and the Temporal UI link."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(fmt=format_duration, ago=ago, temporal_ui_url=temporal_ui_url)
    return templates


def dashboard_view(engine: Engine, ids: list[int] | None, show_all: bool) -> dict[str, Any]:
    """Figures, charts and the per-idea rows (the most recent DASHBOARD_ROWS unless all)."""
    lt = cached_leadtimes(engine) if ids is None else compute_leadtimes(engine, ids)
    stages = [st for st in lt.stages if st.stage != "total"]
    total = next(st for st in lt.stages if st.stage == "total")
    longest = max((i.total_s or sum(i.stages_s.values()) for i in lt.ideas), default=0.0)
    recent = sorted(lt.ideas, key=lambda i: -i.trend_id)
    shown = recent if show_all else recent[:DASHBOARD_ROWS]
    rows = [
        {
            "idea": idea,
            "bar": charts.stacked_bar(
                [(k, idea.stages_s[k]) for k in STAGE_SPANS if k in idea.stages_s], longest
            ),
        }
        for idea in shown
    ]
    shipped = [i.total_s for i in lt.ideas if i.total_s is not None]
    hist = charts.histogram(shipped)
    return {
        "lt": lt,
        "stages": stages,
        "total": total,
        "slowest": max((st.p90_s or 0.0 for st in stages), default=0.0) or 1.0,
        "idea_rows": rows,
        "hidden_rows": len(recent) - len(shown),
        "show_all": show_all,
        "colours": charts.STAGE_COLOURS,
        "hist_svg": charts.bars_svg(
            hist, " ideas", "#2d9cdb", "histogram of trend-to-delivery lead time"
        ),
        "throughput_svg": charts.bars_svg(
            throughput(engine, ids), " units", "#6c8a2b", "units shipped per day"
        ),
        "delivery": delivery_leadtimes(engine, ids),
    }


class DashboardCache:
    """The dashboard of every idea, rendered once per change of ideas, milestones or shipments:
    dashboards left open (each refetches on every change) and under load all read it."""

    def __init__(self) -> None:
        self._html: dict[bool, tuple[tuple[object, ...], str]] = {}

    def html(self, templates: Jinja2Templates, engine: Engine, who: Actor, show_all: bool) -> str:
        """The dashboard's HTML; a merchant's (or machine key's) own is rendered for them."""
        fragment = templates.get_template("_dashboard.html")
        with Session(engine) as s:
            ids = scoped_idea_ids(s, who)
            if ids is None:
                ships = s.exec(select(func.count(), func.max(Shipment.id))).one()
        if ids is not None:
            return fragment.render(dashboard_view(engine, ids, show_all))
        key = (*leadtimes_version(engine), *ships, *consignments_version(engine))
        hit = self._html.get(show_all)
        if hit is None or hit[0] != key:
            html = fragment.render(dashboard_view(engine, None, show_all))
            hit = self._html[show_all] = (key, html)
        return hit[1]


def ideas_view(engine: Engine, who: Actor, max_upload_bytes: int) -> dict[str, Any]:
    with Session(engine) as s:
        q = select(Trend).order_by(col(Trend.id).desc()).limit(200)
        scope = idea_scope(who)
        if scope is not None:
            q = q.where(col(Trend.merchant_id).in_(scope))
        ideas = list(s.exec(q))
    return {
        "who": who,
        "nav": "ideas",
        "ideas": ideas,
        "max_upload_mb": max_upload_bytes // 1_000_000,
        "printers": {key: p.title or key for key, p in PRINTERS.items()},
        "default_printer": PipelineConfig().printer,
        "compliance_markets": known_markets(),
    }


def printer_title(key: str | None) -> str:
    """A printer profile's name for people ("Prusa MK4"); the key when unknown."""
    profile = PRINTERS.get(key or "")
    return (profile.title or profile.name) if profile else (key or "")


def _named(value: str | None) -> str:
    return (value or "").replace("_", " ")


def spec_view(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    """The "How we read your idea" card: the product, subject, features and colours the words
    were read as, and which words said so."""
    if not spec:
        return None
    features = [
        " ".join(x for x in (f.get("colour"), f.get("material"), f.get("variant"), f["name"]) if x)
        for f in spec.get("features", [])
    ]
    rows = [
        ("Product", _named(spec.get("form"))),
        ("Subject", _named(spec.get("subject")) or "none: the product alone"),
        ("Features", ", ".join(_named(f) for f in features) or "none named"),
        ("Colours", ", ".join(
            f"{what} {c}" for what, c in
            (("body", spec.get("body_colour")), ("product", spec.get("product_colour")),
             *(tuple(pc) for pc in spec.get("part_colours") or ()))
            if c
        ) or "ours to choose"),
    ]  # fmt: skip
    for key in ("style", "pose", "expression", "lens_shape"):
        if spec.get(key):
            rows.append((key.replace("_", " ").capitalize(), _named(spec[key])))
    if spec.get("portrait"):
        rows.append(("Shows", f"the {_named(spec.get('subject'))}'s head alone"))
    if spec.get("placement") == "on":
        rows.append(("Placement", f"{_named(spec.get('subject'))} sitting on the rim"))
    if spec.get("size_mm"):
        rows.append(("Size", f"{spec['size_mm']:.0f} mm"))
    approximations = [
        f"{a['word']} ≈ {(a.get('feature', '') + ' ').lstrip()}{_named(a['subject'])}, "
        f"similarity {a['similarity']:.2f}"
        for a in spec.get("approximations") or []
    ]
    if approximations:  # an unknown noun built as the nearest subject we make
        rows.insert(2, ("Approximated", "; ".join(approximations)))
    return {"rows": rows, "words": sorted((spec.get("matched") or {}).items())}


def idea_view(engine: Engine, who: Actor, trend: Trend) -> dict[str, Any]:
    trend_id = trend.id
    with Session(engine) as s:
        marks = list(s.exec(select(Milestone).where(Milestone.trend_id == trend_id)))
        variants = list(
            s.exec(
                select(DesignVariant)
                .where(DesignVariant.trend_id == trend_id)
                .order_by(col(DesignVariant.rank))
            )
        )
        proto = s.exec(select(Prototype).where(Prototype.trend_id == trend_id)).first()
        match = s.exec(select(SourcingMatch).where(SourcingMatch.trend_id == trend_id)).first()
        plans = list(
            s.exec(
                select(ProductionPlan)
                .where(ProductionPlan.trend_id == trend_id)
                .order_by(col(ProductionPlan.id))
            )
        )
        run = s.exec(select(ProductionRun).where(ProductionRun.trend_id == trend_id)).first()
        notes = list(s.exec(select(Notification).where(Notification.trend_id == trend_id)))
        legs = list(
            s.exec(
                select(Consignment)
                .where(Consignment.trend_id == trend_id)
                .order_by(col(Consignment.batch_sequence), col(Consignment.market))
            )
        )
        map_svg = supplier_map(s, match) if match else ""
        gates = list(
            s.exec(
                select(Compliance)
                .where(Compliance.trend_id == trend_id)
                .order_by(col(Compliance.id))
            )
        )
    assert trend_id is not None
    lead = compute_leadtimes(engine, [trend_id]).ideas[0]
    owner = who.role == "admin" or (who.role == "merchant" and who.user == trend.merchant_id)
    return {
        "who": who,
        "nav": "ideas",
        "trend": trend,
        "timeline": timeline(marks),
        "lead": lead,
        "bar": charts.stacked_bar(
            [(k, lead.stages_s[k]) for k in STAGE_SPANS if k in lead.stages_s],
            sum(lead.stages_s.values()),
        ),
        "variants": variants,
        "spec": spec_view(trend.design_spec),
        "picking": owner and trend.stage == "awaiting_selection",
        "can_cancel": owner and trend.stage not in TERMINAL_STAGES,
        "prototype": proto,
        "printer_title": printer_title(proto.printer if proto else None),
        "match": match,
        "map_svg": map_svg,
        "plans": plans if who.role != "merchant" else [],
        "run": run,
        "notes": notes,
        "legs": legs,
        "route_svg": route_map(legs) if legs else "",
        "can_reship": who.role in ("planner", "admin") and trend.stage == "in_transit",
        "reshipped": {
            c.id
            for c in legs
            if (c.batch_sequence, c.market, c.leg + 100)
            in {(x.batch_sequence, x.market, x.leg) for x in legs}
        },  # fmt: skip
        "delivered_units": sum(c.units for c in legs if c.status == "delivered"),
        "compliance": compliance_card(trend, gates, who, owner),
    }


SEVERITY_BADGES = {"fail": "bad", "lab": "warn", "label": "warn", "info": ""}


def compliance_card(
    trend: Trend, gates: list[Compliance], who: Actor, owner: bool
) -> dict[str, Any] | None:
    """The compliance card: grade, findings (failures with their fixes first), each market's
    gate with its documents, and who may act on a closed one (upload: the owner or a
    planner; waiver: a planner)."""
    declared = trend.compliance_markets
    if not gates and not declared and not trend.age_grade:
        return None
    first = gates[0] if gates else None
    awaiting = trend.stage == "awaiting_compliance"
    base = f"/ideas/{trend.id}/compliance"
    return {
        "grade": first.age_grade.replace("_", " ") if first else None,
        "declared_grade": (trend.age_grade or "").replace("_", " "),
        "declared": declared or [],
        "passed": first.passed if first else None,
        "variant_id": first.variant_id if first else None,
        "findings": [
            {**f, "badge": SEVERITY_BADGES.get(f["severity"], "")}
            for f in (first.findings if first else [])
            if f["severity"] != "info"
        ],
        "gates": [
            {
                "market": g.market,
                "name": (g.plan or {}).get("name", g.market),
                "status": g.status,
                "opened_by": (
                    f"lab report {g.lab_report_sha256[:12]}…"
                    if g.lab_report_sha256
                    else f"waived by {g.waived_by}: {g.waiver_reason}"
                    if g.waived_by
                    else ""
                ),
                "report_url": f"{base}/{g.market}/lab-report" if g.lab_report_path else None,
                "documents": [("test plan", f"{base}/{g.market}/documents/test-plan")]
                + [
                    (c, f"{base}/{g.market}/documents/{c}")
                    for c in (g.plan or {}).get("certificates", [])
                ],
                "can_upload": awaiting
                and g.status == "awaiting"
                and (owner or who.role == "planner"),
                "can_waive": awaiting
                and g.status == "awaiting"
                and who.role in ("planner", "admin"),
            }
            for g in gates
        ],  # fmt: skip
    }


def plans_view(engine: Engine, who: Actor) -> dict[str, Any]:
    with Session(engine) as s:
        rows = list(s.exec(select(ProductionPlan).order_by(col(ProductionPlan.id).desc())))
        texts = {t.id: t.text[:60] for t in s.exec(select(Trend))}
    return {
        "who": who,
        "nav": "plans",
        "pending": [p for p in rows if p.status in REVIEWABLE],
        "recent": [p for p in rows if p.reviewer][:30],
        "texts": texts,
    }


def shift_form(s: Session, who: Actor, plan: ProductionPlan) -> dict[str, Any] | None:
    """The factory-day form of an approved plan's running run (planners): the next day to
    report and, per finishing line, the units the plan expects of it that day."""
    if plan.status != "approved" or who.role not in ("planner", "admin"):
        return None
    run = s.exec(
        select(ProductionRun).where(
            ProductionRun.trend_id == plan.trend_id, ProductionRun.status == "running"
        )
    ).first()
    if run is None:
        return None
    last = s.exec(
        select(func.max(ProgressEvent.day)).where(ProgressEvent.trend_id == plan.trend_id)
    ).one()
    planned_days = [int(d["day"]) for d in plan.daily]
    day = int(last) + 1 if last is not None else min(planned_days, default=0)
    expected: dict[str, int] = {}
    for d in plan.daily:
        expected.setdefault(str(d["line_id"]), 0)
        if int(d["day"]) == day:
            expected[str(d["line_id"])] += int(d["units"])
    return {"run": run, "day": day, "lines": sorted(expected.items())}


# a plan line as the plan page shows it, whatever keys the stored line lacks
LINE_DEFAULTS: dict[str, Any] = {
    "line_id": "?",
    "owner": "",
    "process": "",
    "rate_units_per_day": 0.0,
    "start_day": 0,
    "end_day": 0,
    "units": 0,
    "utilisation": None,
}


def ramp_svg(ramp: dict[str, Any]) -> str:
    """Completion day per number of lines on the bottleneck process (then with lines taken,
    then with supplier lines added)."""
    items = [(f"{p['lines']} lines", float(p["completion_day"])) for p in ramp.get("curve", [])]
    items += [(f"+{len(p['taken'])} taken", float(p["completion_day"]))
              for p in ramp.get("recruit_curve", [])]  # fmt: skip
    items += [(f"+{len(p.get('added', []))} supplier", float(p["completion_day"]))
              for p in ramp.get("supplier_curve", [])]  # fmt: skip
    return charts.bars_svg(items, "", "#8e44ad", "completion day by lines on the process")


def plan_view(engine: Engine, who: Actor, plan_id: int) -> dict[str, Any]:
    plan = plan_or_404(engine, plan_id)
    with Session(engine) as s:
        trend = s.get(Trend, plan.trend_id)
        match = s.exec(select(SourcingMatch).where(SourcingMatch.trend_id == plan.trend_id)).first()
        map_svg = supplier_map(s, match) if match else ""
        shift = shift_form(s, who, plan)
    from services.factory import plan_conflicts

    clashes = (
        plan_conflicts(engine, plan.workflow_id, plan.revision)
        if plan.status in REVIEWABLE
        else None
    )
    bars = [
        charts.GanttBar(str(line), float(a), float(b), str(stage), lot_label(lot, units))
        for line, lot, stage, a, b, *units in plan.gantt or []
    ]
    per_day: dict[int, float] = defaultdict(float)
    for d in plan.daily:
        per_day[int(d["day"])] += float(d["units"])
    daily = [(f"d{day}", units) for day, units in sorted(per_day.items())]
    return {
        "who": who,
        "nav": "plans",
        "plan": plan,
        "lines": [LINE_DEFAULTS | ln for ln in plan.lines],
        "trend": trend,
        "reviewable": plan.status in REVIEWABLE and who.role in ("planner", "admin"),
        "gantt_svg": charts.gantt_svg(bars, plan.due_day, plan.completion_day),
        "daily_svg": charts.bars_svg(daily, " units", "#2d9cdb", "units per factory day"),
        "ramp": plan.ramp,
        "clashes": clashes,
        "ramp_svg": ramp_svg(plan.ramp) if plan.ramp else "",
        "match": match,
        "map_svg": map_svg,
        "shift": shift,
    }


def replan_view(who: Actor, state: Any) -> dict[str, Any]:
    """A portfolio replan for its page: the proposal's ideas, days late before and after."""
    p = state.proposal
    return {
        "who": who,
        "nav": "factory",
        "replan": state,
        "ideas": p.ideas if p else [],
        "counts": {
            "replaced": sum(r.status != "supplier" for r in p.replaced),
            "new": sum(n.status != "supplier" for n in p.bookings),
            "kept": p.kept,
            "off_suppliers": sum(r.status == "supplier" for r in p.replaced),
        }
        if p
        else {},
        "decidable": state.status == "awaiting_review" and who.role in ("planner", "admin"),
    }


FACTORY_DAYS = 30  # the factory view's window: today and the next 29 days


def factory_view(engine: Engine, who: Actor) -> dict[str, Any]:
    """Every own line × the next 30 days: the time each idea holds (firm or tentative), and
    utilisation per line and per process over the window."""
    from services.factory import lines_with_bookings

    now = datetime.now(UTC)
    rows = lines_with_bookings(engine)
    with Session(engine) as s:
        ids = {b.trend_id for _, held in rows for b in held}
        texts = {t.id: t.text[:40] for t in s.exec(select(Trend).where(col(Trend.id).in_(ids)))}
    bars: list[charts.GanttBar] = []
    used: defaultdict[str, float] = defaultdict(float)
    for line, held in rows:
        for b in held:
            a = max((as_utc(b.start_at) - now).total_seconds() / 86400, 0.0)
            z = min((as_utc(b.end_at) - now).total_seconds() / 86400, float(FACTORY_DAYS))
            if z <= a:
                continue
            used[line.line_id] += z - a
            tentative = " (tentative)" if b.status == "held" else ""
            name = f"idea {b.trend_id}{tentative}"
            bars.append(charts.GanttBar(line.line_id, a, z, name, texts.get(b.trend_id, "")))
    by_process: dict[str, list[float]] = defaultdict(list)
    lines = []
    for line, held in rows:
        share = used[line.line_id] / FACTORY_DAYS
        by_process[line.process].append(share)
        lines.append({"line": line, "held": len(held), "utilisation": share})
    utilisation = [(p, 100 * sum(v) / len(v)) for p, v in sorted(by_process.items()) if v]
    return {
        "who": who,
        "nav": "factory",
        "lines": lines,
        "queue": waiting_plans(engine, rows),
        "gantt_svg": charts.gantt_svg(bars) if bars else "",
        "process_svg": charts.bars_svg(
            utilisation, " %", "#6c8a2b", "utilisation per process, next 30 days", 100.0
        ),
        "days": FACTORY_DAYS,
        "can_import": who.role in ("planner", "admin"),
    }


def waiting_plans(engine: Engine, rows: list[tuple[Any, list[Any]]]) -> list[dict[str, Any]]:
    """The plans awaiting a planner, highest priority first: each with its idea, quantity,
    completion and due day, and the own-line days it holds tentatively."""
    from services.factory import idea_priorities

    with Session(engine) as s:
        plans = list(
            s.exec(select(ProductionPlan).where(col(ProductionPlan.status).in_(REVIEWABLE)))
        )
        ids = {p.trend_id for p in plans}
        texts = {t.id: t.text[:60] for t in s.exec(select(Trend).where(col(Trend.id).in_(ids)))}
    held: defaultdict[tuple[str, int], float] = defaultdict(float)
    for _, bookings in rows:
        for b in bookings:
            held[(b.workflow_id, b.revision)] += (b.end_at - b.start_at).total_seconds() / 86400
    priority = idea_priorities(engine, ids)
    out = [
        {
            "plan": p,
            "text": texts.get(p.trend_id, ""),
            "priority": priority.get(p.trend_id, 0.0),
            "late_days": max(p.completion_day - p.due_day, 0),
            "held_days": held.get((p.workflow_id, p.revision), 0.0),
        }
        for p in plans
    ]
    return sorted(out, key=lambda q: (-q["priority"], q["plan"].id or 0))


LOAD_DAYS = 14  # the lines page shows what plans hold of each line over this many days


@dataclass
class LinesForm:
    """What a refused change on the lines page leaves on it: the reason (or the import's errors
    by file line) and the cells as sent, back in the form they came from (a line's row, or the
    new line's form when `line_id` is None)."""

    reason: str = ""
    line_id: str | None = None
    cells: dict[str, str] = field(default_factory=dict)
    import_errors: list[dict[str, Any]] = field(default_factory=list)


def lines_view(engine: Engine, who: Actor, refused: LinesForm | None = None) -> dict[str, Any]:
    """Every own line as an editable row (its cells as the CSV has them) with what plans hold
    of it over the next LOAD_DAYS days; a refused change shows its reason and the cells sent."""
    from engines.scheduling.factory_csv import COLUMNS, line_cells
    from services.factory import line_loads, lines_with_bookings

    refused = refused or LinesForm()
    loads = line_loads(engine, LOAD_DAYS)
    lines = [line for line, _ in lines_with_bookings(engine)]
    rows = []
    for line in lines:
        cells = line_cells(line.model_dump())
        if refused.line_id == line.line_id:
            cells |= refused.cells
        rows.append({"line": line, "cells": cells, "load": loads.get(line.line_id)})
    draft = {key: "" for key in COLUMNS} | (refused.cells if refused.line_id is None else {})
    return {
        "who": who,
        "nav": "lines",
        "rows": rows,
        "draft": draft,
        "refused": refused,
        "processes": sorted({line.process for line in lines}),
        "load_days": LOAD_DAYS,
    }


ALONG = {  # how far along its route a leg is, by its latest carrier event
    "picked_up": 0.05, "departed": 0.2, "arrived": 0.75, "customs_cleared": 0.85,
    "out_for_delivery": 0.95, "delivered": 1.0, "exception": 0.5, "lost": 0.5,
}  # fmt: skip


@functools.lru_cache(maxsize=1)
def lane_book() -> LaneBook:
    """The lanes file (read once per process): where each lane starts and ends."""
    return load_lanes()


def route_map(legs: list[Consignment]) -> str:
    """The idea's consignments on a map: origin to market, a dot where each is."""
    book = lane_book()
    lanes = {ln.id: ln for ln in book.lanes}
    routes = []
    for c in legs:
        lane = lanes.get(c.lane_id)
        market = book.markets.get(c.market)
        if lane is None or market is None:
            continue  # the lanes file changed since: nothing to draw it on
        origin = book.origins[lane.origin]
        kind = c.location.split(" · ", 1)[0] if c.location else ""
        along = 1.0 if c.status == "delivered" else ALONG.get(kind, 0.0)
        where = c.location.replace("_", " ") or c.status
        routes.append(
            charts.Route(
                charts.MapPoint(origin.lat, origin.lon, origin.code, "origin"),
                charts.MapPoint(market.lat, market.lon, market.code, "market"),
                c.status,
                along,
                f"#{c.id} {c.units:,} units by {c.mode} to {c.market}: {where}",
            )
        )
    return charts.route_map_svg(routes)


DOCUMENT_TITLES = {"packing-list": "Packing list", "invoice": "Commercial invoice"}


def document_view(trend: Trend, leg: Consignment, kind: str) -> dict[str, Any]:
    """What a consignment's packing list or commercial invoice shows (packing: recorded at
    planning; legs recorded before have none, and the page says so)."""
    p = leg.packing or {}
    value = float(p.get("unit_value_usd", 0.0)) * leg.units
    return {
        "kind": kind,
        "title": DOCUMENT_TITLES[kind],
        "trend": trend,
        "leg": leg,
        "p": p,
        "number": f"TF-{trend.id}-{leg.batch_sequence}-{leg.market}-{leg.leg + 1}",
        "goods_usd": value,
        "total_usd": value + leg.freight_usd + leg.duty_usd + leg.fees_usd,
    }
