"""Learning from picks: a conditional-logit (Bradley–Terry over the shown set) preference model
per product form, its weights named by feature (engines.design.ranking builds the features)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

LEARNING_RATE = 0.6  # gradient step per pick
STEPS = 4  # gradient steps per pick
L2 = 0.02  # pull of every weight towards zero per step
MAX_WEIGHT = 6.0  # |weight| cap, keeps one odd pick from dominating


@dataclass
class PreferenceModel:
    """Per-family weights over preference features; higher w·x = more likely to be picked."""

    family: str
    weights: dict[str, float] = field(default_factory=dict)
    updates: int = 0

    def vector(self, names: Sequence[str]) -> np.ndarray:
        """Weights in the order of `names` (unknown features weigh 0)."""
        return np.array([self.weights.get(n, 0.0) for n in names])

    def stepped(self, names: Sequence[str], x: np.ndarray, chosen: int) -> PreferenceModel:
        """The model after row `chosen` was picked out of the shown feature rows x (columns
        `names`): conditional-logit gradient steps; weights of other features are kept."""
        w = self.vector(names)
        for _ in range(STEPS):
            u = x @ w
            p = np.exp(u - u.max())
            p /= p.sum()
            w = np.clip(w + LEARNING_RATE * (x[chosen] - p @ x - L2 * w), -MAX_WEIGHT, MAX_WEIGHT)
        kept = {k: v for k, v in self.weights.items() if k not in set(names)}
        learned = {n: round(float(v), 6) for n, v in zip(names, w, strict=True) if v != 0.0}
        return replace(self, weights=kept | learned, updates=self.updates + 1)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (family, weights, updates)."""
        return {"family": self.family, "weights": dict(self.weights), "updates": self.updates}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PreferenceModel:
        """The model from its JSON form."""
        weights = {str(k): float(v) for k, v in dict(data.get("weights", {})).items()}
        if not all(math.isfinite(v) for v in weights.values()):
            raise ValueError("preference weights must be finite numbers")
        return cls(str(data["family"]), weights, int(data.get("updates", 0)))
