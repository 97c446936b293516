"""Logging in for real: password flow, session cookie, expiry, tampering, API keys, first admin."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.auth import (
    COOKIE_NAME,
    CSRF_HEADER,
    LoginThrottle,
    create_user,
    hash_password,
    issue_token,
    verify_password,
)
from api.auth.throttle import client_address, trusted_networks
from models.db import session_scope
from models.tables import ApiKey, User
from tests.helpers.apps import make_app
from tests.helpers.people import TEST_PASSWORD, AuthHeaders
from trendforge.settings import Settings, load_or_create_secret
from trendforge.stack import api_server_config, ensure_first_admin
from trendforge.temporal import free_port

pytestmark = pytest.mark.db


@pytest.fixture
async def anonymous_api(engine: Engine, jwt_secret: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app without a Temporal client and without a default caller."""
    transport = httpx.ASGITransport(app=make_app(engine, jwt_secret))
    async with httpx.AsyncClient(transport=transport, base_url="http://tf") as c:
        yield c


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _token(c: httpx.AsyncClient, user: str, password: str = TEST_PASSWORD) -> str:
    r = await c.post("/auth/token", data={"username": user, "password": password})
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"
    return r.json()["access_token"]


async def test_password_flow_token_and_me(anonymous_api: httpx.AsyncClient, engine: Engine) -> None:
    name = _name("m")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    token = await _token(anonymous_api, name)
    me = await anonymous_api.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"user": name, "role": "merchant", "via": "token", "merchant_ids": []}
    bad = await anonymous_api.post(
        "/auth/token", data={"username": name, "password": "wrong-password"}
    )
    assert bad.status_code == 401 and bad.json()["detail"] == "wrong user name or password"
    assert 'error="invalid_grant"' in bad.headers["www-authenticate"]
    nobody = await anonymous_api.post(
        "/auth/token", data={"username": "nobody-x", "password": "whatever1"}
    )
    assert nobody.status_code == 401 and nobody.json() == bad.json()  # no user enumeration
    # a name no user can have (PostgreSQL text refuses NUL: it was a 422 there) is just wrong
    nul = await anonymous_api.post("/auth/token", data={"username": "a\x00b", "password": "x"})
    assert nul.status_code == 401 and nul.json() == bad.json()


async def test_passwords_are_salted_scrypt_hashes(engine: Engine) -> None:
    a, b = hash_password("same password"), hash_password("same password")
    assert a != b and a.startswith("scrypt$") and "same password" not in a
    assert verify_password("same password", a) and not verify_password("other", a)
    assert not verify_password("x", "garbage") and not verify_password("x", "md5$1$2$3$4$5")
    name = _name("hashcheck")
    create_user(engine, name, "viewer", TEST_PASSWORD)
    with Session(engine) as s:
        row = s.exec(select(User).where(User.username == name)).one()
    assert TEST_PASSWORD not in row.password_hash
    with pytest.raises(ValueError, match="already exists"):
        create_user(engine, name, "viewer", TEST_PASSWORD)
    with pytest.raises(ValueError, match="at least 8"):
        create_user(engine, _name("short"), "viewer", "short")
    with pytest.raises(ValueError, match="machines use API keys"):
        create_user(engine, _name("mach"), "machine", TEST_PASSWORD)


async def test_expired_tampered_and_foreign_tokens_are_401(
    anonymous_api: httpx.AsyncClient, engine: Engine, jwt_secret: str
) -> None:
    name = _name("p")
    create_user(engine, name, "planner", TEST_PASSWORD)

    async def me(token: str) -> httpx.Response:
        return await anonymous_api.get("/auth/me", headers={"Authorization": f"Bearer {token}"})

    expired = issue_token(jwt_secret, name, "planner", ttl_minutes=-1)
    r = await me(expired)
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    assert r.headers["www-authenticate"].startswith('Bearer realm="trendforge"')
    good = issue_token(jwt_secret, name, "planner", ttl_minutes=5)
    head, body, sig = good.split(".")
    flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    r = await me(f"{head}.{body}.{flipped}")
    assert r.status_code == 401 and "signature" in r.json()["detail"]
    # a forged payload claiming admin, re-using the real signature
    claims = jwt.decode(good, jwt_secret, algorithms=["HS256"], issuer="trendforge")
    forged = jwt.encode(claims | {"sub": "mx-admin", "role": "admin"}, "a" * 48).split(".")
    r = await me(f"{forged[0]}.{forged[1]}.{sig}")
    assert r.status_code == 401 and "signature" in r.json()["detail"]
    r = await me(issue_token("another-secret-" + "x" * 40, name, "planner", 5))
    assert r.status_code == 401
    none_alg = jwt.encode(claims, None, algorithm="none")
    assert (await me(none_alg)).status_code == 401
    assert (await me("not-a-jwt")).status_code == 401
    r = await anonymous_api.get("/auth/me", headers={"Authorization": f"Basic {good}"})
    assert r.status_code == 401 and "Bearer" in r.json()["detail"]
    assert (await me(good)).status_code == 200


