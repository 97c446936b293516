"""The idea's words -> DesignSpec: product form, subject, features, colours, size (lengths mm)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from engines.design.base import DesignError
from engines.design.kit import vocab
from engines.design.kit.spec import Approximation, DesignSpec, FeatureSpec
from engines.design.reader import refusal
from engines.design.reader.approx import HELD_MIN_SIMILARITY, approximate, nearest_held
from engines.design.reader.lexicon import (
    FORM_NOMINAL_MM,
    HELD_PLACES_AFTER,
    HELD_WORDS,
    KIN,
    REFUSED,
    SIZE_WORD_MAX_MM,
    Meaning,
)
from engines.design.reader.words import Phrase, is_adjective, phrases, worded_size_mm, words_of

SUBJECT_IS_PRODUCT = ("plush", "figurine", "keychain", "ornament")  # colour the form = the subject
WEARABLE = ("hat", "headband", "eyewear")
# these show a subject or nothing at all
NEEDS_SUBJECT = ("plush", "figurine", "keychain", "hair_clip", "night_light")
DEFAULT_SUBJECT = {"ornament": "star"}  # a tree ornament with nothing named: a star
# a subject word before "hat" on another subject: that hat ("a cat wearing a frog hat")
SUBJECT_HATS = {"frog": "frog", "mushroom": "mushroom"}
_HAT_NOUNS = ("hat", "helmet", "crown", "tiara", "beanie", "sombrero", "stetson", "toque")
_GLASSES_NOUNS = ("glasses", "sunglasses", "shades", "eyeglasses", "spectacles", "eyewear")
_PURPOSE = ("for", "to", "from", "by")
_STRAW_WORDS = ("straw", "straws")  # a drinking straw after a cup (_drinking_straws)
PERCH_FORMS = ("mug", "planter")  # a subject "sitting on" one of these sits on its rim
_RIM_WORDS = ("rim", "edge", "lip", "top", "brim", "side")
MIN_CONFIDENCE = 0.3
APPROXIMATION_PENALTY = 0.2  # confidence lost when the subject is an approximation
HELD_PENALTY = 0.1  # confidence lost when a held thing is an approximation (or not made)


@dataclass
class Item:
    """One phrase in its clause: its words, meaning, and what the reader made of it."""

    text: str
    meaning: Meaning | None
    clause: int
    kind: str  # the clause's kind: "lead", "attire", "held", "content", "place", "purpose"
    index: int  # position in the whole idea
    backward: bool = False  # a colour/material after "in" that binds to the noun before it
    colours: list[str] = field(default_factory=list)  # colours bound to this noun
    materials: list[str] = field(default_factory=list)  # materials bound to this noun
    held: bool = False  # read as a thing the subject holds (its colour is the item's)

    @property
    def m(self) -> Meaning:
        """The meaning (an empty one for unknown words)."""
        return self.meaning or Meaning()

    @property
    def unknown_noun(self) -> bool:
        """An unknown word that looks like a noun."""
        return self.meaning is None and not is_adjective(self.text)

    @property
    def kin(self) -> bool:
        """A subject we know of but cannot build (quokka), or a held thing alone (fish)."""
        return self.text in KIN and self.m.subject is None

    @property
    def product_refused(self) -> bool:
        """A product we do not make."""
        return self.m.refuse is not None and self.m.refuse in REFUSED

    @property
    def formable(self) -> str | None:
        """'hat' or 'eyewear' when this hat or glasses phrase can be the product itself."""
        if self.m.feature is None:
            return None
        words = self.text.split()
        if self.m.feature[0] == "hat" and any(w in _HAT_NOUNS for w in words):
            return "hat"
        if self.m.feature[0] == "glasses" and any(w in _GLASSES_NOUNS for w in words):
            return "eyewear"
        return None

    @property
    def noun(self) -> bool:
        """Whether this phrase names a thing (modifiers bind to it)."""
        m = self.m
        return bool(
            m.form or m.subject or m.feature or m.refuse or m.part or self.unknown_noun
        ) and not (m.colour and not m.subject and not m.feature)

    @property
    def head_candidate(self) -> bool:
        """Whether this phrase can head the idea (be the product or the subject)."""
        m = self.m
        return bool(
            m.form
            or m.subject
            or self.formable
            or m.refuse
            or self.unknown_noun
            or (m.feature and self.kin)
        )


@dataclass
class Reading:
    """The spec being assembled and the notes for the merchant's card."""

    text: str
    matched: dict[str, str] = field(default_factory=dict)
    penalty: float = 0.0
    approximations: list[Approximation] = field(default_factory=list)

    def approximated(self, it: Item) -> bool:
        """Read an unknown noun (or a KIN word) as the nearest known subject when MiniLM finds
        one near enough (engines.design.reader.approx); True when it did."""
        if it.text in vocab.SUBJECTS:  # a subject the lexicon lists only as kin
            found: Approximation | None = Approximation(it.text, it.text, 1.0)
        elif it.kin or it.unknown_noun or (it.m.refuse and it.m.refuse not in REFUSED):
            found = approximate(it.text, KIN.get(it.text, ()))
        else:
            return False
        if found is None:
            return False
        it.meaning = Meaning(subject=found.subject)
        if found.subject != found.word:
            self.approximations.append(found)
            self.note(it.text, f"subject: {found.subject} (approximated, similarity "
                      f"{found.similarity:.2f})")  # fmt: skip
            self.penalty += APPROXIMATION_PENALTY
        return True

    def note(self, words: str, what: str) -> None:
        """Record how some words were read (repeated words get a number)."""
        if words in self.matched:
            if what not in self.matched[words].split("; "):
                self.matched[words] += f"; {what}"
            return
        self.matched[words] = what


