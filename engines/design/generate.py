"""The variant pipeline: a DesignSpec becomes dozens of ranked, labelled, visibly different,
printable variants. Each candidate is a point on the merchant's axes (engines.design.axes), built
subject -> features -> form as coloured parts; silhouettes of three views keep the top of the
list distinct (engines.design.ranking); the shortlist is joined into one watertight solid,
checked (STL round trip, bed, walls), costed and ranked."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import trimesh

from engines.design import axes, labels, ranking, workers
from engines.design.base import PROCESS_COST_USD, DesignError
from engines.design.generators.base import PARAMETRIC, GenerationRequest, Generator
from engines.design.generators.run import propose_all
from engines.design.glb import write_part_glb
from engines.design.kit import fit
from engines.design.kit.parts import Model, Part, detachable_default
from engines.design.kit.spec import DesignSpec, FeatureSpec
from engines.design.kit.vocab import (
    COLOURS,
    EXPRESSIONS,
    FEATURES,
    FORM_FEATURES,
    MATERIALS,
    POSES,
    STYLES,
    TOPPER_FEATURES,
)
from engines.design.preference import PreferenceModel
from engines.design.reference import ReferenceShape, load_reference, similarities
from engines.design.render import render_preview
from engines.design.shapes import forget_solid

RGB = tuple[int, int, int]
BED_MM = (250.0, 210.0, 220.0)  # default printer's build volume: x, y, z
POOL_FACTOR = 3  # candidates (geometry x colourway) per variant returned
SAME_GEOMETRY_PENALTY = 0.5  # added to the IoU (1.0) of two colourways of one geometry
GEOMETRY_FACTOR = 0.35  # geometries built per variant returned (the rest: other colourways);
# (0.8 took 36.5 CPU s for four ideas of bench.design, 0.35 with at least 16 shapes about 20)
MIN_GEOMETRIES = 16  # twice the top 8: room to find 8 whose outlines differ
GEOMETRY_OVERSAMPLE = 3  # choices sampled per shape built, to find shapes not twins


def geometry_count(count: int) -> int:
    """Shapes to build for `count` variants: a share of them, at least MIN_GEOMETRIES."""
    return min(count, max(MIN_GEOMETRIES, math.ceil(GEOMETRY_FACTOR * count)))


TOP_UP_GEOMETRIES = 8  # shapes added when the pool has too few distinct ones for the top 8
TOP_UP_ROUNDS = 3  # at most this many such additions (banana phone charm needs three)
TOP_UP_SHORT = 2  # a top-up when the pool holds this many fewer distinct shapes than the top
SHORTLIST_FACTOR = 1.15  # candidates joined into solids and checked per variant returned
JOIN_ROUNDS = 2  # times the shortlist is redrawn without the shapes that failed to join
MAX_COUNT = 500
# bought parts, not printed: no printed wall to check (a hair clip's metal clip)
BOUGHT = frozenset({"clip"})
# parts that keep their tint in every colourway (lenses, and the bought parts)
TINTED = frozenset({"lens_l", "lens_r"}) | BOUGHT
# parts a light shines through (a night-light's shell): in every colourway they are shown
# GLOW_SHARE of the way to white, as such lamps are moulded pale, unless their colour is worded
GLOWING, GLOW_SHARE = frozenset({"shell"}), 0.45
BUILD_THREADS = min(2, os.cpu_count() or 1)
WALL_SLACK = 0.95  # a part may be this share of the minimum wall (estimate error)
# Relevance weights: the words, printability, cheapness, novelty, literalness, reference
W_WORDS, W_PRINT, W_CHEAP, W_NOVEL, W_LITERAL, W_REF = 0.4, 0.25, 0.12, 0.08, 0.15, 0.35
W_PREF = 0.15  # relevance per logit of learned preference


class Rule(Protocol):
    """What the pipeline reads of a form's rules (engines.design.forms.FORM_RULES values)."""

    @property
    def default_size_mm(self) -> float: ...
    @property
    def min_wall_mm(self) -> float: ...
    @property
    def material_usd_per_cm3(self) -> float: ...
    def processes_for(self, material: str | None) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Builders:
    """The geometry the pipeline composes: subject, feature and form builders and form rules."""

    subject: Callable[[DesignSpec, axes.Choice], Model]
    feature: Callable[[Model, FeatureSpec, axes.Choice], Model]
    form: Callable[[DesignSpec, Model | None, axes.Choice, float], Model]
    rule: Callable[[str], Rule]


@dataclass
class GeneratedVariant:
    """One design variant: its axes, looks, cost, printability, coloured solid and parts (mm)."""

    rank: int  # 1 = best
    family: str  # the product form
    name: str
    description: str
    params: dict[str, float]  # axis indices and knob factors, size_mm
    score: float
    unit_cost_usd: float
    volume_cm3: float
    dims_mm: tuple[float, float, float]
    processes: list[str]
    printable: bool
    mesh: trimesh.Trimesh  # one watertight solid, standing on z = 0
    design_params: dict[str, float] = field(default_factory=dict)
    colour: RGB = (200, 170, 140)  # main colour (the largest part's)
    objectives: dict[str, float] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)  # what sets it apart, e.g. ["chibi", "pink"]
    parts: list[str] = field(default_factory=list)  # part names; owner indexes into it
    face_colours: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.uint8))
    source: str = "parametric"
    spec: DesignSpec | None = None
    findings: list[str] = field(default_factory=list)  # why not printable, what was dropped
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # part per face
    part_colours: list[RGB] = field(default_factory=list)
    part_materials: list[str | None] = field(default_factory=list)
    part_detachable: list[bool | None] = field(default_factory=list)
    choice: axes.Choice | None = None
    colour_word: str = ""  # the named colour of its main unworded part ("" if all worded)

    @property
    def label(self) -> str:
        """The labels joined ("chibi · sitting · pink · crown")."""
        return labels.SEP.join(self.labels)


@dataclass
class Candidate:
    """A built but not yet joined design: its choice, parts model and where its parts came from."""

    choice: axes.Choice
    model: Model
    origin: list[str]  # per part: "subject", "feature:<name>" or "form"
    worded: np.ndarray  # per part: its colour comes from the words
    words_fit: float  # share of worded things present (subject, features, colours)
    findings: list[str]
    natural: list[RGB] = field(default_factory=list)  # part colours before the colourway
    thin: list[str] | None = None  # thin-part findings, once measured (thin_of)
    source: str = "parametric"  # the generator that proposed it (engines.design.generators)
    label: str = ""  # what its generator says sets it apart (external generators)
    subject: str | None = None  # the spec's subject, whose coats its colourways keep to
    solid: Joined | None = None  # joined already (on a worker process, beside its build)


