"""Attachable features (vocab.FEATURES): each builds its parts at the subject's anchors, sized
to the head or body there, coloured by the words (a colour or material) or its own default."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engines.design.base import DesignError
from engines.design.features.hats import build_hat
from engines.design.features.held import held
from engines.design.features.kit import Ctx
from engines.design.features.wear import (
    blush,
    bow,
    cape,
    eyes,
    glasses,
    horns,
    scarf,
    spots,
    stripes,
    tears,
    teeth,
    wings,
)
from engines.design.kit.parts import Model
from engines.design.kit.spec import FeatureSpec
from engines.design.kit.vocab import COLOURS, FEATURES, FORM_FEATURES, MATERIALS
from engines.design.subjects.geom import nudged

RGB = tuple[int, int, int]

__all__ = ["attach_feature", "feature_colour"]

BUILDERS: dict[str, Callable[[Ctx, str], None]] = {
    "hat": build_hat, "wings": wings, "horns": horns, "scarf": scarf, "bow": bow,
    "glasses": glasses, "teeth": teeth, "tears": tears, "eyes": eyes, "spots": spots,
    "stripes": stripes, "held": held, "cape": cape, "blush": blush,
}  # fmt: skip


# Features a size word scales ("a tiny hat"): each group of its parts (one, or a left and a
# right one) about the point of the subject nearest it, so it stays on the subject. Spots,
# stripes, eyes and the like cover the subject and a held thing sits in a paw: not scaled.
SIZED: dict[str, bool] = {"hat": False, "bow": False, "wings": True, "horns": True}  # by side?


def _resize(ctx: Ctx, factor: float, by_side: bool) -> None:
    """Scale the feature's new parts by `factor` about where they meet the subject."""
    if not ctx.new_parts:
        return
    centre_y = float(ctx.head_c[1])
    groups: dict[bool, list[int]] = {}
    for i, part in enumerate(ctx.new_parts):
        side = by_side and float(part.mesh.vertices[:, 1].mean()) < centre_y
        groups.setdefault(side, []).append(i)
    for idx in groups.values():
        lo = np.min([ctx.new_parts[i].mesh.bounds[0] for i in idx], axis=0)
        hi = np.max([ctx.new_parts[i].mesh.bounds[1] for i in idx], axis=0)
        contact = ctx.snap((lo + hi) / 2)
        matrix = np.eye(4)
        matrix[:3, :3] *= factor
        matrix[:3, 3] = contact * (1.0 - factor)
        for i in idx:
            mesh = ctx.new_parts[i].mesh.copy()
            mesh.apply_transform(matrix)
            ctx.new_parts[i].mesh = mesh


def feature_colour(feature: FeatureSpec, colour: RGB | None = None) -> RGB | None:
    """The worded colour of a feature: an explicit RGB, else its colour word, else its
    material's colour; None leaves each part its own default."""
    if colour is not None:
        return tuple(int(c) for c in colour)  # type: ignore[return-value]
    for word in (feature.colour, feature.material):
        if word in COLOURS:
            return COLOURS[word]
        if word in MATERIALS:
            return MATERIALS[word]
    return None


def attach_feature(model: Model, feature: FeatureSpec, colour: RGB | None = None) -> None:
    """Add the feature's parts to the model (in place), at the anchors it belongs to."""
    if feature.name not in FEATURES:
        raise DesignError(f"unknown feature {feature.name!r}")
    if feature.name in FORM_FEATURES:  # a cup's straw: the cup builds it, not the subject
        raise DesignError(f"the {feature.name} is built by the product, not on a subject")
    variant = feature.variant or FEATURES[feature.name][0]
    if variant not in FEATURES[feature.name]:
        raise DesignError(f"unknown {feature.name} variant {variant!r}")
    ctx = Ctx.of(model, feature_colour(feature, colour), feature.material, feature.place)
    BUILDERS[feature.name](ctx, variant)
    if feature.size != 1.0 and feature.name in SIZED:
        _resize(ctx, feature.size, SIZED[feature.name])
    start = len(model.parts)
    for i, part in enumerate(ctx.new_parts):
        part.material = feature.material
        part.mesh = nudged(part.mesh, start + i)
    model.parts.extend(ctx.new_parts)
    if ctx.removed:
        keep = [p for p in model.parts if id(p) not in ctx.removed]
        model.parts[:] = keep
