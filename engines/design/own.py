"""A merchant's own model as a design variant: read with the print-prep loader, put in mm by
its units (a guess is stated), scaled as asked, then previewed and costed like a generated
variant. It is labelled "your model" and its source is "merchant"; print prep repairs and
checks the original file later with the same units, so both stages read it the same way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

from engines.design.base import PROCESS_COST_USD, DesignError
from engines.design.forms.rules import FORM_RULES
from engines.design.generate import BED_MM, GeneratedVariant, fits_bed
from engines.design.kit.spec import DesignSpec
from engines.printprep.errors import UnprintableMesh
from engines.printprep.fit import UNIT_MM, sizing_refusal
from engines.printprep.meshio import load_mesh

OWN_SOURCE = "merchant"  # GeneratedVariant.source of the merchant's own model
CUSTOM_FORM = "custom"  # the form of an own model whose words name none we make
CUSTOM_PROCESSES = ("injection_moulding", "printing", "assembly", "packaging")
CUSTOM_USD_PER_CM3 = 0.004  # rigid moulded plastic, as the moulded forms
OWN_COLOUR = (170, 190, 215)  # a neutral blue-grey: not one of the generated colourways
MAX_OWN_BYTES = 100_000_000
MAX_OWN_TRIANGLES = 2_000_000


def read_own_model(
    path: str | Path,
    *,
    units: str = "auto",
    scale: float | None = None,
    target_size_mm: float | None = None,
    bed_mm: tuple[float, float, float] = BED_MM,
) -> tuple[trimesh.Trimesh, str, str]:
    """The model in mm, centred and standing on z = 0, with its unit and how it was read;
    DesignError (the loader's or the unit reason) when it cannot be read or sized."""
    p = Path(path)
    try:
        mesh = load_mesh(p, MAX_OWN_BYTES, MAX_OWN_TRIANGLES)
    except UnprintableMesh as err:
        raise DesignError(f"your model cannot be read: {err}") from err
    extents = tuple(float(e) for e in mesh.extents)
    longest = max(extents)
    if longest <= 0:
        raise DesignError("your model has no size: all its corners are at one point")
    choice, refusal = sizing_refusal(
        (extents[0], extents[1], extents[2]), p.suffix.lower(), mesh.metadata.get("unit"),
        units, scale, target_size_mm, bed_mm,
    )  # fmt: skip
    if refusal is not None:
        raise DesignError(f"your model cannot be printed as sent: {refusal}")
    factor = (
        target_size_mm / longest
        if target_size_mm is not None
        else UNIT_MM[choice.unit] * (scale or 1.0)
    )
    mm = mesh.copy()
    mm.apply_scale(factor)
    lo, hi = mm.bounds
    mm.apply_translation([-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, -lo[2]])
    return mm, choice.unit, choice.reason


def _volume_cm3(mesh: trimesh.Trimesh) -> float:
    """Solid volume (cm³): the mesh's own when closed, else its convex hull's (an upper bound)."""
    if mesh.is_volume:
        return float(mesh.volume) / 1000.0
    try:
        return float(mesh.convex_hull.volume) / 1000.0
    except Exception:  # noqa: BLE001 - a flat or degenerate mesh has no hull volume
        return 0.0


def own_model_variant(
    path: str | Path,
    spec: DesignSpec | None,
    *,
    units: str = "auto",
    scale: float | None = None,
    target_size_mm: float | None = None,
    allow_split: bool = False,
    bed_mm: tuple[float, float, float] = BED_MM,
) -> GeneratedVariant:
    """The merchant's model as variant #1: dims, volume and unit cost in the form the words
    name (or a rigid moulded product), findings that say how its units were read."""
    mesh, unit, how = read_own_model(
        path, units=units, scale=scale, target_size_mm=target_size_mm, bed_mm=bed_mm
    )
    rule = FORM_RULES.get(spec.form) if spec is not None else None
    form = rule.form if rule is not None else CUSTOM_FORM
    processes = list(rule.processes if rule is not None else CUSTOM_PROCESSES)
    usd_per_cm3 = rule.material_usd_per_cm3 if rule is not None else CUSTOM_USD_PER_CM3
    volume_cm3 = _volume_cm3(mesh)
    cost = volume_cm3 * usd_per_cm3 + sum(PROCESS_COST_USD.get(p, 0.0) for p in processes)
    dims = tuple(round(float(e), 3) for e in mesh.extents)
    findings = [f"units: {how}"]
    bodies = len(mesh.split(only_watertight=False)) if len(mesh.faces) < 200_000 else 1
    fits = fits_bed(mesh, bed_mm)
    if not fits and bodies == 1 and not allow_split:
        findings.append(
            f"larger than the {bed_mm[0]:g} x {bed_mm[1]:g} x {bed_mm[2]:g} mm bed as it "
            "stands: print prep lays it flat, or set allow_split or a smaller scale"
        )
    if not mesh.is_watertight:
        findings.append("not closed as sent: print prep repairs it and shows what changed")
    name = Path(path).name
    return GeneratedVariant(
        rank=1,
        family=form,
        name="Your model",
        description=f"your own model ({name}), {' x '.join(f'{d:.1f}' for d in dims)} mm; " + how,
        params={"size_mm": float(max(dims))},
        score=1.0,
        unit_cost_usd=round(cost, 4),
        volume_cm3=volume_cm3,
        dims_mm=(dims[0], dims[1], dims[2]),
        processes=processes,
        printable=fits or bodies > 1 or allow_split,
        mesh=mesh,
        colour=OWN_COLOUR,
        labels=["your model", f"in {unit}"],
        parts=["body"],
        face_colours=np.tile(np.asarray(OWN_COLOUR, np.uint8), (len(mesh.faces), 1)),
        owner=np.zeros(len(mesh.faces), np.int64),
        part_colours=[OWN_COLOUR],
        part_materials=[None],
        source=OWN_SOURCE,
        spec=spec,
        findings=findings,
    )
