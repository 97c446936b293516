"""Limits every route shares: the body limit before parsing and authentication, 422s that do not
echo large inputs, bounded /metrics labels, security headers, a private database file."""

import os
import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from models.db import make_engine
from tests.helpers.apps import NO_TEMPORAL, make_app

pytestmark = pytest.mark.db

BODY_LIMIT = 100_000
UPLOAD_LIMIT = 1_000_000
CHUNK = 65_536


@pytest.fixture
async def client(engine, tmp_path, jwt_secret) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = make_app(
        engine,
        jwt_secret,
        temporal_address=NO_TEMPORAL,
        uploads_dir=tmp_path / "uploads",
        max_body_bytes=BODY_LIMIT,
        max_upload_bytes=UPLOAD_LIMIT,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        yield c


async def test_a_20_mb_anonymous_body_gets_413_without_being_read(client) -> None:  # type: ignore[no-untyped-def]
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"text": "'
        for _ in range(20_000_000 // CHUNK):
            sent += 1
            yield b"x" * CHUNK

    declared = {"content-type": "application/json", "content-length": str(20_000_000)}
    r = await client.post("/ideas", content=body(), headers=declared)
    assert r.status_code == 413 and "limit of 100,000 bytes" in r.json()["detail"], r.text
    assert sent <= 1, f"{sent} chunks were read before the refusal"
    # chunked, no length: cut off once the count crosses the limit, still before the 401
    sent = 0
    r = await client.post("/ideas", content=body(), headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert sent * CHUNK <= BODY_LIMIT + 2 * CHUNK
    for path in ("/signals", "/auth/token", "/plans/1/review", "/nowhere"):
        r = await client.post(path, content=b"x" * (BODY_LIMIT + 1))
        assert r.status_code == 413, (path, r.status_code)


async def test_the_upload_route_keeps_its_larger_limit(client) -> None:  # type: ignore[no-untyped-def]
    between = b"x" * (3 * BODY_LIMIT)  # over the body limit, under the upload limit
    r = await client.post("/ideas/upload", content=between, headers={"content-type": "text/plain"})
    assert r.status_code == 401  # read past the middleware: refused for the missing credential
    r = await client.post("/ideas/upload", content=b"x" * (UPLOAD_LIMIT + 1))
    assert r.status_code == 413 and "1,000,000" in r.json()["detail"]


async def test_422_answers_do_not_echo_large_inputs(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    who = auth_headers("m-limits", "merchant")
    big = "y" * 90_000
    r = await client.post("/ideas", json={"text": big, "merchant_id": "m-limits"}, headers=who)
    assert r.status_code == 422 and "2000" in r.text
    assert len(r.content) < 2_000 and big[:1000] not in r.text
    assert "90,000 characters" in r.text  # says how long the refused value was
    r = await client.post(
        "/signals", json={"phrase": "z", "observations": [{"v": 1}] * 12_000}, headers=who
    )
    assert r.status_code in (403, 422) and len(r.content) < 2_000


async def test_metrics_labels_stay_bounded_under_made_up_methods_and_paths(client) -> None:  # type: ignore[no-untyped-def]
    def series(page: str) -> int:
        return sum(
            line.startswith("trendforge_http_request_duration_seconds_count")
            for line in page.splitlines()
        )

    await client.get("/healthz")
    before = series((await client.get("/metrics")).text)
    for i in range(60):
        tag = uuid.uuid4().hex[:8].upper()
        await client.request(f"X{tag}", f"/made-up/{tag}")
        await client.request(f"X{tag}", "/healthz")
        await client.get(f"/ideas/{i}/nothing-{tag}")
    page = (await client.get("/metrics")).text
    after = series(page)
    assert after - before <= 4, f"{after - before} new label sets"
    assert 'method="other"' in page and 'route="unmatched"' in page
    assert "made-up" not in page


async def test_security_headers_on_every_answer(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    answers = [
        await client.get("/healthz"),
        await client.get("/login"),
        await client.get("/static/app.js"),
        await client.get("/ideas"),  # 401
        await client.get("/nowhere"),  # 404
        await client.post("/ideas", content=b"x" * (BODY_LIMIT + 1)),  # 413
        await client.get("/", headers=auth_headers("vi-limits", "viewer")),
    ]
    for r in answers:
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, (r.url, r.status_code, csp)
        assert "script-src 'self'" in csp and "'unsafe-eval'" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    page = answers[-1]
    assert page.status_code == 200 and "<script>" not in page.text  # no inline script to allow
    docs = await client.get("/docs")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_the_sqlite_file_is_created_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which leaves new files world-readable
    try:
        path = tmp_path / "data" / "tf.db"
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        made = [p for p in path.parent.iterdir() if p.name.startswith("tf.db")]
        assert len(made) >= 2  # the database and its WAL
        for p in made:
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, (p.name, oct(p.stat().st_mode))
        engine.dispose()
    finally:
        os.umask(old)
