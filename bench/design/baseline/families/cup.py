"""Cup: a revolved body with a bellied wall, a solid base and a ring handle (mm)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import trimesh

from bench.design.baseline.family import Family, Param, level
from engines.design.shapes import difference, revolve, torus, union

PARAMS = (
    Param("height", 70.0, 130.0, 95.0),
    Param("top_radius", 32.0, 50.0, 42.0),
    Param("bottom_radius", 25.0, 45.0, 35.0),
    Param("belly", 0.0, 10.0, 2.0),  # outward bulge at mid-height
    Param("wall", 2.5, 6.0, 3.5, thin=True),
    Param("base", 4.0, 10.0, 6.0),
    Param("handle_size", 14.0, 32.0, 22.0),  # ring radius
    Param("handle_wire", 5.0, 10.0, 7.0, thin=True),
)


def _radius(p: Mapping[str, float], z: np.ndarray) -> np.ndarray:
    """Outer radius of the cup at height z, mm."""
    f = z / p["height"]
    return (
        p["bottom_radius"]
        + (p["top_radius"] - p["bottom_radius"]) * f
        + p["belly"] * np.sin(np.pi * f)
    )


def build(p: Mapping[str, float]) -> trimesh.Trimesh:
    """Watertight open cup standing on z = 0, handle towards +Y, mm."""
    h, w = p["height"], p["wall"]
    z = np.linspace(0.0, h, 12)
    outer = np.vstack([[[0.0, 0.0]], np.column_stack([_radius(p, z), z]), [[0.0, h]]])
    zi = np.linspace(p["base"], h, 10)
    inner_r = _radius(p, zi) - w
    cavity = np.vstack(
        [[[0.0, zi[0]]], np.column_stack([inner_r, zi]), [[inner_r[-1], h + 5.0]], [[0.0, h + 5.0]]]
    )
    zc, ring = 0.55 * h, p["handle_size"]
    centre = (0.0, float(_radius(p, np.array(zc))) - w / 2 + 0.55 * ring, zc)
    handle = torus(centre, ring, p["handle_wire"] / 2, normal=(1, 0, 0))
    body = union([revolve(outer, sections=40), handle])
    return difference(body, revolve(cavity, sections=40))


def describe(p: Mapping[str, float], size_mm: float) -> tuple[str, str]:
    """Title and one-sentence looks of a cup."""
    height = level(FAMILY, p, "height", ("squat", "classic", "tall"))
    belly = level(FAMILY, p, "belly", ("straight-walled", "gently bellied", "round-bellied"))
    flare = "flared" if p["top_radius"] > p["bottom_radius"] + 5 else "straight-rimmed"
    handle = level(FAMILY, p, "handle_size", ("small", "medium", "large"))
    text = f"A {size_mm:.0f} mm {height} {belly} {flare} cup with a {handle} ring handle."
    return f"{height.capitalize()} {belly} mug with {handle} handle", text


# Words that name the product, and weaker words that only suggest it.
KEYWORDS = (
    "cup", "mug", "teacup", "tumbler", "beaker", "coffee cup", "tea cup", "espresso cup",
)  # fmt: skip
HINTS = (
    "coffee", "tea", "latte", "drink", "ceramic", "handle",
)  # fmt: skip

FAMILY = Family(
    name="cup",
    params=PARAMS,
    default_size_mm=120.0,
    keywords=KEYWORDS,
    hints=HINTS,
    processes=("ceramic_glazing", "printing", "packaging"),
    material_usd_per_cm3=0.003,
    phrases=(
        "a cup",
        "a coffee mug",
        "a ceramic mug for tea",
        "a drinking cup with a handle",
        "kitchenware for hot drinks",
    ),
    build=build,
    describe=describe,
    colour=(235, 232, 222),
)