def build_many(
    spec: DesignSpec, choices: Sequence[axes.Choice], size_mm: float, builders: Builders
) -> list[Candidate | None]:
    """build_candidate at each choice (None where the builders raised DesignError). With the
    default builders, on the worker processes (engines.design.workers), each candidate joined
    there too (Candidate.solid; one that falls apart is None); else on threads here."""
    if builders is not default_builders():  # the caller's builders may not pickle
        return _map(lambda c: build_candidate(spec, c, size_mm, builders), choices)
    return workers.run(
        _built_and_joined, [(spec, c, size_mm) for c in choices],
        fallback=_map,
    )  # fmt: skip


def _built_and_joined(job: tuple[DesignSpec, axes.Choice, float]) -> Candidate | None:
    """One candidate built with the default builders, measured and joined (a worker's job:
    its union is not sent back, its joined solid is)."""
    spec, choice, size_mm = job
    b = default_builders()
    rule = b.rule(spec.form)
    try:
        cand = build_candidate(spec, choice, size_mm, b)
        thin_of(cand, rule.min_wall_mm)
        cand.solid = join(cand, rule, rule.processes_for(spec.material))
    except DesignError:
        return None
    cand.model.joined = None  # manifold3d solids stay here: they do not pickle
    for mesh in [p.mesh for p in cand.model.parts] + [cand.solid.mesh]:
        forget_solid(mesh)
    return cand


def thin_of(cand: Candidate, min_wall_mm: float) -> list[str]:
    """The candidate's thin-part findings, measured once."""
    if cand.thin is None:
        cand.thin = thin_parts(cand.model, min_wall_mm)
    return cand.thin


# --------------------------------------------------------------------------- builders


@lru_cache(maxsize=1)
def default_builders() -> Builders:
    """The parametric builders of engines.design.subjects, .features and .forms."""
    from engines.design.features import attach_feature
    from engines.design.forms import FORM_RULES, build_form
    from engines.design.forms.figures import FACE_ON
    from engines.design.subjects import build_subject

    def subject(spec: DesignSpec, c: axes.Choice) -> Model:
        colours = {"body": rgb} if (rgb := _rgb(spec.body_colour)) else None
        return build_subject(
            spec.subject or "", style=c.style, pose=c.pose, expression=c.expression,
            colours=colours, knobs=dict(c.knobs) | dict(c.form_knobs),
            face_on=spec.form in FACE_ON,
        )  # fmt: skip

    def feature(model: Model, f: FeatureSpec, c: axes.Choice) -> Model:
        attach_feature(model, f)  # in place
        return model

    def form(spec: DesignSpec, model: Model | None, c: axes.Choice, size_mm: float) -> Model:
        knobs = {k: v for k, v in c.form_knobs if k not in axes.PIPELINE_KNOBS} or None
        return build_form(spec.form, model, size_mm=size_mm, spec=spec, knobs=knobs)

    return Builders(subject, feature, form, FORM_RULES.__getitem__)


# --------------------------------------------------------------------------- one candidate


def _rgb(name: str | None) -> RGB | None:
    """The RGB of a colour or material name, or None."""
    if name is None:
        return None
    return COLOURS.get(name) or MATERIALS.get(name)


def _area_mm2(mesh: trimesh.Trimesh) -> float:
    """Surface area from the raw arrays (trimesh's cached .area re-hashes the mesh), kept in
    the mesh's metadata with the arrays it was measured on (parts are shared, not edited), mm2."""
    vertices, faces = mesh.vertices, mesh.faces  # the same objects until the mesh is changed
    known = mesh.metadata.get("_area_mm2")
    if known is not None and known[0] is vertices and known[1] is faces:
        return float(known[2])
    tri = np.asarray(vertices).view(np.ndarray)[np.asarray(faces)]
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    area = 0.5 * float(np.sqrt(np.einsum("ij,ij->i", cross, cross)).sum())
    mesh.metadata["_area_mm2"] = (vertices, faces, area)
    return area


def _dominant(parts: Sequence[Part], idx: Sequence[int]) -> RGB | None:
    """The colour covering the most area among the given parts."""
    area: dict[RGB, float] = {}
    for i in idx:
        area[parts[i].colour] = area.get(parts[i].colour, 0.0) + _area_mm2(parts[i].mesh)
    return max(area, key=lambda c: area[c]) if area else None


def _paint(parts: list[Part], idx: list[int], colour: RGB | None, worded: np.ndarray) -> bool:
    """Give the worded colour to the parts of the group's main colour; mark them worded.
    True when the group has parts to paint."""
    main = _dominant(parts, idx)
    if colour is None or main is None:
        return main is not None
    for i in idx:
        if parts[i].colour == main and parts[i].role != "detail":
            parts[i].colour = colour
            worded[i] = True
    return True


RAINBOW: tuple[RGB, ...] = (
    (235, 75, 75), (245, 155, 55), (245, 215, 70), (100, 195, 100), (75, 145, 230),
    (155, 100, 205),
)  # fmt: skip  # a "rainbow" part's colours, front to back


def _paint_part(
    parts: list[Part], idx: list[int], part: str, colour: str, worded: np.ndarray
) -> bool:
    """Give a worded colour to the subject's parts of that name (ear_l, "mane tuft"; not
    their details): a rainbow gives each its own colour from the front back. True when the
    subject has such parts."""
    own = [i for i in idx if parts[i].role != "detail" and parts[i].name.split()[0]
           .split("_")[0] == part]  # fmt: skip
    own.sort(key=lambda i: -float(parts[i].mesh.vertices[:, 0].mean()))
    for k, i in enumerate(own):
        rgb = RAINBOW[k % len(RAINBOW)] if colour == "rainbow" else _rgb(colour)
        if rgb is not None:
            parts[i].colour = rgb
            worded[i] = True
    return bool(own)


