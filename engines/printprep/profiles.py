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