def _clauses(raw: list[Phrase]) -> list[Item]:
    """Items with their clause number and kind; connectors, fillers and punctuation dropped."""
    items: list[Item] = []
    clause, kind = 0, "lead"
    has_noun = False
    for i, ph in enumerate(raw):
        m = ph.meaning
        nxt = raw[i + 1].meaning if i + 1 < len(raw) else None
        if ph.punct:
            if has_noun:
                clause, kind, has_noun = clause + 1, "attire", False
            continue
        if m is not None and m.connector:
            if m.connector == "and":
                continue
            in_colour = nxt is not None and bool(nxt.colour or nxt.material)
            if ph.text == "in" and in_colour and not (nxt and (nxt.subject or nxt.feature)):
                items.append(Item("", None, clause, kind, len(items), backward=True))
                continue
            clause, kind, has_noun = clause + 1, m.connector, False
            continue
        if m is not None and m.filler:
            continue
        if _thing_not_modifier(raw, i):
            m = None
        if items and items[-1].backward and items[-1].text == "":
            items.pop()
            items.append(Item(ph.text, m, clause, kind, len(items), backward=True))
            continue
        item = Item(ph.text, m, clause, kind, len(items))
        has_noun = has_noun or item.noun
        items.append(item)
    items = [it for it in items if it.text]
    for n, it in enumerate(items):
        it.index = n
    _drinking_straws(items)
    for it, after in zip(items, items[1:], strict=False):
        # "peach frog": a subject that is also a colour, before another subject, is the colour
        named = after.m.subject or (after.m.feature and not after.kin)
        if it.m.subject and it.m.colour and after.clause == it.clause and named:
            it.meaning = Meaning(colour=it.m.colour)
    return items


def _thing_not_modifier(raw: list[Phrase], i: int) -> bool:
    """A colour or material word used as a noun: after 'a'/'an', with no noun after it."""
    m = raw[i].meaning
    if m is None or not (m.colour or m.material) or m.subject or m.feature or m.form:
        return False
    after = raw[i + 1] if i + 1 < len(raw) else None
    ends = after is None or after.punct or bool(after.meaning and after.meaning.connector)
    return i > 0 and raw[i - 1].text in ("a", "an") and ends


def _drinking_straws(items: list[Item]) -> None:
    """ "bubble tea cup with a straw": a straw word in a clause after a cup word, the last of its
    clause, is a drinking straw (the feature) rather than a material ("straw hat" is a phrase
    of its own, "straw mug" and "straw coloured cup" come before the cup)."""
    forms = vocab.FORM_FEATURES["straw"]
    for k, it in enumerate(items):
        last = k + 1 == len(items) or items[k + 1].clause != it.clause
        cup = any(x.m.form in forms and x.clause < it.clause for x in items[:k])
        if it.text in _STRAW_WORDS and last and cup and it.kind != "purpose":
            it.meaning = Meaning(feature=("straw", ""))


