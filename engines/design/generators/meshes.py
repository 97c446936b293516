"""External meshes become candidates: validated, repaired (engines.printprep), scaled to the
requested size (mm), standing on z = 0, and checked to join into one solid. A design that
cannot be made so is skipped with a finding naming the generator and the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import trimesh

from engines.design import axes
from engines.design.base import DesignError
from engines.design.generators.base import (
    ExternalDesign,
    ExternalPart,
    GenerationRequest,
    GeneratorError,
    MeshGenerator,
    Proposal,
)
from engines.design.kit.parts import Model, Part
from engines.printprep.errors import UnprintableMesh
from engines.printprep.repair import repair_mesh

if TYPE_CHECKING:
    from engines.design.generate import Candidate

MAX_PARTS = 16  # parts per external design
MAX_TRIANGLES = 200_000  # triangles per external design, all parts together
MAX_LABEL_CHARS = 40
# An external design's words fit: we cannot check that the worded subject, features and colours
# are there, so it counts half of a parametric design known to carry them all.
EXTERNAL_WORDS_FIT = 0.5
EXTERNAL_ORIGIN = "external"


@dataclass(frozen=True)
class MeshSource:
    """A mesh generator as a Generator: its designs repaired, scaled and made candidates."""

    generator: MeshGenerator

    @property
    def name(self) -> str:
        """The source label its variants carry."""
        return self.generator.name

    def propose(self, request: GenerationRequest) -> Proposal:
        """Its designs as candidates; a failing generator gives a finding, never an exception."""
        try:
            designs = list(self.generator.designs(request))[: request.count]
        except GeneratorError as err:
            return Proposal([], [f"generator {self.name} skipped: {err}"])
        except Exception as err:  # noqa: BLE001 - a plug-in's bug must not stop the design stage
            return Proposal([], [f"generator {self.name} skipped: it failed ({err!r:.200})"])
        return as_candidates(self.name, designs, request)


def as_candidates(
    source: str, designs: Sequence[ExternalDesign], request: GenerationRequest
) -> Proposal:
    """Candidates of the designs that can be made; findings for the ones skipped."""
    out = Proposal()
    for k, design in enumerate(designs, start=1):
        label = clean_label(design.label) or f"design {k}"
        try:
            out.candidates.append(candidate(source, design, label, request))
        except (DesignError, UnprintableMesh) as err:  # GeneratorError is a DesignError
            out.findings.append(f"generator {source}, {label}: skipped, {err}")
    return out


def clean_label(text: str) -> str:
    """A label a page can show: printable characters, one line, at most MAX_LABEL_CHARS."""
    kept = "".join(c if c.isprintable() else " " for c in str(text))
    return " ".join(kept.split())[:MAX_LABEL_CHARS]


def candidate(
    source: str, design: ExternalDesign, label: str, request: GenerationRequest
) -> Candidate:
    """One design as a candidate of the pipeline (engines.design.generate.Candidate)."""
    from engines.design.generate import Candidate

    if not 1 <= len(design.parts) <= MAX_PARTS:
        raise GeneratorError(f"a design needs 1 to {MAX_PARTS} parts, not {len(design.parts)}")
    triangles = sum(len(np.asarray(p.faces)) for p in design.parts)
    if triangles > MAX_TRIANGLES:
        raise GeneratorError(f"{triangles} triangles, over the {MAX_TRIANGLES} limit")
    parts = [Part(clean_label(p.name) or f"part {i}", _solid(p), _colour(p.colour), "body",
                  p.material) for i, p in enumerate(design.parts, start=1)]  # fmt: skip
    model = _sized(Model(parts), request.size_mm)
    model.solid()  # DesignError when the parts do not join into one solid
    n = len(parts)
    return Candidate(
        choice=axes.default_choice(request.spec), model=model, origin=[EXTERNAL_ORIGIN] * n,
        worded=np.zeros(n, dtype=bool), words_fit=EXTERNAL_WORDS_FIT, findings=[],
        natural=[p.colour for p in parts], source=source, label=label,
    )  # fmt: skip


def _solid(part: ExternalPart) -> trimesh.Trimesh:
    """The part as a closed, outward-facing solid (printprep's repair); GeneratorError if not."""
    vertices = np.asarray(part.vertices, dtype=np.float64)
    faces = np.asarray(part.faces)
    if vertices.ndim != 2 or vertices.shape[1] != 3 or len(vertices) < 3:
        raise GeneratorError(f"part {part.name!r}: vertices must be rows of x, y, z")
    if not np.isfinite(vertices).all():
        raise GeneratorError(f"part {part.name!r}: a vertex is not a finite number")
    if faces.ndim != 2 or faces.shape[1] != 3 or len(faces) < 1:
        raise GeneratorError(f"part {part.name!r}: faces must be rows of 3 vertex indices")
    if (
        not np.issubdtype(faces.dtype, np.integer)
        or faces.min() < 0
        or faces.max() >= len(vertices)
    ):
        raise GeneratorError(f"part {part.name!r}: a face index is not a vertex of the part")
    mesh = trimesh.Trimesh(vertices, faces.astype(np.int64), process=False)
    if mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0:
        return mesh  # already a clean solid: repair would only re-check it
    try:
        repaired = repair_mesh(mesh).mesh
    except UnprintableMesh as err:
        raise GeneratorError(f"part {part.name!r} is not a closed solid: {err.reason}") from err
    if not repaired.is_watertight or repaired.volume <= 0:
        raise GeneratorError(f"part {part.name!r} is not a closed solid after repair")
    return repaired


def _colour(value: Sequence[int]) -> tuple[int, int, int]:
    """An RGB triple of 0..255 integers; GeneratorError otherwise."""
    rgb = tuple(int(c) for c in value) if len(value) == 3 else ()
    if len(rgb) != 3 or any(not 0 <= c <= 255 for c in rgb):
        raise GeneratorError(f"colour {list(value)!r} is not three integers 0..255")
    return rgb  # type: ignore[return-value]


def _sized(model: Model, size_mm: float) -> Model:
    """The model scaled so its longest side is size_mm, centred on x = y = 0, on z = 0."""
    lo, hi = model.bounds
    longest = float((hi - lo).max())
    if not longest > 0:
        raise GeneratorError("the design has no extent")
    scale = size_mm / longest
    matrix = np.diag([scale, scale, scale, 1.0])
    matrix[:3, 3] = -scale * np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    return model.transform(matrix)
