"""The web pages: server-rendered (Jinja2), live over server-sent events, no build step.

Merchants submit ideas and pick a variant in the gallery (3D viewer: model-viewer, vendored
under static/vendor); planners review plans (Gantt, line capacity, supplier map); everyone
signed in sees the lead-time dashboard. Actions post to the JSON API with the session cookie,
so the pages and the API share one set of rules.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import charts
from api.auth import COOKIE_NAME, csrf_token
from api.leadtimes import cached_leadtimes, compute_leadtimes, format_duration, leadtimes_version
from engines.sourcing.geo import ROAD_FACTOR, SPEED_KMH
from models.contracts import MILESTONE_ORDER, STAGE_SPANS
from models.db import as_utc
from models.tables import (
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

HERE = Path(__file__).parent
REVIEWABLE = ("pending", "escalated", "proposed")
PLAN_READERS = ("planner", "admin", "viewer")
LABELS = {
    "trend_seen": "Trend seen",
    "variants_ready": "Design variants ready",
    "variant_selected": "Variant picked",
    "prototype_ready": "Prototype ready",
    "suppliers_reserved": "Suppliers reserved",
    "plan_proposed": "Production plan proposed",
    "plan_approved": "Plan approved",
    "first_batch": "First batch produced",
    "shipped": "Shipped",
}
DASHBOARD_ROWS = 50  # per-idea rows on the dashboard; ?ideas=all shows every idea
# straight line × road factor at truck speed, as the matcher reckons it: km reached per minute
KM_PER_MINUTE = SPEED_KMH / ROAD_FACTOR / 60.0


def is_page(request: Request) -> bool:
    """A browser asking for a page (not the JSON API, not a fragment fetched by script)."""
    path = request.url.path
    page_path = path == "/" or (path.startswith("/app/") and not path.startswith("/app/fragments/"))
    return request.method == "GET" and page_path


def is_login_form(request: Request) -> bool:
    """The browser's login form (not an API client posting to the same route)."""
    html = "text/html" in request.headers.get("accept", "")
    return request.method == "POST" and request.url.path == "/auth/login" and html


def ago(at: datetime | None) -> str:
    """'12s ago', '4m05s ago'."""
    if at is None:
        return ""
    return f"{format_duration((datetime.now(UTC) - as_utc(at)).total_seconds())} ago"


def timeline(milestones: list[Milestone]) -> list[dict[str, Any]]:
    """Every lead-time milestone in order: done (with time and time since the previous), next, later."""
    seen = {m.name: m for m in milestones}
    out, prev, next_marked = [], None, False
    for name in MILESTONE_ORDER:
        m = seen.get(name.value)
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