def _bind_modifiers(items: list[Item]) -> list[Item]:
    """Give each colour/material to the noun it describes; return the colours left unbound."""
    pending: list[Item] = []
    last_noun: Item | None = None
    loose: list[Item] = []
    for it in items:
        m = it.m
        is_mod = (m.colour or m.material) and not (m.subject or m.feature or m.form)
        if is_mod and it.backward and last_noun is not None:
            _attach(last_noun, it)
            continue
        if is_mod:
            if pending and pending[-1].clause != it.clause:
                loose.extend(_flush(pending, last_noun))
            pending.append(it)
            continue
        if it.noun:
            if pending and pending[0].clause == it.clause:
                for mod in pending:
                    _attach(it, mod)
                pending = []
            elif pending:
                loose.extend(_flush(pending, last_noun))
            last_noun = it
    loose.extend(_flush(pending, last_noun))
    return loose


def _flush(pending: list[Item], last_noun: Item | None) -> list[Item]:
    """Bind trailing modifiers to the noun before them when it is in the same clause."""
    out = list(pending)
    if last_noun is not None and pending and pending[0].clause == last_noun.clause:
        for mod in pending:
            _attach(last_noun, mod)
        out = []
    pending.clear()
    return out


def _attach(noun: Item, mod: Item) -> None:
    """Record a colour or material on a noun."""
    if mod.m.colour:
        noun.colours.append(mod.m.colour)
        mod.colours.append(f"->{noun.text}")
    if mod.m.material:
        noun.materials.append(mod.m.material)
        mod.materials.append(f"->{noun.text}")


def _head(items: list[Item]) -> tuple[Item | None, int]:
    """The phrase that heads the idea (the last candidate of the first clause that has one)."""
    for clause in sorted({it.clause for it in items}):
        in_clause = [it for it in items if it.clause == clause]
        has_subject = any(it.m.subject for it in in_clause)
        cands = [
            it
            for it in in_clause
            if it.head_candidate and not (has_subject and it.m.feature and it.kin)
        ]
        if cands and in_clause[0].kind != "purpose":
            products = [it for it in cands[:-1] if it.m.form or it.formable]
            if cands[-1].unknown_noun and products:  # "straw sun hat batch 7": the hat heads it
                return products[-1], clause
            return cands[-1], clause
    return None, -1


