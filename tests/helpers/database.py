"""A migrated, empty database for a test session."""

import os
import uuid
from pathlib import Path

from sqlalchemy import text

from models.db import make_engine
from trendforge import dbmigrate


def fresh_database_url(tmp_root: Path) -> str:
    """A migrated, empty database: PostgreSQL when TRENDFORGE_TEST_DATABASE_URL says so."""
    url = os.environ.get("TRENDFORGE_TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_root / f'tf-{uuid.uuid4().hex[:8]}.db'}"
    dbmigrate.upgrade(url)
    return url
