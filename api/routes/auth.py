"""Routes under /auth: log in (token or cookie), log out, who am I, and the admin's users and
API keys."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, StrictBool, StringConstraints
from sqlmodel import col, select

from api.auth import Actor, admin_only, authenticate_password, create_api_key, create_user
from api.auth.accounts import (
    MIN_PASSWORD_CHARS,
    USERNAME_PATTERN,
    KeyRole,
    UserRole,
    revoke_api_key,
    revoke_session,
    update_user,
)
from api.auth.security import AuthError, issue_token, token_claims
from api.auth.sessions import (
    COOKIE_NAME,
    AuthConfig,
    auth_config,
    refuse_cross_site,
    request_address,
    unauthorized,
)
from api.deps import ActorDep, EngineDep, SessionDep
from api.schemas import ApiKeyOut, NewApiKeyOut, TokenOut, UserOut
from api.state import app_engine
from models.names import FEED_MERCHANT
from models.tables import ApiKey, User

router = APIRouter(prefix="/auth", tags=["auth"])
AdminDep = Annotated[Actor, Depends(admin_only)]
REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"description": "wrong user name or password"},
    403: {"description": "a cross-site request"},
    429: {"description": "too many failed logins; see Retry-After"},
}


class NewUser(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    role: UserRole
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=1024)


class NewApiKey(BaseModel):
    name: str = Field(min_length=1, max_length=128, pattern=r"\S")  # not blank
    role: KeyRole = "machine"
    owner: str | None = Field(default=None, pattern=USERNAME_PATTERN)
    merchant_ids: list[
        Annotated[str, StringConstraints(pattern=USERNAME_PATTERN, max_length=128)]
    ] = Field(
        default=[FEED_MERCHANT],
        max_length=100,
        description="a machine key posts signals for, and sees the ideas of, these merchants",
    )


def _safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, //x) becomes /."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login(
    request: Request, engine: EngineDep, username: str, password: str
) -> tuple[AuthConfig, User]:
    """The user of a right password, unless cross-site or throttled (429 with Retry-After): a
    name locked from this address is refused unchecked; an address over its (slower) limit
    gets 429 for a wrong password only, so a right one for another account still logs in."""
    cfg = auth_config(request)
    refuse_cross_site(request, "logins")
    client = request_address(request)
    wait = cfg.throttle.account_wait(username, client)
    if wait > 0:
        raise _throttled(f"too many failed logins for '{username}' from here", wait)
    try:
        user = authenticate_password(engine, username, password)
    except AuthError as err:
        cfg.throttle.failed(username, client)
        wait = cfg.throttle.address_wait(client)
        if wait > 0:
            raise _throttled("too many failed logins from this address", wait) from err
        raise unauthorized(str(err), error="invalid_grant") from err
    cfg.throttle.succeeded(username, client)
    return cfg, user


def _throttled(reason: str, wait: float) -> HTTPException:
    after = f"{wait:.0f} s" if wait < 120 else f"{wait / 60:.0f} min"
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"{reason}: try again in {after}",
        {"Retry-After": str(int(wait) + 1)},
    )


@router.post("/token", response_model=TokenOut, responses=REFUSED)
def token(
    request: Request,
    engine: EngineDep,
    username: Annotated[str, Form(min_length=1, max_length=128)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
) -> Any:
    """OAuth2 password flow: form username + password -> a bearer JWT."""
    cfg, user = _login(request, engine, username, password)
    jwt_ = issue_token(
        cfg.secret, user.username, user.role, cfg.token_ttl_minutes, user.session_epoch
    )
    return TokenOut(
        access_token=jwt_,
        token_type="bearer",
        expires_in=cfg.token_ttl_minutes * 60,
        role=user.role,
    )


@router.post("/login", status_code=303, response_class=RedirectResponse, responses=REFUSED)
def browser_login(
    request: Request,
    engine: EngineDep,
    username: Annotated[str, Form(min_length=1, max_length=128)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> RedirectResponse:
    """The login form: sets the HttpOnly tf_session cookie and redirects (303) to `next`."""
    cfg, user = _login(request, engine, username, password)
    jwt_ = issue_token(
        cfg.secret, user.username, user.role, cfg.token_ttl_minutes, user.session_epoch
    )
    out = RedirectResponse(_safe_next(next), status_code=303)
    out.set_cookie(
        COOKIE_NAME,
        jwt_,
        max_age=cfg.token_ttl_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=cfg.cookie_secure,
        path="/",
    )
    return out


@router.post("/logout", status_code=303, response_class=RedirectResponse)
def logout(
    request: Request, next: Annotated[str | None, Form(max_length=2000)] = None
) -> RedirectResponse:
    """Ends the browser session on the server (its cookie is refused from now on, also when
    replayed), clears the cookie and redirects (303) to `next` or /. Bearer tokens are the
    client's to drop; an admin's change to the user revokes those too."""
    refuse_cross_site(request)
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        with contextlib.suppress(AuthError):  # an expired or forged token needs no revoking
            revoke_session(app_engine(request), token_claims(auth_config(request).secret, cookie))
    out = RedirectResponse(_safe_next(next), status_code=303)
    out.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return out


@router.get("/me", response_model=Actor)
def me(who: ActorDep) -> Any:
    """The caller's user name, role and how they authenticated."""
    return who


