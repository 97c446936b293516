"""Axes a merchant decides on (style, pose, expression, proportions, feature variant, colourway):
deterministic sampling of choices where the words leave them open, and colourways applied to the
parts whose colour the words did not name."""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engines.design.kit import fit
from engines.design.kit.spec import DesignSpec
from engines.design.kit.vocab import (
    COLOURS,
    EXPRESSIONS,
    FEATURES,
    OBJECTS,
    PORTRAIT_FORMS,
    POSES,
    SAMPLED_STYLES,
    STYLES,
    WORDED_ONLY,
)

RGB = tuple[int, int, int]

COLOURWAYS: tuple[str, ...] = ("natural", "pastel", "bold", "deep", "two_tone")
# The variant of an unworded feature the subject has as its own part (a cow's horns): nothing
# is attached, the subject's own part is the feature.
OWN = "own"
# Unworded expressions a merchant would sell by default; crying and angry change the idea's mood,
# so they only come from the words.
OPEN_EXPRESSIONS: tuple[str, ...] = ("happy", "neutral", "sleepy", "surprised")
DEFAULT_STYLE, DEFAULT_POSE, DEFAULT_EXPRESSION = "kawaii", "sitting", "happy"
# Proportion knobs of the subject builder: name -> (low, high) of its 0..1 range sampled
# (0.5 is the builder's own proportion, engines.design.subjects KNOBS).
KNOBS: dict[str, tuple[float, float]] = {
    "head_ratio": (0.15, 0.85),  # head size relative to the body
    "chubbiness": (0.15, 0.85),  # slim .. chubby
    "ear_size": (0.2, 0.85),
    "limb_length": (0.2, 0.8),
}
KNOB_NEUTRAL = 0.5
# Knobs of the form builders (engines.design.forms, FormContext.knob): form -> knob ->
# (low, high, whole numbers?) sampled; unsampled knobs keep the builder's default (often worded).
FORM_KNOBS: dict[str, dict[str, tuple[float, float, bool]]] = {
    # mug: taller cup (bubble tea), body profile (forms.vessels.MUG_PROFILES), handle style
    "mug": {"tall": (0.0, 1.0, True), "body": (0.0, 3.0, True), "handle": (0.0, 2.0, True)},
    # planter: pot profile (forms.vessels.PLANTER_PROFILES), feet, stretched wide or tall
    "planter": {"pot": (0.0, 3.0, True), "feet": (0.0, 1.0, True), "shape": (0.0, 2.0, True)},
    "pen_holder": {"hug": (0.0, 1.0, True), "shape": (0.0, 2.0, True)},  # subject on the cup
    # phone stand: back rest angle, short or tall rest, subject on the phone's left or right
    "phone_stand": {
        "angle_deg": (60.0, 75.0, False),
        "rest": (0.0, 2.0, True),
        "side": (0.0, 1.0, True),
    },
    "plush": {"squish": (0.0, 1.0, True)},  # as built, or a low, round mochi plush
    "figurine": {"plinth": (0.0, 3.0, True)},  # oval, round, square plinth or a pedestal
    # keychain: the charm alone, on a round, square or heart tag, or outlined (forms.figures)
    "keychain": {"tag": (0.0, 4.0, True)},
    # hat: style (forms.wearables.HAT_STYLES), crown height, topper (ear) size, upturned brim,
    # brim width, toppers set close or apart, a beanie's fit (watch cap, dome, slouchy), the
    # crown's shape of a bucket or straw hat (round, tapered, straight)
    "hat": {
        "style": (0.0, 6.0, True),
        "crown": (0.0, 2.0, True),
        "topper": (0.0, 2.0, True),
        "brim": (0.0, 1.0, True),
        "brim_w": (0.0, 2.0, True),
        "spread": (0.0, 2.0, True),
        "fit": (0.0, 2.0, True),
        "crown_shape": (0.0, 2.0, True),
    },  # fmt: skip
    # headband (forms.wearables): band width, topper size, how far apart the ears sit
    "headband": {"band": (0.0, 2.0, True), "topper": (0.0, 2.0, True), "spread": (0.0, 2.0, True)},
    # eyewear: frame style (FRAMES), lens size, full arms or stubs, lens shape when unworded
    "eyewear": {
        "frame": (0.0, 3.0, True),
        "lens_size": (0.0, 2.0, True),
        "arms": (0.0, 1.0, True),
        "lens": (0.0, 2.0, True),
    },  # fmt: skip
    # coaster (forms.coaster): round, square, hexagon or the subject's outline; a raised rim
    "coaster": {"outline": (0.0, 3.0, True), "rim": (0.0, 1.0, True)},
    # hair clip (forms.clips): the clip (alligator, snap, barrette; a claw clip only when
    # worded), the topper's size
    "hair_clip": {"clip": (0.0, 2.0, True), "topper_size": (0.0, 2.0, True)},
    # night-light (forms.lights): the shell as built, a round mochi or tall; a disc or plinth base
    "night_light": {"squish": (0.0, 2.0, True), "base": (0.0, 1.0, True)},
}
# Shares of a whole-number form knob's values among the sampled choices, where an even share
# over-represents one: a mochi plush is the same plush squashed, so at half the samples (its
# silhouette differs, so the ranking takes it readily) it was 46 % of plush top 8s (52 of 112,
# 14 dev ideas); a third of the samples keeps it one look among the styles.
FORM_KNOB_SHARES: dict[tuple[str, str], tuple[float, ...]] = {("plush", "squish"): (2.0, 1.0)}
# Shape knobs of a subject (engines.design.subjects.style.SHAPE_KNOBS), sampled like form
# knobs where the form shows the subject whole: subject -> knob -> (low, high, whole numbers?).
SUBJECT_KNOBS: dict[str, dict[str, tuple[float, float, bool]]] = {
    "ghost": {"hem": (0.0, 1.0, True), "raise": (0.0, 1.0, True)},  # wavy hem or a wisp tail
}
# A form knob that means nothing at some values of another knob (a tall cup has no handle,
# a beanie, cap or party hat no brim): (form, knob) -> (the other knob, those values).
MOOT_KNOBS: dict[tuple[str, str], tuple[str, frozenset[float]]] = {
    ("mug", "handle"): ("tall", frozenset({1.0})),
    ("hat", "brim"): ("style", frozenset({1.0, 2.0, 6.0})),  # forms.wearables.HAT_STYLES
    ("hat", "brim_w"): ("style", frozenset({1.0, 2.0, 6.0})),
    ("hat", "fit"): ("style", frozenset({0.0, 2.0, 3.0, 4.0, 5.0, 6.0})),  # a beanie's only
    ("hat", "crown_shape"): ("style", frozenset({1.0, 2.0, 4.0, 5.0, 6.0})),  # bucket, straw
}
# Words that keep a moot knob meaningful: a "mug" keeps its handle on the tall cup too (only a
# bubble-tea cup or tumbler the words ask for goes without).
KEPT_BY_WORDS: dict[tuple[str, str], tuple[str, ...]] = {("mug", "handle"): ("mug", "handle")}
# Form knobs whose top value needs the subject (the tail handle is the subject's tail).
SUBJECT_KNOB_TOP: frozenset[tuple[str, str]] = frozenset(
    {("mug", "handle"), ("coaster", "outline")}  # a coaster outlined by its subject
)
# Form knobs that only shape or place the subject on the product (a hat's toppers, the side
# of the phone a stand's subject sits on).
SUBJECT_ONLY_KNOBS: frozenset[tuple[str, str]] = frozenset(
    {("hat", "topper"), ("hat", "spread"), ("phone_stand", "side")}
)
# Knobs the pipeline applies itself after the form is built (not passed to the builder):
# "shape" stretches a vessel (index into SHAPES), each factor >= 1 so no wall gets thinner.
PIPELINE_KNOBS: frozenset[str] = frozenset({"shape"})
SHAPES: tuple[tuple[str, tuple[float, float, float]], ...] = (
    ("classic", (1.0, 1.0, 1.0)),
    ("wide", (1.2, 1.2, 1.0)),
    ("tall", (1.0, 1.0, 1.25)),
)
# Words that already decide a form knob (the builder reads them): the knob is then not sampled.
FORM_KNOB_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("mug", "tall"): ("bubble", "boba", "tumbler", "tall"),
    ("hair_clip", "clip"): (
        "snap clip",
        "barrette",
        "alligator",
        "duckbill",
        "duck bill",
        "claw",
        "jaw clip",
    ),  # forms.clips.CLIP_WORDS
}
# Words that choose a coaster's outline (forms.coaster.OUTLINES), read by its builder.
COASTER_OUTLINE_WORDS: dict[str, tuple[str, ...]] = {
    "round": ("round", "circle"),
    "square": ("square",),
    "hexagon": ("hexagon", "hex"),
    "outlined": ("shaped", "die cut", "outline"),
}
FORM_KNOB_WORDS[("coaster", "outline")] = tuple(w for ws in COASTER_OUTLINE_WORDS.values()
                                                for w in ws)  # fmt: skip
