"""Intent from words: which family, what size, colour and looks an idea asks for.

Sentence embeddings (bundled MiniLM) compare the idea with each family's prototype phrases and
with things we do not make, plus lexical evidence (product words, hints); without the model the
lexical rules alone decide. Unknown attribute words borrow the priors of their nearest known word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from bench.design.baseline.families import FAMILIES
from bench.design.baseline.family import Family
from engines.design import embed
from engines.design.base import DesignError

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
    "cute": {"head_radius": 0.8, "mouth_curve": 0.8}, "kawaii": {"head_radius": 0.9},
    "minimalist": {"dome": 0.05, "belly": 0.05}, "sleek": {"body_width": 0.2, "belly": 0.1},
    "rounded": {"dome": 0.8, "belly": 0.8}, "upright": {"back_angle": 0.95},
    "reclined": {"back_angle": 0.1}, "leggy": {"leg_length": 0.95},
}  # fmt: skip
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (210, 60, 60), "pink": (240, 150, 180), "orange": (240, 150, 60),
    "yellow": (240, 210, 80), "gold": (212, 175, 55), "green": (110, 180, 100),
    "mint": (160, 220, 190), "teal": (60, 160, 160), "blue": (80, 130, 210),
    "navy": (40, 60, 120), "purple": (150, 100, 190), "lilac": (200, 170, 220),
    "brown": (140, 95, 60), "beige": (225, 205, 170), "white": (240, 240, 236),
    "black": (50, 50, 55), "grey": (150, 150, 155), "gray": (150, 150, 155),
    "pastel": (220, 200, 230), "rainbow": (230, 120, 200), "straw": (222, 196, 140),
}  # fmt: skip
# Things people ask for that we do not make: the idea is refused when it is nearest to one.
NOT_PRODUCTS = (
    "the sun, the sky and the weather", "a car, a vehicle or an engine",
    "furniture like a sofa, a chair, a bed or a table", "a pillow or a cushion",
    "electronics like a laptop, a computer, a charger or headphones",
    "clothes like shoes, a shirt, a dress or trousers", "food, snacks and drinks",
    "a house, a building or a room", "a person, a job or a service", "software or an app",
)  # fmt: skip
SIM_FLOOR = 0.42  # cosine below which the text resembles none of our products
HEAD_BONUS = 0.3  # a product word heading the phrase counts this much cosine
HINT_BONUS = 0.04  # per hint word
SYNONYM_SIM = 0.58  # cosine at which an unknown word borrows a known word's priors
SYNONYM_MARGIN = 0.05  # ... when it beats the best word with other priors by this much
STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "my",
        "your",
        "our",
        "its",
        "it",
        "this",
        "that",
        "is",
        "are",
        "be",
        "viral",
        "new",
        "shaped",
        "style",
        "styled",
        "like",
        "very",
        "so",
        "super",
        "trending",
        "trend",
        "idea",
        "product",
        "design",
    ]
)


@dataclass(frozen=True)
class Intent:
    """What an idea's words ask for."""

    family: str
    size_mm: float | None = None  # longest side implied by size words, mm
    priors: dict[str, float] = field(default_factory=dict)  # param -> preferred position 0..1
    choices: dict[str, float] = field(default_factory=dict)  # choice param -> fixed index
    words: tuple[str, ...] = ()  # the words that shaped this intent
    colour: str | None = None  # a colour word from COLOURS
    method: str = "lexical"  # "embeddings" or "lexical"
    similarity: float = 0.0  # cosine of the text to the chosen family's prototypes (embeddings)

    @property
    def rgb(self) -> tuple[int, int, int] | None:
        """Preview colour the words ask for, RGB."""
        return COLOURS.get(self.colour) if self.colour else None


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


def _refuse(text: str, why: str = "") -> DesignError:
    """The error for an idea that names no product we make."""
    known = ", ".join(name.replace("_", " ") for name in FAMILIES)
    return DesignError(f"'{text[:80]}' names no product we can make yet{why} (we make: {known})")


def _lexical_family(text: str, words: list[str]) -> str:
    """The family from product and hint words alone; DesignError when none is named."""
    head = _head_noun_family(words)
    if head is not None:
        return head
    scores = family_scores(text)
    best = max(scores, key=lambda k: scores[k])
    if scores[best] < MIN_SCORE:
        raise _refuse(text)
    return best


@lru_cache(maxsize=1)
def _anchors() -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """(family per prototype, prototype embeddings, not-a-product embeddings, their labels)."""
    owners = tuple(name for name, fam in FAMILIES.items() for _ in fam.prototypes())
    phrases = [p for fam in FAMILIES.values() for p in fam.prototypes()]
    return owners, embed.encode(phrases), embed.encode(NOT_PRODUCTS), np.array(NOT_PRODUCTS)


def embedding_scores(text: str) -> tuple[dict[str, float], float, str]:
    """(best cosine per family, best cosine to a thing we don't make, that thing)."""
    owners, protos, others, labels = _anchors()
    vec = embed.encode([text])[0]
    sims = protos @ vec
    per_family = {
        n: float(max(s for o, s in zip(owners, sims, strict=True) if o == n)) for n in FAMILIES
    }
    other = others @ vec
    return per_family, float(other.max()), str(labels[int(np.argmax(other))])


