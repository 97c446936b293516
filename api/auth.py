"""Authentication (passwords, JWTs, session cookie, API keys) and the role rules of every route.

Identity: people log in with a username and password (OAuth2 password flow, `POST /auth/token`,
or the browser form `POST /auth/login` that sets the HttpOnly cookie `tf_session`); both give a
JWT (HS256, signed with `TRENDFORGE_JWT_SECRET` or a secret generated once under the data dir).
Machines send `X-API-Key: tfk_<prefix>_<secret>`; keys are made by an admin, shown once, stored
as a SHA-256 hash and revocable. Precedence: `Authorization: Bearer` > `X-API-Key` > cookie.
The role is read from the database on every request, so a role change or a deactivated user
takes effect at once; a revoked key is refused at once.

Browser sessions: a cookie is sent by the browser on its own, so a state-changing request
(POST/PUT/PATCH/DELETE) authenticated by the cookie must also carry `X-CSRF-Token`, an HMAC of
the session that the pages put in `<meta name="csrf-token">` and `app.js` sends back; a request
that the browser marks as cross-site (`Sec-Fetch-Site`, or an `Origin` of another host) is
refused, the login and logout forms included. Bearer tokens and API keys are not sent by
browsers on their own and need neither. Failed logins are throttled per user name and client
address (`LoginThrottle`): after `login_max_failures` failures in `login_window_s` the next
attempt, right password or not, is a 429 with `Retry-After`.

Decision table (A = allowed, own = only the merchant who owns the idea, - = 403, anonymous is
401 everywhere except the public rows; admin is allowed everywhere):

| route                                   | anon | merchant | planner | viewer | machine |
| --------------------------------------- | ---- | -------- | ------- | ------ | ------- |
| GET /healthz, /docs, /redoc, /openapi   | A    | A        | A       | A      | A       |
| POST /auth/token, /auth/login, /logout  | A    | A        | A       | A      | A       |
| GET /auth/me                            | 401  | A        | A       | A      | A       |
| /auth/users, /auth/api-keys (all)       | 401  | -        | -       | -      | -       |
| POST /ideas                             | 401  | own id   | -       | -      | -       |
| GET /ideas                              | 401  | own only | A       | A      | -       |
| GET /ideas/{id}[/variants, assets,      | 401  | own      | A       | A      | -       |
|   prototype, prototype file, sourcing,  |      |          |         |        |         |
|   match]                                |      |          |         |        |         |
| POST /ideas/{id}/selection, /cancel     | 401  | own      | -       | -      | -       |
| GET /plans, /plans/{id}, its CSVs       | 401  | own only | A       | A      | A       |
| POST /plans/{id}/review                 | 401  | -        | A       | -      | -       |
| GET /runs/{id}                          | 401  | own      | A       | A      | A       |
| POST /runs/{id}/progress[/batch]       | 401  | -        | A       | -      | A       |
| POST /signals                           | 401  | -        | -       | -      | A       |
| GET /, /leadtimes, /suppliers[/{id}]    | 401  | A        | A       | A      | A       |
| POST /suppliers/import                  | 401  | -        | A       | -      | -       |

Anonymous reads are refused on purpose: idea texts, costs and plans are a merchant's business
data; only the health probe and the API description are public. tests/api/test_authz_matrix.py
holds the same table as data and checks every route of the app against it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse
from fastapi.security import APIKeyCookie, APIKeyHeader, OAuth2PasswordBearer
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import ApiKey, User, utcnow

ROLES = ("merchant", "planner", "viewer", "admin", "machine")
USER_ROLES = ("merchant", "planner", "viewer", "admin")
KEY_ROLES = ("machine", "merchant", "planner", "viewer")  # no admin keys: admins log in
COOKIE_NAME = "tf_session"
API_KEY_HEADER = "X-API-Key"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
JWT_ALGORITHM = "HS256"
USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,128}$"
MIN_PASSWORD_CHARS = 8
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class Actor(BaseModel):
    """Who is calling: the user name (a key's owner for API keys) and the role."""

    user: str
    role: str
    via: str = "token"  # token | cookie | api-key


@dataclass(frozen=True)
class AuthConfig:
    """What the app needs to check credentials: its database, the JWT secret, the throttle."""

    get_engine: Any  # Callable[[], Engine]
    secret: str
    token_ttl_minutes: int = 480
    cookie_secure: bool = False
    throttle: LoginThrottle = field(default_factory=lambda: LoginThrottle())


class AuthError(ValueError):
    """A credential problem with a reason the caller may read (never the secret)."""


class LoginThrottle:
    """Failed logins per (user name, client) and per client in a sliding window.

    `max_failures` failures for one user name from one client, or `10 × max_failures` from one
    client over any names, lock that key until the oldest failure leaves the window. A success
    clears the user's key. It lives in the API process: with N API replicas an attacker gets N
    times the budget, still far from a password guessing rate (and scrypt costs each guess).
    """

    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, username: str, client: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("user", f"{username.lower()}|{client}"), ("client", client)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def retry_after(self, username: str, client: str) -> float:
        """Seconds until this user name may try again from this client; 0 when it may now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, limit in zip(self._keys(username, client), (1, 10), strict=True):
                times = self._recent(key, now)
                if len(times) >= self.max_failures * limit:
                    wait = max(wait, times[0] + self.window_s - now)
        return wait

    def failed(self, username: str, client: str) -> None:
        now = self.clock()
        with self._lock:
            room = self.max_keys - 2  # each failure may add two keys
            if len(self._failures) > room:  # bounded memory under a spray of names
                for key in [k for k, t in self._failures.items() if t[-1] <= now - self.window_s]:
                    del self._failures[key]
                while len(self._failures) > room:
                    del self._failures[next(iter(self._failures))]
            for key in self._keys(username, client):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, client)[0], None)


# ---------------------------------------------------------------- passwords (stdlib scrypt)


def hash_password(password: str) -> str:
    """scrypt with a fresh 16-byte salt, as `scrypt$n$r$p$salt$hash` (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` hashes to `stored` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(want),
        )  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


# ---------------------------------------------------------------- JWT secret and tokens


def load_or_create_secret(data_dir: Path) -> str:
    """The JWT secret kept in `<data_dir>/jwt_secret` (mode 600), created on first use."""
    path = data_dir / "jwt_secret"
    if path.is_file():
        value = path.read_text().strip()
        if len(value) >= 32:
            return value
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(value)
    return value


def issue_token(secret: str, username: str, role: str, ttl_minutes: float) -> str:
    """A signed JWT for `username` that expires after `ttl_minutes`."""
    now = datetime.now(UTC)
    claims = {
        "sub": username,
        "role": role,
        "iat": now,
        "exp": now + timedelta(minutes=ttl_minutes),
        "iss": "trendforge",
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def token_subject(secret: str, token: str) -> str:
    """The user name in a valid token; AuthError says why a token is refused."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            issuer="trendforge",
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as err:
        raise AuthError("the token has expired: log in again") from err
    except jwt.InvalidSignatureError as err:
        raise AuthError("the token signature is invalid") from err
    except jwt.PyJWTError as err:
        raise AuthError(f"the token is invalid: {err}") from err
    return str(claims["sub"])


# ---------------------------------------------------------------- users and API keys


def create_user(engine: Engine, username: str, role: str, password: str) -> User:
    """A new user; ValueError with the reason for a bad name, role, short password or a duplicate."""
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise ValueError("a user name is 1-128 letters, digits or _ . @ -")
    if role not in USER_ROLES:
        raise ValueError(f"role must be one of {', '.join(USER_ROLES)} (machines use API keys)")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    user = User(username=username, role=role, password_hash=hash_password(password))
    try:
        with session_scope(engine) as s:
            s.add(user)
    except IntegrityError as err:
        raise ValueError(f"user '{username}' already exists") from err
    return user


def ensure_user(engine: Engine, username: str, role: str, password: str) -> User:
    """The user `username`, created when missing (first admin, demo people); password reset.
    Safe when two callers ensure the same user at once: the loser of the insert updates."""
    for _ in range(2):
        with session_scope(engine) as s:
            user = s.exec(select(User).where(User.username == username)).first()
            if user is not None:
                user.role, user.active = role, True
                user.password_hash = hash_password(password)
                s.add(user)
                return user
        try:
            return create_user(engine, username, role, password)
        except ValueError:
            continue  # created meanwhile by another caller: update it on the next pass
    raise AssertionError(f"user '{username}' could neither be created nor found")


def authenticate_password(engine: Engine, username: str, password: str) -> User:
    """The active user with this password; AuthError otherwise (one reason for both cases)."""
    with Session(engine) as s:
        user = s.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not ok or not user.active:
        raise AuthError("wrong user name or password")
    return user


def create_api_key(
    engine: Engine, name: str, role: str, owner: str, created_by: str
) -> tuple[ApiKey, str]:
    """A new key row and the clear key (shown once; only its SHA-256 is stored)."""
    if role not in KEY_ROLES:
        raise ValueError(f"an API key's role is one of {', '.join(KEY_ROLES)}")
    if not name.strip() or len(name) > 128:
        raise ValueError("an API key needs a name of 1-128 characters")
    prefix = secrets.token_hex(6)
    clear = f"tfk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name.strip(), prefix=prefix, key_hash=_sha256(clear), role=role,
        owner=owner, created_by=created_by,
    )  # fmt: skip
    with session_scope(engine) as s:
        s.add(row)
    return row, clear


def revoke_api_key(engine: Engine, key_id: int) -> ApiKey | None:
    """Mark a key revoked (idempotent); None when there is no such key."""
    with session_scope(engine) as s:
        row = s.get(ApiKey, key_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            s.add(row)
        return row


def key_actor(engine: Engine, clear: str) -> Actor:
    """The Actor of a live API key; AuthError for a malformed, unknown or revoked key."""
    parts = clear.split("_")
    if len(parts) < 3 or parts[0] != "tfk":
        raise AuthError("the API key is malformed")
    with Session(engine) as s:
        row = s.exec(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if row is None or not hmac.compare_digest(row.key_hash, _sha256(clear)):
        raise AuthError("the API key is unknown")
    if row.revoked_at is not None:
        raise AuthError("the API key has been revoked")
    return Actor(user=row.owner, role=row.role, via="api-key")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def csrf_token(secret: str, session: str) -> str:
    """The anti-forgery token of a browser session: an HMAC of its cookie, never stored."""
    return hmac.new(secret.encode(), f"csrf|{session}".encode(), hashlib.sha256).hexdigest()[:40]


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


_DUMMY_HASH = hash_password(secrets.token_hex(8))  # same work for unknown users


# ---------------------------------------------------------------- FastAPI dependencies


def _config(request: Request) -> AuthConfig:
    cfg = getattr(request.app.state, "auth", None)
    if cfg is None:
        raise HTTPException(500, "the app has no auth configuration")
    return cfg


def _unauthorized(reason: str, error: str = "invalid_token") -> HTTPException:
    header = f'Bearer realm="trendforge", error="{error}", error_description="{reason}"'
    return HTTPException(status.HTTP_401_UNAUTHORIZED, reason, {"WWW-Authenticate": header})


def _user_actor(cfg: AuthConfig, token: str, via: str) -> Actor:
    try:
        username = token_subject(cfg.secret, token)
    except AuthError as err:
        raise _unauthorized(str(err)) from err
    with Session(cfg.get_engine()) as s:
        user = s.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        raise _unauthorized(f"user '{username}' no longer exists or is deactivated")
    return Actor(user=user.username, role=user.role, via=via)


# declared for the OpenAPI page (its Authorize button); optional_actor reads the request itself
_DOC_SCHEMES = (
    OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False),
    APIKeyHeader(name=API_KEY_HEADER, auto_error=False),
    APIKeyCookie(name=COOKIE_NAME, auto_error=False),
)


def optional_actor(
    request: Request,
    _bearer: Annotated[str | None, Depends(_DOC_SCHEMES[0])] = None,
    _key: Annotated[str | None, Depends(_DOC_SCHEMES[1])] = None,
    _cookie: Annotated[str | None, Depends(_DOC_SCHEMES[2])] = None,
) -> Actor | None:
    """The caller, or None when no credential was sent; 401 when one was sent and is bad."""
    cfg = _config(request)
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("the Authorization header must be 'Bearer <token>'")
        return _user_actor(cfg, token.strip(), "token")
    key = request.headers.get(API_KEY_HEADER)
    if key:
        try:
            return key_actor(cfg.get_engine(), key.strip())
        except AuthError as err:
            raise _unauthorized(str(err)) from err
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        who = _user_actor(cfg, cookie, "cookie")
        if request.method not in SAFE_METHODS:
            _check_csrf(request, cfg, cookie)
        return who
    return None


def _check_csrf(request: Request, cfg: AuthConfig, cookie: str) -> None:
    """403 for a cookie-authenticated change that is cross-site or lacks the page's token."""
    refuse_cross_site(request)
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(cfg.secret, cookie).encode()):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"a change made with the session cookie needs the {CSRF_HEADER} header from the "
            "page (<meta name=csrf-token>); reload the page, or use a bearer token or API key",
        )


def actor(who: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The authenticated caller; 401 with WWW-Authenticate when there is no credential."""
    if who is None:
        raise _unauthorized(
            "log in first: send 'Authorization: Bearer <token>' (POST /auth/token), "
            f"the {COOKIE_NAME} cookie (POST /auth/login) or an {API_KEY_HEADER} header",
            error="invalid_request",
        )
    return who


def require(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets in `roles` (and admin), else 403 with the reason."""

    def check(who: Annotated[Actor, Depends(actor)]) -> Actor:
        if who.role not in roles and who.role != "admin":
            need = " or ".join((*roles, "admin"))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this action needs the role {need}; you are {who.role}"
            )
        return who

    return check


def ensure_owner(who: Actor, merchant_id: str, action: str = "see this idea") -> None:
    """403 when a merchant (or a merchant-role key) acts on another merchant's idea."""
    if who.role == "merchant" and who.user != merchant_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"only the merchant who submitted this idea may {action}"
        )


IDEA_READERS = ("merchant", "planner", "viewer")
PLAN_READERS = ("merchant", "planner", "viewer", "machine")
admin_only = require()
idea_reader = require(*IDEA_READERS)  # merchants then pass ensure_owner
plan_reader = require(*PLAN_READERS)


# ---------------------------------------------------------------- routes under /auth


class NewUser(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    role: str
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=1024)


class NewApiKey(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    role: str = "machine"
    owner: str | None = Field(default=None, pattern=USERNAME_PATTERN)


def _safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, //x) becomes /."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _key_json(row: ApiKey) -> dict[str, Any]:
    return row.model_dump(exclude={"key_hash"})


def auth_router() -> APIRouter:
    """Log in (token or cookie), log out, who am I, and the admin's users and API keys."""
    router = APIRouter(prefix="/auth", tags=["auth"])

    def login(request: Request, username: str, password: str) -> tuple[AuthConfig, User]:
        cfg = _config(request)
        refuse_cross_site(request, "logins")
        client = request.client.host if request.client else "?"
        wait = cfg.throttle.retry_after(username, client)
        if wait > 0:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                f"too many failed logins for '{username}' from here: try again in "
                + (f"{wait:.0f} s" if wait < 120 else f"{wait / 60:.0f} min"),
                {"Retry-After": str(int(wait) + 1)},
            )
        try:
            user = authenticate_password(cfg.get_engine(), username, password)
        except AuthError as err:
            cfg.throttle.failed(username, client)
            raise _unauthorized(str(err), error="invalid_grant") from err
        cfg.throttle.succeeded(username, client)
        return cfg, user

    refused = {
        401: {"description": "wrong user name or password"},
        403: {"description": "a cross-site request"},
        429: {"description": "too many failed logins; see Retry-After"},
    }

    @router.post("/token", responses=refused)
    def token(
        request: Request,
        username: Annotated[str, Form(max_length=128)],
        password: Annotated[str, Form(max_length=1024)],
    ) -> dict[str, Any]:
        """OAuth2 password flow: form username + password -> a bearer JWT."""
        cfg, user = login(request, username, password)
        jwt_ = issue_token(cfg.secret, user.username, user.role, cfg.token_ttl_minutes)
        return {"access_token": jwt_, "token_type": "bearer",
                "expires_in": cfg.token_ttl_minutes * 60, "role": user.role}  # fmt: skip

    @router.post("/login", status_code=303, response_class=RedirectResponse, responses=refused)
    def browser_login(
        request: Request,
        username: Annotated[str, Form(max_length=128)],
        password: Annotated[str, Form(max_length=1024)],
        next: Annotated[str | None, Form(max_length=2000)] = None,
    ) -> RedirectResponse:
        """The login form: sets the HttpOnly tf_session cookie and redirects (303) to `next`."""
        cfg, user = login(request, username, password)
        jwt_ = issue_token(cfg.secret, user.username, user.role, cfg.token_ttl_minutes)
        out = RedirectResponse(_safe_next(next), status_code=303)
        out.set_cookie(
            COOKIE_NAME, jwt_, max_age=cfg.token_ttl_minutes * 60, httponly=True,
            samesite="lax", secure=cfg.cookie_secure, path="/",
        )  # fmt: skip
        return out

    @router.post("/logout", status_code=303, response_class=RedirectResponse)
    def logout(
        request: Request, next: Annotated[str | None, Form(max_length=2000)] = None
    ) -> RedirectResponse:
        """Clears the session cookie and redirects (303) to `next` or /."""
        refuse_cross_site(request)
        out = RedirectResponse(_safe_next(next), status_code=303)
        out.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
        return out

    @router.get("/me")
    def me(who: Annotated[Actor, Depends(actor)]) -> Actor:
        """The caller's user name, role and how they authenticated."""
        return who

    @router.get("/users")
    def list_users(request: Request, _: Annotated[Actor, Depends(admin_only)]) -> list[dict]:
        with Session(_config(request).get_engine()) as s:
            return [u.model_dump(exclude={"password_hash"}) for u in s.exec(select(User))]

    @router.post("/users", status_code=201)
    def add_user(
        request: Request, body: NewUser, _: Annotated[Actor, Depends(admin_only)]
    ) -> dict[str, Any]:
        """Create a merchant, planner, viewer or admin (409 when the name is taken)."""
        try:
            user = create_user(
                _config(request).get_engine(), body.username, body.role, body.password
            )
        except ValueError as err:
            code = 409 if "already exists" in str(err) else 422
            raise HTTPException(code, str(err)) from err
        return user.model_dump(exclude={"password_hash"})

    @router.get("/api-keys")
    def list_keys(request: Request, _: Annotated[Actor, Depends(admin_only)]) -> list[dict]:
        with Session(_config(request).get_engine()) as s:
            return [_key_json(k) for k in s.exec(select(ApiKey).order_by(ApiKey.id))]  # type: ignore[arg-type]

    @router.post("/api-keys", status_code=201)
    def add_key(
        request: Request, body: NewApiKey, who: Annotated[Actor, Depends(admin_only)]
    ) -> dict[str, Any]:
        """A new API key; the clear `key` is in this answer only."""
        try:
            row, clear = create_api_key(
                _config(request).get_engine(), body.name, body.role,
                body.owner or body.name, who.user,
            )  # fmt: skip
        except ValueError as err:
            raise HTTPException(422, str(err)) from err
        return _key_json(row) | {"key": clear}

    @router.delete("/api-keys/{key_id}")
    def delete_key(
        request: Request, key_id: int, _: Annotated[Actor, Depends(admin_only)]
    ) -> dict[str, Any]:
        """Revoke a key; requests with it get 401 from now on."""
        row = revoke_api_key(_config(request).get_engine(), key_id)
        if row is None:
            raise HTTPException(404, f"no API key {key_id}")
        return _key_json(row)

    return router