FORM_KNOB_WORDS[("coaster", "rim")] = ("rim", "raised edge")
# A feature the words name that is the product itself ("bucket hat with frog eyes": the hat is
# the product, its variant the hat's style): not attached to the subject, not an axis.
PRODUCT_FEATURE: dict[str, str] = {"hat": "hat", "eyewear": "glasses"}
# Form knobs a worded variant of the product feature decides.
PRODUCT_FEATURE_KNOB: dict[str, str] = {"hat": "style", "eyewear": "lens"}
# Forms that show the subject whole, so its pose shows; the others wear its face or ears
# (a planter shows a plant or object standing in it whole, a creature's face on the pot).
POSED_FORMS: frozenset[str] = frozenset(
    {
        "plush",
        "figurine",
        "keychain",
        "ornament",
        "phone_stand",
        "pen_holder",
        "coaster",
        "hair_clip",
    }
)
# Colours a two-tone accent is picked from (light, sellable hues).
ACCENTS: tuple[str, ...] = ("pink", "mint", "sky", "yellow", "lavender", "peach", "teal", "orange")
_LABEL_COLOURS = {k: v for k, v in COLOURS.items() if k not in ("rainbow", "transparent", "straw")}

assert set(OPEN_EXPRESSIONS) <= set(EXPRESSIONS)
assert DEFAULT_STYLE in STYLES and DEFAULT_POSE in POSES


