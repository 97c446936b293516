"""Packing from the product itself: unit volume and mass, retail box, carton, chargeable kg."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engines.logistics.errors import PackingError

if TYPE_CHECKING:
    import trimesh

# Solid density (g/cm³) of the production materials the design engine names; for plush,
# the mesh is the stuffed envelope, so the figure is fibre fill and fabric per envelope cm³.
# Typical handbook values; all estimates (the product's spec sheet wins when known).
DENSITY_G_CM3: dict[str, float] = {
    "plastic": 1.05,  # ABS / PS, injection moulded
    "resin": 1.60,  # polyresin (resin + stone powder) figurines
    "ceramic": 2.40,  # stoneware / porcelain
    "clay": 1.90,
    "glass": 2.50,
    "metal": 6.70,  # zinc die-cast (zamak)
    "wood": 0.65,
    "felt": 0.35,
    "straw": 0.35,
    "wool": 0.20,
    "crochet": 0.20,
    "plush": 0.05,  # stuffed envelope, not solid fibre
    "PLA": 1.24,  # engines.printprep.profiles
    "PETG": 1.27,
}

# Volumetric divisors (cm³ per chargeable kg) by mode; the lanes file holds each lane's own.
# express 5,000 (DHL Express), air 6,000 (IATA: 1 m³ = 167 kg), rail 3,000 (1 CBM = 333 kg,
# estimate), sea LCL 1,000 (W/M: 1 CBM = 1 t).
DIVISORS_CM3_PER_KG: dict[str, float] = {"express": 5000, "air": 6000, "rail": 3000, "sea": 1000}


@dataclass(frozen=True)
class UnitSpec:
    """One product: bounding extents (mm, descending), solid volume (cm³), mass (g)."""

    extents_mm: tuple[float, float, float]
    volume_cm3: float
    mass_g: float
    material: str
    watertight: bool = True


@dataclass(frozen=True)
class RetailBox:
    """The unit in its retail box: outer size (mm, descending), box mass and gross (g)."""

    outer_mm: tuple[float, float, float]
    box_g: float
    gross_g: float


@dataclass(frozen=True)
class Carton:
    """An export carton: units, grid of boxes, outer size (mm), tare and full gross (kg)."""

    units: int
    grid: tuple[int, int, int]
    outer_mm: tuple[float, float, float]
    tare_kg: float
    gross_kg: float
    oversize: bool = False  # one box larger than the carton limits: shipped as its own carton

    @property
    def volume_cm3(self) -> float:
        """Outer volume, cm³."""
        return float(np.prod(self.outer_mm)) / 1000.0


@dataclass(frozen=True)
class Consignment:
    """Units packed for shipping: cartons, gross kg, volume cm³."""

    units: int
    cartons: int
    gross_kg: float
    volume_cm3: float

    @property
    def cbm(self) -> float:
        """Volume in cubic metres."""
        return self.volume_cm3 / 1e6


@dataclass(frozen=True)
class Packing:
    """How a product travels: the unit, its retail box and the export carton."""

    unit: UnitSpec
    box: RetailBox
    carton: Carton

    def consignment(self, units: int) -> Consignment:
        """Cartons, gross kg and volume cm³ for `units` (the last carton may be part full)."""
        if units < 1:
            raise PackingError(f"a consignment needs at least one unit, got {units}")
        cartons = math.ceil(units / self.carton.units)
        gross = units * self.box.gross_g / 1000.0 + cartons * self.carton.tare_kg
        return Consignment(units, cartons, gross, cartons * self.carton.volume_cm3)


def density_of(material: str) -> float:
    """Density g/cm³ of a material; PackingError naming the known ones otherwise."""
    try:
        return DENSITY_G_CM3[material]
    except KeyError:
        known = ", ".join(sorted(DENSITY_G_CM3))
        raise PackingError(f"unknown material {material!r}; known: {known}") from None


def unit_from_mesh(
    mesh: trimesh.Trimesh, material: str, density_g_cm3: float | None = None
) -> UnitSpec:
    """Volume (cm³) and mass (g) of a mesh in mm; a leaky mesh is measured by its hull."""
    if mesh is None or len(getattr(mesh, "faces", ())) == 0:
        raise PackingError("the design's mesh is empty: nothing to measure")
    density = density_g_cm3 if density_g_cm3 is not None else density_of(material)
    if not density > 0:
        raise PackingError(f"density must be above 0 g/cm³, got {density}")
    extents = np.sort(np.asarray(mesh.extents, float))[::-1]
    if not np.all(np.isfinite(extents)) or extents[-1] <= 0:
        raise PackingError(f"the mesh is flat or not finite: extents {extents.tolist()} mm")
    watertight = bool(mesh.is_watertight)
    volume_mm3 = abs(float(mesh.volume)) if watertight else float(mesh.convex_hull.volume)
    volume_cm3 = volume_mm3 / 1000.0
    e = (float(extents[0]), float(extents[1]), float(extents[2]))
    return UnitSpec(e, volume_cm3, volume_cm3 * density, material, watertight)


def unit_from_dimensions(
    extents_mm: tuple[float, float, float], mass_g: float, material: str = "plastic"
) -> UnitSpec:
    """A unit given by hand: extents (mm) and mass (g); volume estimated from the density."""
    e = np.sort(np.asarray(extents_mm, float))[::-1]
    if e.shape != (3,) or not np.all(e > 0) or not mass_g > 0:
        raise PackingError(f"extents and mass must be above 0, got {extents_mm} mm, {mass_g} g")
    volume = mass_g / DENSITY_G_CM3.get(material, 1.0)
    return UnitSpec((float(e[0]), float(e[1]), float(e[2])), volume, float(mass_g), material)


def retail_box(
    unit: UnitSpec, padding_mm: float = 5.0, board_mm: float = 1.5, board_g_m2: float = 350.0
) -> RetailBox:
    """A folding retail box around the unit: padding each side, board thickness and grammage."""
    outer = np.asarray(unit.extents_mm) + 2.0 * (padding_mm + board_mm)
    area_m2 = 2.0 * (outer[0] * outer[1] + outer[1] * outer[2] + outer[0] * outer[2]) / 1e6
    box_g = float(area_m2 * board_g_m2 * 1.15)  # tuck flaps and the insert: +15 %
    o = np.sort(outer)[::-1]
    return RetailBox((float(o[0]), float(o[1]), float(o[2])), box_g, unit.mass_g + box_g)


def _grids(
    box_mm: np.ndarray, inner_max_mm: float, max_units: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every (orientation × grid) of boxes within the inner limit: counts (n, 3), inner mm (n, 3)."""
    perms = np.array(list(itertools.permutations(box_mm)))  # (6, 3)
    n_max = max(1, int(inner_max_mm // box_mm.min()))
    counts = np.array(list(itertools.product(range(1, n_max + 1), repeat=3)))  # (k, 3)
    counts = counts[np.prod(counts, axis=1) <= max_units]
    inner = perms[:, None, :] * counts[None, :, :]  # (6, k, 3)
    counts_all = np.broadcast_to(counts, inner.shape).reshape(-1, 3)
    return counts_all, inner.reshape(-1, 3)


def pack_carton(
    box: RetailBox,
    max_side_mm: float = 600.0,
    max_gross_kg: float = 20.0,
    wall_mm: float = 6.0,
    board_kg_m2: float = 0.9,
    max_units: int = 500,
) -> Carton:
    """The carton holding the most boxes within a side and a gross-weight limit (mm, kg)."""
    b = np.asarray(box.outer_mm, float)
    counts, inner = _grids(b, max_side_mm - 2 * wall_mm, max_units)
    outer = inner + 2 * wall_mm
    area_m2 = (
        2
        * (outer[:, 0] * outer[:, 1] + outer[:, 1] * outer[:, 2] + outer[:, 0] * outer[:, 2])
        / 1e6
    )
    tare = area_m2 * board_kg_m2
    units = np.prod(counts, axis=1)
    gross = units * box.gross_g / 1000.0 + tare
    ok = np.all(outer <= max_side_mm + 1e-9, axis=1) & (gross <= max_gross_kg)
    if not ok.any():  # one box too big or too heavy: it travels alone in an overpack
        o = b + 2 * wall_mm
        t = float(2 * (o[0] * o[1] + o[1] * o[2] + o[0] * o[2]) / 1e6 * board_kg_m2)
        return Carton(
            1, (1, 1, 1), (float(o[0]), float(o[1]), float(o[2])), t, box.gross_g / 1000 + t, True
        )
    volume = np.prod(outer, axis=1)
    order = np.lexsort((outer.max(axis=1) - outer.min(axis=1), volume, -units))
    best = int(np.flatnonzero(ok[order])[0])
    i = int(order[best])
    g = counts[i]
    o = outer[i]
    return Carton(
        int(units[i]),
        (int(g[0]), int(g[1]), int(g[2])),
        (float(o[0]), float(o[1]), float(o[2])),
        float(tare[i]),
        float(gross[i]),
    )


def pack(unit: UnitSpec, **carton_limits: float) -> Packing:
    """Retail box and export carton for a unit (carton limits as in `pack_carton`)."""
    box = retail_box(unit)
    return Packing(unit, box, pack_carton(box, **carton_limits))  # type: ignore[arg-type]


def chargeable_kg(
    gross_kg: np.ndarray | float,
    volume_cm3: np.ndarray | float,
    divisor_cm3_per_kg: np.ndarray | float,
) -> np.ndarray:
    """Chargeable weight (kg): the greater of actual and volumetric (volume cm³ / divisor)."""
    return np.maximum(
        np.asarray(gross_kg, float),
        np.asarray(volume_cm3, float) / np.asarray(divisor_cm3_per_kg, float),
    )
