"""Phone stand: a base, a reclined back plate, a front lip and optional animal ears (mm)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import trimesh

from bench.design.baseline.families._parts import ear
from bench.design.baseline.family import Family, Param, choice, level
from engines.design.shapes import box, union

TOPPERS = ("plain", "cat", "bear", "bunny")
PARAMS = (
    Param("base_depth", 70.0, 120.0, 90.0),
    Param("base_width", 60.0, 110.0, 80.0),
    Param("base_thickness", 4.0, 10.0, 6.0, thin=True),
    Param("back_height", 70.0, 140.0, 110.0),
    Param("back_angle", 55.0, 78.0, 65.0, unit="deg"),  # from the desk
    Param("plate_thickness", 4.0, 10.0, 6.0, thin=True),
    Param("lip_height", 6.0, 20.0, 12.0),
    Param("topper", 0.0, len(TOPPERS) - 1.0, 0.0, unit="choice", choices=TOPPERS),
)


def _ears(kind: str, top: np.ndarray, up: np.ndarray, width: float) -> list[trimesh.Trimesh]:
    """Two ears of `kind` on the top edge of the back plate, mm."""
    if kind == "plain":
        return []
    size = 0.16 * width
    return [ear(kind, top + (0.0, s * 0.3 * width, 0.0), up, size) for s in (-1.0, 1.0)]


def build(p: Mapping[str, float]) -> trimesh.Trimesh:
    """Watertight phone stand standing on z = 0, phone facing +X, mm."""
    depth, width, tb = p["base_depth"], p["base_width"], p["base_thickness"]
    tp, height = p["plate_thickness"], p["back_height"]
    lean = 90.0 - p["back_angle"]
    up = np.array([-np.sin(np.radians(lean)), 0.0, np.cos(np.radians(lean))])
    foot = np.array([0.1 * depth, 0.0, 0.5 * tb])
    plate = box((tp, width, height), foot + up * height / 2, tilt_y_deg=-lean)
    lip = box(
        (tp, width, tb + p["lip_height"]), (depth / 2 - tp / 2, 0, (tb + p["lip_height"]) / 2)
    )
    parts = [box((depth, width, tb), (0.0, 0.0, tb / 2)), plate, lip]
    parts += _ears(choice(FAMILY, p, "topper"), foot + up * (height - 0.05 * width), up, width)
    return union(parts)


def describe(p: Mapping[str, float], size_mm: float) -> tuple[str, str]:
    """Title and one-sentence looks of a phone stand."""
    topper = choice(FAMILY, p, "topper")
    lean = level(FAMILY, p, "back_angle", ("deeply reclined", "reclined", "upright"))
    back = level(FAMILY, p, "back_height", ("short", "medium", "tall"))
    base = level(FAMILY, p, "base_width", ("narrow", "medium", "wide"))
    lip = level(FAMILY, p, "lip_height", ("low", "medium", "high"))
    ears = "" if topper == "plain" else f" topped with {topper} ears"
    text = (
        f"A {size_mm:.0f} mm phone stand with a {back} {lean} back plate{ears}, "
        f"a {base} base and a {lip} front lip."
    )
    kind = "phone stand" if topper == "plain" else f"{topper}-ear phone stand"
    return f"{back.capitalize()} {lean} {kind}", text


# Words that name the product, and weaker words that only suggest it.
KEYWORDS = (
    "phone stand", "phone holder", "phone dock", "phone cradle", "tablet stand", "tablet holder",
    "mobile stand", "mobile holder", "desk stand", "ipad stand",
)  # fmt: skip
HINTS = (
    "phone", "stand", "holder", "dock", "tablet", "smartphone", "iphone",
)  # fmt: skip

FAMILY = Family(
    name="phone_stand",
    params=PARAMS,
    default_size_mm=120.0,
    keywords=KEYWORDS,
    hints=HINTS,
    choice_words={s: ("topper", s) for s in ("cat", "bear", "bunny")}
    | {"kitten": ("topper", "cat"), "teddy": ("topper", "bear"), "rabbit": ("topper", "bunny")},
    processes=("injection_moulding", "assembly", "packaging"),
    material_usd_per_cm3=0.0025,
    phrases=(
        "a phone stand",
        "a holder that props up a smartphone on a desk",
        "a tablet stand",
        "a mobile phone dock",
        "a desk stand to watch videos on your phone hands-free",
    ),
    build=build,
    describe=describe,
    colour=(120, 170, 210),
)
