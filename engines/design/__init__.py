"""Design engine: an idea's words -> a DesignSpec (reader/) -> dozens of ranked, labelled, visibly
different, watertight variants built from parts (generate.py; subjects/, features/, forms/) or
proposed by plug-in generators (generators/); lengths mm. The old family engine it replaced is
bench.design's baseline (bench/design/baseline)."""

from __future__ import annotations

from engines.design.base import DesignError
from engines.design.generate import (
    GeneratedVariant,
    generate_designs,
    generate_variants,
    glb_path,
    read,
    write_variant_assets,
)
from engines.design.kit.spec import Approximation, DesignSpec, FeatureSpec
from engines.design.preference import PreferenceModel
from engines.design.reference import ReferenceShape, load_reference
from engines.design.render import render_preview

__all__ = [
    "Approximation",
    "DesignError",
    "DesignSpec",
    "FeatureSpec",
    "GeneratedVariant",
    "PreferenceModel",
    "ReferenceShape",
    "generate_designs",
    "generate_variants",
    "glb_path",
    "load_reference",
    "read",
    "render_preview",
    "write_variant_assets",
]
