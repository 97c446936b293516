"""Text -> sized, normalised words -> phrases of the lexicon (longest match first)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engines.design.reader.lexicon import KNOWN_WORDS, MAX_PHRASE, PHRASES, Meaning

MM_PER_UNIT: dict[str, float] = {"mm": 1.0, "cm": 10.0, "in": 25.4, "ft": 304.8}
_UNIT = (
    r"(?P<unit>mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|inch(?:es)?|in(?=\s*(?:tall|wide|"
    r"long|high|$|[,.;!?)]))|\"|''|ft|foot|feet)"
)
_SIZE = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?:-\s*)?" + _UNIT + r"(?![a-z])", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+|[,;.!?]")
# Phrasings that name a product with a purpose ("a stand for my phone") -> the product's name.
_PURPOSE_PRODUCTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b(?:stand|holder|dock|rest|mount)s? for (?:a |an |my |your |the )?"
            r"(?:phone|iphone|smartphone|cellphone|cell phone|tablet)s?\b"
        ),
        "phone stand",
    ),
    (
        re.compile(
            r"\b(?:holder|cup|pot|organi[sz]er)s? for (?:a |my |your |the )?"
            r"(?:pens?|pencils?|brushes|markers?)\b"
        ),
        "pen holder",
    ),
    (
        re.compile(
            r"\b(?:pot|holder|container)s? for (?:a |my |your |the )?"
            r"(?:plants?|succulents?|flowers?|herbs?|cact(?:i|us))\b"
        ),
        "planter",
    ),
)
_ADJECTIVE_ENDINGS = (
    "ful", "ous", "ish", "ive", "able", "ible", "ing", "ed", "est", "ly", "less", "ic", "al", "y",
)  # fmt: skip


@dataclass(frozen=True)
class Phrase:
    """One run of words read as one meaning (None: a word the lexicon does not know)."""

    text: str  # the words as normalised
    meaning: Meaning | None
    punct: bool = False  # a comma or full stop


def worded_size_mm(text: str) -> tuple[float | None, str, str]:
    """(the largest worded length in mm or None, the words it came from, the text without them)."""
    best: tuple[float, str] | None = None
    for match in _SIZE.finditer(text):
        unit = match.group("unit").lower()
        key = (
            "mm"
            if unit.startswith("m")
            else "cm"
            if unit.startswith("c")
            else "ft"
            if unit.startswith("f")
            else "in"
        )
        length_mm = float(match.group("num")) * MM_PER_UNIT[key]
        if best is None or length_mm > best[0]:
            best = (length_mm, match.group(0).strip())
    rest = _SIZE.sub(" ", text)
    return (best[0], best[1], rest) if best else (None, "", rest)


def normalise(word: str) -> str:
    """The lexicon's spelling of a word: as is when known, else a known singular, else as is."""
    if word in KNOWN_WORDS:
        return word
    candidates = []
    if word.endswith("ies") and len(word) > 4:
        candidates.append(word[:-3] + "y")
    if word.endswith("ves") and len(word) > 4:
        candidates.append(word[:-3] + "f")
    if word.endswith("es") and len(word) > 3:
        candidates.append(word[:-2])
    if word.endswith("s") and len(word) > 3:
        candidates.append(word[:-1])
    return next((c for c in candidates if c in KNOWN_WORDS), word)


def words_of(text: str) -> list[str]:
    """Lower-case normalised words and punctuation of a text (sizes already removed)."""
    low = text.lower().replace("w/", " with ").replace("&", " and ").replace("+", " and ")
    low = re.sub(r"['\u2019]s\b", "", low).replace("'", "").replace("\u2019", "")
    low = re.sub(r"[-_/]", " ", low)
    for pattern, product in _PURPOSE_PRODUCTS:
        low = pattern.sub(product, low)
    return [normalise(w) for w in _WORD.findall(low)]


def is_adjective(word: str) -> bool:
    """Whether an unknown word looks like an adjective or a number (no noun to build)."""
    return word.isdigit() or len(word) < 3 or word.endswith(_ADJECTIVE_ENDINGS)


def phrases(words: list[str]) -> list[Phrase]:
    """Longest-match phrases of the lexicon over the words, left to right."""
    out: list[Phrase] = []
    i = 0
    while i < len(words):
        if words[i] in ",;.!?":
            out.append(Phrase(words[i], None, punct=True))
            i += 1
            continue
        for length in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            key = tuple(words[i : i + length])
            if key in PHRASES:
                out.append(Phrase(" ".join(key), PHRASES[key]))
                i += length
                break
        else:
            out.append(Phrase(words[i], None))
            i += 1
    return out