async def test_deactivated_user_and_role_change_apply_at_once(
    anonymous_api: httpx.AsyncClient, engine: Engine
) -> None:
    name = _name("v")
    create_user(engine, name, "viewer", TEST_PASSWORD)
    auth = {"Authorization": f"Bearer {await _token(anonymous_api, name)}"}
    review = {"approve": True}
    assert (
        await anonymous_api.post("/plans/1/review", json=review, headers=auth)
    ).status_code == 403
    with session_scope(engine) as s:
        row = s.exec(select(User).where(User.username == name)).one()
        row.role = "planner"
        s.add(row)
    assert (await anonymous_api.get("/auth/me", headers=auth)).json()["role"] == "planner"
    with session_scope(engine) as s:
        row = s.exec(select(User).where(User.username == name)).one()
        row.active = False
        s.add(row)
    r = await anonymous_api.get("/auth/me", headers=auth)
    assert r.status_code == 401 and "deactivated" in r.json()["detail"]


async def test_cookie_login_logout_and_bearer_wins(
    anonymous_api: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    name = _name("m")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    form = {"username": name, "password": TEST_PASSWORD, "next": "/ideas?stage=producing"}
    r = await anonymous_api.post("/auth/login", data=form)
    assert r.status_code == 303 and r.headers["location"] == "/ideas?stage=producing"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert anonymous_api.cookies.get(COOKIE_NAME)
    me = (await anonymous_api.get("/auth/me")).json()
    assert me == {"user": name, "role": "merchant", "via": "cookie", "merchant_ids": []}
    planner = auth_headers("cookie-planner", "planner")
    assert (await anonymous_api.get("/auth/me", headers=planner)).json()["user"] == "cookie-planner"
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        r = await anonymous_api.post("/auth/login", data=form | {"next": evil})
        assert r.status_code == 303 and r.headers["location"] == "/"
    r = await anonymous_api.post("/auth/login", data=form | {"password": "wrong-password"})
    assert r.status_code == 401 and "set-cookie" not in r.headers
    r = await anonymous_api.post("/auth/logout")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert not anonymous_api.cookies.get(COOKIE_NAME)
    assert (await anonymous_api.get("/auth/me")).status_code == 401
    anonymous_api.cookies.set(COOKIE_NAME, "garbage")
    r = await anonymous_api.get("/auth/me")
    assert r.status_code == 401 and "invalid" in r.json()["detail"]
    anonymous_api.cookies.clear()


async def test_api_keys_shown_once_stored_hashed_and_revocable(
    anonymous_api: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    admin = auth_headers("keys-admin", "admin")
    r = await anonymous_api.post(
        "/auth/api-keys", json={"name": "factory-mes", "role": "machine"}, headers=admin
    )
    assert r.status_code == 201, r.text
    key, key_id = r.json()["key"], r.json()["id"]
    assert r.json()["owner"] == "factory-mes" and r.json()["created_by"] == "keys-admin"
    listed = (await anonymous_api.get("/auth/api-keys", headers=admin)).json()
    mine = next(k for k in listed if k["id"] == key_id)
    assert "key" not in mine and "key_hash" not in mine
    with Session(engine) as s:
        row = s.get(ApiKey, key_id)
    assert row is not None and key not in row.key_hash and len(row.key_hash) == 64
    me = (await anonymous_api.get("/auth/me", headers={"X-API-Key": key})).json()
    assert me == {
        "user": "factory-mes",
        "role": "machine",
        "via": "api-key",
        "merchant_ids": ["trend-feed"],  # the default binding
    }
    r = await anonymous_api.post(
        "/auth/api-keys", json={"name": "root", "role": "admin"}, headers=admin
    )
    assert r.status_code == 422 and "role" in str(r.json()["detail"])  # no admin keys
    assert (
        await anonymous_api.delete(f"/auth/api-keys/{key_id}", headers=admin)
    ).status_code == 200
    r = await anonymous_api.get("/auth/me", headers={"X-API-Key": key})
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    r = await anonymous_api.get("/auth/me", headers={"X-API-Key": key[:-3] + "abc"})
    assert r.status_code == 401 and "unknown" in r.json()["detail"]
    assert (await anonymous_api.get("/auth/me", headers={"X-API-Key": "nope"})).status_code == 401
    assert (await anonymous_api.delete("/auth/api-keys/999999", headers=admin)).status_code == 404


async def test_admin_creates_users_over_http(
    anonymous_api: httpx.AsyncClient, auth_headers: AuthHeaders
) -> None:
    admin = auth_headers("users-admin", "admin")
    name = _name("new-merchant")
    body = {"username": name, "role": "merchant", "password": TEST_PASSWORD}
    r = await anonymous_api.post("/auth/users", json=body, headers=admin)
    assert r.status_code == 201 and r.json()["role"] == "merchant"
    assert "password_hash" not in r.json()
    assert (await anonymous_api.post("/auth/users", json=body, headers=admin)).status_code == 409
    r = await anonymous_api.post(
        "/auth/users", json=body | {"username": _name("x"), "role": "god"}, headers=admin
    )
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]  # the schema's own refusal, naming the roles there are
    assert (
        err["loc"] == ["body", "role"]
        and "'merchant', 'planner', 'viewer' or 'admin'" in err["msg"]
    )
    assert await _token(anonymous_api, name)


async def _cookie_login(c: httpx.AsyncClient, name: str, **headers: str) -> httpx.Response:
    form = {"username": name, "password": TEST_PASSWORD}
    return await c.post("/auth/login", data=form, headers=headers)


async def test_cookie_changes_need_the_pages_csrf_token(
    anonymous_api: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    """A forged cross-site form carries the cookie but cannot know the token the pages hold."""
    name = _name("csrf-admin")
    create_user(engine, name, "admin", TEST_PASSWORD)
    assert (await _cookie_login(anonymous_api, name)).status_code == 303
    page = await anonymous_api.get("/app/ideas")
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page.text)
    assert page.status_code == 200 and found, page.text[:500]
    token = found.group(1)

    def body() -> dict[str, str]:
        return {"username": _name("made"), "role": "viewer", "password": TEST_PASSWORD}

    def exists(username: str) -> bool:
        with Session(engine) as s:
            return s.exec(select(User).where(User.username == username)).first() is not None

    forged = body()
    r = await anonymous_api.post("/auth/users", json=forged)
    assert r.status_code == 403 and CSRF_HEADER in r.json()["detail"]
    assert not exists(forged["username"])
    r = await anonymous_api.post("/auth/users", json=forged, headers={CSRF_HEADER: token[::-1]})
    assert r.status_code == 403 and not exists(forged["username"])
    cross = {CSRF_HEADER: token, "Origin": "https://evil.example"}
    r = await anonymous_api.post("/auth/users", json=forged, headers=cross)
    assert r.status_code == 403 and "cross-site" in r.json()["detail"]
    r = await anonymous_api.post(
        "/auth/users", json=forged, headers={CSRF_HEADER: token, "Sec-Fetch-Site": "cross-site"}
    )
    assert r.status_code == 403 and not exists(forged["username"])
    r = await anonymous_api.post(
        "/auth/users", json=forged, headers={CSRF_HEADER: token, "Origin": "http://tf"}
    )
    assert r.status_code == 201 and exists(forged["username"])
    assert (await anonymous_api.get("/auth/users")).status_code == 200  # reads need no token
    # another session gets another token: a token does not outlive or cross sessions
    other = _name("csrf-other")
    create_user(engine, other, "admin", TEST_PASSWORD)
    assert (await _cookie_login(anonymous_api, other)).status_code == 303
    r = await anonymous_api.post("/auth/users", json=body(), headers={CSRF_HEADER: token})
    assert r.status_code == 403
    anonymous_api.cookies.clear()
    # bearer tokens are never sent by a browser on its own: no anti-forgery token needed
    made = body()
    r = await anonymous_api.post(
        "/auth/users", json=made, headers=auth_headers("csrf-bearer", "admin")
    )
    assert r.status_code == 201 and exists(made["username"])


async def test_cross_site_login_and_logout_are_refused(
    anonymous_api: httpx.AsyncClient, engine: Engine
) -> None:
    name = _name("m")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    r = await _cookie_login(anonymous_api, name, Origin="https://evil.example")
    assert r.status_code == 403 and "set-cookie" not in r.headers
    r = await _cookie_login(anonymous_api, name, **{"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and not anonymous_api.cookies.get(COOKIE_NAME)
    r = await _cookie_login(
        anonymous_api, name, Origin="http://tf", **{"Sec-Fetch-Site": "same-origin"}
    )
    assert r.status_code == 303 and anonymous_api.cookies.get(COOKIE_NAME)
    r = await anonymous_api.post("/auth/logout", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and anonymous_api.cookies.get(COOKIE_NAME)
    anonymous_api.cookies.clear()


async def test_failed_logins_are_throttled_per_user_and_client(
    anonymous_api: httpx.AsyncClient, engine: Engine
) -> None:
    now = [1000.0]
    auth = anonymous_api._transport.app.state.auth  # type: ignore[attr-defined]
    throttle = LoginThrottle(max_failures=5, window_s=900, clock=lambda: now[0])
    anonymous_api._transport.app.state.auth = dataclasses.replace(auth, throttle=throttle)  # type: ignore[attr-defined]
    name, bystander = _name("victim"), _name("bystander")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    create_user(engine, bystander, "merchant", TEST_PASSWORD)
    wrong = {"username": name, "password": "wrong-password"}
    for _ in range(5):
        assert (await anonymous_api.post("/auth/token", data=wrong)).status_code == 401
    right = {"username": name, "password": TEST_PASSWORD}
    r = await anonymous_api.post("/auth/token", data=right)
    assert r.status_code == 429 and "too many failed logins" in r.json()["detail"]
    assert int(r.headers["retry-after"]) == 901
    # the browser form says so on the login page instead of a JSON error
    r = await anonymous_api.post("/auth/login", data=right, headers={"Accept": "text/html"})
    assert r.status_code == 303 and "too+many+failed+logins" in r.headers["location"]
    assert await _token(anonymous_api, bystander)  # other users are not locked out
    now[0] += 600
    r = await anonymous_api.post("/auth/token", data=right)
    assert r.status_code == 429 and int(r.headers["retry-after"]) == 301
    now[0] += 301  # the first failure has left the window
    assert await _token(anonymous_api, name)
    # a success clears the user's failures: five more are needed to lock again
    for _ in range(4):
        assert (await anonymous_api.post("/auth/token", data=wrong)).status_code == 401
    assert await _token(anonymous_api, name)


def test_login_throttle_counts_a_spray_over_many_names_per_client() -> None:
    now = [0.0]
    t = LoginThrottle(max_failures=3, window_s=60, clock=lambda: now[0], max_keys=50)
    for i in range(29):
        t.failed(f"user{i}", "10.0.0.9")
    assert t.address_wait("10.0.0.9") == 0 and t.address_wait("10.0.0.8") == 0
    t.failed("user29", "10.0.0.9")  # 30 = 10 × 3 failures from one client over any names
    assert t.address_wait("10.0.0.9") == 60 and t.address_wait("10.0.0.8") == 0
    assert t.account_wait("fresh", "10.0.0.9") == 0  # the address is slowed, no name locked
    now[0] = 61
    assert t.address_wait("10.0.0.9") == 0
    for i in range(200):  # a spray from many addresses keeps memory bounded
        t.failed(f"user{i}", f"10.1.{i}.1")
    assert len(t._failures) <= 50
    assert t.account_wait("user199", "10.1.199.1") == 0  # one failure locks nothing
    for _ in range(3):
        t.failed("Mixed.Case", "10.2.0.1")
    assert t.account_wait("mixed.case", "10.2.0.1") == 60  # names counted case-insensitively


async def test_a_spray_over_other_names_never_locks_out_a_right_password(
    anonymous_api: httpx.AsyncClient, engine: Engine
) -> None:
    """OWASP: 50 failures over other names from one address slow that address (429 for a wrong
    password) but a different account's right password from it still logs in."""
    auth = anonymous_api._transport.app.state.auth  # type: ignore[attr-defined]
    anonymous_api._transport.app.state.auth = dataclasses.replace(  # type: ignore[attr-defined]
        auth, throttle=LoginThrottle(max_failures=5, window_s=900)
    )
    name = _name("office")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    for i in range(50):
        r = await anonymous_api.post(
            "/auth/token", data={"username": f"guess-{i}", "password": "wrong-password"}
        )
        assert r.status_code in (401, 429)
    r = await anonymous_api.post(
        "/auth/token", data={"username": name, "password": "wrong-password"}
    )
    assert r.status_code == 429 and "from this address" in r.json()["detail"]
    assert await _token(anonymous_api, name)  # the right password still gets in


def test_x_forwarded_for_is_believed_from_trusted_proxies_only() -> None:
    proxies = trusted_networks(["10.0.0.5", "172.16.0.0/12"])
    assert client_address("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"  # not a proxy
    assert client_address("127.0.0.1", "1.2.3.4", ()) == "127.0.0.1"  # none by default
    assert client_address("10.0.0.5", "198.51.100.7", proxies) == "198.51.100.7"
    # the client may write anything left of what the proxies append: the right-most untrusted
    assert client_address("10.0.0.5", "6.6.6.6, 198.51.100.7, 172.16.3.4", proxies) == (
        "198.51.100.7"
    )
    assert client_address("10.0.0.5", "", proxies) == "10.0.0.5"


async def test_rotating_x_forwarded_for_does_not_bypass_the_throttle(
    engine: Engine, jwt_secret: str
) -> None:
    """Served as `trendforge up` serves it (uvicorn over TCP from 127.0.0.1, no proxy trusted):
    a new X-Forwarded-For on every guess is still one address."""
    app = make_app(engine, jwt_secret, login_max_failures=3)
    name = _name("xff")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    port = free_port()
    server = uvicorn.Server(api_server_config(app, "127.0.0.1", port))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            codes = []
            for i in range(6):
                r = await c.post(
                    "/auth/token",
                    data={"username": name, "password": "wrong-password"},
                    headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
                )
                codes.append(r.status_code)
            assert codes == [401, 401, 401, 429, 429, 429], codes
    finally:
        server.should_exit = True
        await task


def test_first_admin_from_settings_and_generated_secret(engine: Engine, tmp_path) -> None:
    name = _name("root")
    settings = Settings(data_dir=tmp_path, admin_user=name, admin_password="first-admin-pw")
    ensure_first_admin(engine, settings)
    ensure_first_admin(engine, settings)  # idempotent at every start
    with Session(engine) as s:
        rows = s.exec(select(User).where(User.username == name)).all()
    assert len(rows) == 1 and rows[0].role == "admin"
    assert verify_password("first-admin-pw", rows[0].password_hash)
    with pytest.raises(RuntimeError, match="ADMIN_PASSWORD"):
        ensure_first_admin(engine, Settings(data_dir=tmp_path, admin_user="x-admin"))
    secret = settings.resolved_jwt_secret()
    assert secret == load_or_create_secret(tmp_path) and len(secret) >= 32
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0
    assert secret not in settings.model_dump_json()
    given = Settings(data_dir=tmp_path, jwt_secret="s" * 40)
    assert given.resolved_jwt_secret() == "s" * 40 and "s" * 40 not in given.model_dump_json()


async def test_users_cli_creates_a_user_and_a_key(
    anonymous_api: httpx.AsyncClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from trendforge.cli import app as cli
    from trendforge.settings import get_settings

    monkeypatch.setenv("TRENDFORGE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        name, runner = _name("cli-planner"), CliRunner()
        done = runner.invoke(
            cli, ["users", "create", name, "--role", "planner"], input="pw-from-prompt\n" * 2
        )
        assert done.exit_code == 0, done.output
        again = runner.invoke(
            cli, ["users", "create", name, "--role", "planner", "--password", "x" * 9]
        )
        assert again.exit_code == 1 and "already exists" in again.output
        keyed = runner.invoke(cli, ["users", "api-key", _name("feed"), "--role", "machine"])
        assert keyed.exit_code == 0, keyed.output
    finally:
        get_settings.cache_clear()
    assert await _token(anonymous_api, name, "pw-from-prompt")
    key = keyed.output.strip().splitlines()[-1]
    assert (await anonymous_api.get("/auth/me", headers={"X-API-Key": key})).json()[
        "role"
    ] == "machine"


def test_ensure_user_is_safe_when_called_at_once(engine: Engine) -> None:
    """Several callers ensuring one new user at the same moment get the same single row."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import Session, func, select

    from api.auth import ensure_user
    from models.tables import User

    name = f"race-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        users = list(
            pool.map(lambda _: ensure_user(engine, name, "viewer", TEST_PASSWORD), range(8))
        )
    assert {u.username for u in users} == {name}
    with Session(engine) as s:
        assert s.exec(select(func.count()).where(User.username == name)).one() == 1
