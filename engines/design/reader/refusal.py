"""Merchant-readable reasons for ideas we cannot make, naming what came close."""

from __future__ import annotations

import difflib

from engines.design.base import DesignError
from engines.design.kit import vocab
from engines.design.reader.lexicon import KIN, REFUSED

FORM_NAMES: dict[str, str] = {
    "plush": "plush", "figurine": "figurine", "keychain": "keychain", "ornament": "ornament",
    "mug": "mug", "planter": "planter", "pen_holder": "pen holder",
    "phone_stand": "phone stand", "headband": "headband", "hat": "hat", "eyewear": "sunglasses",
    "coaster": "coaster",
    "hair_clip": "hair clip",
    "night_light": "night-light",
}  # fmt: skip
GENERIC_CLOSE = ("plush", "mug", "keychain")  # what we offer for a product we have never heard of
POPULAR = ("capybara", "frog", "cat")  # offered when nothing about an unknown subject is known


def article(noun: str) -> str:
    """'a' or 'an' before a noun phrase."""
    low = noun.lower()
    if low.startswith(("uni", "use", "usu", "eu", "one")):
        return "a"
    return "an" if low[:1] in "aeiou" else "a"


def either(items: list[str]) -> str:
    """'a, b or c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def not_a_product(noun: str, subject: str | None) -> DesignError:
    """A product we do not make: what we can make for this subject instead."""
    refusal = REFUSED.get(noun)
    noun = noun[:40]
    close = refusal.close if refusal and refusal.close else GENERIC_CLOSE
    offer = either([FORM_NAMES[f] for f in close])
    if subject:
        offer = f"{subject} {offer}"
    plural = noun.endswith("s") and not noun.endswith("ss")
    reason = f"we can make {article(offer)} {offer}; not {noun if plural else article(noun) + ' ' + noun}"
    if refusal and refusal.why:
        reason = f"{refusal.why}; {reason}"
    return DesignError(reason)


def feature_alone(words: str, feature: str) -> DesignError:
    """A feature named with nothing to wear it and no product."""
    return DesignError(
        f"we add {feature} to a plush, figurine or keychain of a subject; we don't make "
        f"{article(words)} {words} on its own (say who wears it, e.g. 'a frog with {words}')"
    )


def subject_missing(form: str) -> DesignError:
    """A plush or figurine with nothing named for it to show."""
    name = FORM_NAMES[form]
    return DesignError(
        f"{article(name)} {name} of what? name a subject we make, e.g. a {POPULAR[0]}, "
        f"{article(POPULAR[1])} {POPULAR[1]} or {article(POPULAR[2])} {POPULAR[2]} {name}"
    )


def headband_alone(feature: str) -> DesignError:
    """A headband with a feature but no subject: its ears and features come from a subject."""
    return DesignError(
        f"we put {feature} on a headband together with a subject's ears for now: name one, "
        f"e.g. 'a cat headband with {feature}' or 'a devil cat headband'"
    )


def nothing_to_make(text: str) -> DesignError:
    """No product and no subject in the words."""
    forms = either([FORM_NAMES[f] for f in vocab.FORMS])
    return DesignError(
        f"we couldn't find a product or a subject in '{text[:80]}'; we make: {forms} "
        f"(e.g. 'a frog plush', 'a capybara mug')"
    )


def closest_subjects(word: str, *, embeddings: bool = False) -> tuple[tuple[str, ...], str]:
    """Three known subjects nearest an unknown word, and how they were found."""
    if word in KIN:
        return KIN[word], "kind"
    spelled = difflib.get_close_matches(word, vocab.SUBJECTS, n=3, cutoff=0.75)
    if spelled:
        return tuple(spelled), "spelling"
    if embeddings:
        near = _by_meaning(word)
        if near:
            return near, "meaning"
    return POPULAR, "popular"


def unknown_subject(word: str, form: str | None, *, embeddings: bool = False) -> DesignError:
    """A subject we cannot build yet, with the known subjects that come closest."""
    word = word[:40]
    near, how = closest_subjects(word, embeddings=embeddings)
    if how == "popular" and form is None:  # nothing known about the word: list what we make
        forms = either([FORM_NAMES[f] for f in vocab.FORMS])
        return DesignError(
            f"we don't know {article(word)} {word} yet, as a product or a subject; we make: "
            f"{forms} of subjects such as {either(list(near))}"
        )
    suffix = f" {FORM_NAMES[form]}" if form and form != "plush" else ""
    offers = [f"{article(s)} {s}{suffix}" for s in near]
    return DesignError(
        f"we don't know {article(word)} {word} yet; closest we can make: {either(offers)}"
    )


def _by_meaning(word: str) -> tuple[str, ...]:
    """Nearest subjects by MiniLM cosine (engines.design.reader.approx); () without the model."""
    from engines.design.reader.approx import nearest_subjects

    return tuple(s for s, _ in nearest_subjects(word, 3))
