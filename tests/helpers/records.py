"""Rows the tests start from, written directly."""

import uuid

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import Trend


def new_idea_row(engine: Engine, text: str, merchant_id: str) -> int:
    """An idea row of its own (a fresh dedup key), as if just submitted; its id."""
    with session_scope(engine) as s:
        trend = Trend(dedup_key=uuid.uuid4().hex, text=text, merchant_id=merchant_id)
        s.add(trend)
        s.flush()
        assert trend.id is not None
        return trend.id