def _colourway(
    parts: list[Part],
    origin: list[str],
    worded: np.ndarray,
    way: str,
    subject: str | None = None,
    pick: int = 0,
) -> None:
    """Recolour the unworded, non-detail parts in a colourway (two-tone: the product or the
    features take an accent colour opposite the main one). A natural subject (kit.fit.COATS)
    keeps to its coats: the parts of its own colour (the product's too, where the product is
    its body) take one of them, its other parts keep theirs; only the rest is shaded (two-tone:
    the subject keeps its own colours, its body the product's largest part, and the rest of the
    product, e.g. a frog mug's handle, or the features take the accent). A plant standing in a
    planter (kit.fit.PLANTS) keeps to its coats while its pot (and feet) take a pot colour of
    the colourway (`pick` chooses which) and its soil stays soil. Parts a light shines
    through are then paled (_glow)."""
    free = _free(parts, worded)
    pot = _potted(parts, origin, free, subject)
    if pot is not None:  # the pot takes a pot colour below, the soil stays soil
        free = [i for i in free if i not in pot and origin[i] != "form"]
    if fit.natural_subject(subject) and way == "two_tone":  # its own colours, an accent product
        own = _own_colour(subject or "")
        body = [i for i in free if origin[i] == "form" and parts[i].colour == own]
        kept = max(body, key=lambda i: float(parts[i].mesh.area)) if body else None
        free = [i for i in free if origin[i] != "subject" and i != kept]
    elif fit.natural_subject(subject):
        own = _own_colour(subject or "")
        coat = fit.coat(subject, axes.COLOURWAYS.index(way))
        coated = [i for i in free if parts[i].colour == own]
        for i in coated:
            parts[i].colour = coat or parts[i].colour
        free = [i for i in free if origin[i] != "subject" and i not in coated]
    main = _dominant(parts, [i for i, o in enumerate(origin) if o == "subject"]) or (
        _dominant(parts, range(len(parts))) or (200, 200, 200)
    )
    if pot:
        colour = axes.accent(main) if way == "two_tone" else fit.pot_colour(way, pick)
        for i in pot:
            parts[i].colour = colour or parts[i].colour
    if way == "two_tone":
        second = (
            [i for i in free if origin[i] == "form"]
            or [i for i in free if origin[i].startswith("feature")]
            or [i for i in free if parts[i].colour != main]  # belly, ears, paws
        )
        for i in second:
            parts[i].colour = axes.accent(main)
    else:
        for i in free:
            parts[i].colour = axes.shade(parts[i].colour, way)
    _glow(parts, worded)


def _glow(parts: list[Part], worded: np.ndarray) -> None:
    """The parts a light shines through (GLOWING), unless worded, GLOW_SHARE of the way to
    white: a black cat lamp's shell is light grey, an orange one apricot."""
    for i, p in enumerate(parts):
        if p.name in GLOWING and not worded[i]:
            r, g, b = (int(round(c + GLOW_SHARE * (255 - c))) for c in p.colour)
            p.colour = (r, g, b)


def _potted(
    parts: list[Part], origin: list[str], free: list[int], subject: str | None
) -> list[int] | None:
    """The free parts of a plant's pot (the product's parts of the pot's colour: the pot and its
    feet) when the subject is a plant standing in a planter; None when it is not."""
    if not fit.potted(subject):
        return None
    pot = next(
        (p.colour for i, p in enumerate(parts) if p.name == "pot" and origin[i] == "form"), None
    )
    if pot is None:
        return None
    return [i for i in free if origin[i] == "form" and parts[i].colour == pot]


def _pick(choice: axes.Choice) -> int:
    """A stable number of the choice's geometry (not its colourway): which pot colour. Its
    style and pose, which the sampling spreads evenly (a hash of it all gave 4 of 8 alike)."""
    return STYLES.index(choice.style) + 2 * POSES.index(choice.pose)


@lru_cache(maxsize=128)
def _own_colour(subject: str) -> RGB | None:
    """The subject's own main colour (its builder's "body" colour role)."""
    from engines.design.subjects import default_colours

    return default_colours(subject).get("body")


def build_candidate(
    spec: DesignSpec, choice: axes.Choice, size_mm: float, builders: Builders
) -> Candidate:
    """Subject -> features -> form as coloured parts, worded colours applied, then the colourway;
    scaled so its longest side is size_mm, standing on z = 0 centred on x = y = 0."""
    findings: list[str] = []
    subject, origin_of = None, {}
    own = axes.PRODUCT_FEATURE.get(spec.form)  # that feature is the product: the form's
    formed = [
        f for f in spec.features
        if spec.form in FORM_FEATURES.get(f.name, ())
        or (spec.subject is None and spec.form in TOPPER_FEATURES.get(f.name, ()))
    ]  # fmt: skip
    attached = [f for f in spec.features if f.name != own and f not in formed]
    if spec.subject:
        subject = builders.subject(spec, choice)
        origin_of = {p.name: "subject" for p in subject.parts}
        if spec.form == "planter" and fit.potted(spec.subject):
            origin_of.pop("pot", None)  # the planter is the plant's pot (not its own, dropped)
        variants = dict(choice.features)
        for f in attached:
            if variants.get(f.name) == axes.OWN:
                continue  # the subject's own part (a cow's horns) is the feature
            before = {id(p) for p in subject.parts}
            subject = builders.feature(
                subject, replace(f, variant=variants.get(f.name, "")), choice
            )
            for p in subject.parts:
                if id(p) not in before:
                    origin_of.setdefault(p.name, f"feature:{f.name}")
    elif attached:
        findings.append("features need a subject to sit on: " + ", ".join(f.name for f in attached))
    model = builders.form(spec, subject, choice, size_mm)
    shape = dict(choice.form_knobs).get("shape")
    if shape is not None:  # a wider or taller vessel: factors >= 1 keep every wall
        model = model.transform(np.diag([*axes.SHAPES[int(shape)][1], 1.0]))
    model = _normalised(model, size_mm)
    parts = [
        Part(p.name, p.mesh, p.colour, p.role, p.material,
             detachable_default(p.name, p.role, spec.form) if p.detachable is None else p.detachable)
        for p in model.parts
    ]  # fmt: skip
    base = model  # its union of these meshes, if kept, joins the candidate later
    # a form's part of role "body" carries the subject (an appendage, a handle that is the cat)
    origin = [
        origin_of.get(p.name, "subject" if spec.subject and p.role == "body" else "form")
        for p in parts
    ]
    for f in formed:  # the form built it (a cup's straw): its parts are the feature's
        origin = [
            f"feature:{f.name}" if p.name == f.name else o
            for p, o in zip(parts, origin, strict=True)
        ]
    worded = np.zeros(len(parts), dtype=bool)
    group = lambda key: [i for i, o in enumerate(origin) if o == key]  # noqa: E731
    present = (
        [_paint(parts, group("subject"), _rgb(spec.body_colour), worded)] if spec.subject else []
    )
    for part, colour in spec.part_colours if spec.subject else ():
        present.append(_paint_part(parts, group("subject"), part, colour, worded))
    product = _rgb(spec.product_colour) or (_rgb(spec.material) if spec.material else None)
    _paint(parts, group("form"), product, worded)
    for f in attached:
        idx = group(f"feature:{f.name}")
        if dict(choice.features).get(f.name) == axes.OWN:  # "cow with pink horns": its own
            if f.colour:
                _paint_part(parts, group("subject"), f.name.removesuffix("s"), f.colour, worded)
            present.append(True)
            continue
        present.append(_paint(parts, idx, _rgb(f.colour or f.material), worded))
        if f.variant:  # a worded kind (straw hat, strawberry cap) wears its own colours
            worded[idx] = True
        if not present[-1]:
            findings.append(f"the {f.name} could not be attached")
    for f in formed:
        present.append(_paint(parts, group(f"feature:{f.name}"), _rgb(f.colour), worded))
        if not present[-1]:
            findings.append(f"the {f.name} could not be built")
    if product is None and (body := _rgb(spec.body_colour)) is not None:
        for i in group("form"):  # the product is the subject's body (a whale mug): worded
            worded[i] |= parts[i].colour == body and parts[i].role != "detail"
    natural = [p.colour for p in parts]
    _colourway(parts, origin, worded, choice.colourway, spec.subject, _pick(choice))
    words_fit = float(np.mean(present)) if present else 1.0
    return Candidate(
        choice, base.with_parts(parts), origin, worded, words_fit, findings, natural,
        subject=spec.subject,
    )  # fmt: skip


