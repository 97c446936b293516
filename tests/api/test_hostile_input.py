"""Hostile input at the API: poisoned meshes, bodies over the limit, injection through every
filter, oversized and unusual text, and secrets kept out of the logs. Each gets a clear 4xx
with the reason, and nothing is kept or broken."""

import logging
import struct
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select

from models.tables import Supplier, Trend
from tests.helpers.apps import NO_TEMPORAL, make_app
from tests.helpers.people import TEST_PASSWORD

pytestmark = pytest.mark.db

FIXTURES = Path(__file__).parents[1] / "engines" / "fixtures" / "printprep"
LIMIT = 300_000


@pytest.fixture
async def client(engine, tmp_path, jwt_secret) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = make_app(
        engine,
        jwt_secret,
        temporal_address=NO_TEMPORAL,  # refused before any pipeline would start
        uploads_dir=tmp_path / "uploads",
        max_upload_bytes=LIMIT,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        yield c


def _binary_stl(declared: int, actual: int) -> bytes:
    """A binary STL whose header declares `declared` triangles but carries `actual`."""
    facet = struct.pack("<12fH", *([0.0] * 3 + [0, 0, 0, 1, 0, 0, 0, 1, 0]), 0)
    return b"\0" * 80 + struct.pack("<I", declared) + facet * actual


def _nan_obj() -> bytes:
    return b"v 0 0 0\nv 1 0 0\nv nan 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n"


HOSTILE = [
    ("truncated.stl", _binary_stl(12, 3), "cannot be used"),
    ("fifty-million.stl", _binary_stl(50_000_000, 2), "cannot be used"),
    ("nan.obj", _nan_obj(), "NaN"),
    ("zip_bomb.3mf", (FIXTURES / "zip_bomb.3mf").read_bytes(), "zip bomb"),
    ("../../etc/passwd.3mf", (FIXTURES / "path_traversal.3mf").read_bytes(), "path traversal"),
    ("garbage.stl", (FIXTURES / "garbage.stl").read_bytes(), "cannot be used"),
]


@pytest.mark.parametrize(("name", "content", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_poisoned_meshes_are_refused_with_the_reason(
    client, auth_headers, tmp_path, name: str, content: bytes, reason: str
) -> None:  # type: ignore[no-untyped-def]
    who = auth_headers("m-hostile", "merchant")
    r = await client.post(
        "/ideas/upload",
        data={"text": f"cute robot figurine {uuid.uuid4().hex[:6]}"},
        files={"mesh": (name, content)},
        headers=who,
    )
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"]
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir()), "a refused upload left a file"


async def test_the_size_limit_is_enforced_before_the_body_is_read(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    who = auth_headers("m-hostile", "merchant")
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        """A well-formed multipart file part that goes on for 64 MB."""
        nonlocal sent
        yield (
            b'--xyz\r\nContent-Disposition: form-data; name="mesh"; filename="big.stl"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        for _ in range(1000):
            sent += 1
            yield b"x" * 65536

    headers = who | {
        "content-type": "multipart/form-data; boundary=xyz",
        "content-length": str(64 * 1000 * 65536),
    }
    r = await client.post("/ideas/upload", content=endless(), headers=headers)
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    assert sent <= 1, f"{sent} chunks were read before the refusal"
    # a lying client (no length, chunked) is cut off once the limit is crossed
    sent = 0
    headers.pop("content-length")
    r = await client.post("/ideas/upload", content=endless(), headers=headers)
    assert r.status_code == 413, (sent, r.text)
    assert sent * 65536 <= LIMIT + 2 * 65536


INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE trend; --",
    '" OR ""="',
    "%' --",
    "x') UNION SELECT 1--",
]


@pytest.mark.parametrize("evil", INJECTIONS)
async def test_injection_through_every_filter_finds_nothing_and_breaks_nothing(
    client, auth_headers, engine, evil: str
) -> None:  # type: ignore[no-untyped-def]
    planner = auth_headers("li-hostile", "planner")
    with Session(engine) as s:
        before = (
            s.exec(select(func.count()).select_from(Trend)).one(),
            s.exec(select(func.count()).select_from(Supplier)).one(),
        )
    probes = [
        ("/ideas", {"merchant_id": evil}),
        ("/ideas", {"stage": evil}),
        ("/plans", {"status": evil}),
        ("/suppliers", {"process": evil}),
        ("/suppliers", {"town": evil}),
    ]
    for path, params in probes:
        r = await client.get(path, params=params, headers=planner)
        assert r.status_code in (200, 422), (path, params, r.status_code, r.text)
        if r.status_code == 200:
            body = r.json()
            rows = body if isinstance(body, list) else body.get("suppliers", body.get("items", []))
            assert rows == [], (path, params, str(body)[:200])
    with Session(engine) as s:
        after = (
            s.exec(select(func.count()).select_from(Trend)).one(),
            s.exec(select(func.count()).select_from(Supplier)).one(),
        )
    assert after == before


async def test_oversized_and_unusual_text(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    who = auth_headers("m-text", "merchant")
    r = await client.post("/ideas", json={"text": "x" * 2001, "merchant_id": "m-text"}, headers=who)
    assert r.status_code == 422 and "2000" in r.text
    for text in ("\u200b\u200b", "🔥🔥🔥", "\x00\x01"):
        r = await client.post("/ideas", json={"text": text, "merchant_id": "m-text"}, headers=who)
        assert r.status_code == 422 and "words" in r.text, (text, r.text)
    r = await client.post(
        "/ideas", json={"text": "hat", "merchant_id": "m-text/../../x"}, headers=who
    )
    assert r.status_code in (403, 422)


async def test_no_secret_reaches_the_logs(client, auth_headers, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    admin = auth_headers("adm-logs", "admin")
    r = await client.post("/auth/token", data={"username": "adm-logs", "password": TEST_PASSWORD})
    token = r.json()["access_token"]
    r = await client.post("/auth/api-keys", json={"name": "feed-logs"}, headers=admin)
    key = r.json()["key"]
    await client.post("/auth/token", data={"username": "adm-logs", "password": "wrong-" + key})
    await client.get("/auth/me", headers={"Authorization": f"Bearer {token}x"})
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    # the key is tfk_<prefix>_<secret>; the secret part (token_urlsafe) may itself hold "_"
    for secret in (TEST_PASSWORD, token, key, key.split("_", 2)[2]):
        assert secret not in logged
