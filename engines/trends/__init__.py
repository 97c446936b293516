"""Trend signals: virality from growth velocity, and near-duplicate phrase detection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "for",
        "your",
        "my",
        "of",
        "with",
        "and",
        "to",
        "in",
        "on",
        "viral",
        "trending",
        "new",
        "cute",
        "tiktok",
    ]
)


class BadSignal(ValueError):
    """A signal that cannot be scored (no phrase, no or malformed observations)."""


MIN_SPAN_HOURS = 1 / 60


@dataclass(frozen=True)
class Observation:
    """Engagement counters of one phrase at one time (hours since any fixed origin)."""

    t_hours: float
    views: float
    likes: float = 0.0
    shares: float = 0.0


def observations_from(rows: Iterable[Mapping[str, Any]]) -> list[Observation]:
    """Observations from feed or API rows {t_hours, views?, likes?, shares?} (missing counts: 0)."""
    out = []
    for n, row in enumerate(rows, 1):
        if row.get("t_hours") in (None, ""):
            raise BadSignal("every observation needs t_hours")
        try:
            counts = [float(row.get(k) or 0.0) for k in ("views", "likes", "shares")]
            out.append(Observation(float(row["t_hours"]), *counts))
        except (TypeError, ValueError) as err:
            raise BadSignal(f"observation {n} is malformed: {err}") from err
    return out


def engagement(views: np.ndarray, likes: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Weighted engagement: a share is worth 20 views, a like 5."""
    return views + 5.0 * likes + 20.0 * shares


def virality_score(observations: Sequence[Observation]) -> float:
    """Growth velocity (e-folds per day of engagement, least squares) × log10 reach; ≥1 is viral."""
    if len(observations) < 2:
        raise BadSignal("need at least two observations over time to measure growth")
    obs = sorted(observations, key=lambda o: o.t_hours)
    t = np.array([o.t_hours for o in obs], dtype=float)
    e = engagement(
        np.array([o.views for o in obs], dtype=float),
        np.array([o.likes for o in obs], dtype=float),
        np.array([o.shares for o in obs], dtype=float),
    )
    if not np.all(np.isfinite(t)) or not np.all(np.isfinite(e)) or np.any(e < 0):
        raise BadSignal("observations must be finite, non-negative counts")
    if np.ptp(t) < MIN_SPAN_HOURS:  # a fit over less is noise (and 1e-235 h breaks LAPACK)
        raise BadSignal("observations must span at least a minute (t_hours)")
    try:
        slope_per_hour = np.polyfit(t, np.log1p(e), 1)[0]
    except (np.linalg.LinAlgError, ValueError) as err:
        raise BadSignal(f"observations do not fit a trend: {err}") from err
    reach = np.log10(1.0 + e[-1])
    return float(max(slope_per_hour, 0.0) * 24.0 * reach / 10.0)


def normalize_phrase(phrase: str) -> str:
    """Lower-case content words, sorted and deduplicated: the key for near-duplicates."""
    words = sorted({w for w in _WORD.findall(phrase.lower()) if w not in _STOP})
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the content words and character trigrams of two phrases (0..1)."""

    def grams(s: str) -> set[str]:
        s = f" {normalize_phrase(s)} "
        return {s[i : i + 3] for i in range(max(len(s) - 2, 0))}

    ga, gb = grams(a), grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def is_near_duplicate(phrase: str, seen: Sequence[str], threshold: float = 0.6) -> bool:
    """True when `phrase` says the same as one of `seen`."""
    return any(similarity(phrase, s) >= threshold for s in seen)


def clean_phrase(phrase: str, max_chars: int = 500) -> str:
    """The phrase with its white space folded, cut to `max_chars`."""
    return " ".join(str(phrase).split())[:max_chars]


@dataclass(frozen=True)
class Verdict:
    """What a signal is worth: its score, whether it is viral, whether it repeats a known idea."""

    score: float
    viral: bool
    duplicate: bool

    @property
    def starts_pipeline(self) -> bool:
        return self.viral and not self.duplicate


def judge_signal(
    phrase: str, observations: Sequence[Observation], threshold: float, known: Sequence[str]
) -> Verdict:
    """Score a cleaned phrase's observations: viral at `threshold` or more (an empty phrase never
    is); a viral phrase that says the same as one of `known` is a duplicate."""
    score = virality_score(observations)
    viral = score >= threshold and bool(phrase)
    return Verdict(score, viral, viral and is_near_duplicate(phrase, known))