def recoloured(cand: Candidate, colourway: str) -> Candidate:
    """The same geometry in another colourway (parts share their meshes)."""
    parts = [
        Part(p.name, p.mesh, colour, p.role, p.material, p.detachable)
        for p, colour in zip(cand.model.parts, cand.natural, strict=True)
    ]
    _colourway(parts, cand.origin, cand.worded, colourway, cand.subject, _pick(cand.choice))
    choice = replace(cand.choice, colourway=colourway)
    return replace(cand, choice=choice, model=cand.model.with_parts(parts))


def _normalised(model: Model, size_mm: float) -> Model:
    """The model centred on x = y = 0 and standing on z = 0, at the size its form built it
    (the form knows what its size means and keeps its walls: no rescaling here)."""
    lo, hi = model.bounds
    offset = -np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    if np.abs(offset).max() < 0.01:
        return model
    matrix = np.eye(4)
    matrix[:3, 3] = offset
    return model.transform(matrix)


# --------------------------------------------------------------------------- checks


def stl_safe(mesh: trimesh.Trimesh) -> bool:
    """Whether the solid survives an STL round trip unchanged: watertight, and no two of its
    corners fall together once written as float32 and merged as a reader merges (1e-8 mm)."""
    grid = np.round(np.asarray(mesh.vertices, dtype=np.float32).astype(np.float64) * 1e8)
    keys = np.ascontiguousarray(grid.astype(np.int64)).view(np.dtype((np.void, 24))).ravel()
    if len(np.unique(keys)) != len(keys):
        return watertight_after_stl(mesh)  # corners merge: check the written file itself
    return bool(mesh.is_watertight)


def watertight_after_stl(mesh: trimesh.Trimesh) -> bool:
    """Whether the mesh is still watertight after a binary STL write and read back: corners
    merged as trimesh's reader merges them (equal to 1e-8 mm), every edge shared by exactly two faces in opposite
    directions, no face with a repeated corner."""
    data = trimesh.exchange.stl.export_stl(mesh)
    n = int(np.frombuffer(data, dtype="<u4", count=1, offset=80)[0])
    record = np.dtype([("normal", "<f4", 3), ("corners", "<f4", (3, 3)), ("attr", "<u2")])
    corners = np.frombuffer(data, dtype=record, count=n, offset=84)["corners"].reshape(-1, 3)
    grid = np.round(corners.astype(np.float64) * 1e8).astype(np.int64)  # trimesh's merge
    keys = np.ascontiguousarray(grid).view(np.dtype((np.void, 24))).ravel()
    faces = np.unique(keys, return_inverse=True)[1].reshape(-1, 3)
    if (
        n == 0
        or (faces[:, 0] == faces[:, 1]).any()
        or (faces[:, 1] == faces[:, 2]).any()
        or (faces[:, 0] == faces[:, 2]).any()
    ):
        return False
    directed = np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]).astype(np.int64)
    code = directed[:, 0] * (faces.max() + 1) + directed[:, 1]
    if len(np.unique(code)) != len(code):  # an edge used twice in one direction
        return False
    undirected = np.sort(directed, axis=1)
    counts = np.unique(undirected[:, 0] * (faces.max() + 1) + undirected[:, 1], return_counts=True)[
        1
    ]
    return bool((counts == 2).all())


def fits_bed(mesh: trimesh.Trimesh, bed_mm: tuple[float, float, float] = BED_MM) -> bool:
    """Whether the mesh fits the bed standing as it is, at some rotation about Z (1 degree)."""
    if float(mesh.extents[2]) > bed_mm[2] + 1e-6:
        return False
    ex, ey = sorted((float(mesh.extents[0]), float(mesh.extents[1])), reverse=True)
    if ex <= bed_mm[0] + 1e-6 and ey <= bed_mm[1] + 1e-6:
        return True  # fits as it stands
    xy = np.asarray(mesh.vertices)[:, :2]
    angles = np.radians(np.arange(0, 90, 1.0))
    rot = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    u = xy @ rot.T  # (n, a): extent along each direction
    v = xy @ np.stack([-rot[:, 1], rot[:, 0]], axis=1).T
    w, d = np.ptp(u, axis=0), np.ptp(v, axis=0)
    big, small = np.maximum(w, d), np.minimum(w, d)
    return bool(((big <= bed_mm[0] + 1e-6) & (small <= bed_mm[1] + 1e-6)).any())


