"""The old engine's preference features over a family's parameters (bench.design's baseline):
centred log-ratios of its mm params (shape proportions), positions of unitless params, one-hot
choices, their squares (ideal points) and its log unit cost relative to the others shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
from scipy.stats import qmc

from bench.design.baseline.families import FAMILIES
from bench.design.baseline.family import Family
from engines.design.preference import PreferenceModel as Learned


@lru_cache(maxsize=16)
def _clr_scale(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread of the family's mm-param log-ratios over its design box (Sobol)."""
    family = FAMILIES[name]
    units = qmc.Sobol(len(family.params), scramble=True, rng=np.random.default_rng(0)).random(256)
    clr = _clr(family, [family.values(u) for u in units])
    return clr.mean(axis=0), clr.std(axis=0) + 1e-9


def _clr(family: Family, params: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Centred log-ratios (n, k) of the mm params: proportions, blind to the overall size."""
    mm = [p.name for p in family.params if p.unit == "mm"]
    logs = np.log(np.maximum(np.array([[float(q[n]) for n in mm] for q in params]), 1e-6))
    return logs - logs.mean(axis=1, keepdims=True)


def feature_names(family: Family) -> list[str]:
    """Names of the preference features of a family, in column order."""
    linear = [p.name for p in family.params if not p.choices]
    onehot = [f"{p.name}={c}" for p in family.params if p.choices for c in p.choices]
    return [*linear, *(f"{n}^2" for n in linear), *onehot, "cost"]


def features(
    family: Family, params: Sequence[Mapping[str, float]], costs_usd: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Feature rows (n, len(feature_names)) of variants from their as-built params and unit costs."""
    mean, spread = _clr_scale(family.name)
    clr = (_clr(family, params) - mean) / spread
    cols, k = [], 0
    for p in family.params:
        if p.unit == "mm":
            cols.append(np.clip(clr[:, k], -3.0, 3.0) / 2.0)
            k += 1
        elif not p.choices:
            cols.append(2.0 * p.unit_of(np.array([float(q[p.name]) for q in params])) - 1.0)
    linear = np.column_stack(cols)
    onehot = [
        np.array([float(round(float(q[p.name])) == i) for q in params])
        for p in family.params
        if p.choices
        for i in range(len(p.choices))
    ]
    log_cost = np.log(np.maximum(np.asarray(costs_usd, dtype=float), 1e-6))
    cost = (log_cost - log_cost.mean()) / (log_cost.std() + 0.05)
    return np.column_stack([linear, linear**2 - 0.33, *onehot, cost])


class PreferenceModel(Learned):
    """A family's learned weights, with its features' utility and update."""

    def utility(self, x: np.ndarray) -> np.ndarray:
        """Learned utility (logits) of feature rows."""
        return x @ self.vector(feature_names(FAMILIES[self.family]))

    def choice_probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probability of each shown row being the one picked (softmax of utilities)."""
        u = self.utility(x)
        e = np.exp(u - u.max())
        return np.asarray(e / e.sum())

    def update(self, x: np.ndarray, chosen: int) -> PreferenceModel:
        """A new model after seeing row `chosen` picked out of the shown rows x."""
        out = self.stepped(feature_names(FAMILIES[self.family]), x, chosen)
        return PreferenceModel(out.family, out.weights, out.updates)


def learn(
    model: PreferenceModel | None,
    family: str,
    params: Sequence[Mapping[str, float]],
    costs_usd: Sequence[float],
    chosen: int,
) -> PreferenceModel:
    """The model updated with one pick: variant `chosen` out of the shown variants."""
    if not 0 <= chosen < len(params):
        raise ValueError(f"chosen index {chosen} is not among the {len(params)} shown")
    if model is not None and model.family == family:
        start = PreferenceModel(family, dict(model.weights), model.updates)
    else:
        start = PreferenceModel(family)
    return start.update(features(FAMILIES[family], params, costs_usd), chosen)