@dataclass(frozen=True)
class Choice:
    """One point on the merchant's axes: what a single variant is built with."""

    style: str
    pose: str
    expression: str
    knobs: tuple[tuple[str, float], ...]  # (name, factor) in KNOBS order
    features: tuple[tuple[str, str], ...]  # (feature name, variant) in the spec's order
    colourway: str
    form_knobs: tuple[tuple[str, float], ...] = ()  # (name, value) of FORM_KNOBS sampled

    def knob(self, name: str) -> float:
        """One proportion knob, 0..1 (KNOB_NEUTRAL = as the builder makes it)."""
        return dict(self.knobs).get(name, KNOB_NEUTRAL)


@dataclass(frozen=True)
class Open:
    """Which axes the words leave open, and the values each may take."""

    styles: tuple[str, ...]
    poses: tuple[str, ...]
    expressions: tuple[str, ...]
    features: tuple[tuple[str, tuple[str, ...]], ...]  # feature -> allowed variants
    form_knobs: tuple[tuple[str, tuple[float, float, bool]], ...] = ()  # knob -> range
    proportions: bool = True  # whether the subject's proportion knobs are an axis


def sampled_variants(name: str) -> tuple[str, ...]:
    """The variants an unworded feature is sampled from (not the ones only words choose)."""
    variants = FEATURES.get(name, ("",))
    return tuple(v for v in variants if (name, v) not in WORDED_ONLY) or variants


