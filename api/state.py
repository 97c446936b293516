"""What create_app keeps on the app (`app.state`) and how a request reaches it: the settings,
the database engine, the Temporal client (connected on first use) and the auth configuration."""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlalchemy.engine import Engine
from temporalio.client import Client

from api.settings import ApiSettings
from services.temporal import connect


def app_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def app_engine(request: Request) -> Engine:
    engine: Engine | None = request.app.state.engine
    if engine is None:
        raise HTTPException(503, "the database is not connected yet")
    return engine


async def app_client(request: Request) -> Client:
    """The app's Temporal client; 503 when the cluster does not answer."""
    state = request.app.state
    if state.client is None:
        settings = app_settings(request)
        address = settings.temporal_address
        try:
            state.client = await connect(
                address, settings.temporal_namespace, attempts=3, tls=settings.temporal_tls
            )
        except RuntimeError as err:
            raise HTTPException(503, f"Temporal at {address} is unreachable: {err}") from err
    client: Client = state.client
    return client


class Temporal:
    """The app's Temporal client, connected when a route first needs it: a request that is
    refused for its input or its caller never waits for the cluster."""

    def __init__(self, request: Request) -> None:
        self._request = request

    async def client(self) -> Client:
        return await app_client(self._request)
