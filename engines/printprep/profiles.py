"""Printer and material profiles (mm, g/cm³)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrinterProfile:
    """An FDM printer: build volume x, y, z (mm) and nozzle diameter (mm)."""

    name: str
    build_volume_mm: tuple[float, float, float]
    nozzle_mm: float
    title: str = ""


@dataclass(frozen=True)
class Material:
    """A filament: density (g/cm³) and filament diameter (mm)."""

    name: str
    density_g_cm3: float
    filament_diameter_mm: float = 1.75


PRINTERS: dict[str, PrinterProfile] = {
    "prusa_mk4": PrinterProfile("prusa_mk4", (250.0, 210.0, 220.0), 0.4, "Prusa MK4"),
    "bambu_x1c": PrinterProfile("bambu_x1c", (256.0, 256.0, 256.0), 0.4, "Bambu Lab X1C"),
    "ender3": PrinterProfile("ender3", (220.0, 220.0, 250.0), 0.4, "Creality Ender-3"),
}

MATERIALS: dict[str, Material] = {
    "PLA": Material("PLA", 1.24),
    "PETG": Material("PETG", 1.27),
}


def printer_profile(name: str) -> PrinterProfile:
    """Look a printer up by name; ValueError listing the known ones otherwise."""
    try:
        return PRINTERS[name]
    except KeyError:
        raise ValueError(
            f"unknown printer {name!r}; known: {', '.join(sorted(PRINTERS))}"
        ) from None


def material_profile(name: str) -> Material:
    """Look a material up by name; ValueError listing the known ones otherwise."""
    try:
        return MATERIALS[name]
    except KeyError:
        known = ", ".join(sorted(MATERIALS))
        raise ValueError(f"unknown material {name!r}; known: {known}") from None


SIZE_PRESETS_MM: dict[str, float] = {
    "keychain": 40.0,
    "palm-sized": 80.0,
    "hand-sized": 120.0,
    "desk-toy": 150.0,
    "tabletop": 200.0,
}


def target_size(value: float | str | None) -> float | None:
    """Target longest side (mm) from a number or a named preset such as 'palm-sized'."""
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    key = value.strip().lower().replace(" ", "-").replace("_", "-")
    if key not in SIZE_PRESETS_MM:
        known = ", ".join(sorted(SIZE_PRESETS_MM))
        raise ValueError(f"unknown size preset {value!r}; known: {known} (or a number in mm)")
    return SIZE_PRESETS_MM[key]


@dataclass(frozen=True)
class SlicerProfile:
    """The PrusaSlicer print settings both our estimate and the slicer use (mm, mm/s, s).

    Values are PrusaSlicer 2.5's defaults; `run_prusa_slicer` passes them explicitly, so the
    slicer and `slicing.estimate_print` never disagree about speeds, layers or cooling.
    """

    perimeters: int = 3
    top_solid_layers: int = 3
    bottom_solid_layers: int = 3
    first_layer_height_mm: float = 0.35
    first_layer_width_share: float = 2.0  # first_layer_extrusion_width = 200% of its height
    width_share: float = 1.125  # automatic extrusion width: 1.125 × nozzle
    top_width_share: float = 1.0  # top solid infill: 1.0 × nozzle
    perimeter_speed_mm_s: float = 60.0
    external_perimeter_speed_mm_s: float = 30.0  # PrusaSlicer: 50% of perimeter speed
    small_perimeter_speed_mm_s: float = 15.0
    small_perimeter_length_mm: float = 2 * 3.141592653589793 * 6.5  # loops up to r = 6.5 mm
    infill_speed_mm_s: float = 80.0
    solid_infill_speed_mm_s: float = 20.0
    top_solid_infill_speed_mm_s: float = 15.0
    travel_speed_mm_s: float = 130.0
    first_layer_speed_mm_s: float = 30.0
    solid_infill_below_area_mm2: float = 70.0
    slowdown_below_layer_time_s: float = 5.0
    min_print_speed_mm_s: float = 10.0
    acceleration_mm_s2: float = 1500.0  # machine_max_acceleration_extruding (time estimate)
    jerk_mm_s: float = 10.0  # machine_max_jerk_x / _y
    retract_mm: float = 2.0
    retract_speed_mm_s: float = 40.0
    skirt_distance_mm: float = 6.0
    fill_pattern: str = "stars"

    def cli_args(self) -> list[str]:
        """The same settings as prusa-slicer command-line options."""
        return [
            "--perimeters", str(self.perimeters),
            "--top-solid-layers", str(self.top_solid_layers),
            "--bottom-solid-layers", str(self.bottom_solid_layers),
            "--first-layer-height", f"{self.first_layer_height_mm:g}",
            "--first-layer-extrusion-width", f"{self.first_layer_width_share * 100:g}%",
            "--perimeter-speed", f"{self.perimeter_speed_mm_s:g}",
            "--external-perimeter-speed", f"{self.external_perimeter_speed_mm_s:g}",
            "--small-perimeter-speed", f"{self.small_perimeter_speed_mm_s:g}",
            "--infill-speed", f"{self.infill_speed_mm_s:g}",
            "--solid-infill-speed", f"{self.solid_infill_speed_mm_s:g}",
            "--top-solid-infill-speed", f"{self.top_solid_infill_speed_mm_s:g}",
            "--travel-speed", f"{self.travel_speed_mm_s:g}",
            "--first-layer-speed", f"{self.first_layer_speed_mm_s:g}",
            "--solid-infill-below-area", f"{self.solid_infill_below_area_mm2:g}",
            "--slowdown-below-layer-time", f"{self.slowdown_below_layer_time_s:g}",
            "--min-print-speed", f"{self.min_print_speed_mm_s:g}",
            "--fill-pattern", self.fill_pattern,
        ]  # fmt: skip


SLICER_PROFILE = SlicerProfile()
