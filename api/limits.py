"""Guards every answer passes through: a body-size limit enforced before anything reads the body
(so before parsing and authentication), the security headers, and 422 answers that never echo a
large input back.

Pure ASGI middleware (not BaseHTTPMiddleware, which wraps streams and exceptions in task groups).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ECHO_CHARS = 120  # a 422 shows at most this much of each refused input value


class BodyTooLarge(BaseException):
    """Raised from `receive` when a body crosses the limit. A BaseException on purpose: FastAPI
    turns any Exception met while parsing a form into a 400, and this must end as a 413."""


class BodyLimit:
    """413 for a request whose body is (declared or turns out, chunk by chunk) larger than the
    limit of its path, before the app reads more than the limit."""

    def __init__(self, app: ASGIApp, limit: Callable[[str], int]) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await too_large(send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except BodyTooLarge:
            if not started:
                await too_large(send, limit)


async def too_large(send: Send, limit: int) -> None:
    """The 413 answer (the connection is closed: the rest of the body is never read)."""
    body = json.dumps({"detail": f"the request body is larger than the limit of {limit:,} bytes"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


# The pages load scripts and styles from /static only (model-viewer is vendored there) and use
# inline style attributes (bars, legends); model-viewer reads meshes with fetch, makes blob:
# textures and compiles WebAssembly ('wasm-unsafe-eval' allows that, not JavaScript eval).
# Swagger UI and ReDoc (/docs, /redoc) load from their CDN with an inline script.
PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self' blob: data:; worker-src 'self' blob:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; "
    f"style-src 'self' 'unsafe-inline' {DOCS_CDN} https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every answer carries: CSP with frame-ancestors 'none', nosniff, referrer
    policy, and X-Frame-Options for browsers without CSP level 2."""
    csp = DOCS_CSP if path in DOCS_PATHS else PAGE_CSP
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]


class SecurityHeaders:
    """Adds security_headers to every HTTP answer (the app's, a 413, a static file)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"])
        names = {name for name, _ in extra}

        async def adding(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, adding)


def clipped(value: Any) -> Any:
    """A refused input value as a 422 may show it: whole when short, else its first
    ECHO_CHARS characters (of its JSON for lists and objects) and how long it was."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (dict, list)):
        text = json.dumps(jsonable_encoder(value), ensure_ascii=False)
    else:
        return value
    if len(text) <= ECHO_CHARS:
        return value
    return f"{text[:ECHO_CHARS]}… ({len(text):,} characters)"


def install_clipped_validation_errors(app: FastAPI) -> None:
    """FastAPI's 422 for invalid fields, with every echoed input clipped (a 300 MB text must not
    come back as a 300 MB answer)."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            error = dict(error)
            if "input" in error:
                error["input"] = clipped(error["input"])
            if "ctx" in error:
                error["ctx"] = {k: clipped(v) for k, v in error["ctx"].items()}
            errors.append(error)
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
