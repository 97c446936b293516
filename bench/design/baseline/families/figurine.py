"""Figurine: a chibi character or a robot toy on a round plinth, with arms, ears or antennae
and a face (mm)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import trimesh

from bench.design.baseline.families._parts import face, head_ears
from bench.design.baseline.family import Family, Param, choice, level
from engines.design.shapes import box, capsule, cylinder, ellipsoid, sphere, union

EARS = ("none", "cat", "bear", "bunny")
STYLES = ("character", "robot")  # a robot has a boxy body and head and antennae instead of ears
PARAMS = (
    Param("base_radius", 18.0, 35.0, 26.0),
    Param("base_height", 3.0, 10.0, 5.0),
    Param("body_height", 25.0, 55.0, 38.0),
    Param("body_radius", 10.0, 22.0, 15.0),
    Param("head_radius", 10.0, 24.0, 16.0),
    Param("arm_length", 8.0, 25.0, 15.0),
    Param("arm_radius", 2.5, 6.0, 4.0, thin=True),
    Param("ear_size", 4.0, 14.0, 8.0),
    Param("mouth_curve", -1.0, 1.0, 0.4, unit=""),
    Param("ears", 0.0, len(EARS) - 1.0, 0.0, unit="choice", choices=EARS),
    Param("style", 0.0, len(STYLES) - 1.0, 0.0, unit="choice", choices=STYLES),
)


def _arms(p: Mapping[str, float], shoulder_z: float) -> list[trimesh.Trimesh]:
    """Two arms hanging forward and outward from the shoulders, mm."""
    br, length = p["body_radius"], p["arm_length"]
    return [
        capsule(
            (0.0, s * 0.7 * br, shoulder_z),
            (0.3 * length, s * (0.8 * br + 0.6 * length), shoulder_z - 0.7 * length),
            p["arm_radius"],
            count=8,
        )
        for s in (-1.0, 1.0)
    ]


def _robot(p: Mapping[str, float], body_cz: float, head: np.ndarray) -> list[trimesh.Trimesh]:
    """A robot's boxy torso and head with two antennae as tall as the ears would be, mm."""
    br, hr, body_h = p["body_radius"], p["head_radius"], p["body_height"]
    torso = box((1.5 * br, 1.7 * br, 0.95 * body_h), (0.0, 0.0, body_cz))
    skull = box((1.7 * hr, 1.8 * hr, 1.6 * hr), head)
    rod_r = max(0.45 * p["arm_radius"], 0.06 * hr)
    antennae = []
    for s in (-1.0, 1.0):
        foot = head + np.array([0.0, s * 0.5 * hr, 0.7 * hr])
        tip = foot + np.array([0.0, s * 0.2 * p["ear_size"], 0.3 * hr + p["ear_size"]])
        antennae += [cylinder(foot, tip, rod_r, sections=12), sphere(tip, 2.2 * rod_r, subdiv=1)]
    return [torso, skull, *antennae]


def build(p: Mapping[str, float]) -> trimesh.Trimesh:
    """Watertight figurine (a character or a robot) standing on its plinth, facing +X, mm."""
    bh, body_h, br, hr = p["base_height"], p["body_height"], p["body_radius"], p["head_radius"]
    body_cz = bh + 0.45 * body_h
    head = np.array([0.0, 0.0, bh + 0.9 * body_h + 0.8 * hr])
    if choice(FAMILY, p, "style") == "robot":
        figure = _robot(p, body_cz, head)
    else:
        figure = [
            ellipsoid((0.0, 0.0, body_cz), (br, br, body_h / 2), subdiv=2),
            sphere(head, hr, subdiv=3),
            *head_ears(choice(FAMILY, p, "ears"), head, hr, p["ear_size"]),
        ]
    parts = [
        cylinder((0, 0, 0), (0, 0, bh), p["base_radius"], sections=40),
        *figure,
        *_arms(p, bh + 0.7 * body_h),
        *face(head, hr, p["mouth_curve"]),
    ]
    return union(parts)


def describe(p: Mapping[str, float], size_mm: float) -> tuple[str, str]:
    """Title and one-sentence looks of a figurine."""
    ears = choice(FAMILY, p, "ears")
    mood = level(FAMILY, p, "mouth_curve", ("crying", "sad", "calm", "smiling", "beaming"))
    head = level(FAMILY, p, "head_radius", ("small", "medium", "big"))
    body = level(FAMILY, p, "body_radius", ("slim", "sturdy", "chubby"))
    who = "character" if ears == "none" else f"{ears}-eared character"
    if choice(FAMILY, p, "style") == "robot":
        who = "robot"
    text = f"A {size_mm:.0f} mm {mood} {body} {who} figurine with a {head} head on a round plinth."
    return f"{mood.capitalize()} {body} {who.replace(' character', '')} figurine", text


# Words that name the product, and weaker words that only suggest it.
KEYWORDS = (
    "figurine", "figure", "statue", "statuette", "action figure", "collectible", "desk buddy",
    "bobblehead", "sculpture", "miniature figure", "chibi", "robot", "robot toy",
)  # fmt: skip
HINTS = (
    "character", "mascot", "anime", "desk", "toy", "ornament",
)  # fmt: skip

FAMILY = Family(
    name="figurine",
    params=PARAMS,
    default_size_mm=90.0,
    keywords=KEYWORDS,
    hints=HINTS,
    choice_words={s: ("ears", s) for s in ("cat", "bear", "bunny")}
    | {"kitten": ("ears", "cat"), "teddy": ("ears", "bear"), "rabbit": ("ears", "bunny")}
    | {w: ("style", "robot") for w in ("robot", "android", "droid", "mech", "cyborg")},
    processes=("injection_moulding", "printing", "assembly", "packaging"),
    material_usd_per_cm3=0.006,
    phrases=(
        "a figurine",
        "a small collectible statue",
        "an action figure toy",
        "a decorative figure for the desk or shelf",
        "a chibi character sculpture",
        "a little robot toy",
    ),
    build=build,
    describe=describe,
    colour=(170, 200, 150),
)
