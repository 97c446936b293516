"""Ranked, diverse design variants: Sobol sampling around word priors, MMR shortlist, meshes,
multi-objective scoring (trend fit, cost, printability, novelty, learned preference) and a
Pareto selection (non-dominated fronts, crowding distance)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import trimesh
from scipy.stats import qmc

from bench.design.baseline.families import FAMILIES
from bench.design.baseline.family import BUILD_VOLUME_MM, MIN_FEATURE_MM, Family
from bench.design.baseline.intent import Intent, check_text, parse_intent, tokens
from bench.design.baseline.preference import PreferenceModel, features
from bench.design.baseline.shape_priors import nearest_family, shape_priors
from engines.design import embed
from engines.design.base import DesignError
from engines.design.generate import _catalogue_for, _reference, glb_path
from engines.design.reference import ReferenceShape, similarities
from engines.design.render import DEFAULT_COLOUR, render_preview

POOL_FACTOR = 4  # candidates sampled per variant returned
SHORTLIST_FACTOR = 1.25  # candidates meshed and scored per variant returned
EMBED_SHARE = 0.5  # share of trend fit from description embeddings (rest: worded priors)
W_NOVEL, W_PREF = 0.10, 0.15  # novelty weight; score per logit of learned preference
OVERHANG_COS = -0.7071  # faces steeper than 45 degrees below horizontal need support
PRIOR_HALF_WIDTH = 0.25  # sampling window around a word prior, in normalised units
PRIOR_WEIGHT = 3.0  # a worded prior counts this much more than a family default in trend fit
W_FIT, W_COST, W_PRINT, W_PRICE = 0.55, 0.25, 0.20, 3.0
MMR_LAMBDA = 0.6  # relevance vs. distance to the nearest already-chosen variant
PRICE_SHARE = 0.35  # unit cost above this share of the retail price is penalised
MAX_COUNT = 500
BUILD_THREADS = min(4, os.cpu_count() or 1)  # mesh builds in parallel (results keep their order)
REFERENCE_SHARE = 0.4  # share of trend fit from shape similarity to a reference mesh


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
    colour: tuple[int, int, int] = DEFAULT_COLOUR  # preview colour, RGB
    objectives: dict[str, float] = field(default_factory=dict)  # fit, cost, printability, ...


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
        colour=family.colour,
    )


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    """Threads that build meshes (manifold3d and numpy release the GIL), one per core."""
    return ThreadPoolExecutor(max_workers=BUILD_THREADS, thread_name_prefix="design-build")


def _build_all(
    family: Family, designs: list[dict[str, float]], size_mm: float
) -> list[GeneratedVariant]:
    """Unranked variants of the designs, built on the pool's threads, in the designs' order."""
    if BUILD_THREADS <= 1 or len(designs) < 2:
        return [_variant(family, d, size_mm) for d in designs]
    return list(_pool().map(lambda d: _variant(family, d, size_mm), designs))


def _size_mm(
    family: Family, intent: Intent, target_size_mm: float | None, reference_mm: float | None = None
) -> float:
    """Longest side to build at: given, else words, else the reference's, else the default, mm."""
    size = target_size_mm or intent.size_mm or reference_mm or family.default_size_mm
    if not 1.0 <= size <= 2000.0:
        what = "the reference mesh's longest side" if size == reference_mm else "target size"
        raise DesignError(f"{what} {size:g} mm is outside 1..2000 mm")
    return float(size)


def intent_for(
    text: str,
    reference: ReferenceShape | None = None,
    *,
    embeddings: bool | None = None,
) -> Intent:
    """The intent of the words, with shape priors from a reference mesh (which also names the
    family when the words name none)."""
    check_text(text)  # empty text is refused even with a reference
    try:
        intent = parse_intent(text, embeddings=embeddings)
    except DesignError:
        if reference is None:
            raise
        intent = parse_intent(text, embeddings=embeddings, family=nearest_family(reference))
    if reference is None:
        return intent
    shape = shape_priors(FAMILIES[intent.family], reference)
    return replace(intent, priors=shape | intent.priors)  # words win over the shape


