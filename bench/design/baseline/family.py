"""The old engine's design space: parameters and product families (bench.design's baseline)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import trimesh

from engines.design.base import PROCESS_COST_USD

MIN_FEATURE_MM = 1.0  # thinnest wall / wire a prototype printer or a mould can hold
BUILD_VOLUME_MM = 250.0  # longest side that fits the prototype printer


@dataclass(frozen=True)
class Param:
    """One design parameter with (low, high) bounds at the family's default size."""

    name: str
    low: float
    high: float
    default: float
    unit: str = "mm"  # "mm" (scales with the product), "" (unitless), "deg" or "choice"
    choices: tuple[str, ...] = ()  # for unit == "choice": the value is an index into these
    thin: bool = False  # a wall or wire thickness that must stay >= MIN_FEATURE_MM when built

    def value(self, u: np.ndarray) -> np.ndarray:
        """Parameter values from normalised positions u in [0, 1]."""
        if self.choices:
            return np.minimum(np.floor(u * len(self.choices)), len(self.choices) - 1)
        return self.low + np.clip(u, 0.0, 1.0) * (self.high - self.low)

    def unit_of(self, v: np.ndarray | float) -> np.ndarray:
        """Normalised positions in [0, 1] of parameter values."""
        span = (len(self.choices) - 1 if self.choices else self.high - self.low) or 1.0
        lo = 0.0 if self.choices else self.low
        return np.clip((np.asarray(v, dtype=float) - lo) / span, 0.0, 1.0)


Builder = Callable[[Mapping[str, float]], trimesh.Trimesh]
Describer = Callable[[Mapping[str, float], float], tuple[str, str]]


@dataclass(frozen=True)
class Family:
    """A product family: its design space, words, bill of processes and mesh builder."""

    name: str
    params: tuple[Param, ...]
    default_size_mm: float  # longest side of a typical product
    keywords: tuple[str, ...]  # words that name the product ("sun hat", "plushie")
    processes: tuple[str, ...]  # bill of processes for mass production
    material_usd_per_cm3: float  # mass-production material cost per solid cm3
    build: Builder  # design params (mm at default size) -> watertight solid, mm
    describe: Describer  # (design params, longest side mm) -> (title, one-sentence looks)
    hints: tuple[str, ...] = ()  # weaker words that suggest the product ("brim", "coffee")
    choice_words: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # word -> (param, choice)
    colour: tuple[int, int, int] = (200, 170, 140)  # preview colour, RGB
    phrases: tuple[str, ...] = ()  # short descriptions of the product for sentence embeddings

    def param(self, name: str) -> Param:
        """The parameter called `name`."""
        return next(p for p in self.params if p.name == name)

    def values(self, u: np.ndarray) -> dict[str, float]:
        """Design params from one normalised vector u (length = number of params)."""
        return {p.name: float(p.value(np.asarray(x))) for p, x in zip(self.params, u, strict=True)}

    def normalise(self, params: Mapping[str, float]) -> np.ndarray:
        """Normalised vector in [0, 1]^d of design params."""
        return np.array([float(p.unit_of(params[p.name])) for p in self.params])

    def defaults(self) -> dict[str, float]:
        """Design params at every parameter's default."""
        return {p.name: p.default for p in self.params}

    def prototypes(self) -> tuple[str, ...]:
        """Phrases whose embeddings stand for this family (declared, else 'a <keyword>')."""
        return self.phrases or tuple(f"a {k}" for k in self.keywords)

    def process_cost_usd(self) -> float:
        """Sum of the per-unit process costs, USD."""
        return float(sum(PROCESS_COST_USD[p] for p in self.processes))


def level(family: Family, params: Mapping[str, float], name: str, words: tuple[str, ...]) -> str:
    """The word for a parameter's position in its bounds (low, mid, high terciles)."""
    u = float(family.param(name).unit_of(params[name]))
    return words[min(int(u * len(words)), len(words) - 1)]


def choice(family: Family, params: Mapping[str, float], name: str) -> str:
    """The chosen label of a choice parameter."""
    return family.param(name).choices[int(round(params[name]))]