def feature_variants(subject: str | None, name: str) -> tuple[str, ...]:
    """The variants an unworded feature takes on a subject: OWN alone when the subject has
    that part already (a cow's horns, kit.fit.OWN_FEATURES), else the sampled ones that suit it
    (no buck teeth on a shark, kit.fit.UNFIT)."""
    if name in fit.OWN_FEATURES.get(subject or "", frozenset()):
        return (OWN,)
    return fit.fitting_variants(subject, name, sampled_variants(name))


def open_axes(spec: DesignSpec) -> Open:
    """The values each axis may take: a worded choice is the only value, else all sellable ones
    (that suit the subject)."""
    product = PRODUCT_FEATURE.get(spec.form)
    feats = tuple(
        (f.name, (f.variant,) if f.variant else feature_variants(spec.subject, f.name))
        for f in spec.features
        if f.name != product
    )
    words = spec.text.lower()
    decided = {
        PRODUCT_FEATURE_KNOB.get(spec.form, "")
        for f in spec.features
        if f.name == product and f.variant
    }
    if spec.lens_shape:
        decided.add("lens")
    knobs = tuple(
        (name, _span(spec, name, span))
        for name, span in _knob_spans(spec).items()
        if not any(w in words for w in FORM_KNOB_WORDS.get((spec.form, name), ()))
        and name not in decided
        and not (spec.subject is None and (spec.form, name) in SUBJECT_ONLY_KNOBS)
        and not (name == "handle" and subject_is_handle(spec))  # the cat is the handle
    )
    fixed = worded_knobs(spec)
    knobs = tuple(
        (name, span) for name, span in knobs if not is_moot(spec.form, name, fixed, words)
    )  # a worded tall cup has no handle to vary, a worded beanie no brim
    posed = spec.form in POSED_FORMS or (spec.form == "planter" and spec.subject in OBJECTS)
    posed = posed and not (spec.portrait and spec.form in PORTRAIT_FORMS)  # a head: no pose
    if spec.subject is None:  # the product alone: no subject to style, pose or give a face
        return Open((spec.style or DEFAULT_STYLE,), (spec.pose or DEFAULT_POSE,),
                    (spec.expression or DEFAULT_EXPRESSION,), feats, knobs, proportions=False)  # fmt: skip
    return Open(
        styles=(spec.style,) if spec.style else SAMPLED_STYLES,
        poses=(spec.pose,) if spec.pose else (POSES if posed else (DEFAULT_POSE,)),
        expressions=(spec.expression,) if spec.expression else OPEN_EXPRESSIONS,
        features=feats,
        form_knobs=knobs,
    )


def _knob_spans(spec: DesignSpec) -> dict[str, tuple[float, float, bool]]:
    """The form's knobs, and the subject's shape knobs where the form shows it whole."""
    shown = spec.form in POSED_FORMS and spec.subject is not None
    return FORM_KNOBS.get(spec.form, {}) | (
        SUBJECT_KNOBS.get(spec.subject or "", {}) if shown else {}
    )


def _span(
    spec: DesignSpec, name: str, span: tuple[float, float, bool]
) -> tuple[float, float, bool]:
    """A form knob's range for this spec (without a subject, no subject-made top value)."""
    low, high, whole = span
    if (spec.form, name) in SUBJECT_KNOB_TOP and spec.subject is None:
        return (low, high - 1.0, whole)
    return span


def worded_knobs(spec: DesignSpec) -> dict[str, float]:
    """Form knob values the words decide: a tall cup ("bubble tea"), the hat's style index."""
    words = spec.text.lower()
    out = {
        name: 1.0
        for name in FORM_KNOBS.get(spec.form, {})
        if any(w in words for w in FORM_KNOB_WORDS.get((spec.form, name), ()))
    }
    variant = next((f.variant for f in spec.features if f.name == "hat" and f.variant), "")
    if spec.form == "hat" and variant:
        from engines.design.forms.wearables import HAT_ALIASES, HAT_STYLES

        style = HAT_ALIASES.get(variant, variant if variant in HAT_STYLES else "bucket")
        out["style"] = float(HAT_STYLES.index(style))
    return out