_SIZE_PREFIX = re.compile(r"^An? [0-9.]+ mm ")


def _looks(description: str) -> str:
    """A description without its size prefix: what the embedding compares."""
    return _SIZE_PREFIX.sub("A ", description)


def embedding_fit(text: str, descriptions: Sequence[str]) -> np.ndarray:
    """Cosine of each description to the trend text, min-max scaled to 0..1 over the set."""
    vecs = embed.encode([text, *(_looks(d) for d in descriptions)])
    cos = vecs[1:] @ vecs[0]
    return (cos - cos.min()) / (float(np.ptp(cos)) or 1.0) if len(cos) > 1 else np.ones(1)


def printability(variants: Sequence[GeneratedVariant], family: Family) -> np.ndarray:
    """0..1 per variant: printable at all, less steep overhang, walls well above the minimum."""
    out = []
    for v in variants:
        m = v.mesh
        down = (m.face_normals[:, 2] < OVERHANG_COS) & (m.triangles_center[:, 2] > 0.5)
        overhang = float(m.area_faces[down].sum() / max(m.area, 1e-9))
        thin = [v.params[p.name] / MIN_FEATURE_MM for p in family.params if p.thin] or [2.0]
        margin = float(np.clip(min(thin) - 1.0, 0.0, 1.0))
        out.append(float(v.printable) * (1.0 - 0.6 * overhang) * (0.8 + 0.2 * margin))
    return np.array(out)


def novelty(
    units: np.ndarray, descriptions: Sequence[str], catalogue: Sequence[str], use_embeddings: bool
) -> np.ndarray:
    """0..1: distance to the nearest other candidate, and unlikeness to catalogue descriptions."""
    dist = np.linalg.norm(units[:, None] - units[None], axis=2)
    np.fill_diagonal(dist, np.inf)
    sparse = np.minimum(dist.min(axis=1), 1e9) if len(units) > 1 else np.ones(len(units))
    sparse = sparse / (float(sparse.max()) or 1.0)
    if not catalogue:
        return sparse
    if use_embeddings:
        sims = (
            embed.encode([_looks(d) for d in descriptions])
            @ embed.encode([_looks(c) for c in catalogue]).T
        )
    else:
        sims = _jaccard([_looks(d) for d in descriptions], [_looks(c) for c in catalogue])
    unlike = 1.0 - sims.max(axis=1)
    return 0.5 * sparse + 0.5 * (unlike - unlike.min()) / (float(np.ptp(unlike)) or 1.0)


