"""Temporal payload encryption: histories hold no plaintext idea text or merchant id, the key
holder reads them, tampering and other keys are refused, and the admin-only codec route
decodes for the Temporal UI."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from models.contracts import IdeaInput, PipelineConfig
from services.codec import EncryptionCodec, data_converter, payload_key
from services.temporal import start_pipeline
from tests.helpers.apps import make_app

KEY = payload_key("a test payload secret, long enough")


async def test_payloads_round_trip_and_refuse_tampering_and_other_keys() -> None:
    codec = EncryptionCodec(KEY)
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"text": "frog keychain"}')
    sealed = await codec.encode([plain])
    assert b"frog" not in sealed[0].SerializeToString()
    assert (await codec.decode(sealed))[0] == plain
    assert (await codec.decode([plain]))[0] == plain  # written before encryption: as it is
    tampered = Payload()
    tampered.CopyFrom(sealed[0])
    tampered.data = tampered.data[:-1] + bytes([tampered.data[-1] ^ 1])
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        await codec.decode([tampered])
    with pytest.raises(ValueError, match="another key"):
        await EncryptionCodec(payload_key("some other secret of 16+")).decode(sealed)
    with pytest.raises(ValueError, match="16 characters"):
        payload_key("short")


async def test_histories_hold_no_plaintext_idea_text_or_merchant_id(dev_env) -> None:  # type: ignore[no-untyped-def]
    secret_word = f"zebrafrog{uuid.uuid4().hex[:8]}"
    merchant = f"m-secret-{uuid.uuid4().hex[:8]}"
    sealed_client = await Client.connect(
        dev_env.client.service_client.config.target_host, data_converter=data_converter(KEY)
    )
    idea = IdeaInput(text=f"{secret_word} keychain", merchant_id=merchant)
    handle = await start_pipeline(
        sealed_client, 10**9 + 11, idea, PipelineConfig(use_search_attributes=True),
        f"nobody-{uuid.uuid4().hex[:6]}",
    )  # fmt: skip
    try:
        raw = await dev_env.client.get_workflow_handle(handle.id).fetch_history()
        wire = raw.to_json().encode()
        described = (await dev_env.client.get_workflow_handle(handle.id).describe()).raw_description
        visible = wire + described.SerializeToString()
        assert secret_word.encode() not in visible and merchant.encode() not in visible
        # the key holder reads the input back
        mine = await sealed_client.get_workflow_handle(handle.id).fetch_history()
        first = mine.events[0].workflow_execution_started_event_attributes.input.payloads
        decoded = await sealed_client.data_converter.decode(first, [object])
        assert secret_word in str(decoded[0])
    finally:
        await handle.terminate("test done")


@pytest.mark.db
async def test_the_codec_route_decodes_for_admins_only(
    engine, jwt_secret, auth_headers, dev_env
) -> None:  # type: ignore[no-untyped-def]
    sealed_client = await Client.connect(
        dev_env.client.service_client.config.target_host, data_converter=data_converter(KEY)
    )
    ui = "http://127.0.0.1:8233"
    app = make_app(engine, jwt_secret, sealed_client, temporal_ui_url=ui)
    codec = EncryptionCodec(KEY)
    sealed = (await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"hi"')]))[0]
    body = {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in sealed.metadata.items()},
                "data": base64.b64encode(sealed.data).decode(),
            }
        ]
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf") as c:
        admin = auth_headers("admin-codec", "admin") | {"origin": ui}
        r = await c.post("/codec/decode", json=body, headers=admin)
        assert r.status_code == 200, r.text
        assert base64.b64decode(r.json()["payloads"][0]["data"]) == b'"hi"'
        assert r.headers["access-control-allow-origin"] == ui
        merchant = auth_headers("m-codec", "merchant")
        assert (await c.post("/codec/decode", json=body, headers=merchant)).status_code == 403
        assert (await c.post("/codec/decode", json=body)).status_code == 401
        pre = await c.options("/codec/decode", headers={"origin": ui})
        assert pre.status_code == 204 and pre.headers["access-control-allow-credentials"] == "true"
        stranger = await c.options("/codec/decode", headers={"origin": "http://evil.example"})
        assert "access-control-allow-origin" not in stranger.headers
