"""Who is calling: a bearer token, an API key or the browser's session cookie, in that order.

A cookie is sent by the browser on its own, so a state-changing request (POST/PUT/PATCH/DELETE)
authenticated by it must also carry `X-CSRF-Token`, the HMAC of the session that the pages put
in `<meta name="csrf-token">` (a page's own HTML form, which cannot set a header, sends it as
the field `csrf_token`: only on the pages' form routes under /app/); a request the browser marks as cross-site (`Sec-Fetch-Site`, or
an `Origin` of another host) is refused, the login and logout forms included.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated

import anyio.from_thread
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyCookie, APIKeyHeader, OAuth2PasswordBearer

from api.auth.accounts import Actor, key_actor, session_actor
from api.auth.security import AuthError, csrf_token, token_claims
from api.auth.throttle import LoginThrottle, Network, client_address
from api.state import app_engine

COOKIE_NAME = "tf_session"
API_KEY_HEADER = "X-API-Key"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# POSTs that change nothing, called by the Temporal UI (which cannot send our CSRF header)
CSRF_EXEMPT = frozenset({"/codec/decode"})
CSRF_FIELD = "csrf_token"  # the hidden field of the pages' plain HTML forms
PAGE_FORMS = "/app/"  # where those forms post (api/routes/line_pages.py)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class AuthConfig:
    """How the app checks credentials: the JWT secret, token lifetime, cookie flag, throttle,
    and the proxies whose X-Forwarded-For names the client (none by default)."""

    secret: str
    token_ttl_minutes: int = 480
    cookie_secure: bool = False
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    trusted_proxies: tuple[Network, ...] = ()


def auth_config(request: Request) -> AuthConfig:
    cfg: AuthConfig = request.app.state.auth
    return cfg


def request_address(request: Request) -> str:
    """The client's address: X-Forwarded-For only when the peer is a trusted proxy."""
    peer = request.client.host if request.client else "?"
    proxies = auth_config(request).trusted_proxies
    return client_address(peer, request.headers.get("x-forwarded-for"), proxies)


def cross_site(request: Request) -> bool:
    """True when the browser says the request comes from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = origin.split("://", 1)[-1]
        return host.lower() != request.headers.get("host", "").lower()
    return origin == "null"


def refuse_cross_site(request: Request, what: str = "requests") -> None:
    """403 when the browser says the request comes from another site."""
    if cross_site(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"cross-site {what} are refused")


def unauthorized(reason: str, error: str = "invalid_token") -> HTTPException:
    header = f'Bearer realm="trendforge", error="{error}", error_description="{reason}"'
    return HTTPException(status.HTTP_401_UNAUTHORIZED, reason, {"WWW-Authenticate": header})


def _token_actor(request: Request, cfg: AuthConfig, token: str, via: str) -> Actor:
    try:
        return session_actor(app_engine(request), token_claims(cfg.secret, token), via)
    except AuthError as err:
        raise unauthorized(str(err)) from err


def _check_csrf(request: Request, cfg: AuthConfig, cookie: str) -> None:
    """403 for a cookie-authenticated change that is cross-site or lacks the page's token."""
    refuse_cross_site(request)
    sent = request.headers.get(CSRF_HEADER, "") or _form_token(request)
    if not hmac.compare_digest(sent.encode(), csrf_token(cfg.secret, cookie).encode()):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"a change made with the session cookie needs the {CSRF_HEADER} header from the "
            "page (<meta name=csrf-token>); reload the page, or use a bearer token or API key",
        )


def _form_token(request: Request) -> str:
    """The token a page's own form sent as its hidden field; "" anywhere but the pages' form
    routes. Runs in FastAPI's thread pool (optional_actor is sync); the form it reads is the
    one the route parses too (Starlette keeps it on the request)."""
    kind = request.headers.get("content-type", "")
    if not request.url.path.startswith(PAGE_FORMS) or not kind.startswith(FORM_TYPES):
        return ""

    async def field() -> object:
        return (await request.form()).get(CSRF_FIELD)

    value = anyio.from_thread.run(field)
    return value if isinstance(value, str) else ""


# declared for the OpenAPI page (its Authorize button); optional_actor reads the request itself
_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)
_cookie = APIKeyCookie(name=COOKIE_NAME, auto_error=False)


def optional_actor(
    request: Request,
    _b: Annotated[str | None, Depends(_bearer)] = None,
    _k: Annotated[str | None, Depends(_api_key)] = None,
    _c: Annotated[str | None, Depends(_cookie)] = None,
) -> Actor | None:
    """The caller, or None when no credential was sent; 401 when one was sent and is bad."""
    cfg = auth_config(request)
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("the Authorization header must be 'Bearer <token>'")
        return _token_actor(request, cfg, token.strip(), "token")
    key = request.headers.get(API_KEY_HEADER)
    if key:
        try:
            return key_actor(app_engine(request), key.strip())
        except AuthError as err:
            raise unauthorized(str(err)) from err
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        who = _token_actor(request, cfg, cookie, "cookie")
        if request.method not in SAFE_METHODS and request.url.path not in CSRF_EXEMPT:
            _check_csrf(request, cfg, cookie)
        return who
    return None


def actor(who: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The authenticated caller; 401 with WWW-Authenticate when there is no credential."""
    if who is None:
        raise unauthorized(
            "log in first: send 'Authorization: Bearer <token>' (POST /auth/token), "
            f"the {COOKIE_NAME} cookie (POST /auth/login) or an {API_KEY_HEADER} header",
            error="invalid_request",
        )
    return who
