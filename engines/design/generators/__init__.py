"""Design generators: the embedded parametric engine and plug-ins (a local process speaking
JSON, an in-process factory) whose meshes go through the same repair, checks and ranking."""

from __future__ import annotations

from engines.design.generators.base import (
    PARAMETRIC,
    ExternalDesign,
    ExternalPart,
    GenerationRequest,
    Generator,
    GeneratorError,
    MeshGenerator,
    Proposal,
)
from engines.design.generators.config import generators_from_config
from engines.design.generators.meshes import MeshSource, as_candidates
from engines.design.generators.parametric import ParametricGenerator
from engines.design.generators.process import PROTOCOL, ProcessGenerator

__all__ = [
    "PARAMETRIC",
    "PROTOCOL",
    "ExternalDesign",
    "ExternalPart",
    "GenerationRequest",
    "Generator",
    "GeneratorError",
    "MeshGenerator",
    "MeshSource",
    "ParametricGenerator",
    "ProcessGenerator",
    "Proposal",
    "as_candidates",
    "generators_from_config",
]