def kept_by_words(form: str, name: str, words: str) -> bool:
    """Whether the words keep a form knob that another knob would make moot (a "mug" keeps
    its handle when it is tall)."""
    keep = KEPT_BY_WORDS.get((form, name), ())
    return any(re.search(rf"\b{w}s?\b", words.lower()) for w in keep)


def subject_is_handle(spec: DesignSpec | None) -> bool:
    """Whether the words make the subject a mug's handle ("a black cat handle", "a handle
    shaped like a cat"): the handle is then the subject, no style of handle to vary."""
    if spec is None or spec.form != "mug" or not spec.subject:
        return False
    words, name = spec.text.lower(), re.escape(spec.subject)
    return bool(
        re.search(rf"\b{name}s?(?:[ -]shaped)? handle\b", words)
        or re.search(rf"\bhandle (?:shaped like|in the shape of|like) an? {name}\b", words)
    )


def is_moot(form: str, name: str, values: dict[str, float], words: str = "") -> bool:
    """Whether a form knob means nothing given the other knobs' values (MOOT_KNOBS)."""
    if (form, name) not in MOOT_KNOBS or kept_by_words(form, name, words):
        return False
    other, moot = MOOT_KNOBS[form, name]
    return values.get(other) in moot


def without_moot(
    form: str,
    knobs: tuple[tuple[str, float], ...],
    fixed: dict[str, float] | None = None,
    words: str = "",
) -> tuple[tuple[str, float], ...]:
    """The form knobs without those another knob (sampled, or `fixed` by the words) makes
    meaningless (a tall cup's handle, a beanie's brim), unless the words keep them."""
    values = (fixed or {}) | dict(knobs)
    return tuple((n, v) for n, v in knobs if not is_moot(form, n, values, words))


def default_choice(spec: DesignSpec) -> Choice:
    """The most literal design: worded choices, else the defaults, natural colours."""
    axes = open_axes(spec)
    return Choice(
        style=DEFAULT_STYLE if DEFAULT_STYLE in axes.styles else axes.styles[0],
        pose=DEFAULT_POSE if DEFAULT_POSE in axes.poses else axes.poses[0],
        expression=DEFAULT_EXPRESSION
        if DEFAULT_EXPRESSION in axes.expressions
        else axes.expressions[0],  # noqa: E501
        knobs=tuple((k, KNOB_NEUTRAL) for k in KNOBS),
        features=tuple((name, variants[0]) for name, variants in axes.features),
        colourway="natural",
    )