@router.get("/users", response_model=list[UserOut])
def list_users(_: AdminDep, s: SessionDep) -> Any:
    return s.exec(select(User)).all()


@router.post(
    "/users",
    status_code=201,
    response_model=UserOut,
    responses={409: {"description": "the name is taken"}},
)
def add_user(body: NewUser, _: AdminDep, engine: EngineDep) -> Any:
    """Create a merchant, planner, viewer or admin (409 when the name is taken)."""
    try:
        return create_user(engine, body.username, body.role, body.password)
    except ValueError as err:
        code = 409 if "already exists" in str(err) else 422
        raise HTTPException(code, str(err)) from err


class UserChange(BaseModel):
    """What an admin changes about a user; every change ends the user's sessions."""

    role: UserRole | None = None
    active: StrictBool | None = None  # true or false, not 0 or "no"
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_CHARS, max_length=1024)


@router.patch(
    "/users/{username}",
    response_model=UserOut,
    responses={404: {"description": "no such user"}, 409: {"description": "your own account"}},
)
def change_user(username: str, body: UserChange, who: AdminDep, engine: EngineDep) -> Any:
    """Deactivate or reactivate a user, change their role or reset their password; each change
    revokes the sessions they have (their tokens and cookies get 401)."""
    demoted = body.role not in (None, "admin") or body.active is False
    if username.lower() == who.user.lower() and demoted:
        raise HTTPException(409, "an admin cannot deactivate or demote their own account")
    try:
        user = update_user(
            engine, username, role=body.role, active=body.active, password=body.password
        )
    except ValueError as err:
        raise HTTPException(422, str(err)) from err
    if user is None:
        raise HTTPException(404, f"user '{username}' does not exist")
    return user


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_keys(_: AdminDep, s: SessionDep) -> Any:
    return s.exec(select(ApiKey).order_by(col(ApiKey.id))).all()


@router.post("/api-keys", status_code=201, response_model=NewApiKeyOut)
def add_key(body: NewApiKey, who: AdminDep, engine: EngineDep) -> Any:
    """A new API key; the clear `key` is in this answer only."""
    try:
        row, clear = create_api_key(
            engine, body.name, body.role, body.owner or body.name, who.user, body.merchant_ids
        )
    except ValueError as err:
        raise HTTPException(422, str(err)) from err
    return NewApiKeyOut(**row.model_dump(), key=clear)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut)
def delete_key(key_id: int, _: AdminDep, engine: EngineDep) -> Any:
    """Revoke a key; requests with it get 401 from now on."""
    row = revoke_api_key(engine, key_id)
    if row is None:
        raise HTTPException(404, f"no API key {key_id}")
    return row
