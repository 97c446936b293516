"""Design engine: from an idea's words to dozens of ranked, diverse, watertight variants (mm)."""

from __future__ import annotations

from engines.design.base import DesignError, Family, Param
from engines.design.families import FAMILIES
from engines.design.intent import Intent, detect_family, parse_intent
from engines.design.render import render_preview
from engines.design.variants import GeneratedVariant, generate_variants, write_variant_assets

__all__ = [
    "FAMILIES",
    "DesignError",
    "Family",
    "GeneratedVariant",
    "Intent",
    "Param",
    "detect_family",
    "generate_variants",
    "parse_intent",
    "render_preview",
    "write_variant_assets",
]
