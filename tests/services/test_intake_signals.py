"""A trend signal's phrase becomes an idea's text: one that never could is refused up front."""

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from engines.trends import BadSignal
from models.tables import Trend, TrendSignal
from services.intake import take_signal

pytestmark = pytest.mark.db

RISING = [{"t_hours": h, "views": 10**h} for h in range(6)]  # far over any threshold


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (
            s.exec(select(func.count()).select_from(TrendSignal)).one(),
            s.exec(select(func.count()).select_from(Trend)).one(),
        )


def test_a_phrase_without_words_is_refused_and_nothing_is_kept(engine: Engine) -> None:
    before = _counts(engine)
    fields = {"merchant_id": "trend-feed", "source": "signal"}
    with pytest.raises(BadSignal, match="cannot be an idea: text must describe the product"):
        take_signal(engine, "\U00016b78 \x11 !!", RISING, 0.5, fields)
    assert _counts(engine) == before  # neither the signal nor an idea


def test_a_viral_phrase_in_words_becomes_an_idea(engine: Engine) -> None:
    fields = {"merchant_id": "trend-feed", "source": "signal"}
    taken = take_signal(engine, "capybara wearing a straw hat plush", RISING, 0.5, fields)
    assert taken.idea is not None and taken.trend_id is not None
    with Session(engine) as s:
        assert s.get(Trend, taken.trend_id).text == "capybara wearing a straw hat plush"
