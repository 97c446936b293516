"""Every route of the app x every role: allowed, or refused with 401/403 and a reason.

The table is the design (api/auth.py's docstring says the same in prose). The route list comes
from `app.routes`, so a new route without a row here fails `test_every_route_has_a_row`.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
import trimesh
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.routing import Route

from api.auth import create_api_key
from models.db import session_scope
from models.tables import (
    Consignment,
    DesignVariant,
    FactoryLine,
    ProductionPlan,
    ProductionRun,
    Supplier,
    Trend,
)
from tests.helpers.apps import make_app
from tests.helpers.people import TEST_PASSWORD, AuthHeaders

pytestmark = pytest.mark.db

ROLES = ("anonymous", "owner", "other", "planner", "viewer", "admin", "machine")
NAMES = {
    "owner": ("mx-owner", "merchant"),
    "other": ("mx-other", "merchant"),
    "planner": ("mx-planner", "planner"),
    "viewer": ("mx-viewer", "viewer"),
    "admin": ("mx-admin", "admin"),
    "machine": ("mx-mes", "machine"),
}
PUBLIC = set(ROLES)
ANYONE = set(ROLES) - {"anonymous"}
ADMIN = {"admin"}
IDEA_READ = {"owner", "planner", "viewer", "admin"}
OWNER = {"owner", "admin"}

# (method, path) -> roles allowed; every other role gets 401 (anonymous) or 403
MATRIX: dict[tuple[str, str], set[str]] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,  # queue names and poller counts: a probe for orchestrators
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("POST", "/auth/token"): PUBLIC,
    ("POST", "/auth/login"): PUBLIC,
    ("POST", "/auth/logout"): PUBLIC,
    ("GET", "/auth/me"): ANYONE,
    ("POST", "/codec/decode"): ADMIN,  # the Temporal UI's codec (changes nothing)
    ("OPTIONS", "/codec/decode"): PUBLIC,  # its CORS preflight
    ("GET", "/auth/users"): ADMIN,
    ("POST", "/auth/users"): ADMIN,
    ("PATCH", "/auth/users/{username}"): ADMIN,
    ("GET", "/auth/api-keys"): ADMIN,
    ("POST", "/auth/api-keys"): ADMIN,
    ("DELETE", "/auth/api-keys/{key_id}"): ADMIN,
    ("POST", "/ideas"): {"owner", "other", "admin"},
    ("GET", "/ideas"): {"owner", "other", "planner", "viewer", "admin"},
    ("GET", "/ideas/{trend_id}"): IDEA_READ,
    ("GET", "/ideas/{trend_id}/variants"): IDEA_READ,
    ("GET", "/ideas/{trend_id}/variants/{variant_id}/{asset}"): IDEA_READ,
    ("POST", "/ideas/{trend_id}/selection"): OWNER,
    ("POST", "/ideas/{trend_id}/cancel"): OWNER,
    ("GET", "/ideas/{trend_id}/prototype"): IDEA_READ,
    ("GET", "/ideas/{trend_id}/prototype/{kind}"): IDEA_READ,
    ("GET", "/ideas/{trend_id}/sourcing"): IDEA_READ,
    ("GET", "/ideas/{trend_id}/match"): IDEA_READ,
    ("GET", "/ideas/{trend_id}/compliance"): IDEA_READ,
    ("POST", "/ideas/{trend_id}/compliance/{market}/lab-report"): {"owner", "planner", "admin"},
    ("GET", "/ideas/{trend_id}/compliance/{market}/lab-report"): IDEA_READ,
    ("POST", "/ideas/{trend_id}/compliance/{market}/waiver"): {"planner", "admin"},
    ("GET", "/ideas/{trend_id}/compliance/{market}/documents/{document}"): IDEA_READ,
    ("GET", "/plans"): ANYONE,
    ("GET", "/plans/{plan_id}"): {"owner", "planner", "viewer", "admin", "machine"},
    ("GET", "/plans/{plan_id}/daily.csv"): {"owner", "planner", "viewer", "admin", "machine"},
    ("GET", "/plans/{plan_id}/lots.csv"): {"owner", "planner", "viewer", "admin", "machine"},
    ("POST", "/plans/{plan_id}/review"): {"planner", "admin"},
    ("GET", "/runs/{run_id}"): {"owner", "planner", "viewer", "admin", "machine"},
    ("POST", "/runs/{run_id}/progress"): {"planner", "admin", "machine"},
    ("POST", "/runs/{run_id}/progress/batch"): {"planner", "admin", "machine"},
    ("POST", "/consignments/{consignment_id}/events"): {"planner", "admin", "machine"},
    ("GET", "/ideas/{trend_id}/consignments/{consignment_id}/{document}"): IDEA_READ,
    ("POST", "/ideas/{trend_id}/consignments/{consignment_id}/reship"): {"planner", "admin"},
    ("POST", "/signals"): {"machine", "admin"},
    ("GET", "/leadtimes"): ANYONE,
    ("GET", "/"): ANYONE,
    ("GET", "/suppliers"): ANYONE,
    ("GET", "/suppliers/{supplier_id}"): ANYONE,
    ("POST", "/suppliers/import"): {"planner", "admin"},
    ("GET", "/factory/lines"): {"planner", "viewer", "machine", "admin"},
    ("POST", "/factory/lines/import"): {"planner", "admin"},
    ("GET", "/factory/bookings.csv"): {"planner", "viewer", "machine", "admin"},
    ("GET", "/plans/{plan_id}/conflicts"): {"planner", "viewer", "machine", "admin"},
    ("POST", "/factory/replans"): {"planner", "admin"},
    ("GET", "/factory/replans/{replan_id}"): {"planner", "admin"},
    ("POST", "/factory/replans/{replan_id}/decision"): {"planner", "admin"},
    ("POST", "/plans/{plan_id}/whatif"): {"planner", "admin"},
    ("POST", "/ideas/upload"): {"owner", "other", "admin"},
    ("GET", "/events"): ANYONE,
    ("GET", "/metrics"): PUBLIC,  # aggregate counts only; protect it at the proxy if needed
    # web pages: people only; an anonymous visitor is sent to the login page (303)
    ("GET", "/login"): PUBLIC,
    ("MOUNT", "/static"): PUBLIC,
    ("GET", "/app/fragments/dashboard"): ANYONE,
    ("GET", "/app/ideas"): {"owner", "other", "planner", "viewer", "admin"},
    ("GET", "/app/fragments/ideas"): {"owner", "other", "planner", "viewer", "admin"},
    ("GET", "/app/ideas/{trend_id}"): IDEA_READ,
    ("GET", "/app/fragments/ideas/{trend_id}"): IDEA_READ,
    ("GET", "/app/plans"): {"planner", "viewer", "admin"},
    ("GET", "/app/fragments/plans"): {"planner", "viewer", "admin"},
    ("GET", "/app/factory"): {"planner", "viewer", "admin"},
    ("GET", "/app/factory/replans/{replan_id}"): {"planner", "viewer", "admin"},
    ("GET", "/app/fragments/factory"): {"planner", "viewer", "admin"},
    ("GET", "/app/factory/lines"): {"planner", "admin"},
    ("POST", "/app/factory/lines"): {"planner", "admin"},
    ("POST", "/app/factory/lines/import"): {"planner", "admin"},
    ("POST", "/app/factory/lines/{line_id}"): {"planner", "admin"},
    ("GET", "/app/plans/{plan_id}"): {"planner", "viewer", "admin"},
    ("GET", "/app/fragments/plans/{plan_id}"): {"planner", "viewer", "admin"},
}
# pages answer an anonymous visitor with a redirect to /login instead of a 401 (their forms'
# POSTs the 401 of any change)
PAGES = {p for m, p in MATRIX if m == "GET" and (p == "/" or p.startswith("/app/"))}
PAGES -= {p for p in PAGES if p.startswith("/app/fragments/")}
STREAMS = {("GET", "/events")}  # never ends when allowed: tests/api/test_pages.py reads it
NOT_READY = {("GET", "/readyz")}  # 503 by design here: no worker polls the matrix's queues


@dataclass
class World:
    """Rows the routes act on: one idea of the owner with a variant, a plan and a run; a line."""

    engine: Engine
    trend_id: int
    variant_id: int
    plan_id: int
    run_id: int
    supplier_id: int
    consignment_id: int
    line_id: str

    def params(self) -> dict[str, Any]:
        """Path parameters; a fresh API key each time, so revoking one spoils nothing."""
        row, _ = create_api_key(self.engine, f"doomed-{uuid.uuid4().hex[:6]}", "machine", "x", "t")
        key_id = row.id
        return {
            "trend_id": self.trend_id,
            "variant_id": self.variant_id,
            "asset": "preview.png",
            "kind": "stl",
            "plan_id": self.plan_id,
            "run_id": self.run_id,
            "supplier_id": self.supplier_id,
            "consignment_id": self.consignment_id,
            "document": "packing-list",
            "market": "US",
            "key_id": key_id,
            "username": "mx-viewer",  # PATCHed with no change: its sessions stay
            "replan_id": "portfolio-replan-matrix",  # none such: 404 / 409 for planners
            "line_id": self.line_id,
        }


def _seed(engine: Engine) -> World:
    tag = uuid.uuid4().hex[:8]
    with session_scope(engine) as s:
        trend = Trend(dedup_key=f"mx-{tag}", text=f"matrix idea {tag}", merchant_id="mx-owner")
        s.add(trend)
        s.flush()
        assert trend.id is not None
        v = DesignVariant(
            trend_id=trend.id,
            rank=1,
            family="t",
            name="v",
            score=1,
            unit_cost_usd=1,
            volume_cm3=1,
            mesh_path="/nonexistent/v.stl",
        )
        plan = ProductionPlan(
            workflow_id=f"trend-mx-{tag}",
            trend_id=trend.id,
            quantity=10,
            due_day=3,
            completion_day=2,
            on_time=True,
            lines=[{"line_id": "L1"}],
        )
        s.add_all([v, plan])
        s.flush()
        assert plan.id is not None and v.id is not None
        run = ProductionRun(
            workflow_id=f"run-mx-{tag}", trend_id=trend.id, plan_id=plan.id, quantity=10
        )
        s.add(run)
        s.flush()
        supplier = s.exec(select(Supplier.id)).first()
        leg = Consignment(
            trend_id=trend.id, batch_sequence=1, market="US", units=10, mode="air",
            lane_id="air-pvg-us", status="booked", planned_departure=date(2026, 12, 7),
            eta_latest=date(2026, 12, 17),
        )  # fmt: skip
        s.add(leg)
        s.flush()
        assert run.id is not None and supplier is not None and leg.id is not None
        line = FactoryLine(line_id=f"MX-LINE-{tag}", process="mx_sewing", rate_units_per_day=900)
        s.add(line)
        return World(engine, trend.id, v.id, plan.id, run.id, supplier, leg.id, line.line_id)


def _body(method: str, path: str, role: str, world: World) -> dict[str, Any]:
    """A valid request body for the route, so an allowed role gets past validation."""
    me = NAMES.get(role, ("nobody", ""))[0]
    merchant = me if role in ("owner", "other") else "mx-owner"
    forms = {"username": "mx-planner", "password": TEST_PASSWORD}
    csv = "code,name,town,lat,lon,lead_time_days,moq_units,quality,process,capacity_units_per_day,unit_cost_usd\n"
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/auth/token"): {"data": forms},
        ("POST", "/auth/login"): {"data": forms},
        ("POST", "/auth/users"): {
            "json": {
                "username": f"u-{uuid.uuid4().hex[:8]}",
                "role": "viewer",
                "password": TEST_PASSWORD,
            }
        },
        ("POST", "/auth/api-keys"): {"json": {"name": "feed", "role": "machine"}},
        ("PATCH", "/auth/users/{username}"): {"json": {"active": True}},
        ("POST", "/ideas"): {
            "json": {"text": f"matrix {uuid.uuid4().hex[:6]}", "merchant_id": merchant}
        },
        ("POST", "/ideas/{trend_id}/selection"): {"json": {"variant_id": world.variant_id}},
        ("POST", "/ideas/{trend_id}/compliance/{market}/lab-report"): {
            "files": {"report": ("report.pdf", b"%PDF-1.4\n% matrix report\n%%EOF\n")}
        },
        ("POST", "/ideas/{trend_id}/compliance/{market}/waiver"): {"json": {"reason": "tested"}},
        ("POST", "/codec/decode"): {"json": {"payloads": []}},
        ("POST", "/plans/{plan_id}/review"): {"json": {"approve": True}},
        ("POST", "/runs/{run_id}/progress"): {"json": {"line_id": "L1", "day": 0, "units": 1}},
        ("POST", "/runs/{run_id}/progress/batch"): {
            "json": {"reports": [{"line_id": "L1", "day": 0, "units": 1}]}
        },
        ("POST", "/signals"): {
            "json": {
                "phrase": "flat thing",
                "observations": [{"t_hours": 0, "views": 10}, {"t_hours": 24, "views": 11}],
            }
        },
        ("POST", "/consignments/{consignment_id}/events"): {
            "json": {"event_id": "e1", "kind": "departed", "at": "2026-12-08T09:00:00Z"}
        },
        ("POST", "/ideas/{trend_id}/consignments/{consignment_id}/reship"): {
            "json": {"reason": "lost at sea"}
        },
        ("POST", "/suppliers/import"): {"content": csv, "headers": {"content-type": "text/csv"}},
        ("POST", "/factory/lines/import"): {
            "content": "line_id,process,rate_units_per_day\nMX-SEW-1,mx_sewing,900\n",
            "headers": {"content-type": "text/csv"},
        },
        ("POST", "/app/factory/lines"): {  # the same line each time: 303, then 422 (taken)
            "data": {"line_id": "MX-PAGE-1", "process": "mx_sewing", "rate_units_per_day": "900"}
        },
        ("POST", "/app/factory/lines/import"): {
            "files": {
                "file": (
                    "lines.csv",
                    "line_id,process,rate_units_per_day\nMX-SEW-2,mx_sewing,900\n",
                )
            }
        },
        ("POST", "/app/factory/lines/{line_id}"): {"data": {"rate_units_per_day": "950"}},
        ("POST", "/factory/replans"): {"json": {"reason": "matrix", "process": "plush_sewing"}},
        ("POST", "/factory/replans/{replan_id}/decision"): {"json": {"approve": True}},
        ("POST", "/plans/{plan_id}/whatif"): {
            "json": {"scenarios": [{"name": "a"}], "time_limit_s": 0}
        },
        ("POST", "/ideas/upload"): {  # an own model with every print setting
            "data": {
                "text": f"matrix upload {uuid.uuid4().hex[:6]}",
                "use_as": "design",
                "alternatives": "false",
                "units": "mm",
                "scale": "1.5",
                "allow_split": "true",
                "printer": "ender3",
            },
            "files": {"mesh": ("own.stl", _ball_stl())},
        },
    }
    return bodies.get((method, path), {})


def _ball_stl() -> bytes:
    """A 40 mm ball as STL bytes: a merchant's own model."""
    buf = io.BytesIO()
    trimesh.creation.icosphere(subdivisions=2, radius=20).export(buf, file_type="stl")
    return buf.getvalue()


