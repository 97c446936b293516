"""Unknown nouns approximated by the nearest known subject through the bundled MiniLM sentence
embeddings ("panther ≈ lion, similarity 0.69"), only when the similarity clears
MIN_SIMILARITY; below it the reader refuses, naming what came close.

MIN_SIMILARITY comes from `python -m bench.design.approximations` over
tests/data/design_approximations.yaml (hand-labelled unknown animals, foods and objects with the
subjects a merchant would accept, and products, people and nonsense that must be refused). At
0.62 it maps 38 % of the 39 unknown nouns to approximate, 93 % of those to an accepted subject
(the miss: mango ≈ strawberry), and none of the 57 nouns to refuse (the highest: pirate 0.55,
screwdriver 0.54); at 0.56 it would map 59 % but only 78 % well, at 0.54 a refuse noun too. The
lexicon's KIN words (animals and foods it knows but has no builder for) choose among their three
hand-picked close subjects (MiniLM's own nearest agrees with them for only 4 in 10): 24 of 133
clear 0.62 (squid ≈ octopus 0.73, goat ≈ sheep 0.70; red panda, lizard and gecko have since
become subjects of their own, issue 20); the rest are
refused naming them, as before. The model loads only when a noun is unknown, and never when
TRENDFORGE_DESIGN_EMBEDDINGS=0 (then unknown nouns are refused).
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import numpy as np

from engines.design.kit import vocab
from engines.design.kit.spec import Approximation

TEMPLATE = "a {}"  # the phrase each noun is embedded in
MIN_SIMILARITY = 0.62  # cosine; the evidence is in the module docstring
SPELLING = 0.75  # difflib ratio above which an unknown word is a misspelt subject (refusal.py)


@lru_cache(maxsize=1)
def _subject_vectors() -> np.ndarray:
    """Unit embeddings of the known subjects (computed once per process, when first asked)."""
    from engines.design import embed

    return embed.encode([TEMPLATE.format(s) for s in vocab.SUBJECTS])


def nearest_subjects(word: str, n: int = 3) -> list[tuple[str, float]]:
    """The n known subjects nearest the word by MiniLM cosine, best first; [] without the model."""
    from engines.design import embed

    if not embed.available():
        return []
    sims = _subject_vectors() @ embed.encode([TEMPLATE.format(word)])[0]
    return [(vocab.SUBJECTS[i], round(float(sims[i]), 2)) for i in np.argsort(-sims)[:n]]


def similarity(word: str, subject: str) -> float:
    """MiniLM cosine of a noun and a known subject, 0 without the model."""
    from engines.design import embed

    if not embed.available():
        return 0.0
    vector = _subject_vectors()[vocab.SUBJECTS.index(subject)]
    return round(float(vector @ embed.encode([TEMPLATE.format(word)])[0]), 2)


def approximate(word: str, hand_picked: tuple[str, ...] = ()) -> Approximation | None:
    """The known subject standing in for an unknown noun, or None when none is near enough.
    A noun the lexicon knows (KIN) chooses among its hand-picked close subjects; any other
    among all subjects."""
    if not hand_picked and difflib.get_close_matches(word, vocab.SUBJECTS, n=1, cutoff=SPELLING):
        return None  # a misspelt subject ("capybarra"): the refusal names it, we do not guess
    if hand_picked:
        near = sorted(((s, similarity(word, s)) for s in hand_picked), key=lambda x: -x[1])
    else:
        near = nearest_subjects(word, 1)
    if not near or near[0][1] < MIN_SIMILARITY:
        return None
    return Approximation(word=word, subject=near[0][0], similarity=near[0][1])


# ---- held things --------------------------------------------------------------------------

# A held variant as the phrase it is embedded as ("cup" is a coffee cup).
HELD_PHRASES: dict[str, str] = {"cup": "coffee cup", "bubble_tea": "bubble tea"}
# A held thing's bar is lower than a subject's: a stand-in prop costs less than a wrong animal.
# Over 34 nouns (`a {noun}` vs `a {held item}`), nonsense and things unlike any held item score
# up to 0.47 (asdfgh ≈ pumpkin, trumpet ≈ rock 0.46, laptop ≈ mug 0.41); from 0.50 they read
# well (rose ≈ flower 0.59, lantern ≈ pumpkin 0.57, latte ≈ coffee cup 0.58, bone ≈ rock 0.54,
# banana ≈ carrot 0.55, gift ≈ heart 0.55, duckling ≈ duck 0.89), one poorly (guitar ≈ rock 0.53).
HELD_MIN_SIMILARITY = 0.50


@lru_cache(maxsize=1)
def _held_vectors() -> np.ndarray:
    """Unit embeddings of the held items (computed once per process, when first asked)."""
    from engines.design import embed

    names = [HELD_PHRASES.get(v, v) for v in vocab.FEATURES["held"]]
    return embed.encode([TEMPLATE.format(n) for n in names])


def nearest_held(word: str) -> tuple[str, float] | None:
    """The held item nearest a noun by MiniLM cosine and the cosine; None without the model."""
    from engines.design import embed

    if not embed.available():
        return None
    sims = _held_vectors() @ embed.encode([TEMPLATE.format(word)])[0]
    best = int(np.argmax(sims))
    return vocab.FEATURES["held"][best], round(float(sims[best]), 2)
