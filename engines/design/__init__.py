"""Design engine: from an idea's words to dozens of ranked, diverse, watertight variants (mm)."""

from __future__ import annotations

from engines.design.base import DesignError, Family, Param
from engines.design.families import FAMILIES
from engines.design.intent import Intent, detect_family, parse_intent
from engines.design.preference import PreferenceModel, learn
from engines.design.reference import ReferenceShape, load_reference
from engines.design.render import render_preview
from engines.design.variants import (
    GeneratedVariant,
    generate_variants,
    glb_path,
    intent_for,
    write_glb,
    write_variant_assets,
)

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