def read_spec(text: str, *, size_mm: float | None = None, embeddings: bool = False) -> DesignSpec:
    """The idea's words as a DesignSpec; DesignError (reason naming what came close) if not."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DesignError("tell us what to make, e.g. 'a capybara plush with a straw hat'")
    reading = Reading(cleaned)
    worded_mm, size_words, rest = worded_size_mm(cleaned)
    raw = phrases(words_of(rest))
    items = _clauses(raw)
    loose = _bind_modifiers(items)
    head, head_clause = _head(items)
    if head is None:
        features = [it for it in items if it.m.feature and it.kind != "purpose"]
        if features:
            raise refusal.feature_alone(features[0].text, features[0].m.feature[0])  # type: ignore[index]
        raise refusal.nothing_to_make(cleaned)
    lead = [it for it in items if it.clause == head_clause]
    body = [it for it in items if it.kind != "purpose"]
    form, subject_item = _form_and_subject(items, lead, head, reading, embeddings)
    subject = subject_item.m.subject if subject_item else None
    if subject is None and form in DEFAULT_SUBJECT:
        subject = DEFAULT_SUBJECT[form]
        reading.note(refusal.FORM_NAMES[form], f"subject: {subject} (nothing named; our default)")
    spec_features, lens = _features(items, body, head, form, subject_item, reading)
    if form == "headband" and subject_item is None and spec_features:
        raise refusal.headband_alone(spec_features[0].name)
    body_colour, product_colour, material = _colours(
        items, loose, form, head, subject_item, reading
    )
    implied = [it for it in body if it.m.body_colour and (it is subject_item or it.m.feature)]
    if subject is not None and implied and body_colour is None:  # "polar bear", "cow print"
        body_colour = implied[0].m.body_colour
        reading.note(implied[0].text, f"{subject} colour: {body_colour}")
    spec_features = _feature_colours(spec_features, form, product_colour)
    spec_features = _feature_sizes(spec_features, items, head, reading)
    part_colours = _part_colours(items, form, head, subject_item, reading)
    style = _first(body, "style", reading)
    pose = _first(body, "pose", reading)
    expression = _first(body, "expression", reading)
    size = _size(size_mm, worded_mm, size_words, items, head, form, reading)
    placement = _placement(raw, form, subject, reading)
    portrait = _portrait(items, form, subject_item, reading)
    _note_rest(items, reading)
    confidence = max(MIN_CONFIDENCE, round(1.0 - reading.penalty, 2))
    return DesignSpec(
        text=cleaned,
        form=form,
        subject=subject,
        features=tuple(spec_features),
        body_colour=body_colour,
        product_colour=product_colour,
        material=material,
        lens_shape=lens,
        style=style,
        pose=pose,
        expression=expression,
        placement=placement,
        size_mm=size,
        confidence=confidence,
        matched=reading.matched,
        approximations=tuple(reading.approximations),
        part_colours=part_colours,
        portrait=portrait,
    )


PORTRAIT_WORDS = ("face", "faces", "head", "heads")


def _portrait(items: list[Item], form: str, subject_item: Item | None, reading: Reading) -> bool:
    """Whether the words ask for the subject's head alone on a flat charm (vocab.PORTRAIT_FORMS):
    its name right before "face" or "head" ("cat face coaster", "frog head keychain"; not "a
    cat with a happy face"; a mug or planter wears the subject's face anyway)."""
    if subject_item is None or form not in vocab.PORTRAIT_FORMS:
        return False
    after = [it for it in items if it.index == subject_item.index + 1]
    if not after or not after[0].m.part or after[0].text not in PORTRAIT_WORDS:
        return False
    reading.note(f"{subject_item.text} {after[0].text}", "portrait: the head alone")
    return True


def _explicit_form(items: list[Item], lead: list[Item]) -> Item | None:
    """The product word that names the form: the lead clause's last, else the first elsewhere."""
    in_lead = [it for it in lead if it.m.form]
    if in_lead:
        return in_lead[-1]
    found = next((it for it in items if it.m.form and it.kind not in ("purpose", "held")), None)
    if found is None:  # "raccoon holding a fish keychain": the product after the held thing
        held_then_product = [
            it for it in items
            if it.m.form and it.kind == "held"
            and any(o.clause == it.clause and o.index < it.index and o.noun for o in items)
        ]  # fmt: skip
        found = held_then_product[-1] if held_then_product else None
    return found


def _subject_slot(lead: list[Item], head: Item) -> Item | None:
    """The lead clause's subject-like word nearest before the head (skipping features, parts)."""
    before = [it for it in lead if it.index < head.index]
    for it in reversed(before):
        if it.m.subject or it.kin or it.unknown_noun:
            return it
    return None


def _form_and_subject(
    items: list[Item], lead: list[Item], head: Item, reading: Reading, embeddings: bool
) -> tuple[str, Item | None]:
    """The product form and the subject phrase; DesignError when no form fits or it is unknown."""
    explicit = _explicit_form(items, lead)
    _refuse_head(items, head, explicit, embeddings, reading)
    if head.m.form or head.formable:
        form = head.m.form or head.formable or ""
        reading.note(head.text, f"product: {refusal.FORM_NAMES[form]}")
    elif explicit is not None and explicit.m.form:
        form = explicit.m.form
        reading.note(explicit.text, f"product: {refusal.FORM_NAMES[form]}")
        reading.penalty += 0.1 if head.unknown_noun else 0.0
    else:
        form = _form_unnamed(items, lead, head, reading)
    slot = head if head.m.subject else _subject_slot(lead, head)
    subject_item = _subject(items, lead, slot, form, embeddings, reading)
    if subject_item is None and form in NEEDS_SUBJECT and not _topper_feature(items, form):
        raise refusal.subject_missing(form)
    if subject_item is not None and subject_item.text not in {
        a.word for a in reading.approximations
    }:
        reading.note(subject_item.text, f"subject: {subject_item.m.subject}")
    return form, subject_item


def _topper_feature(items: list[Item], form: str) -> bool:
    """Whether the words name a feature the form builds as its topper with no subject (a
    bow hair clip, vocab.TOPPER_FEATURES)."""
    return any(
        it.m.feature and form in vocab.TOPPER_FEATURES.get(it.m.feature[0], ())
        for it in items
        if it.kind != "purpose"
    )


def _refuse_head(
    items: list[Item], head: Item, explicit: Item | None, embeddings: bool, reading: Reading
) -> None:
    """Raise when the head names a product we do not make or a subject we do not know (and
    cannot approximate)."""
    any_subject = next((it for it in items if it.m.subject and it.kind != "purpose"), None)
    subject = any_subject.m.subject if any_subject else None
    if head.product_refused:
        raise refusal.not_a_product(head.m.refuse or head.text, subject)
    if head.kin or head.m.refuse:
        form = explicit.m.form if explicit else None
        if not reading.approximated(head):
            raise refusal.unknown_subject(head.text, form, embeddings=embeddings)
        return
    if head.unknown_noun and explicit is None:
        if subject is not None:  # "frog paddle": a product we have never heard of
            raise refusal.not_a_product(head.text, subject)
        if not reading.approximated(head):
            raise refusal.unknown_subject(head.text, None, embeddings=embeddings)


def _form_unnamed(items: list[Item], lead: list[Item], head: Item, reading: Reading) -> str:
    """The form when the words name a subject but no product: plush, or a headband for ears."""
    refused = next(
        (it for it in items if it.product_refused and it.kind in ("lead", "content", "place")),
        None,
    )
    if refused is not None:  # "frog on a water bottle"
        raise refusal.not_a_product(refused.m.refuse or refused.text, head.m.subject)
    ears = _ears_last(lead)
    if ears:
        reading.penalty += 0.1
        reading.note(ears, "product: headband (ears, no product named)")
        return "headband"
    reading.penalty += 0.15
    reading.note("(no product named)", "product: plush (a subject alone is made as a plush)")
    return "plush"


def _ears_last(lead: list[Item]) -> str | None:
    """The ear word when the lead clause ends with a subject's ears ("bunny ears")."""
    nouns = [it for it in lead if it.noun]
    if nouns and nouns[-1].m.part and nouns[-1].text.startswith("ear"):
        return nouns[-1].text
    return None


def _subject(
    items: list[Item],
    lead: list[Item],
    slot: Item | None,
    form: str,
    embeddings: bool,
    reading: Reading,
) -> Item | None:
    """The subject phrase; DesignError when the subject named is one we cannot build (nor
    approximate)."""
    if (
        slot is not None
        and (
            slot.kin
            or (slot.m.refuse and not slot.product_refused)
            or (slot.unknown_noun and not any(it.m.subject for it in lead))
        )
        and not reading.approximated(slot)
    ):
        raise refusal.unknown_subject(slot.text, form, embeddings=embeddings)
    if slot is not None and slot.m.subject:
        return slot
    in_lead = [it for it in lead if it.m.subject]
    if in_lead:
        return in_lead[-1]
    for kinds in (("content", "attire", "held", "place", "lead"), ("purpose",)):
        if kinds == ("purpose",) and form in WEARABLE:
            break
        for it in items:
            if it.kind in kinds and it.m.subject and not _held_or_lens(it, None, form):
                return it
            if it.kind == "content" and (it.unknown_noun or (it.kin and it.m.feature is None)):
                if reading.approximated(it):
                    return it
                raise refusal.unknown_subject(it.text, form, embeddings=embeddings)
    return None


def _held_or_lens(it: Item, subject_item: Item | None, form: str) -> bool:
    """Whether a subject word after the subject is a held thing or a lens shape instead."""
    if form == "eyewear" and it.m.lens:
        return True
    return subject_item is not None and it.m.subject in vocab.FEATURES["held"]


def _features(
    items: list[Item],
    body: list[Item],
    head: Item,
    form: str,
    subject_item: Item | None,
    reading: Reading,
) -> tuple[list[FeatureSpec], str | None]:
    """The features the words name, with their variants, colours and materials; the lens shape."""
    out: dict[str, FeatureSpec] = {}
    lens: str | None = None

    def add(
        name: str, variant: str, words: str, it: Item | None, what: str = "", how: str = ""
    ) -> None:
        colour = it.colours[0] if it and it.colours else None
        material = (it.materials[0] if it and it.materials else None) or (
            it.m.feature_material if it else None
        )
        if name in out:  # named twice ("superhero dog with a red cape"): fill in what is new
            old = out[name]
            out[name] = FeatureSpec(
                name,
                old.variant or variant,
                old.colour or colour,
                old.material or material,
                old.words if old.words == words else f"{old.words}, {words}",
                old.place,
            )
            if (colour and not old.colour) or (variant and not old.variant):
                reading.note(
                    words, f"feature: {name} ({', '.join(x for x in (variant, colour) if x)})"
                )
            return
        place = _held_place(reading.text, words) if name == "held" else ""
        out[name] = FeatureSpec(name, variant, colour, material, words, place)
        where = {"head": "on the head", "mouth": "in the mouth"}.get(place, "")
        detail = ", ".join(x for x in (variant, colour, material, where, how) if x)
        reading.note(words, what or f"feature: {name}" + (f" ({detail})" if detail else ""))

    if subject_item is not None:
        for name, variant in subject_item.m.also:
            add(name, variant, subject_item.text, None, f"feature: {name} ({variant})")
    for it in body:
        m = it.m
        if it is head and form == "eyewear":
            lens = m.lens or lens
            if m.lens:
                reading.note(it.text, f"lens shape: {lens}")
            continue
        if m.feature and not (it.kin and subject_item is None):
            it.held = m.feature[0] == "held"
            add(m.feature[0], m.feature[1], it.text, it)
        for name, variant in m.also:
            if it is not subject_item:
                add(name, variant, it.text, None, f"feature: {name} ({variant})")
        if form == "eyewear" and m.lens and not m.feature and it is not subject_item:
            lens = m.lens
            reading.note(it.text, f"lens shape: {m.lens}")
        elif _holds(it, subject_item, form, reading.text):
            it.held = True
            held_as, how = _held_variant(it, reading)
            if held_as:
                add("held", held_as, it.text, it, how=how)
        elif m.subject and subject_item is not None and m.subject != subject_item.m.subject:
            held = m.subject in vocab.FEATURES["held"] and it.index > subject_item.index
            if held and it.kind != "place":  # "a frog sitting on a pumpkin" holds nothing
                it.held = True
                add("held", m.subject, it.text, it)
            elif m.subject == "strawberry" and subject_item.m.subject in vocab.CREATURES:
                add("hat", "strawberry", it.text, it, "feature: hat (strawberry)")
            elif m.subject in SUBJECT_HATS and _before_hat(body, it):  # "a frog hat"
                variant = SUBJECT_HATS[m.subject]
                add("hat", variant, it.text, it, f"feature: hat ({variant})")
            else:
                reading.note(
                    it.text, f"not used (one subject per design: {subject_item.m.subject})"
                )
                reading.penalty += 0.15
    if form == "eyewear":
        out.pop("glasses", None)
    return list(out.values()), lens


def _holds(it: Item, subject_item: Item | None, form: str, text: str) -> bool:
    """Whether a phrase after the subject names a thing it holds that the feature words do not
    ("bear holding a mug", "otter holding a rock", "a duck on its head"): a held word, a held
    item's subject, another product, a kin or unknown noun, in a "holding" clause or before
    "on its head" / "in its mouth"."""
    if subject_item is None or it.index <= subject_item.index or it.m.feature or it.m.part:
        return False
    m = it.m
    thing = (
        it.text in HELD_WORDS
        or m.subject in vocab.FEATURES["held"]
        or (m.form is not None and m.form != form)
        or it.kin
        or m.refuse is not None
        or it.unknown_noun
    )
    return thing and (it.kind == "held" or _held_place(text, it.text) != "")


def _held_variant(it: Item, reading: Reading) -> tuple[str | None, str]:
    """The held item a held thing is built as and how it was found: its own, else the nearest
    by MiniLM (recorded as an approximation); None (said on the card) when none is near."""
    if it.text in HELD_WORDS:
        return HELD_WORDS[it.text], ""
    if it.m.subject in vocab.FEATURES["held"]:
        return it.m.subject, ""
    near = nearest_held(it.text)
    if near is None or near[1] < HELD_MIN_SIMILARITY:
        why = f"nearest: {near[0]}, similarity {near[1]:.2f}" if near else "no embeddings"
        reading.note(it.text, f"held: not made (no held item near enough; {why})")
        reading.penalty += HELD_PENALTY
        return None, ""
    reading.approximations.append(Approximation(it.text, near[0], near[1], feature="held"))
    reading.penalty += HELD_PENALTY
    return near[0], f"approximated, similarity {near[1]:.2f}"


def _held_place(text: str, noun: str) -> str:
    """Where the words put a held thing: "head" ("a duck on its head"), "mouth" ("a fish in
    its mouth"), else "" (at the paws)."""
    after = re.search(rf"\b{re.escape(noun)}\b\s+(.*)", " ".join(words_of(text)))
    for place, pattern in HELD_PLACES_AFTER if after else ():
        if re.match(pattern, after.group(1)):  # type: ignore[union-attr]
            return place
    return ""


def _before_hat(body: list[Item], it: Item) -> bool:
    """Whether the next phrase after this one is a plain hat ("frog" in "a frog hat")."""
    after = [b for b in body if b.index > it.index]
    nxt = min(after, key=lambda b: b.index) if after else None
    return nxt is not None and nxt.m.feature is not None and nxt.m.feature[0] == "hat"


def _feature_colours(
    features: list[FeatureSpec], form: str, product_colour: str | None
) -> list[FeatureSpec]:
    """A hat that is the product wears the product's colour."""
    if form != "hat" or product_colour is None:
        return features
    return [
        FeatureSpec(f.name, f.variant, f.colour or product_colour, f.material, f.words)
        if f.name == "hat"
        else f
        for f in features
    ]


def _colours(
    items: list[Item],
    loose: list[Item],
    form: str,
    head: Item,
    subject_item: Item | None,
    reading: Reading,
) -> tuple[str | None, str | None, str | None]:
    """(body colour, product colour, product material) from the colours bound to nouns."""
    body: str | None = None
    product: str | None = None
    material: str | None = None
    for it in items:
        if it.kind == "purpose" or not (it.colours or it.materials) or not it.noun:
            continue
        colours = [c for c in it.colours if not c.startswith("->")]
        mats = [c for c in it.materials if not c.startswith("->")]
        target = _colour_target(it, form, head, subject_item)
        if target == "body":
            body = body or (colours[0] if colours else None)
            material = material or (mats[0] if mats else None)
        elif target == "product":
            product = product or (colours[0] if colours else None)
            material = material or (mats[0] if mats else None)
        elif target == "unused" and colours and not _subject_part(it, subject_item):
            reading.note(f"{' '.join(colours)} {it.text}", "colour not used (no such part)")
            reading.penalty += 0.05
    for it in loose:
        if it.kind == "purpose":
            continue
        if it.m.colour:  # a colour on its own describes the product (the subject, for a plush)
            if subject_item is not None and body is None and form in SUBJECT_IS_PRODUCT:
                body = it.m.colour
            elif product is None:
                product = it.m.colour
        if it.m.material and material is None:
            material = it.m.material
    if body:
        reading.note(
            _colour_words(items, body, "body"), f"{_subject_name(subject_item)} colour: {body}"
        )
    if product:
        reading.note(
            _colour_words(items, product, "product"),
            f"{refusal.FORM_NAMES[form]} colour: {product}",
        )
    if material:
        reading.note(
            _colour_words(items, material, "material"),
            f"{refusal.FORM_NAMES[form]} material: {material}",
        )
    return body, product, material


def _subject_name(subject_item: Item | None) -> str:
    """The subject's canonical name for the card."""
    return subject_item.m.subject or "subject" if subject_item else "subject"


def _colour_words(items: list[Item], value: str, _role: str) -> str:
    """The words that gave a colour or material."""
    for it in items:
        if it.m.colour == value or it.m.material == value:
            return it.text
    return value


PART_SINGULAR = {"feet": "foot", "lens": "lens", "lenses": "lens", "manes": "mane"}


def _subject_part(it: Item, subject_item: Item | None) -> str | None:
    """The subject part a noun names ("ears" -> "ear"), when there is a subject to have it."""
    if subject_item is None or not it.m.part or not it.noun:
        return None
    word = it.text.split()[-1]
    return PART_SINGULAR.get(word, word[:-1] if word.endswith("s") and len(word) > 3 else word)


def _part_colours(
    items: list[Item], form: str, head: Item, subject_item: Item | None, reading: Reading
) -> tuple[tuple[str, str], ...]:
    """(part, colour) of the colours worded on parts of the subject ("rainbow mane"); the
    builder paints the subject's parts of that name (a rainbow: each its own colour)."""
    out: list[tuple[str, str]] = []
    for it in items:
        colours = [c for c in it.colours if not c.startswith("->")]
        part = _subject_part(it, subject_item)
        if it.kind == "purpose" or not colours or part is None:
            continue
        if _colour_target(it, form, head, subject_item) == "unused":
            out.append((part, colours[0]))
            reading.note(f"{colours[0]} {it.text}", f"{part} colour: {colours[0]}")
    return tuple(out)


def _colour_target(it: Item, form: str, head: Item, subject_item: Item | None) -> str:
    """Where a colour on this noun goes: 'body', 'product', 'feature' or 'unused'."""
    m = it.m
    if it.held:
        return "feature"
    if m.feature and not it.kin:
        if it is head and form in ("hat", "eyewear"):
            return "product"
        return "feature"
    if subject_item is not None and (it is subject_item or m.subject == subject_item.m.subject):
        return "body"
    if m.form:
        return "body" if form in SUBJECT_IS_PRODUCT and subject_item is not None else "product"
    if m.part:
        return "body" if form == "headband" and subject_item is not None else "unused"
    if m.subject and m.subject in vocab.FEATURES["held"]:
        return "feature"
    return "unused"


def _first(items: list[Item], attr: str, reading: Reading) -> str | None:
    """The first style, pose or expression worded."""
    for it in items:
        value = getattr(it.m, attr)
        if value:
            reading.note(it.text, f"{attr}: {value}")
            return str(value)
    return None


def _size(
    asked_mm: float | None,
    worded_mm: float | None,
    size_words: str,
    items: list[Item],
    head: Item,
    form: str,
    reading: Reading,
) -> float | None:
    """Longest side in mm: the caller's, else a worded length, else a size word x the form's."""
    if asked_mm is not None:
        return float(asked_mm)
    if worded_mm is not None:
        reading.note(size_words, f"size: {worded_mm:g} mm")
        return round(worded_mm, 1)
    for it in items:
        if it.m.size_factor and it.kind != "purpose":
            described = next((n for n in items[it.index + 1 :] if n.noun), None)
            if _sizes_a_feature(it, described, head):
                if not (described and described.m.feature):  # a part: "tiny ears"
                    reading.note(f"{it.text} {described.text}", f"{described.text} size (not used)")  # type: ignore[union-attr]
                continue
            size = min(FORM_NOMINAL_MM[form] * it.m.size_factor, SIZE_WORD_MAX_MM)
            reading.note(it.text, f"size: {size:g} mm")
            return round(size, 1)
    return None


def _placement(raw: list[Phrase], form: str, subject: str | None, reading: Reading) -> str | None:
    """ "on" when the words put the subject on a vessel ("frog sitting on a mug", "a cat on the
    rim"): after the subject, "on" and, before the next clause, the product or its rim."""
    if subject not in vocab.CREATURES or form not in PERCH_FORMS:
        return None
    seen = False
    for i, ph in enumerate(raw):
        if ph.meaning is not None and ph.meaning.subject == subject:
            seen = True
        if seen and ph.text in ("on top", "atop"):  # "a cat on top (of a mug)"
            reading.note(ph.text, f"placement: the {subject} sits on the rim")
            return "on"
        if not seen or ph.text != "on":
            continue
        for nxt in raw[i + 1 : i + 6]:
            m = nxt.meaning
            if nxt.punct or (m is not None and m.connector and nxt.text != "of"):
                break
            if nxt.text in _RIM_WORDS or (m is not None and m.form == form):
                reading.note(f"on {nxt.text}", f"placement: the {subject} sits on the rim")
                return "on"
    return None


# A feature's size factor is the size word's, kept where the feature still fits the subject
# and prints: a tiny hat at 0.6 of its size still rests on the head, a giant one at 1.6.
FEATURE_SIZE = (0.6, 1.6)


def _feature_sizes(
    features: list[FeatureSpec], items: list[Item], head: Item, reading: Reading
) -> list[FeatureSpec]:
    """The features with the size a size word right before them gives ("a tiny crochet bucket
    hat": the hat at 0.6, not the whole product)."""
    sized: dict[str, float] = {}
    for it in items:
        if not it.m.size_factor or it.kind == "purpose":
            continue
        described = next((n for n in items[it.index + 1 :] if n.noun), None)
        if described is None or not _sizes_a_feature(it, described, head):
            continue
        if described.m.feature and described.m.feature[0] not in sized:
            factor = min(max(float(it.m.size_factor), FEATURE_SIZE[0]), FEATURE_SIZE[1])
            sized[described.m.feature[0]] = factor
            reading.note(f"{it.text} {described.text}", f"{described.text} size: x{factor:g}")
    return [replace(f, size=sized[f.name]) if f.name in sized else f for f in features]


def _sizes_a_feature(size_word: Item, described: Item | None, head: Item) -> bool:
    """Whether a size word describes a feature or part ("a tiny hat"), not the product."""
    if described is None or described is head or described.clause != size_word.clause:
        return False
    return bool(described.m.feature or described.m.part)


def _note_rest(items: list[Item], reading: Reading) -> None:
    """Put words the reader did not use on the card, and lower the confidence for nouns."""
    used = {w for key in reading.matched for w in key.split()}
    for it in items:
        if it.text in used or it.text in reading.matched:
            continue
        if it.meaning is None:
            reading.note(it.text, "not understood" if it.unknown_noun else "ignored")
            reading.penalty += 0.1 if it.unknown_noun else 0.03
        elif it.kin or (it.m.refuse and it.kind != "purpose"):
            reading.note(it.text, "not used")
            reading.penalty += 0.1
        elif it.m.part:
            reading.note(it.text, "part of the subject")
