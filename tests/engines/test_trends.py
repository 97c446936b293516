"""Virality scoring and near-duplicate detection of trend phrases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engines.trends import (
    BadSignal,
    Observation,
    is_near_duplicate,
    judge_signal,
    normalize_phrase,
    observations_from,
    virality_score,
)


def _series(growth: float, start: float = 1000.0) -> list[Observation]:
    return [Observation(t_hours=h, views=start * growth**h) for h in range(0, 12, 2)]


def test_fast_growth_is_viral_and_flat_is_not() -> None:
    assert virality_score(_series(1.8)) > 1.0 > virality_score(_series(1.01))


@given(st.floats(1.05, 3.0), st.floats(1.05, 3.0))
def test_faster_growth_scores_higher(a: float, b: float) -> None:
    if abs(a - b) < 0.05:
        return
    slow, fast = sorted((a, b))
    assert virality_score(_series(fast)) > virality_score(_series(slow))


def test_shares_weigh_more_than_views() -> None:
    base = [Observation(0, 100), Observation(5, 1000)]
    shared = [Observation(0, 100), Observation(5, 1000, shares=500)]
    assert virality_score(shared) > virality_score(base)


@pytest.mark.parametrize(
    "obs, message",
    [
        ([Observation(0, 10)], "two observations"),
        ([Observation(1, 10), Observation(1, 20)], "span at least a minute"),
        ([Observation(0, 10), Observation(2.6e-235, 20)], "span at least a minute"),
        ([Observation(0, 10), Observation(2, float("nan"))], "finite"),
        ([Observation(0, 10), Observation(2, -5)], "non-negative"),
    ],
)
def test_bad_signals_are_refused(obs: list[Observation], message: str) -> None:
    with pytest.raises(BadSignal, match=message):
        virality_score(obs)


def test_near_duplicates() -> None:
    assert normalize_phrase("The Crying Horse plush!") == "crying horse plush"
    assert is_near_duplicate("Crying horse plush toy!", ["crying horse plush toy"])
    assert is_near_duplicate("viral crying horse plushie", ["crying horse plush"])
    assert not is_near_duplicate("palm-sized straw sun hat", ["crying horse plush toy"])
    assert not is_near_duplicate("cat phone stand", [])


def test_rows_become_observations_or_say_what_is_wrong() -> None:
    rows = [{"t_hours": "0", "views": "10"}, {"t_hours": 2, "views": 30, "shares": None}]
    assert observations_from(rows) == [Observation(0, 10), Observation(2, 30)]
    with pytest.raises(BadSignal, match="needs t_hours"):
        observations_from([{"views": 5}])
    with pytest.raises(BadSignal, match="observation 1 is malformed"):
        observations_from([{"t_hours": 0, "views": "many"}])


def test_a_signal_is_viral_new_or_a_duplicate() -> None:
    fast = _series(1.8)
    assert judge_signal("crying horse plush", fast, 1.0, []).starts_pipeline
    dup = judge_signal("Crying horse plush toy!", fast, 1.0, ["crying horse plush toy"])
    assert dup.viral and dup.duplicate and not dup.starts_pipeline
    assert not judge_signal("", fast, 1.0, []).viral  # no words, no idea
    flat = judge_signal("grey mouse pad", _series(1.01), 1.0, ["grey mouse pad"])
    assert not flat.viral and not flat.duplicate  # only viral phrases are compared
