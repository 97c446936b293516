"""Short labels saying what sets each variant apart ("chibi · sitting · pink · crown")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from engines.design.axes import DEFAULT_EXPRESSION, SHAPES, Choice

SEP = " · "


KNOB_WORDS: dict[str, tuple[str, str]] = {  # knob -> (word when low, word when high)
    "head_ratio": ("small head", "big head"),
    "chubbiness": ("slim", "chubby"),
    "ear_size": ("small ears", "big ears"),
    "limb_length": ("short legs", "long legs"),
}


def _knob_words(choice: Choice) -> list[str]:
    """Words for the proportion knobs that are clearly off the builder's own proportions."""
    words = []
    for name, (low, high) in KNOB_WORDS.items():
        k = choice.knob(name)
        if k >= 0.7:
            words.append(high)
        elif k <= 0.3:
            words.append(low)
    return words[:2]


def _hat_styles() -> tuple[str, ...]:
    """The hat form's style names (engines.design.forms), for the hat 'style' knob."""
    try:
        from engines.design.forms.wearables import HAT_STYLES
    except ImportError:
        return ()
    return tuple(HAT_STYLES)


def _table_words() -> dict[str, tuple[str, ...]]:
    """Words for the form knobs that index a builder's table ("" = the classic middle row,
    which a label leaves out)."""
    try:
        from engines.design.forms.vessels import MUG_HANDLES, MUG_PROFILES, PLANTER_PROFILES
    except ImportError:
        return {}
    return {
        "body": tuple("" if k == "straight" else f"{k} body" for k in MUG_PROFILES),
        "handle": tuple("" if k == "classic" else f"{k} handle" for k in MUG_HANDLES),
        "pot": tuple("" if k == "flowerpot" else k for k in PLANTER_PROFILES),
        "feet": ("", "on feet"),
        "hem": ("", "wisp tail"),
        "raise": ("", "arms up"),
        "squish": ("", "mochi", "tall"),
        "plinth": ("", "round base", "square base", "pedestal"),
        "rest": ("short rest", "", "tall rest"),
        "side": ("", "figure right"),
        "tag": ("", "round tag", "square tag", "heart tag", "outlined"),
        "crown": ("low crown", "", "tall crown"),
        "brim": ("", "upturned brim"),
        "brim_w": ("narrow brim", "", "wide brim"),
        "fit": ("watch cap", "", "slouchy"),
        "crown_shape": ("round crown", "", "straight crown"),
        "band": ("thin band", "", "wide band"),
        "topper": ("small toppers", "", "big toppers"),
        "spread": ("set close", "", "set apart"),
        "frame": ("", "chunky frame", "cat-eye", "brow bar"),
        "lens_size": ("small lenses", "", "oversized"),
        "arms": ("", "full arms"),
        "lens": ("round lenses", "heart lenses", "star lenses"),
        "outline": ("round", "square", "hexagon", "outlined"),
        "rim": ("", "rim"),
        "clip": ("", "snap clip", "barrette", "claw clip"),
        "topper_size": ("small topper", "", "big topper"),
        "base": ("", "rounded plinth"),
    }


def form_knob_word(name: str, value: float | None) -> str:
    """A word for a form knob's value ("tall cup", "upright", "bucket"); None is the
    builder's default."""
    table = _table_words().get(name)
    if table is not None:
        return "" if value is None and name != "lens" else table[int(value or 0) % len(table)]
    if value is None:
        return ""
    if name == "tall":
        return "tall cup" if value >= 0.5 else ""
    if name == "hug":
        return "face on cup" if value >= 0.5 else "sits beside"
    if name == "angle_deg":
        return "upright" if value >= 70 else "laid-back" if value <= 64 else "classic angle"
    if name == "shape":
        word = SHAPES[int(value) % len(SHAPES)][0]
        return "" if word == "classic" else word
    if name == "style" and (styles := _hat_styles()):
        return styles[int(value) % len(styles)]
    return f"{name} {value:g}"


def _items(choice: Choice, colour: str, varying: set[str]) -> list[str]:
    """The label items of one variant, over the axes that vary across the set."""
    items = []
    knobs = dict(choice.form_knobs)
    for name in sorted(k.removeprefix("form:") for k in varying if k.startswith("form:")):
        if word := form_knob_word(name, knobs.get(name)):
            items.append(word)
    if "style" in varying:
        items.append(choice.style)
    if "pose" in varying:
        items.append(choice.pose)
    if "colour" in varying and colour:
        items.append(colour)
    for name, variant in choice.features:
        if f"feature:{name}" in varying and variant:
            items.append(variant)
    return items


def _varying(choices: Sequence[Choice], colours: Sequence[str]) -> set[str]:
    """Axes whose value differs between at least two of the variants."""
    out = set()
    for axis in ("style", "pose", "expression"):
        if len({getattr(c, axis) for c in choices}) > 1:
            out.add(axis)
    if len(set(colours)) > 1:
        out.add("colour")
    for name in {n for c in choices for n, _ in c.form_knobs}:
        words = {form_knob_word(name, dict(c.form_knobs).get(name)) for c in choices}
        if len(words) > 1:
            out.add(f"form:{name}")
    for k in range(len(choices[0].features) if choices else 0):
        if len({c.features[k][1] for c in choices}) > 1:
            out.add(f"feature:{choices[0].features[k][0]}")
    return out


def make_labels(choices: Sequence[Choice], colours: Sequence[str], distinct: int = 8) -> list[str]:
    """One label per variant (in rank order), all different: ties get the expression, then
    proportion words, then the colourway, and only then a number. `distinct` is kept for
    callers: every label is distinct now."""
    varying = _varying(choices, colours)
    items = [_items(c, col, varying) for c, col in zip(choices, colours, strict=True)]
    for extra in (_expression, _knob_words, _colourway):
        counts = Counter(SEP.join(i) for i in items)
        for k in range(len(items)):
            if counts[SEP.join(items[k])] > 1:
                items[k] = items[k] + [w for w in extra(choices[k]) if w not in items[k]]
    labels = [SEP.join(i) or "classic" for i in items]
    seen: Counter[str] = Counter()
    for k in range(len(labels)):
        seen[labels[k]] += 1
        if seen[labels[k]] > 1:
            labels[k] = f"{labels[k]}{SEP}no. {seen[labels[k]]}"
    return labels


def _colourway(choice: Choice) -> list[str]:
    """The colourway as a label item ("pastel", "two-tone"), unless natural."""
    return [] if choice.colourway == "natural" else [choice.colourway.replace("_", "-")]


def _expression(choice: Choice) -> list[str]:
    """The expression as a label item, unless it is the default."""
    return [] if choice.expression == DEFAULT_EXPRESSION else [choice.expression]
