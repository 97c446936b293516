"""Sessions end on the server: logout, deactivation, a role change and a password reset revoke
them; admins do those through the API and the CLI; names are case-insensitive; a finished idea
cannot be cancelled."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.auth import COOKIE_NAME, create_user
from models.db import session_scope
from models.tables import Trend
from tests.helpers.apps import NO_TEMPORAL, make_app
from tests.helpers.people import TEST_PASSWORD, AuthHeaders

pytestmark = pytest.mark.db


@pytest.fixture
async def api(engine: Engine, jwt_secret: str) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(engine, jwt_secret, temporal_address=NO_TEMPORAL)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf") as c:
        yield c


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _bearer(c: httpx.AsyncClient, user: str, password: str = TEST_PASSWORD) -> dict:
    r = await c.post("/auth/token", data={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_logout_then_the_same_cookie_gets_401(api: httpx.AsyncClient, engine: Engine) -> None:
    name = _name("m-out")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    r = await api.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
    assert r.status_code == 303
    cookie = api.cookies[COOKIE_NAME]
    other = await _bearer(api, name)  # another session of the same user
    assert (await api.get("/auth/me")).status_code == 200
    assert (await api.post("/auth/logout")).status_code == 303
    api.cookies.clear()
    api.cookies.set(COOKIE_NAME, cookie)  # replayed after logout
    r = await api.get("/auth/me")
    assert r.status_code == 401 and "logged out" in r.json()["detail"]
    api.cookies.clear()
    assert (await api.get("/auth/me", headers=other)).status_code == 200  # only that session


async def test_admin_changes_revoke_the_users_sessions(
    api: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    admin = auth_headers(_name("adm"), "admin")
    name = _name("m-changed")
    create_user(engine, name, "merchant", TEST_PASSWORD)

    before = await _bearer(api, name)
    r = await api.patch(f"/auth/users/{name}", json={"role": "viewer"}, headers=admin)
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    r = await api.get("/auth/me", headers=before)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    now = await _bearer(api, name)
    assert (await api.get("/auth/me", headers=now)).json()["role"] == "viewer"

    r = await api.patch(f"/auth/users/{name}", json={"password": "a new password"}, headers=admin)
    assert r.status_code == 200
    assert (await api.get("/auth/me", headers=now)).status_code == 401
    r = await api.post("/auth/token", data={"username": name, "password": TEST_PASSWORD})
    assert r.status_code == 401
    now = await _bearer(api, name, "a new password")

    r = await api.patch(f"/auth/users/{name}", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await api.get("/auth/me", headers=now)).status_code == 401
    r = await api.post("/auth/token", data={"username": name, "password": "a new password"})
    assert r.status_code == 401

    r = await api.patch(f"/auth/users/{name}", json={"active": True}, headers=admin)
    assert r.status_code == 200
    assert await _bearer(api, name, "a new password")

    r = await api.patch("/auth/users/nobody-here", json={"active": False}, headers=admin)
    assert r.status_code == 404
    r = await api.patch(f"/auth/users/{name}", json={"role": "machine"}, headers=admin)
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]  # the schema's own refusal, naming the roles there are
    assert (
        err["loc"] == ["body", "role"]
        and "'merchant', 'planner', 'viewer' or 'admin'" in err["msg"]
    )
    merchant = await _bearer(api, name, "a new password")
    r = await api.patch(f"/auth/users/{name}", json={"active": False}, headers=merchant)
    assert r.status_code == 403


async def test_an_admin_cannot_lock_themselves_out(api: httpx.AsyncClient, engine: Engine) -> None:
    name = _name("adm-self")
    create_user(engine, name, "admin", TEST_PASSWORD)
    me = await _bearer(api, name)
    for change in ({"active": False}, {"role": "viewer"}):
        r = await api.patch(f"/auth/users/{name}", json=change, headers=me)
        assert r.status_code == 409 and "own account" in r.json()["detail"]


async def test_user_names_are_case_insensitive(api: httpx.AsyncClient, engine: Engine) -> None:
    name = _name("Alice")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    with pytest.raises(ValueError, match="already exists"):
        create_user(engine, name.lower(), "admin", TEST_PASSWORD)
    with pytest.raises(ValueError, match="already exists"):
        create_user(engine, name.upper(), "admin", TEST_PASSWORD)
    for spelling in (name.lower(), name.upper()):
        me = (await api.get("/auth/me", headers=await _bearer(api, spelling))).json()
        assert me["user"] == name and me["role"] == "merchant"  # one account, as stored


async def test_cancelling_a_finished_idea_is_409(
    api: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    merchant = _name("m-done")
    who = auth_headers(merchant, "merchant")
    for stage in ("shipped", "delivered", "failed", "cancelled", "rejected"):
        with session_scope(engine) as s:
            trend = Trend(
                dedup_key=_name("done"), text=f"finished {stage}", merchant_id=merchant, stage=stage
            )
            s.add(trend)
            s.flush()
            tid = trend.id
        r = await api.post(f"/ideas/{tid}/cancel", headers=who)
        assert r.status_code == 409, (stage, r.text)
        assert f"already {stage}" in r.json()["detail"]


def test_users_cli_deactivates_changes_role_and_resets_password(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from api.auth import authenticate_password
    from trendforge.cli import app as cli
    from trendforge.settings import get_settings

    name = _name("cli-m")
    create_user(engine, name, "merchant", TEST_PASSWORD)
    monkeypatch.setenv("TRENDFORGE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        done = runner.invoke(cli, ["users", "role", name, "planner"])
        assert done.exit_code == 0 and "revoked" in done.output, done.output
        done = runner.invoke(cli, ["users", "password", name], input="reset-by-cli\n" * 2)
        assert done.exit_code == 0, done.output
        assert authenticate_password(engine, name, "reset-by-cli").role == "planner"
        done = runner.invoke(cli, ["users", "deactivate", name])
        assert done.exit_code == 0 and "deactivated" in done.output, done.output
        with pytest.raises(ValueError):
            authenticate_password(engine, name, "reset-by-cli")
        missing = runner.invoke(cli, ["users", "deactivate", "nobody-at-all"])
        assert missing.exit_code == 1 and "no user" in missing.output
    finally:
        get_settings.cache_clear()