def thickness_mm(mesh: trimesh.Trimesh, wall: bool = False) -> float:
    """Estimated thickness of a part: its extent along its thinnest principal axis (exact for
    a flat ear, a curved tube, a slab), and for a wall also 2 V / A (exact for a cup wall), mm."""
    v = np.asarray(mesh.vertices).view(np.ndarray)
    centred = v - v.mean(axis=0)
    axes_ = np.linalg.svd(centred, full_matrices=False)[2]
    proj = centred @ axes_.T
    thinnest = float((proj.max(axis=0) - proj.min(axis=0)).min())
    if not wall:
        return thinnest
    tri = v[np.asarray(mesh.faces)]
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    area = 0.5 * float(np.linalg.norm(cross, axis=1).sum())
    volume = abs(float(np.einsum("ij,ij->", tri[:, 0], cross))) / 6.0
    return min(thinnest, 2.0 * volume / max(area, 1e-9))


def ray_thickness_mm(mesh: trimesh.Trimesh, rays: int = 48) -> float:
    """Thickness of a part measured by rays shot inwards from seeded surface points (the 10th
    percentile of the distances to the far side: a disc's rim does not read as thin), mm."""
    points, faces = trimesh.sample.sample_surface(mesh, rays, seed=5)
    d = -np.asarray(mesh.face_normals)[faces]
    o = points + 1e-4 * d
    tri = np.asarray(mesh.vertices)[np.asarray(mesh.faces)]
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]  # Moller-Trumbore, rays x triangles
    p = np.cross(d[:, None, :], e2[None])
    det = np.einsum("rtk,tk->rt", p, e1)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = o[:, None, :] - tri[None, :, 0]
    u = np.einsum("rtk,rtk->rt", s, p) * inv
    q = np.cross(s, e1[None])
    v = np.einsum("rk,rtk->rt", d, q) * inv
    t = np.einsum("tk,rtk->rt", e2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 1e-6)
    far = np.where(hit, t, np.inf).min(axis=1)
    far = far[np.isfinite(far)]
    return float(np.percentile(far, 10)) if len(far) else float("inf")


def thin_parts(model: Model, min_wall_mm: float) -> list[str]:
    """Findings for printed body and fixture parts (not BOUGHT ones) thinner than the form's
    minimum wall (a quick estimate, then rays for the parts it suspects)."""
    out = []
    for p in model.parts:
        if p.role in ("body", "fixture") and p.name not in BOUGHT:
            t = thickness_mm(p.mesh, wall=p.role == "fixture")
            if t < WALL_SLACK * min_wall_mm and p.role == "fixture":
                t = min(ray_thickness_mm(p.mesh), thickness_mm(p.mesh))
            if t < WALL_SLACK * min_wall_mm:
                out.append(f"the {p.name} is {t:.1f} mm thick, under the {min_wall_mm:g} mm wall")
    return out


# --------------------------------------------------------------------------- assembling


def _params(c: axes.Choice, size_mm: float) -> dict[str, float]:
    """A variant's params: size, knob factors and axis indices (floats, as stored)."""
    out = {"size_mm": round(size_mm, 3), **{f"knob:{k}": v for k, v in c.knobs}}
    out |= {f"form:{k}": v for k, v in c.form_knobs}
    out |= {"style": float(STYLES.index(c.style)), "pose": float(POSES.index(c.pose))}
    out |= {"expression": float(EXPRESSIONS.index(c.expression))}
    out["colourway"] = float(axes.COLOURWAYS.index(c.colourway))
    for name, variant in c.features:
        if variant in FEATURES.get(name, ()):
            out[f"feature:{name}"] = float(FEATURES[name].index(variant))
    return out


def _describe(spec: DesignSpec, c: axes.Choice, colour: str, size_mm: float) -> tuple[str, str]:
    """(title, one-sentence looks) of a variant."""
    form = spec.form.replace("_", " ")
    thing = f"{spec.subject} {form}" if spec.subject else form
    feats = [f"{v} {n}".strip() if v and v not in (n, axes.OWN) else n for n, v in c.features]
    extras = f" with {', '.join(feats)}" if feats else ""
    looks = f"{c.style} {c.pose} {c.expression}" if spec.subject else c.style
    text = f"A {size_mm:.0f} mm {colour} {thing}{extras}: {looks}, {c.colourway.replace('_', '-')} colours."  # noqa: E501
    return thing.title(), text


@dataclass
class Joined:
    """A shortlisted candidate joined into one solid, checked and costed."""

    mesh: trimesh.Trimesh
    owner: np.ndarray
    printable: bool
    findings: list[str]
    volume_cm3: float
    cost_usd: float


def join(cand: Candidate, rule: Rule, processes: Sequence[str]) -> Joined:
    """One watertight solid of the candidate, its printability findings and unit cost."""
    mesh, owner = cand.model.solid()
    findings = list(cand.findings)
    if not stl_safe(mesh):
        findings.append("not watertight after STL write and read back")
    if not fits_bed(mesh):
        findings.append(f"does not fit the {BED_MM[0]:g} x {BED_MM[1]:g} x {BED_MM[2]:g} mm bed")
    findings += thin_of(cand, rule.min_wall_mm)
    volume_cm3 = float(mesh.volume) / 1000.0
    process_usd = sum(PROCESS_COST_USD.get(p, 0.0) for p in processes)
    cost = volume_cm3 * rule.material_usd_per_cm3 + process_usd
    printable = len(findings) == len(cand.findings) and volume_cm3 > 0
    return Joined(mesh, owner, printable, findings, volume_cm3, cost)


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    """Threads that build and join candidates (manifold3d releases the GIL)."""
    return ThreadPoolExecutor(max_workers=BUILD_THREADS, thread_name_prefix="design-pipeline")