def _embedded_family(text: str, words: list[str]) -> tuple[str, float]:
    """The family by cosine plus lexical evidence; DesignError below the floor or off-catalogue."""
    sims, other, label = embedding_scores(text)
    head = _head_noun_family(words)
    lex = family_scores(text)
    combined = {
        n: s + HEAD_BONUS * (n == head) + HINT_BONUS * min(lex[n], 3 * STRONG)
        for n, s in sims.items()
    }
    best = max(combined, key=lambda k: combined[k])
    named = head is not None or max(lex.values()) >= MIN_SCORE  # the words alone name a product
    if not named and combined[best] < SIM_FLOOR:
        raise _refuse(text)
    if not named and other > combined[best]:
        raise _refuse(text, f": it reads like {label.split(',')[0].split(' like ')[0]}")
    return best, sims[best]


def _use_embeddings(embeddings: bool | None) -> bool:
    """Whether to embed: asked for (None = when available) and available."""
    return embeddings is not False and embed.available()


def check_text(text: str) -> None:
    """DesignError when the text has no words at all."""
    if not text or not any(ch.isalnum() for ch in text):
        raise DesignError("the idea text is empty: describe the product in words")


def detect_family(text: str, *, embeddings: bool | None = None) -> str:
    """The product family an idea names; raises DesignError when it names none we make."""
    check_text(text)
    words = tokens(text)
    if _use_embeddings(embeddings):
        return _embedded_family(text, words)[0]
    return _lexical_family(text, words)


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


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[tuple[str, ...], np.ndarray]:
    """Attribute words with priors or sizes, and their embeddings."""
    words = tuple(dict.fromkeys([*PRIOR_WORDS, *SIZE_MM, *SIZE_FACTOR]))
    return words, embed.encode(words)


def _meaning(word: str) -> tuple[tuple[str, int], ...]:
    """Coarse sense of a known attribute word (which params, low or high; smaller or bigger)."""
    priors = tuple((k, int(v > 0.5)) for k, v in sorted(PRIOR_WORDS.get(word, {}).items()))
    size = SIZE_FACTOR.get(word, 0.5 if word in SIZE_MM else None)
    return (*priors, *((("size", int(size > 1)),) if size is not None else ()))


def _unknown_words(text: str) -> dict[str, str]:
    """Stemmed -> raw form of the words that are neither attributes, products, colours nor glue."""
    vocab = _vocabulary()[0]
    product = {
        w for fam in FAMILIES.values() for k in (*fam.keywords, *fam.hints) for w in tokens(k)
    }
    known = set(vocab) | product | STOP | set(COLOURS)
    raw = {_stem(w): w for w in _WORD.findall(text.lower())}
    return {s: w for s, w in raw.items() if s not in known and len(s) > 2 and s.isalpha()}


def synonyms(text: str) -> dict[str, str]:
    """Unknown (stemmed) words mapped to the known attribute word they mean, by cosine."""
    vocab, vecs = _vocabulary()
    unknown = _unknown_words(text)
    if not unknown:
        return {}
    sims = embed.encode(list(unknown.values())) @ vecs.T
    found = {}
    for word, row in zip(unknown, sims, strict=True):
        order = np.argsort(-row, kind="stable")
        best = vocab[order[0]]
        rival = next((row[i] for i in order[1:] if _meaning(vocab[i]) != _meaning(best)), 0.0)
        if row[order[0]] >= SYNONYM_SIM and row[order[0]] - rival >= SYNONYM_MARGIN:
            found[word] = best
    return found


def parse_intent(text: str, *, embeddings: bool | None = None, family: str | None = None) -> Intent:
    """Family (detected unless given), size, colour, looks priors and fixed choices of an idea."""
    check_text(text)
    raw = tokens(text)
    use = _use_embeddings(embeddings)
    if use:  # one batch for the text and its unknown words; later look-ups hit the cache
        embed.encode([text, *_unknown_words(text).values()])
    if family is not None:
        name, similarity = family, 0.0
    elif use:
        name, similarity = _embedded_family(text, raw)
    else:
        name, similarity = _lexical_family(text, raw), 0.0
    chosen = FAMILIES[name]
    meaning = synonyms(text) if use else {}
    words = [meaning.get(w, w) for w in raw]
    names = {p.name for p in chosen.params}
    priors: dict[str, float] = {}
    used = []
    for w, original in zip(words, raw, strict=True):
        hit = {k: v for k, v in PRIOR_WORDS.get(w, {}).items() if k in names}
        priors |= hit
        if hit or w in SIZE_MM or w in SIZE_FACTOR:
            used.append(original)
    colour = next((w for w in raw if w in COLOURS), None)
    return Intent(
        chosen.name,
        _size_mm(words, chosen),
        priors,
        _choices(raw, chosen),
        tuple(used),
        colour=colour,
        method="embeddings" if use else "lexical",
        similarity=similarity,
    )
