"""The FastAPI app: merchants submit and pick, planners review, factories report, dashboards read.

Reads come from the database projection; actions go through the Temporal client (Updates,
signals, cancellation), so the workflow stays the single source of truth for decisions. The
routes are api.routes.<resource>; who may call what is api.auth's table.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import Client

from api.auth import AuthConfig, LoginThrottle
from api.auth.throttle import trusted_networks
from api.limits import BodyLimit, SecurityHeaders, install_clipped_validation_errors
from api.live import ChangeFeed, RequestTiming, metrics_registry
from api.problems import install_problem_answers
from api.routes import ROUTERS
from api.routes.compliance import LAB_REPORT_PATH
from api.routes.pages import login_redirect
from api.settings import ApiSettings
from api.views import HERE, DashboardCache, make_templates
from models.db import make_engine

# routes that take files: the upload limit instead of the body limit (each checks its own after)
UPLOAD_PATHS = ("/ideas/upload", "/suppliers/import")


def create_app(
    settings: ApiSettings, *, engine: Engine | None = None, client: Client | None = None
) -> FastAPI:
    """The app, configured by `settings` alone. Pass the engine and client when the caller has
    them (the shell, tests); otherwise it connects to settings.database_url at start-up and to
    Temporal on first use."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.engine is None:
            if not settings.database_url:
                raise RuntimeError("create_app needs an engine or settings.database_url")
            app.state.engine = make_engine(settings.database_url)
        yield

    app = FastAPI(
        title="TrendForge",
        version="0.1.0",
        description="From a viral product idea to a shipped production run.",
        lifespan=lifespan,
    )
    state = app.state
    state.settings, state.engine, state.client = settings, engine, client
    state.auth = AuthConfig(
        secret=settings.jwt_secret.get_secret_value(),
        token_ttl_minutes=settings.token_ttl_minutes,
        cookie_secure=settings.cookie_secure,
        throttle=LoginThrottle(settings.login_max_failures, settings.login_window_s),
        trusted_proxies=trusted_networks(settings.trusted_proxies),
    )
    state.templates = make_templates(settings.temporal_ui_url)
    state.dashboard = DashboardCache()
    state.feed = ChangeFeed(lambda: state.engine)
    state.metrics, latency = metrics_registry(lambda: state.engine)

    def body_limit(path: str) -> int:
        upload = path in UPLOAD_PATHS or LAB_REPORT_PATH.match(path) is not None
        return settings.max_upload_bytes if upload else settings.max_body_bytes

    app.add_middleware(RequestTiming, histogram=latency)
    app.add_middleware(BodyLimit, limit=body_limit)  # outside: before parsing and auth
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, a 413 too
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(StarletteHTTPException, login_redirect)  # type: ignore[arg-type]
    install_problem_answers(app)
    install_clipped_validation_errors(app)
    return app