def _strata(values: tuple[str, ...], n: int, rng: np.random.Generator) -> list[str]:
    """n values covering `values` evenly (each appears n/len times), in a shuffled order."""
    reps = -(-n // len(values))
    out = list(values) * reps
    order = rng.permutation(len(out))
    return [out[i] for i in order[:n]]


def sample_choices(spec: DesignSpec, n: int, seed: int) -> list[Choice]:
    """n distinct choices, the literal default first, the rest stratified over every open axis
    (deterministic per seed)."""
    axes = open_axes(spec)
    rng = np.random.default_rng([seed, 20])
    first = default_choice(spec)
    fixed = worded_knobs(spec)
    styles = _strata(axes.styles, n, rng)
    poses = _strata(axes.poses, n, rng)
    exprs = _strata(axes.expressions, n, rng)
    colourways = _strata(COLOURWAYS, n, rng)
    feats = [_strata(variants, n, rng) for _, variants in axes.features]
    knob_u = (rng.permutation(n)[:, None] + rng.random((n, len(KNOBS)))) / n  # Latin hypercube
    for k in range(1, len(KNOBS)):
        knob_u[:, k] = knob_u[rng.permutation(n), k]
    form_u = (rng.permutation(n)[:, None] + rng.random((n, len(axes.form_knobs)))) / n
    for k in range(1, len(axes.form_knobs)):  # each knob's strata in its own order
        form_u[:, k] = form_u[rng.permutation(n), k]
    seen, out = {first}, [first]
    for i in range(n):
        knobs = tuple(
            (
                name,
                round(lo + float(knob_u[i, k]) * (hi - lo), 3)
                if axes.proportions
                else KNOB_NEUTRAL,
            )
            for k, (name, (lo, hi)) in enumerate(KNOBS.items())
        )
        choice = Choice(
            style=styles[i],
            pose=poses[i],
            expression=exprs[i],
            knobs=knobs,
            features=tuple((name, feats[j][i]) for j, (name, _) in enumerate(axes.features)),
            colourway=colourways[i],
            form_knobs=without_moot(
                spec.form,
                tuple(
                    (
                        name,
                        _knob_value(
                            span, float(form_u[i, k]), FORM_KNOB_SHARES.get((spec.form, name))
                        ),
                    )
                    for k, (name, span) in enumerate(axes.form_knobs)
                ),
                fixed,
                spec.text,
            ),  # fmt: skip
        )
        if choice not in seen and len(out) < n:
            seen.add(choice)
            out.append(choice)
    return out


def _knob_value(
    span: tuple[float, float, bool], u: float, shares: tuple[float, ...] | None = None
) -> float:
    """A form knob's value at position u in 0..1 of its range (whole numbers: evenly binned,
    or binned by `shares`, one per value)."""
    low, high, whole = span
    if whole and shares is not None and len(shares) == int(high - low) + 1:
        edges = np.cumsum(shares) / sum(shares)
        return float(low + min(int(np.searchsorted(edges, u, side="right")), len(shares) - 1))
    if whole:
        return float(min(low + int(u * (high - low + 1)), high))
    return round(low + u * (high - low), 3)


# --------------------------------------------------------------------------- colourways


def _hsv(rgb: RGB) -> tuple[float, float, float]:
    """HSV (0..1 each) of an RGB colour."""
    return colorsys.rgb_to_hsv(*(c / 255.0 for c in rgb))


def _rgb(h: float, s: float, v: float) -> RGB:
    """RGB 0..255 of an HSV colour."""
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))
    return (round(r * 255), round(g * 255), round(b * 255))


def shade(rgb: RGB, colourway: str) -> RGB:
    """One colour in a colourway: natural as is, pastel lighter, bold saturated, deep darker."""
    h, s, v = _hsv(rgb)
    if colourway == "pastel":
        return _rgb(h, s * 0.45, 0.55 + 0.45 * v)
    if colourway == "bold":
        return _rgb(h, 0.35 + 0.75 * s if s > 0.08 else s, max(v, 0.85))
    if colourway == "deep":
        return _rgb(h, min(1.0, s * 1.25 + 0.05) if s > 0.08 else s, v * 0.62)
    return rgb


@lru_cache(maxsize=256)
def accent(main: RGB) -> RGB:
    """The ACCENTS colour farthest in hue (then value) from the main colour: the second tone."""
    h0, s0, v0 = _hsv(main)

    def distance(name: str) -> float:
        h, s, v = _hsv(COLOURS[name])
        dh = min(abs(h - h0), 1 - abs(h - h0)) * min(1.0, 4 * s0)
        return dh + 0.3 * abs(v - v0) + 0.2 * abs(s - s0)

    return COLOURS[max(ACCENTS, key=distance)]


def _lab(rgb: RGB | tuple[float, ...]) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour: distances there follow what the eye sees."""
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.9505, 1.0, 1.089])  # fmt: skip
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def colour_name(rgb: RGB) -> str:
    """The nearest named colour (vocab.COLOURS) in CIE L*a*b*."""
    lab = _lab(rgb)
    return min(_LABEL_COLOURS, key=lambda n: float(np.linalg.norm(_lab(_LABEL_COLOURS[n]) - lab)))