def _routes(app: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) of every route, also inside included routers (FastAPI keeps them lazy)."""
    out: list[tuple[str, str]] = []
    for r in app.routes:
        inner = getattr(r, "original_router", None)  # fastapi's _IncludedRouter
        if inner is not None:
            out += _routes(inner, prefix + getattr(r.include_context, "prefix", ""))
        elif isinstance(r, Route):
            out += [(m, prefix + r.path_format) for m in (r.methods or set()) - {"HEAD"}]
        else:
            out.append(("MOUNT", prefix + str(getattr(r, "path", r))))  # static files: a row too
    return sorted(set(out))


@pytest.fixture
async def matrix_api(
    dev_env, engine: Engine, jwt_secret: str
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    queue = f"authz-{uuid.uuid4().hex[:8]}"  # no worker listens: started pipelines just wait
    app = make_app(engine, jwt_secret, dev_env.client, task_queue=queue)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        yield app, c


def test_every_route_has_a_row(jwt_secret: str, engine: Engine) -> None:
    routes = set(_routes(make_app(engine, jwt_secret)))
    missing, stale = routes - set(MATRIX), set(MATRIX) - routes
    assert not missing, f"routes without an authorization decision: {sorted(missing)}"
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"


async def test_authorization_matrix(
    matrix_api: tuple[Any, httpx.AsyncClient], engine: Engine, auth_headers: AuthHeaders
) -> None:
    app, c = matrix_api
    world = _seed(engine)
    headers: dict[str, Callable[[], dict[str, str]]] = {"anonymous": dict}
    for role, (name, real) in NAMES.items():
        headers[role] = lambda n=name, r=real: auth_headers(n, r)
    wrong: list[str] = []
    for method, path in _routes(app):
        for role in ROLES:
            if method == "MOUNT":
                continue  # a mount's row is a decision on record; its files are not routes
            allowed = role in MATRIX[method, path]
            if allowed and (method, path) in STREAMS:
                continue
            kw = _body(method, path, role, world)
            url = path.format(**world.params())
            extra = kw.pop("headers", {})
            r = await c.request(method, url, **kw, headers=extra | headers[role]())
            got = f"{method} {path} as {role}: {r.status_code} {r.text[:120]}"
            designed = (method, path) in NOT_READY and r.status_code == 503
            if allowed and (r.status_code in (401, 403) or r.status_code >= 500 and not designed):
                wrong.append("should pass: " + got)
            elif not allowed and role == "anonymous" and method == "GET" and path in PAGES:
                if r.status_code != 303 or not r.headers["location"].startswith("/login?next="):
                    wrong.append("should send to /login: " + got)
            elif not allowed and role == "other" and "owner" in MATRIX[method, path]:
                # another merchant's object: the same 404 as a missing one
                if r.status_code != 404 or "does not exist" not in r.json().get("detail", ""):
                    wrong.append("should be 404 (another merchant's): " + got)
            elif not allowed:
                want = 401 if role == "anonymous" else 403
                if r.status_code != want or not r.json().get("detail"):
                    wrong.append(f"should be {want}: " + got)
                elif want == 401 and "www-authenticate" not in r.headers:
                    wrong.append("401 without WWW-Authenticate: " + got)
    assert not wrong, "\n".join(wrong)


async def test_merchants_list_only_their_own(
    matrix_api: tuple[Any, httpx.AsyncClient], engine: Engine, auth_headers: AuthHeaders
) -> None:
    _, c = matrix_api
    world = _seed(engine)
    owner, other = auth_headers(*NAMES["owner"]), auth_headers(*NAMES["other"])
    planner = auth_headers(*NAMES["planner"])
    ids = lambda r: {x["id"] for x in r.json()}  # noqa: E731
    assert world.trend_id in ids(await c.get("/ideas", headers=owner))
    assert world.trend_id not in ids(await c.get("/ideas", headers=other))
    assert world.trend_id in ids(await c.get("/ideas", headers=planner))
    r = await c.get("/ideas", params={"merchant_id": "mx-owner"}, headers=other)
    assert r.status_code == 403 and "own" in r.json()["detail"]
    assert world.plan_id in ids(await c.get("/plans", headers=owner))
    assert world.plan_id not in ids(await c.get("/plans", headers=other))
    r = await c.post("/ideas", json={"text": "x", "merchant_id": "mx-owner"}, headers=other)
    assert r.status_code == 403 and "own merchant_id" in r.json()["detail"]


async def test_another_merchants_object_is_answered_as_missing(
    matrix_api: tuple[Any, httpx.AsyncClient], engine: Engine, auth_headers: AuthHeaders
) -> None:
    """Ids cannot be probed: another merchant's idea, plan or run gets the body of a missing one."""
    _, c = matrix_api
    world = _seed(engine)
    other = auth_headers(*NAMES["other"])
    missing = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL refuses more)
    for path, own in (
        ("/ideas/{}", world.trend_id),
        ("/ideas/{}/variants", world.trend_id),
        ("/app/ideas/{}", world.trend_id),
        ("/plans/{}", world.plan_id),
        ("/runs/{}", world.run_id),
    ):
        theirs = await c.get(path.format(own), headers=other)
        absent = await c.get(path.format(missing), headers=other)
        assert theirs.status_code == absent.status_code == 404, (path, theirs.text)
        assert theirs.json()["detail"].replace(str(own), "N") == absent.json()["detail"].replace(
            str(missing), "N"
        )
    r = await c.post(f"/ideas/{world.trend_id}/cancel", headers=other)
    assert r.status_code == 404 and r.json()["detail"] == f"idea {world.trend_id} does not exist"


