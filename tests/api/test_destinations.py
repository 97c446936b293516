"""Destinations on an idea: checked at the API with the reason, stored, defaulted, migrated;
consignment rows are written once per (idea, batch, market, leg)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from activities.common import insert_once
from api.schemas import IdeaOut
from models.contracts import Destination, IdeaInput
from models.tables import Consignment, Trend
from services.intake import create_or_get_trend
from tests.helpers.apps import NO_TEMPORAL, make_app

pytestmark = pytest.mark.db

TOMORROW = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
async def client(engine, jwt_secret) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The app; Temporal refuses at once, so only refusals before the pipeline are answered."""
    transport = httpx.ASGITransport(app=make_app(engine, jwt_secret, temporal_address=NO_TEMPORAL))
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        yield c


def _idea(destinations: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {"text": "frog plush", "merchant_id": "dest-m", "expected_volume": 1000,
            "destinations": destinations, **kw}  # fmt: skip


REFUSED = [
    ([{"market": "ZZ", "units": 10}], "no lane reaches market 'ZZ'; known: AE, DE"),
    ([{"market": "US", "units": 10, "deadline": "2020-01-01"}], "deadline 2020-01-01 is in the past"),
    ([{"market": "US", "units": 600}, {"market": "DE", "units": 600}], "ask for 1200 units but the idea makes 1000"),
    ([{"market": "US", "units": 10}, {"market": "US", "units": 10}], "each market at most once"),
    ([{"market": "us", "units": 10}], "pattern"),
    ([{"market": "US", "units": 0}], "greater than 0"),
]  # fmt: skip


@pytest.mark.parametrize(("destinations", "reason"), REFUSED, ids=[r[1][:24] for r in REFUSED])
async def test_bad_destinations_are_refused_with_the_reason(
    client, auth_headers, destinations, reason
) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers("dest-m", "merchant")
    r = await client.post("/ideas", json=_idea(destinations), headers=headers)
    assert r.status_code == 422, r.text
    assert reason in r.text


async def test_the_upload_form_checks_destinations_too(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers("dest-m", "merchant")
    form = {"text": "frog plush", "expected_volume": "100"}
    bad_json = await client.post(
        "/ideas/upload", data={**form, "destinations": "[{"}, headers=headers
    )
    assert bad_json.status_code == 422
    unknown = '[{"market": "ZZ", "units": 5}]'
    r = await client.post("/ideas/upload", data={**form, "destinations": unknown}, headers=headers)
    assert r.status_code == 422 and "no lane reaches market 'ZZ'" in r.text


async def test_good_destinations_pass_the_checks(client, auth_headers) -> None:  # type: ignore[no-untyped-def]
    # accepted by every check; the pipeline cannot start (no Temporal here): 503, not 422
    body = _idea(
        [{"market": "US", "units": 600, "deadline": TOMORROW}, {"market": "DE", "units": 400}]
    )
    r = await client.post("/ideas", json=body, headers=auth_headers("dest-m", "merchant"))
    assert r.status_code == 503, r.text


def test_destinations_are_stored_and_default_to_the_ideas_market(engine) -> None:  # type: ignore[no-untyped-def]
    given = IdeaInput(
        text="dest axolotl keychain", merchant_id="dest-s", expected_volume=900,
        destinations=[Destination(market="JP", units=900, deadline=dt.date(2027, 3, 1))],
    )  # fmt: skip
    mine = IdeaInput(
        text="dest capybara mug", merchant_id="dest-s", market="us", expected_volume=700
    )
    nowhere = IdeaInput(text="dest otter hat", merchant_id="dest-s")  # market "global"
    rows = [create_or_get_trend(engine, i)[0] for i in (given, mine, nowhere)]
    assert rows[0].destinations == [{"market": "JP", "units": 900, "deadline": "2027-03-01"}]
    assert rows[1].destinations == [{"market": "US", "units": 700, "deadline": None}]
    assert rows[2].destinations == []
    with Session(engine) as s:
        stored = s.get(Trend, rows[0].id)
        assert stored is not None
        assert (
            IdeaOut.model_validate(stored, from_attributes=True).destinations
            == rows[0].destinations
        )


def test_a_consignment_is_written_once(engine) -> None:  # type: ignore[no-untyped-def]
    trend, _ = create_or_get_trend(
        engine, IdeaInput(text="dest frog figurine", merchant_id="dest-c")
    )

    def leg() -> Consignment:
        return Consignment(
            trend_id=trend.id, batch_sequence=1, market="US", leg=0, units=500, mode="air",
            lane_id="air-pvg-us", planned_departure=dt.date(2027, 1, 4),
            eta_latest=dt.date(2027, 1, 14), freight_usd=1200.0, documents=["Commercial invoice"],
        )  # fmt: skip

    assert insert_once(engine, leg())
    assert not insert_once(engine, leg())
    with Session(engine) as s:
        rows = s.exec(select(Consignment).where(Consignment.trend_id == trend.id)).all()
    assert (
        len(rows) == 1
        and rows[0].status == "planned"
        and rows[0].documents == ["Commercial invoice"]
    )


def test_ideas_made_before_destinations_read_as_empty_lists(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from models.db import make_engine
    from trendforge.dbmigrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "5f1c2d7a9b10")  # the revision before destinations
    old = make_engine(url)
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO trend (id, text, merchant_id, market, expected_volume, due_in_days,"
                " source, stage, detail, dedup_key, created_at, updated_at) VALUES (1, 'frog mug',"
                " 'm', 'global', 100, 21, 'merchant', 'received', '', 'k', '2026-01-01', "
                "'2026-01-01')"
            )
        )
    old.dispose()
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s:
        out = IdeaOut.model_validate(s.exec(select(Trend)).one(), from_attributes=True)
    engine.dispose()
    assert out.destinations == []