def install_pages(
    app: FastAPI,
    db: Callable[[], Engine],
    actor: Callable[..., Any],
    temporal_ui_url: str | None = None,
    max_upload_bytes: int = 50_000_000,
) -> None:
    """Mount /static, the page routes and the redirect of unauthenticated page views to /login."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(fmt=format_duration, ago=ago, temporal_ui_url=temporal_ui_url)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    router = APIRouter(include_in_schema=False)
    Who = Annotated[Any, Depends(actor)]

    @app.exception_handler(StarletteHTTPException)
    async def _to_login(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 401 and is_page(request):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        if exc.status_code in (401, 403, 429) and is_login_form(request):
            back = parse_qs(urlsplit(request.headers.get("referer", "")).query).get("next", ["/"])
            query = urlencode({"next": back[0], "error": str(exc.detail)})
            return RedirectResponse(f"/login?{query}", status_code=303)
        return await http_exception_handler(request, exc)

    def page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        session = request.cookies.get(COOKIE_NAME)
        secret = request.app.state.auth.secret
        ctx["csrf"] = csrf_token(secret, session) if session else ""
        return templates.TemplateResponse(request, name, ctx)

    def own_ids(s: Session, who: Any) -> list[int] | None:
        """The idea ids a merchant may see; None = all (other roles)."""
        if who.role != "merchant":
            return None
        return [t for t in s.exec(select(Trend.id).where(Trend.merchant_id == who.user)) if t]

    def person(who: Any) -> None:
        if who.role == "machine":
            raise HTTPException(403, "machine identities use the JSON API, not the pages")

    def visible_trend(s: Session, who: Any, trend_id: int) -> Trend:
        person(who)
        trend = s.get(Trend, trend_id)
        if trend is None:
            raise HTTPException(404, f"idea {trend_id} does not exist")
        if who.role == "merchant" and trend.merchant_id != who.user:
            raise HTTPException(403, "merchants see only their own ideas")
        return trend

    def plan_reader(who: Any) -> None:
        if who.role not in PLAN_READERS:
            raise HTTPException(403, "production plans are for planners, viewers and admins")

    # ------------------------------------------------------------------ login

    @router.get("/login", response_class=HTMLResponse)
    def login(request: Request, next: str = "/", error: str = "") -> HTMLResponse:
        safe_next = next if next.startswith("/") and not next.startswith("//") else "/"
        return page(request, "login.html", who=None, next=safe_next, error=error[:200])

    # ------------------------------------------------------------------ dashboard

    dash_cache: dict[bool, tuple[tuple[object, ...], str]] = {}

    def dashboard_view(ids: list[int] | None, show_all: bool) -> dict[str, Any]:
        """Figures, charts and the per-idea rows (the most recent DASHBOARD_ROWS unless all)."""
        lt = cached_leadtimes(db()) if ids is None else compute_leadtimes(db(), ids)
        stages = [st for st in lt.stages if st.stage != "total"]
        total = next(st for st in lt.stages if st.stage == "total")
        longest = max((i.total_s or sum(i.stages_s.values()) for i in lt.ideas), default=0.0)
        recent = sorted(lt.ideas, key=lambda i: -i.trend_id)
        shown = recent if show_all else recent[:DASHBOARD_ROWS]
        rows = [
            {
                "idea": idea,
                "bar": charts.stacked_bar(
                    [(k, idea.stages_s[k]) for k in STAGE_SPANS if k in idea.stages_s],
                    longest,
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
                hist, " ideas", "#2d9cdb", "histogram of trend-to-shipment lead time"
            ),
            "throughput_svg": charts.bars_svg(
                throughput(db(), ids), " units", "#6c8a2b", "units shipped per day"
            ),
        }

    def dashboard_body(who: Any, show_all: bool = False) -> str:
        """The dashboard's HTML (figures, charts, rows). Of every idea it is rendered once per
        change of ideas, milestones or shipments: dashboards left open (each refetches on every
        change) and under load all read it; a merchant's own is rendered for them."""
        fragment = templates.get_template("_dashboard.html")
        with Session(db()) as s:
            ids = own_ids(s, who)
            if ids is None:
                ships = s.exec(select(func.count(), func.max(Shipment.id))).one()
        if ids is not None:
            return fragment.render(dashboard_view(ids, show_all))
        key = (*leadtimes_version(db()), *ships)
        hit = dash_cache.get(show_all)
        if hit is None or hit[0] != key:
            hit = dash_cache[show_all] = (key, fragment.render(dashboard_view(None, show_all)))
        return hit[1]

    @router.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, who: Who, ideas: str = "recent") -> HTMLResponse:
        body = dashboard_body(who, ideas == "all")
        return page(request, "dashboard.html", who=who, nav="dashboard", body=body,
                    show_all=ideas == "all")  # fmt: skip

    @router.get("/app/fragments/dashboard", response_class=HTMLResponse)
    def dashboard_fragment(who: Who, ideas: str = "recent") -> HTMLResponse:
        return HTMLResponse(dashboard_body(who, ideas == "all"))

    # ------------------------------------------------------------------ ideas

    def ideas_ctx(who: Any) -> dict[str, Any]:
        person(who)
        with Session(db()) as s:
            q = select(Trend).order_by(col(Trend.id).desc()).limit(200)
            if who.role == "merchant":
                q = q.where(Trend.merchant_id == who.user)
            ideas = list(s.exec(q))
        return {
            "who": who,
            "nav": "ideas",
            "ideas": ideas,
            "max_upload_mb": max_upload_bytes // 1_000_000,
        }

    @router.get("/app/ideas", response_class=HTMLResponse)
    def ideas(request: Request, who: Who) -> HTMLResponse:
        return page(request, "ideas.html", **ideas_ctx(who))

    @router.get("/app/fragments/ideas", response_class=HTMLResponse)
    def ideas_fragment(request: Request, who: Who) -> HTMLResponse:
        return page(request, "_ideas_list.html", **ideas_ctx(who))

    def idea_ctx(who: Any, trend_id: int) -> dict[str, Any]:
        with Session(db()) as s:
            trend = visible_trend(s, who, trend_id)
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
            map_svg = supplier_map(s, match) if match else ""
        lead = compute_leadtimes(db(), [trend_id]).ideas[0]
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
            "picking": owner and trend.stage == "awaiting_selection",
            "can_cancel": owner
            and trend.stage not in ("shipped", "rejected", "cancelled", "failed"),
            "prototype": proto,
            "match": match,
            "map_svg": map_svg,
            "plans": plans if who.role != "merchant" else [],
            "run": run,
            "notes": notes,
        }

    @router.get("/app/ideas/{trend_id}", response_class=HTMLResponse)
    def idea(request: Request, trend_id: int, who: Who) -> HTMLResponse:
        return page(request, "idea.html", **idea_ctx(who, trend_id))

    @router.get("/app/fragments/ideas/{trend_id}", response_class=HTMLResponse)
    def idea_fragment(request: Request, trend_id: int, who: Who) -> HTMLResponse:
        return page(request, "_idea.html", **idea_ctx(who, trend_id))

    # ------------------------------------------------------------------ plans

    def plans_ctx(who: Any) -> dict[str, Any]:
        plan_reader(who)
        with Session(db()) as s:
            rows = list(s.exec(select(ProductionPlan).order_by(col(ProductionPlan.id).desc())))
            texts = {t.id: t.text[:60] for t in s.exec(select(Trend))}
        return {
            "who": who,
            "nav": "plans",
            "pending": [p for p in rows if p.status in REVIEWABLE],
            "recent": [p for p in rows if p.reviewer][:30],
            "texts": texts,
        }

    @router.get("/app/plans", response_class=HTMLResponse)
    def plans(request: Request, who: Who) -> HTMLResponse:
        return page(request, "plans.html", **plans_ctx(who))

    @router.get("/app/fragments/plans", response_class=HTMLResponse)
    def plans_fragment(request: Request, who: Who) -> HTMLResponse:
        return page(request, "_plans.html", **plans_ctx(who))

    def shift_form(s: Session, who: Any, plan: ProductionPlan) -> dict[str, Any] | None:
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

    def plan_ctx(who: Any, plan_id: int) -> dict[str, Any]:
        plan_reader(who)
        with Session(db()) as s:
            plan = s.get(ProductionPlan, plan_id)
            if plan is None:
                raise HTTPException(404, f"plan {plan_id} does not exist")
            trend = s.get(Trend, plan.trend_id)
            match = s.exec(
                select(SourcingMatch).where(SourcingMatch.trend_id == plan.trend_id)
            ).first()
            map_svg = supplier_map(s, match) if match else ""
            shift = shift_form(s, who, plan)
        bars = [
            charts.GanttBar(str(line), float(a), float(b), str(stage), lot_label(lot, units))
            for line, lot, stage, a, b, *units in plan.gantt or []
        ]
        per_day: dict[int, float] = defaultdict(float)
        for d in plan.daily:
            per_day[int(d["day"])] += float(d["units"])
        daily = [(f"d{day}", units) for day, units in sorted(per_day.items())]
        keys = {"line_id": "?", "owner": "", "process": "", "rate_units_per_day": 0.0,
                "start_day": 0, "end_day": 0, "units": 0, "utilisation": None}  # fmt: skip
        lines = [keys | ln for ln in plan.lines]
        return {
            "who": who,
            "nav": "plans",
            "plan": plan,
            "lines": lines,
            "trend": trend,
            "reviewable": plan.status in REVIEWABLE and who.role in ("planner", "admin"),
            "gantt_svg": charts.gantt_svg(bars, plan.due_day, plan.completion_day),
            "daily_svg": charts.bars_svg(daily, " units", "#2d9cdb", "units per factory day"),
            "match": match,
            "map_svg": map_svg,
            "shift": shift,
        }

    @router.get("/app/plans/{plan_id}", response_class=HTMLResponse)
    def plan(request: Request, plan_id: int, who: Who) -> HTMLResponse:
        return page(request, "plan.html", **plan_ctx(who, plan_id))

    @router.get("/app/fragments/plans/{plan_id}", response_class=HTMLResponse)
    def plan_fragment(request: Request, plan_id: int, who: Who) -> HTMLResponse:
        return page(request, "_plan.html", **plan_ctx(who, plan_id))

    app.include_router(router)
