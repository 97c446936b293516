"""The web pages: server-rendered (Jinja2), live over server-sent events, no build step.

Merchants submit ideas and pick a variant in the gallery (3D viewer: model-viewer, vendored
under static/vendor); planners review plans (Gantt, line capacity, supplier map); everyone
signed in sees the lead-time dashboard. Actions post to the JSON API with the session cookie,
so the pages and the API share one set of rules. What each page shows: api.views.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import COOKIE_NAME, csrf_token
from api.calls import portfolio_replan_state
from api.deps import (
    ActorDep,
    EngineDep,
    PageIdea,
    PagePlanReaderDep,
    PersonDep,
    SettingsDep,
    TemporalDep,
)
from api.views import (
    DashboardCache,
    factory_view,
    idea_view,
    ideas_view,
    plan_view,
    plans_view,
    replan_view,
)

router = APIRouter(include_in_schema=False)


FRAGMENTS = "/app/fragments/"


def is_page(request: Request) -> bool:
    """A browser asking for a page (not the JSON API, not a fragment fetched by script)."""
    path = request.url.path
    page_path = path == "/" or (path.startswith("/app/") and not path.startswith(FRAGMENTS))
    return request.method == "GET" and page_path


def is_login_form(request: Request) -> bool:
    """The browser's login form (not an API client posting to the same route)."""
    html = "text/html" in request.headers.get("accept", "")
    return request.method == "POST" and request.url.path == "/auth/login" and html


async def login_redirect(request: Request, exc: StarletteHTTPException) -> Response:
    """An anonymous page view goes to the login page; a refused login form goes back to it
    with the reason; everything else gets the JSON answer."""
    if exc.status_code == 401 and is_page(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if exc.status_code in (401, 403, 429) and is_login_form(request):
        back = parse_qs(urlsplit(request.headers.get("referer", "")).query).get("next", ["/"])
        query = urlencode({"next": back[0], "error": str(exc.detail)})
        return RedirectResponse(f"/login?{query}", status_code=303)
    return await http_exception_handler(request, exc)


def page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    """A rendered template with the session's anti-forgery token for its forms."""
    session = request.cookies.get(COOKIE_NAME)
    ctx["csrf"] = csrf_token(request.app.state.auth.secret, session) if session else ""
    return request.app.state.templates.TemplateResponse(request, name, ctx)


def page_or_fragment(
    request: Request, full: str, fragment: str, ctx: dict[str, Any]
) -> HTMLResponse:
    """The whole page, or under /app/fragments/ the part of it that live updates refetch."""
    fetched = request.url.path.startswith(FRAGMENTS)
    return page(request, fragment if fetched else full, **ctx)


def dashboard_html(request: Request, who: Any, engine: Any, ideas: str) -> str:
    cache: DashboardCache = request.app.state.dashboard
    return cache.html(request.app.state.templates, engine, who, ideas == "all")


@router.get("/login", response_class=HTMLResponse)
def login(request: Request, next: str = "/", error: str = "") -> HTMLResponse:
    safe_next = next if next.startswith("/") and not next.startswith("//") else "/"
    return page(request, "login.html", who=None, next=safe_next, error=error[:200])


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request, who: ActorDep, engine: EngineDep, ideas: str = "recent"
) -> HTMLResponse:
    body = dashboard_html(request, who, engine, ideas)
    show_all = ideas == "all"
    return page(request, "dashboard.html", who=who, nav="dashboard", body=body, show_all=show_all)


@router.get("/app/fragments/dashboard", response_class=HTMLResponse)
def dashboard_fragment(
    request: Request, who: ActorDep, engine: EngineDep, ideas: str = "recent"
) -> HTMLResponse:
    return HTMLResponse(dashboard_html(request, who, engine, ideas))


@router.get("/app/ideas", response_class=HTMLResponse)
@router.get("/app/fragments/ideas", response_class=HTMLResponse)
def ideas(
    request: Request, who: PersonDep, engine: EngineDep, settings: SettingsDep
) -> HTMLResponse:
    view = ideas_view(engine, who, settings.max_upload_bytes)
    return page_or_fragment(request, "ideas.html", "_ideas_list.html", view)


@router.get("/app/ideas/{trend_id}", response_class=HTMLResponse)
@router.get("/app/fragments/ideas/{trend_id}", response_class=HTMLResponse)
def idea(request: Request, who: PersonDep, trend: PageIdea, engine: EngineDep) -> HTMLResponse:
    return page_or_fragment(request, "idea.html", "_idea.html", idea_view(engine, who, trend))


@router.get("/app/plans", response_class=HTMLResponse)
@router.get("/app/fragments/plans", response_class=HTMLResponse)
def plans(request: Request, who: PagePlanReaderDep, engine: EngineDep) -> HTMLResponse:
    return page_or_fragment(request, "plans.html", "_plans.html", plans_view(engine, who))


@router.get("/app/factory", response_class=HTMLResponse)
@router.get("/app/fragments/factory", response_class=HTMLResponse)
def factory(request: Request, who: PagePlanReaderDep, engine: EngineDep) -> HTMLResponse:
    """Every own line and the time each idea holds on it, firm or tentative."""
    return page_or_fragment(request, "factory.html", "_factory.html", factory_view(engine, who))


@router.get("/app/factory/replans/{replan_id}", response_class=HTMLResponse)
async def portfolio_replan(
    request: Request, replan_id: str, who: PagePlanReaderDep, temporal: TemporalDep
) -> HTMLResponse:
    """A portfolio replan's proposal (every affected idea before and after) and, for planners,
    its one decision."""
    state = await portfolio_replan_state(await temporal.client(), replan_id)
    ctx = replan_view(who, state)
    return page(request, "replan.html", **ctx)


@router.get("/app/plans/{plan_id}", response_class=HTMLResponse)
@router.get("/app/fragments/plans/{plan_id}", response_class=HTMLResponse)
def plan(request: Request, plan_id: int, who: PagePlanReaderDep, engine: EngineDep) -> HTMLResponse:
    return page_or_fragment(request, "plan.html", "_plan.html", plan_view(engine, who, plan_id))
