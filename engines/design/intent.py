"""Intent from words: which family, what size, and which looks the idea asks for (lexical)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from engines.design.base import DesignError, Family
from engines.design.families import FAMILIES

_WORD = re.compile(r"[a-z0-9]+")
STRONG, WEAK, MIN_SCORE = 3.0, 1.0, 2.0
# Words after which a product word only qualifies the head noun ("a hat FOR my plushie").
_MODIFIER_START = frozenset(
    {"for", "with", "on", "from", "like", "into", "onto", "inside", "about"}
)

SIZE_MM = {"tiny": 40.0, "mini": 60.0, "miniature": 60.0, "pocket": 70.0, "palm": 80.0}
SIZE_FACTOR = {
    "small": 0.7, "large": 1.4, "big": 1.4, "xl": 1.6, "xxl": 2.0, "oversized": 1.8,
    "giant": 2.5, "huge": 2.5, "jumbo": 2.5,
}  # fmt: skip
# word -> {param name: preferred position in the param's bounds, 0 = low .. 1 = high}
PRIOR_WORDS: dict[str, dict[str, float]] = {
    "crying": {"mouth_curve": 0.0}, "cry": {"mouth_curve": 0.0}, "tearful": {"mouth_curve": 0.05},
    "sad": {"mouth_curve": 0.2}, "grumpy": {"mouth_curve": 0.25}, "upset": {"mouth_curve": 0.2},
    "smiling": {"mouth_curve": 0.95}, "smile": {"mouth_curve": 0.95},
    "happy": {"mouth_curve": 0.9}, "laughing": {"mouth_curve": 1.0},
    "wide": {"brim_width": 0.9, "base_width": 0.85}, "broad": {"brim_width": 0.85},
    "narrow": {"brim_width": 0.1, "base_width": 0.15}, "sun": {"brim_width": 0.7},
    "floppy": {"brim_droop": 0.9, "brim_width": 0.75}, "droopy": {"brim_droop": 0.85},
    "flat": {"brim_droop": 0.05, "dome": 0.05}, "puffy": {"dome": 0.9},
    "tall": {"crown_height": 0.85, "height": 0.85, "back_height": 0.85, "body_height": 0.85},
    "short": {"crown_height": 0.15, "height": 0.15, "leg_length": 0.15, "body_height": 0.15},
    "chubby": {"body_width": 0.9, "body_radius": 0.9}, "fat": {"body_width": 0.9},
    "slim": {"body_width": 0.1, "body_radius": 0.1}, "skinny": {"body_width": 0.05},
    "bigheaded": {"head_radius": 0.9}, "chibi": {"head_radius": 0.9},
}  # fmt: skip


@dataclass(frozen=True)
class Intent:
    """What an idea's words ask for."""

    family: str
    size_mm: float | None = None  # longest side implied by size words, mm
    priors: dict[str, float] = field(default_factory=dict)  # param -> preferred position 0..1
    choices: dict[str, float] = field(default_factory=dict)  # choice param -> fixed index
    words: tuple[str, ...] = ()  # the words that shaped this intent


def _stem(word: str) -> str:
    """Crude singular form so 'plushies', 'plushie' and 'plushy' meet."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    return word[:-2] + "y" if word.endswith("ie") and len(word) > 3 else word


def tokens(text: str) -> list[str]:
    """Lower-case stemmed words of a text."""
    return [_stem(w) for w in _WORD.findall(text.lower())]


def _find(phrase: str, words: list[str]) -> list[int]:
    """Positions where the (multi-word) phrase starts in the stemmed words."""
    needle = tokens(phrase)
    n = len(needle)
    return [i for i in range(len(words) - n + 1) if words[i : i + n] == needle]


def _head_noun_family(words: list[str]) -> str | None:
    """The family of the last strong product word before any modifier clause."""
    cut = next((i for i, w in enumerate(words) if w in _MODIFIER_START and i > 0), len(words))
    hits = [
        (pos + len(tokens(kw)) - 1, fam.name)  # where the product word ends
        for fam in FAMILIES.values()
        for kw in fam.keywords
        for pos in _find(kw, words)
    ]
    head = [h for h in hits if h[0] < cut] or hits
    return max(head)[1] if head else None


def family_scores(text: str) -> dict[str, float]:
    """Lexical evidence per family: STRONG per product word, WEAK per hint word."""
    words = tokens(text)

    def score(fam: Family) -> float:
        strong = sum(len(_find(k, words)) for k in fam.keywords)
        return STRONG * strong + WEAK * sum(len(_find(h, words)) for h in fam.hints)

    return {name: score(fam) for name, fam in FAMILIES.items()}


def detect_family(text: str) -> str:
    """The product family an idea names; raises DesignError when it names none we make."""
    if not text or not any(ch.isalnum() for ch in text):
        raise DesignError("the idea text is empty: describe the product in words")
    words = tokens(text)
    head = _head_noun_family(words)
    if head is not None:
        return head
    scores = family_scores(text)
    best = max(scores, key=lambda k: scores[k])
    if scores[best] < MIN_SCORE:
        known = ", ".join(name.replace("_", " ") for name in FAMILIES)
        raise DesignError(f"'{text[:80]}' names no product we can make yet (we make: {known})")
    return best


def _size_mm(words: Iterable[str], family: Family) -> float | None:
    """Longest side implied by size words, mm (absolute words win over relative ones)."""
    words = list(words)
    absolute = [SIZE_MM[w] for w in words if w in SIZE_MM]
    if absolute:
        return min(absolute)
    factors = [SIZE_FACTOR[w] for w in words if w in SIZE_FACTOR]
    return family.default_size_mm * math.prod(factors) if factors else None


def _choices(words: list[str], family: Family) -> dict[str, float]:
    """Choice params fixed by words, e.g. species = horse for 'pony'."""
    fixed: dict[str, float] = {}
    for word, (param, label) in family.choice_words.items():
        if _find(word, words) and param not in fixed:
            fixed[param] = float(family.param(param).choices.index(label))
    return fixed


def parse_intent(text: str) -> Intent:
    """Family, size, looks priors and fixed choices an idea's words ask for."""
    family = FAMILIES[detect_family(text)]
    words = tokens(text)
    names = {p.name for p in family.params}
    priors: dict[str, float] = {}
    used = []
    for w in words:
        hit = {k: v for k, v in PRIOR_WORDS.get(w, {}).items() if k in names}
        priors |= hit
        if hit or w in SIZE_MM or w in SIZE_FACTOR:
            used.append(w)
    return Intent(
        family.name, _size_mm(words, family), priors, _choices(words, family), tuple(used)
    )
