"""The old design engine (product families, word intent, Sobol variants), kept as the baseline
bench.design measures the engine in engines/design against, with its own tests
(tests/bench/design). Nothing in the pipeline uses it."""

from __future__ import annotations

from bench.design.baseline.families import FAMILIES
from bench.design.baseline.family import Family, Param
from bench.design.baseline.intent import Intent, detect_family, parse_intent
from bench.design.baseline.preference import PreferenceModel, learn
from bench.design.baseline.variants import (
    GeneratedVariant,
    generate_variants,
    intent_for,
    write_glb,
    write_variant_assets,
)
from engines.design.base import DesignError
from engines.design.generate import glb_path
from engines.design.reference import ReferenceShape, load_reference
from engines.design.render import render_preview

__all__ = [
    "FAMILIES",
    "DesignError",
    "Family",
    "GeneratedVariant",
    "Intent",
    "Param",
    "PreferenceModel",
    "ReferenceShape",
    "detect_family",
    "generate_variants",
    "glb_path",
    "intent_for",
    "learn",
    "load_reference",
    "parse_intent",
    "render_preview",
    "write_glb",
    "write_variant_assets",
]
