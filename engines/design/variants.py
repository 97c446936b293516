"""Ranked, diverse design variants: Sobol sampling around word priors, scoring, MMR selection."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import trimesh
from scipy.stats import qmc

from engines.design.base import BUILD_VOLUME_MM, MIN_FEATURE_MM, DesignError, Family
from engines.design.families import FAMILIES
from engines.design.intent import Intent, parse_intent
from engines.design.render import DEFAULT_COLOUR, render_preview

POOL_FACTOR = 3  # candidates sampled per variant returned
PRIOR_HALF_WIDTH = 0.25  # sampling window around a word prior, in normalised units
PRIOR_WEIGHT = 3.0  # a worded prior counts this much more than a family default in trend fit
W_FIT, W_COST, W_PRINT, W_PRICE = 0.55, 0.25, 0.20, 0.5
MMR_LAMBDA = 0.6  # relevance vs. distance to the nearest already-chosen variant
PRICE_SHARE = 0.35  # unit cost above this share of the retail price is penalised
MAX_COUNT = 500


@dataclass
class GeneratedVariant:
    """One design variant: parameters, looks, cost, printability and its mesh (mm)."""

    rank: int  # 1 = best
    family: str
    name: str
    description: str
    params: dict[str, float]  # as built: mm params scaled to the final size, unitless as is
    score: float
    unit_cost_usd: float
    volume_cm3: float
    dims_mm: tuple[float, float, float]
    processes: list[str]
    printable: bool
    mesh: trimesh.Trimesh
    design_params: dict[str, float] = field(default_factory=dict)  # within bounds, default size


def _windows(family: Family, intent: Intent, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Normalised sampling window per param: word priors narrow it, thin walls raise its floor."""
    lo, hi = np.zeros(len(family.params)), np.ones(len(family.params))
    for i, p in enumerate(family.params):
        if p.name in intent.choices:
            lo[i] = hi[i] = float(p.unit_of(intent.choices[p.name]))
        elif p.name in intent.priors:
            c = intent.priors[p.name]
            lo[i], hi[i] = max(0.0, c - PRIOR_HALF_WIDTH), min(1.0, c + PRIOR_HALF_WIDTH)
        if p.thin:
            lo[i] = min(max(lo[i], float(p.unit_of(1.2 * MIN_FEATURE_MM / scale))), hi[i])
    return lo, hi


def sample_units(family: Family, intent: Intent, n: int, seed: int, scale: float) -> np.ndarray:
    """n scrambled-Sobol points in the family's normalised space, snapped to real values."""
    d = len(family.params)
    sobol = qmc.Sobol(d, scramble=True, rng=np.random.default_rng(seed % 2**63))
    raw = sobol.random_base2(max(1, math.ceil(math.log2(n))))[:n]
    lo, hi = _windows(family, intent, scale)
    return np.array([family.normalise(family.values(u)) for u in lo + raw * (hi - lo)])


def trend_fit(family: Family, intent: Intent, units: np.ndarray) -> np.ndarray:
    """0..1 closeness of each normalised vector to the worded priors (else the defaults)."""
    target = family.normalise(family.defaults())
    weight = np.array([0.0 if p.choices else 1.0 for p in family.params])
    for i, p in enumerate(family.params):
        if p.name in intent.priors:
            target[i], weight[i] = intent.priors[p.name], PRIOR_WEIGHT
    return 1.0 - (np.abs(units - target) * weight).sum(axis=1) / max(weight.sum(), 1e-9)


def thin_ok(family: Family, units: np.ndarray, scale: float) -> np.ndarray:
    """Whether every wall / wire param stays >= MIN_FEATURE_MM at the given scale."""
    thin = [i for i, p in enumerate(family.params) if p.thin]
    mm = np.array([[family.params[i].value(u[i]) for i in thin] for u in units])
    return np.all(mm.reshape(len(units), -1) * scale >= MIN_FEATURE_MM - 1e-9, axis=1)


def select_diverse(units: np.ndarray, relevance: np.ndarray, count: int) -> list[int]:
    """Greedy maximal-marginal-relevance pick of `count` rows: relevant yet far apart."""
    rel = (relevance - relevance.min()) / (float(np.ptp(relevance)) or 1.0)
    norm = math.sqrt(units.shape[1])
    chosen = [int(np.argmax(rel))]
    nearest = np.linalg.norm(units - units[chosen[0]], axis=1) / norm
    while len(chosen) < min(count, len(units)):
        gain = MMR_LAMBDA * rel + (1 - MMR_LAMBDA) * nearest / max(float(nearest.max()), 1e-12)
        gain[chosen] = -np.inf
        chosen.append(int(np.argmax(gain)))
        nearest = np.minimum(nearest, np.linalg.norm(units - units[chosen[-1]], axis=1) / norm)
    return chosen


