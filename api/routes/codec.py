"""The codec route of the Temporal UI (admins only): payloads encrypted by the workers and the
API (services/codec.py) decoded for the person looking at a history. It changes nothing; the
Temporal UI's origin may call it with the admin's session cookie (CORS, no CSRF header)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from temporalio.api.common.v1 import Payload

from api.auth import Actor
from api.auth.roles import admin_only
from api.deps import SettingsDep, TemporalDep

router = APIRouter(prefix="/codec", tags=["admin"])
MAX_PAYLOADS = 1000


class WirePayload(BaseModel):
    """A payload as the Temporal UI sends it: metadata values and data in base64."""

    metadata: dict[str, str] = Field(default_factory=dict)
    data: str = ""


class Payloads(BaseModel):
    payloads: list[WirePayload] = Field(max_length=MAX_PAYLOADS)


def _cors(response: Response, request: Request, ui_url: str | None) -> None:
    """Let the configured Temporal UI's origin read the answer, with credentials."""
    origin = request.headers.get("origin")
    if ui_url and origin and origin.rstrip("/") == ui_url.rstrip("/"):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Allow-Headers"] = (
            "content-type, x-namespace, authorization"
        )
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Vary"] = "Origin"


@router.options("/decode", include_in_schema=False)
async def preflight(request: Request, settings: SettingsDep) -> Response:
    """The browser's CORS preflight from the Temporal UI."""
    response = Response(status_code=204)
    _cors(response, request, settings.temporal_ui_url)
    return response


@router.post("/decode", response_model=Payloads)
async def decode(
    body: Payloads,
    request: Request,
    response: Response,
    who: Annotated[Actor, Depends(admin_only)],
    settings: SettingsDep,
    temporal: TemporalDep,
) -> Any:
    """Decrypt payloads for the Temporal UI (admins); unencrypted ones come back unchanged."""
    _cors(response, request, settings.temporal_ui_url)
    try:
        wire = [
            Payload(
                metadata={k: base64.b64decode(v) for k, v in p.metadata.items()},
                data=base64.b64decode(p.data),
            )
            for p in body.payloads
        ]
    except ValueError as err:
        raise HTTPException(422, f"payloads must be base64: {err}") from err
    codec = (await temporal.client()).data_converter.payload_codec
    try:
        plain = await codec.decode(wire) if codec is not None else wire
    except Exception as err:  # noqa: BLE001 - another key, or tampered: say so, never a 500
        raise HTTPException(422, f"cannot decode these payloads: {err}") from err
    return Payloads(
        payloads=[
            WirePayload(
                metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                data=base64.b64encode(p.data).decode(),
            )
            for p in plain
        ]
    )