def _map(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """fn over items on the pool, in order; a DesignError becomes None."""

    def safe(x: Any) -> Any:
        try:
            return fn(x)
        except DesignError:
            return None

    if BUILD_THREADS <= 1 or len(items) < 2:
        return [safe(x) for x in items]
    return list(_pool().map(safe, items))


def _size_mm(rule: Rule, spec: DesignSpec, target: float | None, ref: float | None) -> float:
    """Longest side to build at: given, else worded, else the reference's, else the form's, mm."""
    size = target or spec.size_mm or ref or rule.default_size_mm
    if not 1.0 <= size <= 2000.0:
        raise DesignError(f"target size {size:g} mm is outside 1..2000 mm")
    return float(size)


def _literalness(choices: Sequence[axes.Choice], spec: DesignSpec) -> np.ndarray:
    """0..1 per choice: 1 for the literal default, less per axis moved away from it."""
    base = axes.default_choice(spec)
    out = []
    for c in choices:
        moved: float = (
            (c.style != base.style) + (c.pose != base.pose) + (c.expression != base.expression)
        )
        moved += 0.5 * (c.colourway != "natural") + sum(
            a != b for a, b in zip(c.features, base.features, strict=True)
        )
        moved += sum(abs(v - axes.KNOB_NEUTRAL) * 2 for _, v in c.knobs)
        moved += 0.5 * len(c.form_knobs)
        out.append(1.0 / (1.0 + 0.35 * moved))
    return np.array(out)


def _preference_for(
    form: str, preference: PreferenceModel | Mapping[str, PreferenceModel] | None
) -> PreferenceModel | None:
    """The learned model of this form, if any."""
    if isinstance(preference, Mapping):
        preference = preference.get(form)
    return preference if preference is not None and preference.family == form else None


def _catalogue_for(form: str, catalogue: Sequence[str] | Mapping[str, Sequence[str]]) -> list[str]:
    """Catalogue descriptions relevant to the form (a mapping is keyed by form)."""
    if isinstance(catalogue, Mapping):
        return list(dict.fromkeys(catalogue.get(form, ())))
    return list(dict.fromkeys(catalogue))


def _reference(reference: ReferenceShape | str | Path | None) -> ReferenceShape | None:
    """The loaded reference shape (a path is loaded safely), or None."""
    if reference is None or isinstance(reference, ReferenceShape):
        return reference
    return load_reference(reference)


def generate_designs(
    spec: DesignSpec,
    count: int = 36,
    seed: int = 0,
    *,
    target_size_mm: float | None = None,
    target_price: float | None = None,
    preference: PreferenceModel | Mapping[str, PreferenceModel] | None = None,
    catalogue: Sequence[str] | Mapping[str, Sequence[str]] = (),
    reference: ReferenceShape | str | Path | None = None,
    builders: Builders | None = None,
    generators: Sequence[Generator] | None = None,
) -> Designs:
    """`count` variants of the spec ranked best-first, the top 8 visibly distinct; deterministic
    per seed. `generators` propose the candidates (default: the parametric engine alone)."""
    if not 1 <= count <= MAX_COUNT:
        raise DesignError(f"variant count must be 1..{MAX_COUNT}, got {count}")
    b = builders or default_builders()
    rule, ref = b.rule(spec.form), _reference(reference)
    size_mm = _size_mm(rule, spec, target_size_mm, ref.size_mm if ref else None)
    request = GenerationRequest(spec, count, seed, size_mm, BED_MM)
    geos, skipped = propose_all(generators, request, b)
    n_short = math.ceil(SHORTLIST_FACTOR * count)
    processes = rule.processes_for(spec.material)
    joins: dict[int, Joined | None] = {}  # per geometry joined: its solid, None if it failed
    top_up = rejoin = 0
    built = -1  # the geometries the pool was ranked over
    while True:
        if built != len(geos):
            geo_of, cands, iou, like = _ranked_pool(geos, count, seed)
            thin = [bool(thin_of(g, rule.min_wall_mm)) for g in geos]
            pre = _pre_relevance(spec, cands, [thin[g] for g in geo_of])
            built = len(geos)
        # without the shapes that fell apart when joined (a plant floating over its pot), so
        # the distinct shapes they stood for are replaced by others
        alive = [i for i in range(len(cands)) if joins.get(geo_of[i], True) is not None]
        sub = np.ix_(alive, alive)
        order = ranking.mmr_order(pre[alive], iou[sub], n_short, likeness=like[sub])
        short = [alive[k] for k in order]
        if top_up < TOP_UP_ROUNDS and _worth_a_top_up(pre[alive], iou[sub], order, count):
            more = _more_geometries(request, b, geos, generators, top_up)
            top_up += 1
            if more:
                geos = geos + more
                continue
        new = [g for g in dict.fromkeys(geo_of[i] for i in short) if g not in joins]
        solids = _map(lambda c: c.solid or join(c, rule, processes), [geos[g] for g in new])
        joins |= dict(zip(new, solids, strict=True))
        if rejoin == JOIN_ROUNDS or all(joins[geo_of[i]] is not None for i in short):
            break
        rejoin += 1
    short = [i for i in short if joins.get(geo_of[i]) is not None]
    if not short:
        raise DesignError(f"no {spec.form} design joined into one solid")
    variants = [
        _variant(spec, cands[i], joins[geo_of[i]], size_mm, list(processes))  # type: ignore[arg-type]
        for i in short
    ]
    rel, objectives = _relevance(
        variants, cands, short, spec, target_price, catalogue, preference, ref
    )
    sub = np.ix_(short, short)
    order = ranking.mmr_order(rel, iou[sub], count, likeness=like[sub])
    out = [variants[k] for k in order]
    names = labels.make_labels([v.choice for v in out], [v.colour_word for v in out])  # type: ignore[misc]
    for rank, (k, v) in enumerate(zip(order, out, strict=True), start=1):
        v.rank, v.score, v.name = rank, round(float(rel[k]), 6), f"{v.name} #{rank}"
        v.objectives = {name: round(float(o[k]), 6) for name, o in objectives.items()}
        v.labels = names[rank - 1].split(labels.SEP)
        if v.source != PARAMETRIC:  # its generator's own words, not our axes
            v.labels = [
                v.source,
                cands[short[k]].label,
                *([v.colour_word] if v.colour_word else []),
            ]
    return Designs(out, skipped)


def _ranked_pool(
    geos: Sequence[Candidate], count: int, seed: int
) -> tuple[list[int], list[Candidate], np.ndarray, np.ndarray]:
    """The candidates to rank (each geometry in its colourways), the geometry of each, their
    silhouette IoU (a colourway of one geometry counts as more alike) and their likeness
    (the IoU, less where the main colours differ)."""
    frame_mm = max(float(np.ptp(c.model.bounds, axis=0).max()) for c in geos)
    masks = _map(lambda c: ranking.silhouettes([p.mesh for p in c.model.parts], frame_mm), geos)
    geo_of, cands = _colour_options(geos, POOL_FACTOR * count, seed)
    iou = ranking.iou_matrix(np.stack(masks))[np.ix_(geo_of, geo_of)]
    same = np.equal.outer(geo_of, geo_of) & ~np.eye(len(geo_of), dtype=bool)
    iou = iou + SAME_GEOMETRY_PENALTY * same  # a colourway of a shown geometry comes last
    like = iou * (1 - ranking.COLOUR_SHARE * (1 - ranking.colour_likeness(_mains(cands))))
    return geo_of, cands, iou, like


def _worth_a_top_up(pre: np.ndarray, iou: np.ndarray, order: Sequence[int], count: int) -> bool:
    """Whether to build more shapes: the first TOP_DISTINCT of the order (as many as are
    asked for) are not pairwise under the IoU bar (less its margin), yet the pool holds
    TOP_UP_SHORT fewer that are (a few more shapes should complete them; an idea with fewer
    has too few axes to vary, and more shapes would only cost time)."""
    k = min(ranking.TOP_DISTINCT, count)
    if ranking.distinct(iou, list(order[:k]), ranking.IOU_THRESHOLD - ranking.IOU_MARGIN):
        return False
    return ranking.distinct_set(pre, iou, k - TOP_UP_SHORT) is not None


def _more_geometries(
    request: GenerationRequest,
    b: Builders,
    geos: Sequence[Candidate],
    generators: Sequence[Generator] | None,
    top_up: int,
) -> list[Candidate]:
    """TOP_UP_GEOMETRIES more parametric shapes at choices not built yet (another seed's
    sample), when the pool had too few distinct ones for the top 8 (a keychain's small
    figures, a straw hat's few axes); none when the parametric engine is not asked."""
    if generators is not None and not any(g.name == PARAMETRIC for g in generators):
        return []
    built = {replace(c.choice, colourway="natural") for c in geos if c.source == PARAMETRIC}
    fresh = [
        c for c in distinct_geometries(request.spec, 2 * TOP_UP_GEOMETRIES, request.seed + 7919 * (top_up + 1))
        if replace(c, colourway="natural") not in built
    ][:TOP_UP_GEOMETRIES]  # fmt: skip
    made = build_many(request.spec, fresh, request.size_mm, b)
    return [c for c in made if c is not None]


class Designs(list[GeneratedVariant]):
    """Ranked variants, and findings for the generators or designs that were skipped."""

    def __init__(self, variants: Sequence[GeneratedVariant] = (), skipped: Sequence[str] = ()):
        super().__init__(variants)
        self.skipped = list(skipped)


def distinct_geometries(spec: DesignSpec, n: int, seed: int) -> list[axes.Choice]:
    """Up to n sampled choices of which no two differ only by colourway (those would build the
    same shape twice and crowd the top 8 with twins; colourways come from _colour_options)."""
    seen: set[axes.Choice] = set()
    out: list[axes.Choice] = []
    for c in axes.sample_choices(spec, GEOMETRY_OVERSAMPLE * n, seed):
        key = replace(c, colourway="natural")
        if key not in seen and len(out) < n:
            seen.add(key)
            out.append(c)
    return out


def _colour_options(
    geos: Sequence[Candidate], n: int, seed: int
) -> tuple[list[int], list[Candidate]]:
    """n candidates: each geometry in its sampled colourway, then in other colourways (seeded)
    until there are n, a colourway that looks like one already there (a chick keeps its
    yellow: its deep colourway may change nothing) only when there are too few others; and
    the geometry index of each."""
    rng = np.random.default_rng([seed, 21])
    geo_of, cands = list(range(len(geos))), list(geos)
    ways = {g: [c.choice.colourway] for g, c in enumerate(geos)}
    looks = {g: {_looks(c)} for g, c in enumerate(geos)}
    twins: list[tuple[int, Candidate]] = []
    for k in range(max(0, n - len(geos))):
        g = k % len(geos)
        while left := [w for w in axes.COLOURWAYS if w not in ways[g]]:
            way = left[int(rng.integers(len(left)))]
            ways[g].append(way)
            cand = recoloured(geos[g], way)
            if _looks(cand) not in looks[g]:
                looks[g].add(_looks(cand))
                geo_of.append(g)
                cands.append(cand)
                break
            twins.append((g, cand))
    for g, cand in twins[: max(0, n - len(cands))]:
        geo_of.append(g)
        cands.append(cand)
    return geo_of, cands


def _looks(cand: Candidate) -> tuple[RGB, ...]:
    """The candidate's part colours: two colourways that agree on them look the same."""
    return tuple(p.colour for p in cand.model.parts)


def _free(parts: Sequence[Part], worded: np.ndarray) -> list[int]:
    """The parts a colourway colours: not worded, no detail, not tinted (a metal clip)."""
    return [
        i for i, p in enumerate(parts)
        if not worded[i] and p.role != "detail" and p.name not in TINTED
    ]  # fmt: skip


def _mains(cands: Sequence[Candidate]) -> list[RGB]:
    """Each candidate's main colour: its largest part not coloured by the words (else any)."""
    out = []
    for c in cands:
        free = _free(c.model.parts, c.worded)
        out.append(_dominant(c.model.parts, free or range(len(c.model.parts))) or (200, 200, 200))
    return out


def _pre_relevance(
    spec: DesignSpec, cands: Sequence[Candidate], thin: Sequence[bool]
) -> np.ndarray:
    """Relevance before joining: the words, the walls on the parts, literalness."""
    words = np.array([c.words_fit for c in cands])
    ok = 1.0 - np.array(thin, dtype=float)
    literal = _literalness([c.choice for c in cands], spec)
    return W_WORDS * words + W_PRINT * ok + W_LITERAL * literal


def _relevance(
    variants: list[GeneratedVariant],
    cands: Sequence[Candidate],
    short: Sequence[int],
    spec: DesignSpec,
    target_price: float | None,
    catalogue: Sequence[str] | Mapping[str, Sequence[str]],
    preference: PreferenceModel | Mapping[str, PreferenceModel] | None,
    ref: ReferenceShape | None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Relevance of the joined variants and its objectives (all 0..1 but preference)."""
    costs = np.array([v.unit_cost_usd for v in variants])
    obj = {
        "words": np.array([cands[i].words_fit for i in short]),
        "printability": np.array([float(v.printable) for v in variants]),
        "cheapness": ranking.cheapness(costs, target_price),
        "novelty": ranking.novelty(
            [v.description for v in variants], _catalogue_for(spec.form, catalogue)
        ),
        "literal": _literalness([cands[i].choice for i in short], spec),
    }
    rel = (
        W_WORDS * obj["words"] + W_PRINT * obj["printability"] + W_CHEAP * obj["cheapness"]
        + W_NOVEL * obj["novelty"] + W_LITERAL * obj["literal"]
    )  # fmt: skip
    model = _preference_for(spec.form, preference)
    if model is not None and model.updates > 0:
        obj["preference"] = ranking.utility(model, [v.params for v in variants], costs)
        rel = rel + W_PREF * obj["preference"]
    if ref is not None:
        obj["reference_similarity"] = similarities(ref, [v.mesh for v in variants])
        rel = rel + W_REF * obj["reference_similarity"]
    return rel, obj


QUALIFIERS = {"pastel": "light", "bold": "bright", "deep": "dark"}
ACHROMATIC = frozenset({"black", "white", "grey", "silver", "cream", "beige"})


def _colour_word(cand: Candidate, free: list[int]) -> str:
    """The label's colour words: the main free part's colour name, qualified when the colourway
    keeps its name ("light green"); two-tone names both ("green & pink")."""
    parts = cand.model.parts
    natural = [Part(p.name, p.mesh, c, p.role) for p, c in zip(parts, cand.natural, strict=True)]
    was = _dominant(natural, free) or (200, 200, 200)
    before = axes.colour_name(was)
    way = cand.choice.colourway
    subject_worded = bool(
        cand.worded[[i for i, o in enumerate(cand.origin) if o == "subject"]].any()
    )
    if way == "two_tone":
        changed = [i for i, p in enumerate(parts) if p.colour != cand.natural[i]]
        second = _dominant(parts, changed)
        if second is None:
            return ""
        name = axes.colour_name(second)
        return f"{name} accents" if subject_worded else f"{before} & {name}"
    is_ = _dominant(parts, free) or (200, 200, 200)
    now = axes.colour_name(is_)
    shaded = is_ == axes.shade(was, way)  # not a natural subject's other coat
    qualify = way in QUALIFIERS and now == before and now not in ACHROMATIC and shaded
    # no "dark black", no "light red" for a red panda's darker coat
    word = f"{QUALIFIERS[way]} {now}" if qualify else now
    if subject_worded:  # the worded colour is the main one: say what the colourway changed
        return f"{word} accents" if way != "natural" else ""
    return word


def _variant(
    spec: DesignSpec, cand: Candidate, j: Joined, size_mm: float, processes: list[str]
) -> GeneratedVariant:
    """An unranked variant of a joined candidate."""
    parts = cand.model.parts
    free = _free(cand.model.parts, cand.worded)
    main = _dominant(parts, free or range(len(parts))) or (200, 200, 200)
    colour_word = _colour_word(cand, free) if free else ""
    title, text = _describe(spec, cand.choice, colour_word or (spec.body_colour or ""), size_mm)
    if cand.source != PARAMETRIC:
        text = f"A {size_mm:.0f} mm {colour_word} {title.lower()} by {cand.source}: {cand.label}."
    colours = [p.colour for p in parts]
    v = GeneratedVariant(
        rank=0, family=spec.form, name=title, description=text,
        params=_params(cand.choice, size_mm), score=0.0, unit_cost_usd=round(j.cost_usd, 4),
        volume_cm3=j.volume_cm3, dims_mm=tuple(float(e) for e in j.mesh.extents),  # type: ignore[arg-type]
        processes=processes, printable=j.printable, mesh=j.mesh,
        design_params={f"knob:{k}": v for k, v in cand.choice.knobs}
        | {f"form:{k}": v for k, v in cand.choice.form_knobs}, colour=main,
        parts=[p.name for p in parts], face_colours=np.asarray(colours, np.uint8)[j.owner],
        spec=spec, findings=list(j.findings), owner=j.owner, part_colours=colours,
        part_materials=[p.material for p in parts], choice=cand.choice, colour_word=colour_word,
        source=cand.source, part_detachable=[p.detachable for p in parts],
    )  # fmt: skip
    return v


# --------------------------------------------------------------------------- the old contract


def read(text: str, embeddings: bool | None = None) -> DesignSpec:
    """The design spec of an idea's words (engines.design.reader); DesignError when refused."""
    from engines.design.reader import read_spec

    return read_spec(text, embeddings=bool(embeddings))


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
    spec: DesignSpec | None = None,
    generators: Sequence[Generator] | None = None,
) -> tuple[str, list[GeneratedVariant]]:
    """(form, `count` variants ranked best-first) of an idea's words, as the old engine's
    generate_variants; the spec is read from the text unless given."""
    spec = spec or read(text, embeddings)
    variants = generate_designs(
        spec, count, seed, target_size_mm=target_size_mm, target_price=target_price,
        preference=preference, catalogue=catalogue, reference=reference, generators=generators,
    )  # fmt: skip
    return spec.form, variants


def glb_path(stl_path: str | Path) -> Path:
    """Where write_variant_assets puts the GLB of the mesh it wrote to stl_path."""
    return Path(stl_path).with_suffix(".glb")


def write_all_assets(
    variants: Sequence[GeneratedVariant],
    out_dir: str | Path,
    stems: Sequence[str],
    done: Callable[[int], None] | None = None,
) -> list[tuple[str, str]]:
    """write_variant_assets for each variant under its stem, on the worker processes
    (engines.design.workers); done(k) is called as variant k's files are written."""
    if len(stems) != len(variants):
        raise DesignError(f"{len(variants)} variants need as many file stems, got {len(stems)}")
    jobs = [(v, str(out_dir), stem) for v, stem in zip(variants, stems, strict=True)]
    return workers.run(_write_one, jobs, done=done)


def _write_one(job: tuple[GeneratedVariant, str, str]) -> tuple[str, str]:
    """A worker's job: write_variant_assets of one variant."""
    return write_variant_assets(*job)


def write_variant_assets(
    variant: GeneratedVariant, out_dir: str | Path, stem: str
) -> tuple[str, str]:
    """Write <stem>.stl (binary, mm), <stem>.png (coloured preview) and <stem>.glb (a node and
    material per part, +Y up); return the STL and PNG paths."""
    if not stem or Path(stem).name != stem or stem in (".", ".."):
        raise DesignError(f"asset name {stem!r} must be a plain file stem")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stl, png = out / f"{stem}.stl", out / f"{stem}.png"
    variant.mesh.export(stl, file_type="stl")
    colours = variant.face_colours if len(variant.face_colours) == len(variant.mesh.faces) else None
    render_preview(variant.mesh, png, face_colours=colours, colour=variant.colour)
    if len(variant.owner) == len(variant.mesh.faces) and variant.parts:
        write_part_glb(
            glb_path(stl), variant.mesh, variant.owner, variant.parts, variant.part_colours,
            variant.part_materials, variant.part_detachable,
        )  # fmt: skip
    else:
        write_part_glb(glb_path(stl), variant.mesh, np.zeros(len(variant.mesh.faces), np.int64),
                       ["body"], [variant.colour])  # fmt: skip
    return str(stl), str(png)
