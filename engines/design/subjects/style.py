"""How a style and the proportion knobs change a subject: head size, limb length, eyes, detail
(dimensionless factors; 1.0 is the kawaii template)."""

from __future__ import annotations

from dataclasses import dataclass

KNOBS: tuple[str, ...] = (
    "head_ratio", "chubbiness", "ear_size", "limb_length", "snout_length", "eye_size",
    "tail_length",
)  # fmt: skip


@dataclass(frozen=True)
class Look:
    """Factors applied to the anatomy template, and which details are drawn."""

    style: str = "kawaii"
    head: float = 1.0
    chub: float = 1.0
    limbs: float = 1.0
    ears: float = 1.0
    snout: float = 1.0
    eyes: float = 1.0
    tail: float = 1.0
    eye_spread: float = 1.0
    blush: bool = True
    details: bool = True  # inner ears, patterns, shine
    shape: tuple[tuple[str, float], ...] = ()  # a subject's own shape knobs (SHAPE_KNOBS)

    def shape_knob(self, name: str) -> int:
        """A subject shape knob's value (0 = as the template builds it)."""
        return int(dict(self.shape).get(name, 0.0))


# Shape knobs of one subject (engines.design.axes.SUBJECT_KNOBS samples them): a ghost's hem
# (wavy, or a wisp tail) and arms (out, or raised).
SHAPE_KNOBS: tuple[str, ...] = ("hem", "raise")


STYLE_FACTORS: dict[str, dict[str, float]] = {
    "kawaii": {},
    "chibi": {"head": 1.28, "chub": 1.05, "limbs": 0.7, "eyes": 1.2, "snout": 0.8},
    "realistic": {"head": 0.72, "chub": 0.9, "limbs": 1.5, "eyes": 0.75, "snout": 1.35,
                  "eye_spread": 1.15, "tail": 1.2},
    "minimal": {"eyes": 0.9, "snout": 0.9},
    "cartoon": {"head": 1.1, "eyes": 1.1},
    "low-poly": {"eyes": 0.9, "snout": 1.1},  # built faceted (geom.coarse)
}  # fmt: skip


def _knob(knobs: dict[str, float], name: str, low: float, high: float) -> float:
    """A knob in 0..1 (default 0.5) mapped to a factor between low and high, 1 at 0.5."""
    k = min(max(float(knobs.get(name, 0.5)), 0.0), 1.0)
    return low + (1.0 - low) * 2 * k if k <= 0.5 else 1.0 + (high - 1.0) * (2 * k - 1)


def look_of(style: str, knobs: dict[str, float] | None) -> Look:
    """The look of a style with proportion knobs (0..1 each, 0.5 neutral)."""
    f = STYLE_FACTORS.get(style, {})
    k = knobs or {}
    return Look(
        style=style,
        head=f.get("head", 1.0) * _knob(k, "head_ratio", 0.8, 1.25),
        chub=f.get("chub", 1.0) * _knob(k, "chubbiness", 0.85, 1.2),
        limbs=f.get("limbs", 1.0) * _knob(k, "limb_length", 0.7, 1.4),
        ears=_knob(k, "ear_size", 0.75, 1.35),
        snout=f.get("snout", 1.0) * _knob(k, "snout_length", 0.75, 1.35),
        eyes=f.get("eyes", 1.0) * _knob(k, "eye_size", 0.75, 1.4),
        tail=f.get("tail", 1.0) * _knob(k, "tail_length", 0.7, 1.4),
        eye_spread=f.get("eye_spread", 1.0),
        blush=style in ("kawaii", "chibi"),
        details=style not in ("minimal", "low-poly"),
        shape=tuple((n, float(k[n])) for n in SHAPE_KNOBS if n in k),
    )
