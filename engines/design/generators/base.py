"""What a design generator is: a named source that proposes designs for a DesignSpec (mm).

Two kinds plug in. The parametric engine proposes built candidates (parts with their axes and
where each part came from); every other generator (a local process, a text-to-3D service, a GPU
model) proposes plain coloured meshes, which engines.design.generators.meshes repairs, scales and
turns into candidates. Both then go through the same joining, checks, ranking and labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from engines.design.base import DesignError
from engines.design.kit.spec import DesignSpec

if TYPE_CHECKING:
    from engines.design.generate import Candidate

RGB = tuple[int, int, int]
PARAMETRIC = "parametric"  # the embedded generator's source label


class GeneratorError(DesignError):
    """A generator that failed or answered badly; the message names it and says why."""


@dataclass(frozen=True)
class GenerationRequest:
    """What a generator is asked for: the spec, how many designs, a seed, the size (mm)."""

    spec: DesignSpec
    count: int  # designs wanted from this generator (it may return fewer)
    seed: int
    size_mm: float  # longest side the designs are scaled to
    bed_mm: tuple[float, float, float] = (250.0, 210.0, 220.0)  # printer build volume x, y, z


@dataclass(frozen=True)
class ExternalPart:
    """One coloured part of an external design: vertices (n, 3) and triangles (m, 3), +Z up."""

    name: str
    vertices: np.ndarray
    faces: np.ndarray
    colour: RGB = (200, 200, 200)
    material: str | None = None


@dataclass(frozen=True)
class ExternalDesign:
    """One design from an external generator: its parts and what sets it apart ("smooth")."""

    parts: tuple[ExternalPart, ...]
    label: str = ""


@dataclass
class Proposal:
    """A generator's answer: candidates ready to join, and findings for what it skipped."""

    candidates: list[Candidate] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


@runtime_checkable
class Generator(Protocol):
    """Proposes built candidates for a request (the parametric engine; meshes.MeshSource)."""

    @property
    def name(self) -> str: ...

    def propose(self, request: GenerationRequest) -> Proposal: ...


@runtime_checkable
class MeshGenerator(Protocol):
    """Proposes plain meshes for a request; GeneratorError when it cannot (the plug-in kind)."""

    @property
    def name(self) -> str: ...

    def designs(self, request: GenerationRequest) -> Sequence[ExternalDesign]: ...
