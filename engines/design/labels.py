"""Short labels saying what sets each variant apart ("chibi · sitting · pink · crown")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from engines.design.axes import DEFAULT_EXPRESSION, Choice

SEP = " · "


def _knob_words(choice: Choice) -> list[str]:
    """Words for proportion knobs that are clearly off the builder's own proportions."""
    words = []
    head, stretch = choice.knob("head"), choice.knob("stretch")
    if head >= 1.08:
        words.append("big head")
    elif head <= 0.92:
        words.append("small head")
    if stretch >= 1.07:
        words.append("tall")
    elif stretch <= 0.93:
        words.append("squat")
    return words


def _items(choice: Choice, colour: str, varying: set[str]) -> list[str]:
    """The label items of one variant, over the axes that vary across the set."""
    items = []
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
    for k in range(len(choices[0].features) if choices else 0):
        if len({c.features[k][1] for c in choices}) > 1:
            out.add(f"feature:{choices[0].features[k][0]}")
    return out


def make_labels(choices: Sequence[Choice], colours: Sequence[str], distinct: int = 8) -> list[str]:
    """One label per variant (in rank order); the first `distinct` labels are all different:
    ties get the expression, then proportion words, then a number."""
    varying = _varying(choices, colours)
    items = [_items(c, col, varying) for c, col in zip(choices, colours, strict=True)]
    for extra in (_expression, _knob_words):
        counts = Counter(SEP.join(i) for i in items[:distinct])
        for k in range(min(distinct, len(items))):
            if counts[SEP.join(items[k])] > 1:
                items[k] = items[k] + extra(choices[k])
    labels = [SEP.join(i) or "classic" for i in items]
    seen: Counter[str] = Counter()
    for k in range(min(distinct, len(labels))):
        seen[labels[k]] += 1
        if seen[labels[k]] > 1:
            labels[k] = f"{labels[k]}{SEP}no. {seen[labels[k]]}"
    return labels


def _expression(choice: Choice) -> list[str]:
    """The expression as a label item, unless it is the default."""
    return [] if choice.expression == DEFAULT_EXPRESSION else [choice.expression]
