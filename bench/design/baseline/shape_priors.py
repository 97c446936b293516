"""The old engine's use of a reference mesh (bench.design's baseline): the family nearest its
shape when the words are vague, and parameter priors through a per-family linear model of
proportions."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.stats import qmc

from bench.design.baseline.families import FAMILIES
from bench.design.baseline.family import Family
from engines.design.reference import ReferenceShape, ShapeDescriptor, describe_shape, similarity

MODEL_SAMPLES_PER_PARAM = 2  # meshes built per parameter to fit a family's proportion model
RIDGE = 0.05  # pull of the family defaults when solving proportions for parameters
MIN_PRIOR_SHIFT = 0.08  # smaller moves of a parameter away from its default are not priors
MIN_SENSITIVITY = 0.07  # params moving the proportions less than this over their range: no prior


@lru_cache(maxsize=16)
def family_samples(name: str) -> tuple[np.ndarray, list[ShapeDescriptor]]:
    """Normalised designs (defaults first, then Sobol) of a family and their shape descriptors.

    Built once per process; they fit the proportion model and stand for the family's shapes.
    """
    family = FAMILIES[name]
    u0 = family.normalise(family.defaults())
    free = np.array([not p.choices for p in family.params])
    n = MODEL_SAMPLES_PER_PARAM * len(family.params) + 1
    sobol = qmc.Sobol(int(free.sum()), scramble=True, rng=np.random.default_rng(3))
    units = np.tile(u0, (n, 1))
    units[1:, free] = sobol.random_base2(int(np.ceil(np.log2(n - 1))))[: n - 1]
    return units, [describe_shape(family.build(family.values(u))) for u in units]


def family_likeness(name: str, shape: ShapeDescriptor) -> float:
    """0..1 likeness of a shape to the nearest of a family's sample designs."""
    return max(similarity(s, shape) for s in family_samples(name)[1])


def nearest_family(reference: ReferenceShape) -> str:
    """The family with a design that looks most like the reference."""
    return max(FAMILIES, key=lambda n: family_likeness(n, reference.shape))


@lru_cache(maxsize=16)
def proportion_model(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(default units u0, proportions at u0, Jacobian d proportions / d units) of a family,
    fitted by least squares on its sample designs."""
    family = FAMILIES[name]
    units, shapes = family_samples(name)
    u0 = units[0]
    free = np.array([not p.choices for p in family.params])
    props = np.array([s.proportions for s in shapes])
    design = np.column_stack([np.ones(len(units)), units[:, free] - u0[free]])
    coef = np.linalg.lstsq(design, props, rcond=None)[0]
    jac = np.zeros((3, len(u0)))
    jac[:, free] = coef[1:].T
    return u0, coef[0], jac


def shape_priors(family: Family, reference: ReferenceShape) -> dict[str, float]:
    """Param -> preferred position 0..1 that brings the family's proportions to the reference's."""
    u0, p0, jac = proportion_model(family.name)
    gap = reference.shape.proportions - p0
    # ridge least squares: min |J du - gap|^2 + RIDGE |du|^2
    du = jac.T @ np.linalg.solve(jac @ jac.T + RIDGE * np.eye(3), gap)
    target = np.clip(u0 + du, 0.0, 1.0)
    sensitive = np.abs(jac).sum(axis=0) >= MIN_SENSITIVITY
    return {
        p.name: round(float(t), 4)
        for p, t, d, s in zip(family.params, target, du, sensitive, strict=True)
        if not p.choices and s and abs(d) >= MIN_PRIOR_SHIFT
    }
