"""Keychain charm: a flat shape (heart, star, round, paw), an optional dome and a ring (mm)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import trimesh

from bench.design.baseline.family import Family, Param, choice, level
from engines.design.shapes import ellipsoid, prism, torus, union

SHAPES = ("heart", "star", "round", "paw")
PARAMS = (
    Param("width", 25.0, 60.0, 40.0),
    Param("aspect", 0.7, 1.3, 1.0, unit=""),  # height / width
    Param("thickness", 3.0, 8.0, 4.5, thin=True),
    Param("dome", 0.0, 1.0, 0.3, unit=""),  # front dome height / thickness
    Param("loop_radius", 3.0, 8.0, 5.0),
    Param("loop_wire", 1.2, 2.6, 1.8, thin=True),
    Param("shape", 0.0, len(SHAPES) - 1.0, 0.0, unit="choice", choices=SHAPES),
)
_T = np.linspace(0.0, 2.0 * np.pi, 48, endpoint=False)


def _outline(shape: str) -> list[np.ndarray]:
    """Unit-size (about ±1) outlines of the charm's pieces, each star-shaped about its centroid."""
    if shape == "heart":
        x = 16 * np.sin(_T) ** 3
        y = 13 * np.cos(_T) - 5 * np.cos(2 * _T) - 2 * np.cos(3 * _T) - np.cos(4 * _T)
        return [np.column_stack([x, y + 2.5]) / 16.0]
    if shape == "star":
        r = 0.72 + 0.28 * np.cos(5 * _T)
        return [np.column_stack([r * np.sin(_T), r * np.cos(_T)])]
    circle = np.column_stack([np.cos(_T), np.sin(_T)])
    if shape == "round":
        return [circle]
    toes = [
        circle * 0.32 + (0.66 * np.sin(a), 0.66 * np.cos(a)) for a in (-1.05, -0.35, 0.35, 1.05)
    ]
    return [circle * (0.72, 0.6) + (0.0, -0.3), *toes]


def _top_at_centre(outlines: list[np.ndarray]) -> float:
    """Highest point where the outlines cross the vertical centre line (unit size)."""
    tops = []
    for a in outlines:
        b = np.roll(a, -1, axis=0)
        cross = (a[:, 0] <= 0) != (b[:, 0] <= 0)
        t = a[cross, 0] / (a[cross, 0] - b[cross, 0])
        tops.append((a[cross, 1] + t * (b[cross, 1] - a[cross, 1])).max(initial=-np.inf))
    return float(max(tops))


def build(p: Mapping[str, float]) -> trimesh.Trimesh:
    """Watertight charm standing upright, face towards +X, ring on top, mm."""
    half = np.array([p["width"] / 2, p["width"] * p["aspect"] / 2])
    t = p["thickness"]
    to_xz = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # (u, v, w) -> (w, u, v)
    pieces = [prism(o * half, -t / 2, t / 2) for o in _outline(choice(FAMILY, p, "shape"))]
    parts = [trimesh.Trimesh(m.vertices @ to_xz.T, m.faces, process=False) for m in pieces]
    if p["dome"] > 0.05:
        r = 0.4 * half.min()
        parts.append(ellipsoid((t / 2, 0.0, 0.0), (p["dome"] * t, r, r), subdiv=2))
    ring_z = _top_at_centre(_outline(choice(FAMILY, p, "shape"))) * half[1] + 0.6 * p["loop_radius"]
    wire = min(p["loop_wire"], 0.85 * t) / 2  # never grazing the faces: that leaves slivers
    parts.append(torus((0.0, 0.0, ring_z), p["loop_radius"], wire, normal=(1, 0, 0)))
    return union(parts)


def describe(p: Mapping[str, float], size_mm: float) -> tuple[str, str]:
    """Title and one-sentence looks of a keychain charm."""
    shape = choice(FAMILY, p, "shape")
    build_ = level(FAMILY, p, "thickness", ("thin", "medium", "chunky"))
    dome = level(FAMILY, p, "dome", ("flat", "softly domed", "puffy"))
    form = level(FAMILY, p, "aspect", ("wide", "balanced", "tall"))
    ring = level(FAMILY, p, "loop_radius", ("small", "medium", "large"))
    text = f"A {size_mm:.0f} mm {build_} {dome} {form} {shape} keychain charm with a {ring} ring."
    return f"{dome.capitalize()} {form} {shape} charm", text


# Words that name the product, and weaker words that only suggest it.
KEYWORDS = (
    "keychain", "key chain", "keyring", "key ring", "charm", "bag charm", "pendant", "zipper pull",
    "key fob", "phone charm",
)  # fmt: skip
HINTS = (
    "key", "fob", "bag",
)  # fmt: skip

FAMILY = Family(
    name="keychain_charm",
    params=PARAMS,
    default_size_mm=50.0,
    keywords=KEYWORDS,
    hints=HINTS,
    choice_words={s: ("shape", s) for s in SHAPES}
    | {"circle": ("shape", "round"), "love": ("shape", "heart"), "paw print": ("shape", "paw")},
    processes=("injection_moulding", "printing", "assembly", "packaging"),
    material_usd_per_cm3=0.004,
    phrases=(
        "a keychain",
        "a small charm that hangs from keys or a bag",
        "a key ring pendant",
        "a zipper pull charm",
        "a little dangling accessory for a backpack",
    ),
    build=build,
    describe=describe,
    colour=(236, 130, 160),
)
