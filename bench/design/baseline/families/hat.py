"""Hat: a hollow crown, a drooping brim and a band, revolved as one shell (mm)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import trimesh

from bench.design.baseline.family import Family, Param, level
from engines.design.shapes import revolve

PARAMS = (
    Param("crown_height", 60.0, 140.0, 100.0),
    Param("crown_radius", 70.0, 100.0, 88.0),
    Param("crown_taper", 0.6, 1.0, 0.85, unit=""),  # top radius / base radius
    Param("brim_width", 15.0, 110.0, 55.0),
    Param("brim_droop", 0.0, 0.8, 0.2, unit=""),  # drop of the brim edge / brim width
    Param("band_height", 4.0, 35.0, 18.0),
    Param("wall", 1.5, 5.0, 2.5, thin=True),
)


def _profile(p: Mapping[str, float]) -> np.ndarray:
    """Closed (radius, height) outline of the hat's cross-section, mm."""
    h, rc, t, w = p["crown_height"], p["crown_radius"], p["wall"], p["brim_width"]
    rt = rc * p["crown_taper"]
    k = max(min(0.25 * rt, 0.3 * h), 2.0 * t)  # top-corner rounding radius
    theta = np.linspace(np.pi / 2, 0.0, 5)
    outer_arc = np.column_stack([rt - k + k * np.cos(theta), h - k + k * np.sin(theta)])
    inner_arc = np.column_stack([rt - k + (k - t) * np.cos(theta), h - k + (k - t) * np.sin(theta)])

    def wall_r(z: float) -> float:
        return rc + (rt - rc) * (z - t) / (h - k - t)

    z1 = t + min(p["band_height"], 0.8 * (h - k - t))
    r = np.linspace(rc + t, rc + w, 8)
    drop = p["brim_droop"] * w * ((r - rc) / w) ** 1.5
    return np.vstack(
        [
            [[0.0, h]],
            outer_arc,
            [[wall_r(z1), z1], [wall_r(z1) + t, z1]],
            np.column_stack([r, t - drop]),
            np.column_stack([r, -drop])[::-1],
            [[rc - t, 0.0]],
            inner_arc[::-1],
            [[0.0, h - t]],
        ]
    )


def build(p: Mapping[str, float]) -> trimesh.Trimesh:
    """Watertight hat shell, brim edge at the bottom, mm."""
    return revolve(_profile(p), sections=48)


def describe(p: Mapping[str, float], size_mm: float) -> tuple[str, str]:
    """Title and one-sentence looks of a hat."""
    brim = level(FAMILY, p, "brim_width", ("narrow", "medium", "wide"))
    droop = level(FAMILY, p, "brim_droop", ("flat", "gently curved", "floppy"))
    crown = level(FAMILY, p, "crown_height", ("low", "medium", "tall"))
    taper = level(FAMILY, p, "crown_taper", ("tapered", "slightly tapered", "straight-sided"))
    band = level(FAMILY, p, "band_height", ("thin", "medium", "broad"))
    floppy = "floppy " if droop == "floppy" else ""
    title = f"{brim.capitalize()}-brim {floppy}hat with {crown} crown"
    text = (
        f"A {size_mm:.0f} mm hat with a {brim} {droop} brim, a {crown} {taper} crown "
        f"and a {band} band."
    )
    return title, text


# Words that name the product, and weaker words that only suggest it.
KEYWORDS = (
    "hat", "sun hat", "sunhat", "bucket hat", "cap", "beanie", "fedora", "sombrero", "panama",
    "boater", "cowboy hat", "stetson", "trilby", "bonnet", "headwear",
)  # fmt: skip
HINTS = (
    "brim", "straw", "sun", "head",
)  # fmt: skip

FAMILY = Family(
    name="hat",
    params=PARAMS,
    default_size_mm=300.0,
    keywords=KEYWORDS,
    hints=HINTS,
    processes=("straw_weaving", "hat_blocking", "embroidery", "packaging"),
    material_usd_per_cm3=0.004,
    phrases=(
        "a hat",
        "a sun hat with a wide brim",
        "a straw hat to wear on your head",
        "a cap, beanie, bucket hat or fedora",
        "headwear for the beach",
    ),
    build=build,
    describe=describe,
    colour=(222, 196, 140),
)
