"""Who may log in, as what: users (people, with a password) and API keys (machines)."""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from api.auth.security import DUMMY_HASH, AuthError, hash_password, key_hash, verify_password
from models.db import session_scope
from models.names import FEED_MERCHANT
from models.tables import ApiKey, RevokedSession, User, utcnow

UserRole = Literal["merchant", "planner", "viewer", "admin"]
KeyRole = Literal["machine", "merchant", "planner", "viewer"]  # no admin keys: admins log in
USER_ROLES: tuple[str, ...] = get_args(UserRole)
KEY_ROLES: tuple[str, ...] = get_args(KeyRole)
USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,128}$"
MIN_PASSWORD_CHARS = 8


class Actor(BaseModel):
    """Who is calling: the user name (a key's owner for API keys), the role and, for a machine
    key, the merchant ids it is bound to."""

    user: str
    role: str
    via: str = "token"  # token | cookie | api-key
    merchant_ids: list[str] = []


def find_user(s: Session, username: str) -> User | None:
    """The user of this name, compared case-insensitively ("Alice" is "alice"); None for a name
    no user can have (a NUL byte, which PostgreSQL text refuses)."""
    if "\x00" in username:
        return None
    return s.exec(select(User).where(func.lower(User.username) == username.lower())).first()


def _check_role(role: str) -> None:
    if role not in USER_ROLES:
        raise ValueError(f"role must be one of {', '.join(USER_ROLES)} (machines use API keys)")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")


def create_user(engine: Engine, username: str, role: str, password: str) -> User:
    """A new user; ValueError with the reason for a bad name, role, short password or a duplicate
    (names differing only in case are duplicates)."""
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise ValueError("a user name is 1-128 letters, digits or _ . @ -")
    _check_role(role)
    _check_password(password)
    user = User(username=username, role=role, password_hash=hash_password(password))
    try:
        with session_scope(engine) as s:
            taken = find_user(s, username)
            if taken is not None:
                raise ValueError(f"user '{taken.username}' already exists")
            s.add(user)
    except IntegrityError as err:
        raise ValueError(f"user '{username}' already exists") from err
    return user


def update_user(
    engine: Engine,
    username: str,
    *,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User | None:
    """Change a user's role, activity or password; each change revokes every session the user
    has (the session epoch moves on). None when there is no such user; ValueError for a bad
    role or short password."""
    if role is not None:
        _check_role(role)
    if password is not None:
        _check_password(password)
    with session_scope(engine) as s:
        user = find_user(s, username)
        if user is None:
            return None
        changed = False
        if role is not None and role != user.role:
            user.role, changed = role, True
        if active is not None and active != user.active:
            user.active, changed = active, True
        if password is not None:
            user.password_hash, changed = hash_password(password), True
        if changed:
            user.session_epoch += 1
            s.add(user)
        return user


def ensure_user(engine: Engine, username: str, role: str, password: str) -> User:
    """The user `username`, created when missing (first admin, demo people); password reset.
    Safe when two callers ensure the same user at once: the loser of the insert updates."""
    for _ in range(2):
        with session_scope(engine) as s:
            user = find_user(s, username)
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
        user = find_user(s, username)
    ok = verify_password(password, user.password_hash if user else DUMMY_HASH)
    if user is None or not ok or not user.active:
        raise AuthError("wrong user name or password")
    return user


def session_actor(engine: Engine, claims: dict[str, Any], via: str) -> Actor:
    """The Actor of a login token's claims; AuthError when the user is gone or deactivated, or
    the session was logged out or revoked (deactivation, role change, password reset)."""
    username = str(claims["sub"])
    with Session(engine) as s:
        user = find_user(s, username)
        jti = claims.get("jti")
        revoked = jti is not None and s.get(RevokedSession, str(jti)) is not None
    if user is None or not user.active:
        raise AuthError(f"user '{username}' no longer exists or is deactivated")
    if revoked:
        raise AuthError("this session has been logged out: log in again")
    if claims.get("epoch", 0) != user.session_epoch:
        raise AuthError("this session has been revoked (the account changed): log in again")
    return Actor(user=user.username, role=user.role, via=via)


def revoke_session(engine: Engine, claims: dict[str, Any]) -> None:
    """Log a token out until it expires (idempotent; expired rows are pruned on the way)."""
    jti = claims.get("jti")
    if jti is None:
        return
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    with session_scope(engine) as s:
        for old in s.exec(select(RevokedSession).where(RevokedSession.expires_at < utcnow())):
            s.delete(old)
        if s.get(RevokedSession, str(jti)) is None:
            s.add(RevokedSession(jti=str(jti), expires_at=expires))


def create_api_key(
    engine: Engine,
    name: str,
    role: str,
    owner: str,
    created_by: str,
    merchant_ids: Sequence[str] = (FEED_MERCHANT,),
) -> tuple[ApiKey, str]:
    """A new key row and the clear key (shown once; only its SHA-256 is stored). A machine
    key posts signals for, and sees the ideas of, `merchant_ids` only."""
    if role not in KEY_ROLES:
        raise ValueError(f"an API key's role is one of {', '.join(KEY_ROLES)}")
    if not name.strip() or len(name) > 128:
        raise ValueError("an API key needs a name of 1-128 characters")
    if not all(re.fullmatch(USERNAME_PATTERN, m) for m in merchant_ids):
        raise ValueError("a merchant id is 1-128 letters, digits or _ . @ -")
    prefix = secrets.token_hex(6)
    clear = f"tfk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name.strip(),
        prefix=prefix,
        key_hash=key_hash(clear),
        role=role,
        owner=owner,
        merchant_ids=sorted(set(merchant_ids)),
        created_by=created_by,
    )
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
    if row is None or not hmac.compare_digest(row.key_hash, key_hash(clear)):
        raise AuthError("the API key is unknown")
    if row.revoked_at is not None:
        raise AuthError("the API key has been revoked")
    return Actor(user=row.owner, role=row.role, via="api-key", merchant_ids=row.merchant_ids or [])