def _realise(
    family: Family, design: dict[str, float], size_mm: float
) -> tuple[trimesh.Trimesh, float]:
    """The mesh scaled so its longest side is size_mm, standing centred on z = 0; and the scale."""
    mesh = family.build(design)
    scale = size_mm / float(mesh.extents.max())
    mesh.apply_scale(scale)
    lo, hi = mesh.bounds
    mesh.apply_translation([-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, -lo[2]])
    return mesh, scale


def _thickened(family: Family, design: dict[str, float], scale: float) -> dict[str, float]:
    """Design params with walls / wires thickened to MIN_FEATURE_MM at `scale` (up to 2x bounds)."""
    floor = 1.1 * MIN_FEATURE_MM / scale
    thin = {p.name: min(max(design[p.name], floor), 2 * p.high) for p in family.params if p.thin}
    return design | thin


def _variant(family: Family, design: dict[str, float], size_mm: float) -> GeneratedVariant:
    """An unranked variant: built (walls thickened for tiny sizes), measured, costed, described."""
    mesh, scale = _realise(family, design, size_mm)
    if _thickened(family, design, scale) != design:
        design = _thickened(family, design, scale)
        mesh, scale = _realise(family, design, size_mm)
    params = {p.name: design[p.name] * (scale if p.unit == "mm" else 1.0) for p in family.params}
    volume_cm3 = float(mesh.volume) / 1000.0
    thin = all(params[p.name] >= MIN_FEATURE_MM - 1e-9 for p in family.params if p.thin)
    fits = float(mesh.extents.max()) <= BUILD_VOLUME_MM + 1e-6
    title, text = family.describe(design, size_mm)
    return GeneratedVariant(
        rank=0,
        family=family.name,
        name=title,
        description=text,
        params=params,
        score=0.0,
        unit_cost_usd=volume_cm3 * family.material_usd_per_cm3 + family.process_cost_usd(),
        volume_cm3=volume_cm3,
        dims_mm=(float(mesh.extents[0]), float(mesh.extents[1]), float(mesh.extents[2])),
        processes=list(family.processes),
        printable=bool(mesh.is_watertight and volume_cm3 > 0 and fits and thin),
        mesh=mesh,
        design_params=design,
    )


def _scores(
    variants: list[GeneratedVariant], fit: np.ndarray, target_price: float | None
) -> np.ndarray:
    """Score: trend fit, relative unit cost, printability, minus a penalty above the price share."""
    cost = np.array([v.unit_cost_usd for v in variants])
    printable = np.array([v.printable for v in variants], dtype=float)
    score = W_FIT * fit + W_COST * cost.min() / cost + W_PRINT * printable
    if target_price:
        budget = PRICE_SHARE * target_price
        score -= W_PRICE * np.maximum(cost - budget, 0.0) / budget
    return score


def _size_mm(family: Family, intent: Intent, target_size_mm: float | None) -> float:
    """Longest side to build at: given, else implied by words, else the family default, mm."""
    size = target_size_mm or intent.size_mm or family.default_size_mm
    if not 1.0 <= size <= 2000.0:
        raise DesignError(f"target size {size:g} mm is outside 1..2000 mm")
    return float(size)


def generate_variants(
    text: str,
    count: int = 36,
    seed: int = 0,
    target_size_mm: float | None = None,
    target_price: float | None = None,
) -> tuple[str, list[GeneratedVariant]]:
    """(family, `count` distinct variants ranked best-first) for an idea; deterministic per seed."""
    if not 1 <= count <= MAX_COUNT:
        raise DesignError(f"variant count must be 1..{MAX_COUNT}, got {count}")
    intent = parse_intent(text)
    family = FAMILIES[intent.family]
    size_mm = _size_mm(family, intent, target_size_mm)
    scale = size_mm / family.default_size_mm  # approximate until a mesh is built
    units = sample_units(family, intent, POOL_FACTOR * count, seed, scale)
    fit = trend_fit(family, intent, units)
    picked = select_diverse(units, W_FIT * fit + W_PRINT * thin_ok(family, units, scale), count)
    variants = [_variant(family, family.values(units[i]), size_mm) for i in picked]
    score = _scores(variants, fit[picked], target_price)
    for rank, i in enumerate(np.argsort(-score, kind="stable"), start=1):
        v = variants[i]
        v.rank, v.score, v.name = rank, float(score[i]), f"{v.name} #{rank}"
    return family.name, sorted(variants, key=lambda v: v.rank)


def write_variant_assets(
    variant: GeneratedVariant, out_dir: str | Path, stem: str
) -> tuple[str, str]:
    """Write <stem>.stl (binary, mm) and <stem>.png (thumbnail) into out_dir; return both paths."""
    if not stem or Path(stem).name != stem or stem in (".", ".."):
        raise DesignError(f"asset name {stem!r} must be a plain file stem")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stl, png = out / f"{stem}.stl", out / f"{stem}.png"
    variant.mesh.export(stl, file_type="stl")
    family = FAMILIES.get(variant.family)
    render_preview(variant.mesh, png, colour=family.colour if family else DEFAULT_COLOUR)
    return str(stl), str(png)
