"""Secrets and what is derived from them: password hashes (scrypt), login tokens (JWT, HS256),
the anti-forgery token of a browser session, and the stored hash of an API key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

JWT_ALGORITHM = "HS256"
JWT_ISSUER = "trendforge"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class AuthError(ValueError):
    """A credential problem with a reason the caller may read (never the secret)."""


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
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


DUMMY_HASH = hash_password(secrets.token_hex(8))  # unknown users cost the same work


def issue_token(secret: str, username: str, role: str, ttl_minutes: float, epoch: int = 0) -> str:
    """A signed JWT for `username` that expires after `ttl_minutes`: its id (`jti`, what a
    logout revokes) and the user's session epoch (a deactivation or role change bumps it)."""
    now = datetime.now(UTC)
    claims = {
        "sub": username,
        "role": role,
        "iat": now,
        "exp": now + timedelta(minutes=ttl_minutes),
        "iss": JWT_ISSUER,
        "jti": secrets.token_urlsafe(16),
        "epoch": epoch,
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def token_subject(secret: str, token: str) -> str:
    """The user name in a valid token; AuthError says why a token is refused."""
    return str(token_claims(secret, token)["sub"])


def token_claims(secret: str, token: str) -> dict[str, Any]:
    """The claims of a valid token; AuthError says why a token is refused."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            issuer=JWT_ISSUER,
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as err:
        raise AuthError("the token has expired: log in again") from err
    except jwt.InvalidSignatureError as err:
        raise AuthError("the token signature is invalid") from err
    except jwt.PyJWTError as err:
        raise AuthError(f"the token is invalid: {err}") from err
    return claims


def csrf_token(secret: str, session: str) -> str:
    """The anti-forgery token of a browser session: an HMAC of its cookie, never stored."""
    return hmac.new(secret.encode(), f"csrf|{session}".encode(), hashlib.sha256).hexdigest()[:40]


def key_hash(clear: str) -> str:
    """What is stored of an API key: its SHA-256."""
    return hashlib.sha256(clear.encode()).hexdigest()