async def test_projections_hold_no_other_merchants_ideas(
    matrix_api: tuple[Any, httpx.AsyncClient], engine: Engine, auth_headers: AuthHeaders
) -> None:
    """/leadtimes, the dashboard and /metrics as another merchant or a machine key hold none of
    the owner's ideas; the owner and a planner see them (so the check can fail)."""
    _, c = matrix_api
    world = _seed(engine)
    with session_scope(engine) as s:
        text = s.get(Trend, world.trend_id).text  # type: ignore[union-attr]
    _, bound = create_api_key(
        engine, f"b-{uuid.uuid4().hex[:6]}", "machine", "b", "t", ["mx-owner"]
    )
    callers = {role: auth_headers(*NAMES[role]) for role in ("owner", "other", "planner")}
    callers["machine"] = auth_headers(*NAMES["machine"])  # bound to the trend feed only
    callers["bound machine"] = {"X-API-Key": bound}  # bound to the owner
    for role, h in callers.items():
        sees = role in ("owner", "planner", "bound machine")
        lt = await c.get("/leadtimes", headers=h)
        assert lt.status_code == 200
        ids = {i["trend_id"] for i in lt.json()["ideas"]}
        assert (world.trend_id in ids) == sees and (text in lt.text) == sees, role
        for page in ("/?ideas=all", "/app/fragments/dashboard?ideas=all"):
            html = await c.get(page, headers=h)
            assert html.status_code == 200 and (text in html.text) == sees, (role, page)
    assert text not in (await c.get("/metrics")).text


async def test_machine_keys_post_signals_for_their_merchants_only(
    matrix_api: tuple[Any, httpx.AsyncClient], engine: Engine
) -> None:
    _, c = matrix_api
    _, key = create_api_key(
        engine, f"feed-{uuid.uuid4().hex[:6]}", "machine", "feed", "t", ["mx-b"]
    )
    flat = [{"t_hours": 0, "views": 10}, {"t_hours": 24, "views": 11}]
    body = {"phrase": "flat thing", "observations": flat}
    mine = await c.post("/signals", json=body | {"merchant_id": "mx-b"}, headers={"X-API-Key": key})
    assert mine.status_code == 200 and mine.json()["viral"] is False
    for merchant in ("mx-owner", "trend-feed"):
        r = await c.post(
            "/signals", json=body | {"merchant_id": merchant}, headers={"X-API-Key": key}
        )
        assert r.status_code == 403, r.text
        assert "mx-b" in r.json()["detail"] and merchant in r.json()["detail"]
    r = await c.get("/auth/me", headers={"X-API-Key": key})
    assert r.json()["merchant_ids"] == ["mx-b"]
