"""The real app as the tests build it: create_app(settings) with a test database and secret."""

import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from temporalio.client import Client

from api.app import create_app
from api.settings import ApiSettings

NO_TEMPORAL = "127.0.0.1:1"  # an address that refuses at once: for apps that must not reach it


def api_settings(jwt_secret: str, uploads_dir: Path | None = None, **fields: Any) -> ApiSettings:
    """Settings for a test app; uploads go to a fresh temporary folder unless given."""
    uploads = uploads_dir or Path(tempfile.mkdtemp(prefix="tf-uploads-"))
    return ApiSettings(jwt_secret=jwt_secret, uploads_dir=uploads, **fields)


def make_app(
    engine: Engine | None,
    jwt_secret: str,
    client: Client | None = None,
    **fields: Any,
) -> FastAPI:
    """create_app on the test database; `fields` are ApiSettings fields (task_queue, …)."""
    return create_app(api_settings(jwt_secret, **fields), engine=engine, client=client)