def _jaccard(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Word-set overlap (len(a), len(b)) of two lists of texts."""
    sa, sb = [set(tokens(t)) for t in a], [set(tokens(t)) for t in b]
    return np.array([[len(x & y) / max(len(x | y), 1) for y in sb] for x in sa])


def nondominated_fronts(objectives: np.ndarray) -> list[np.ndarray]:
    """Row indices grouped into Pareto fronts (all columns maximised), best front first."""
    ge = (objectives[:, None, :] >= objectives[None, :, :]).all(axis=2)
    gt = (objectives[:, None, :] > objectives[None, :, :]).any(axis=2)
    dominates = np.asarray(ge & gt)  # [i, j]: row i dominates row j
    count = np.asarray(dominates.sum(axis=0))
    remaining, fronts = np.ones(len(objectives), dtype=bool), []
    while remaining.any():
        front = np.flatnonzero(remaining & (count == 0))
        fronts.append(front)
        remaining[front] = False
        count = count - np.asarray(dominates[front].sum(axis=0))
        count[~remaining] = -1
    return fronts


def crowding(objectives: np.ndarray) -> np.ndarray:
    """NSGA-II crowding distance of rows within one front (boundary rows get infinity)."""
    n = len(objectives)
    dist = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for col in objectives.T:
        order = np.argsort(col, kind="stable")
        span = float(col[order[-1]] - col[order[0]]) or 1.0
        dist[order[[0, -1]]] = np.inf
        dist[order[1:-1]] += (col[order[2:]] - col[order[:-2]]) / span
    return dist


def pareto_select(objectives: np.ndarray, count: int) -> list[int]:
    """`count` rows, whole Pareto fronts first, the last front thinned by crowding distance."""
    chosen: list[int] = []
    for front in nondominated_fronts(objectives):
        if len(chosen) + len(front) <= count:
            chosen += front.tolist()
            continue
        order = np.argsort(-crowding(objectives[front]), kind="stable")
        chosen += front[order[: count - len(chosen)]].tolist()
        break
    return sorted(chosen)


def _preference_for(
    family: Family, preference: PreferenceModel | Mapping[str, PreferenceModel] | None
) -> PreferenceModel | None:
    """The learned model of this family, if any."""
    if isinstance(preference, Mapping):
        preference = preference.get(family.name)
    return preference if preference is not None and preference.family == family.name else None


def _colour_words(description: str, intent: Intent) -> str:
    """The description with the worded colour put before the product."""
    if intent.rgb is None or intent.colour is None:
        return description
    return re.sub(r"^(An? [0-9.]+ mm )", rf"\g<1>{intent.colour} ", description)


def _coloured(variant: GeneratedVariant, intent: Intent) -> None:
    """Apply the worded colour to the variant's preview colour and description."""
    if intent.rgb is not None and intent.colour is not None:
        variant.colour = intent.rgb
        variant.description = _colour_words(variant.description, intent)


@lru_cache(maxsize=1)
def _embed_thread() -> ThreadPoolExecutor:
    """One thread that embeds descriptions while the meshes are being built."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="design-embed")


def _prefetch_embeddings(
    text: str, intent: Intent, family: Family, designs: list[dict[str, float]], size_mm: float
) -> Future[np.ndarray] | None:
    """Start embedding the trend and the designs' descriptions (cached for embedding_fit)."""
    if intent.method != "embeddings":
        return None
    looks = [_looks(_colour_words(family.describe(d, size_mm)[1], intent)) for d in designs]
    return _embed_thread().submit(embed.encode, [text, *looks])


def generate_variants(
    text: str,
    count: int = 36,
    seed: int = 0,
    target_size_mm: float | None = None,
    target_price: float | None = None,
    *,
    preference: PreferenceModel | Mapping[str, PreferenceModel] | None = None,
    catalogue: Sequence[str] | Mapping[str, Sequence[str]] = (),
    embeddings: bool | None = None,
    reference: ReferenceShape | str | Path | None = None,
) -> tuple[str, list[GeneratedVariant]]:
    """(family, `count` distinct variants ranked best-first) for an idea and an optional
    reference mesh (a path or a loaded shape); deterministic per seed."""
    if not 1 <= count <= MAX_COUNT:
        raise DesignError(f"variant count must be 1..{MAX_COUNT}, got {count}")
    ref = _reference(reference)
    intent = intent_for(text, ref, embeddings=embeddings)
    family = FAMILIES[intent.family]
    size_mm = _size_mm(family, intent, target_size_mm, ref.size_mm if ref else None)
    scale = size_mm / family.default_size_mm  # approximate until a mesh is built
    units = sample_units(family, intent, POOL_FACTOR * count, seed, scale)
    prior_fit = trend_fit(family, intent, units)
    shortlist = select_diverse(
        units,
        W_FIT * prior_fit + W_PRINT * thin_ok(family, units, scale),
        math.ceil(SHORTLIST_FACTOR * count),
    )
    designs = [family.values(units[i]) for i in shortlist]
    prefetch = _prefetch_embeddings(text, intent, family, designs, size_mm)
    variants = _build_all(family, designs, size_mm)
    if prefetch is not None:
        prefetch.result()  # embedding_fit finds these in the cache (re-encodes any thickened)
    for v in variants:
        _coloured(v, intent)
    like = similarities(ref, [v.mesh for v in variants]) if ref else None
    objectives = _objectives(
        text, intent, family, variants, prior_fit[shortlist], units[shortlist],
        _catalogue_for(family.name, catalogue), _preference_for(family, preference), like,
    )  # fmt: skip
    picked = pareto_select(np.column_stack(list(objectives.values())), count)
    variants = [variants[i] for i in picked]
    score = _scalar(variants, {k: v[picked] for k, v in objectives.items()}, target_price)
    for rank, i in enumerate(np.argsort(-score, kind="stable"), start=1):
        v = variants[i]
        v.rank, v.score, v.name = rank, float(score[i]), f"{v.name} #{rank}"
        v.objectives = {k: round(float(o[picked][i]), 6) for k, o in objectives.items()}
        if like is not None:
            v.objectives["reference_similarity"] = round(float(like[picked][i]), 6)
    return family.name, sorted(variants, key=lambda v: v.rank)


def _objectives(
    text: str,
    intent: Intent,
    family: Family,
    variants: list[GeneratedVariant],
    prior_fit: np.ndarray,
    units: np.ndarray,
    catalogue: list[str],
    preference: PreferenceModel | None,
    like: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per-candidate objectives, all to maximise: fit (words, and likeness to a reference mesh),
    cheapness, printability, novelty, liking."""
    use = intent.method == "embeddings"
    descriptions = [v.description for v in variants]
    fit = prior_fit
    if use:
        fit = (1 - EMBED_SHARE) * prior_fit + EMBED_SHARE * embedding_fit(text, descriptions)
    if like is not None:
        fit = (1 - REFERENCE_SHARE) * fit + REFERENCE_SHARE * like
    cost = np.array([v.unit_cost_usd for v in variants])
    out = {
        "fit": np.round(fit, 6),
        "cheapness": np.round(cost.min() / cost, 6),
        "printability": np.round(printability(variants, family), 6),
        "novelty": np.round(novelty(units, descriptions, catalogue, use), 6),
    }
    if preference is not None and preference.updates > 0:
        x = features(family, [v.params for v in variants], cost)
        liking = PreferenceModel(preference.family, preference.weights).utility(x)
        out["preference"] = np.round(liking - liking.mean(), 6)
    return out


def _scalar(
    variants: list[GeneratedVariant], objectives: dict[str, np.ndarray], target_price: float | None
) -> np.ndarray:
    """Ranking score: weighted objectives, minus a penalty above the retail price share."""
    score = (
        W_FIT * objectives["fit"]
        + W_COST * objectives["cheapness"]
        + W_PRINT * objectives["printability"]
        + W_NOVEL * objectives["novelty"]
        + W_PREF * objectives.get("preference", 0.0)
    )
    if target_price:
        cost = np.array([v.unit_cost_usd for v in variants])
        budget = PRICE_SHARE * target_price
        score -= W_PRICE * np.maximum(cost - budget, 0.0) / budget
    return np.asarray(score, dtype=float)


def write_glb(variant: GeneratedVariant, path: str | Path) -> None:
    """Write the variant's mesh as binary glTF (units mm), coloured per face, turned from our
    +Z up to glTF's +Y up so viewers (model-viewer) show it standing."""
    mesh = variant.mesh.copy()
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1.0, 0.0, 0.0]))
    mesh.visual = trimesh.visual.ColorVisuals(
        mesh, face_colors=np.array([*variant.colour, 255], dtype=np.uint8)
    )
    mesh.export(path, file_type="glb")


def write_variant_assets(
    variant: GeneratedVariant, out_dir: str | Path, stem: str
) -> tuple[str, str]:
    """Write <stem>.stl (binary, mm), <stem>.png (thumbnail) and <stem>.glb; return STL and PNG."""
    if not stem or Path(stem).name != stem or stem in (".", ".."):
        raise DesignError(f"asset name {stem!r} must be a plain file stem")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stl, png = out / f"{stem}.stl", out / f"{stem}.png"
    variant.mesh.export(stl, file_type="stl")
    render_preview(variant.mesh, png, colour=variant.colour)
    write_glb(variant, glb_path(stl))
    return str(stl), str(png)
