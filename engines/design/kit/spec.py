"""What the words ask for, as canonical names (engines.design.kit.vocab); lengths mm."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FeatureSpec:
    """One attachable feature the words name: a FEATURES key, one of its variants, a colour."""

    name: str  # a key of vocab.FEATURES
    variant: str = ""  # one of vocab.FEATURES[name]; "" = the builder's default
    colour: str | None = None  # a vocab.COLOURS or vocab.MATERIALS name for this feature
    material: str | None = None  # a vocab.MATERIALS name ("straw" hat)
    words: str = ""  # the words it was read from, for the "how we read your idea" card
    place: str = ""  # a held item's place (vocab.HELD_PLACES): "" paws, "head", "mouth"
    size: float = 1.0  # times its default size, from a size word before it ("tiny hat": 0.6)


@dataclass(frozen=True)
class Approximation:
    """An unknown noun read as the nearest known subject ("salamander" ≈ axolotl, 0.74), or
    an unknown held thing as the nearest held item ("lantern" ≈ held pumpkin, 0.57)."""

    word: str  # the words of the idea
    subject: str  # the vocab.SUBJECTS name (or, for a held thing, held variant) built instead
    similarity: float  # MiniLM cosine similarity of the two, 0..1
    feature: str = ""  # "held" when the word is a held thing; "" for the subject

    def text(self) -> str:
        """How the card and the API say it: "salamander ≈ axolotl, similarity 0.74"."""
        built = f"{self.feature} {self.subject}".strip()
        return f"{self.word} ≈ {built}, similarity {self.similarity:.2f}"


@dataclass(frozen=True)
class DesignSpec:
    """The idea as the words describe it. Builders treat None as "choose freely"."""

    text: str
    form: str  # one of vocab.FORMS
    subject: str | None = None  # one of vocab.SUBJECTS; None = the form alone (plain mug)
    features: tuple[FeatureSpec, ...] = ()
    body_colour: str | None = None  # the subject's main colour when worded ("pink frog")
    product_colour: str | None = None  # the product body's colour ("white mug with a frog")
    material: str | None = None  # the product's material when worded ("ceramic mug")
    lens_shape: str | None = None  # eyewear only: heart, star, round
    style: str | None = None  # one of vocab.STYLES
    pose: str | None = None  # one of vocab.POSES
    expression: str | None = None  # one of vocab.EXPRESSIONS
    placement: str | None = None  # "on": the subject sits on the product (a frog on a mug's rim)
    size_mm: float | None = None  # worded size (longest side) or a size word's default
    confidence: float = 1.0  # 0..1, how sure the reader is of form and subject
    matched: dict[str, str] = field(default_factory=dict)  # word(s) -> what they were read as
    approximations: tuple[Approximation, ...] = ()  # unknown nouns built as a known subject
    # a colour worded for a part of the subject: (part, colour name), ("mane", "rainbow")
    part_colours: tuple[tuple[str, str], ...] = ()
    # the subject's head alone, worded as "<subject> face/head" ("cat face coaster"); the flat
    # charms show it so (vocab.PORTRAIT_FORMS), other forms show the subject as ever
    portrait: bool = False

    def feature_words(self) -> list[str]:
        """Features as 'name/variant', with ':colour' and a held item's '@place' when worded,
        sorted: how the development set labels them (tests, bench)."""
        return sorted(
            f"{f.name}/{f.variant}"
            + (f":{f.colour}" if f.colour else "")
            + (f"@{f.place}" if f.place else "")
            for f in self.features
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (tuples become lists) for the database and the API."""
        out = asdict(self)
        out["features"] = [asdict(f) for f in self.features]
        out["approximations"] = [asdict(a) for a in self.approximations]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DesignSpec:
        """The inverse of to_json."""
        fields = dict(data)
        fields["features"] = tuple(FeatureSpec(**f) for f in fields.get("features", ()))
        fields["approximations"] = tuple(
            Approximation(**a) for a in fields.get("approximations", ())
        )
        fields["part_colours"] = tuple(tuple(pc) for pc in fields.get("part_colours", ()))
        return cls(**fields)
