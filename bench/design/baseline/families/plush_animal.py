"""Plush animal: body, head, ears, legs, tail (and a mane for horses) and an embossed face whose
mouth curves from crying to smiling; species by keyword (mm)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import trimesh

from bench.design.baseline.families._parts import face, head_ears
from bench.design.baseline.family import Family, Param, choice, level
from engines.design.shapes import capsule, ellipsoid, sphere, union

SPECIES = ("bear", "cat", "horse", "bunny", "dog")
PARAMS = (
    Param("body_length", 70.0, 150.0, 110.0),
    Param("body_width", 50.0, 100.0, 75.0),
    Param("head_radius", 28.0, 55.0, 40.0),
    Param("ear_size", 8.0, 30.0, 18.0),
    Param("leg_length", 8.0, 50.0, 25.0),
    Param("limb_radius", 5.0, 16.0, 10.0, thin=True),
    Param("tail_length", 5.0, 70.0, 30.0),
    Param("mouth_curve", -1.0, 1.0, 0.3, unit=""),  # -1 crying .. +1 smiling
    Param("species", 0.0, len(SPECIES) - 1.0, 0.0, unit="choice", choices=SPECIES),
)
MOODS = ("crying", "sad", "calm", "smiling", "beaming")
EAR_LOOK = {"bear": "round", "cat": "pointed", "horse": "upright", "bunny": "long", "dog": "floppy"}


def _legs(p: Mapping[str, float], body_cz: float) -> list[trimesh.Trimesh]:
    """Four upright legs standing on z = 0, mm."""
    r = p["limb_radius"]
    xs, ys = 0.28 * p["body_length"], 0.26 * p["body_width"]
    return [capsule((x, y, r), (x, y, body_cz), r, count=8) for x in (-xs, xs) for y in (-ys, ys)]


def _tail(kind: str, start: np.ndarray, length: float, r: float) -> trimesh.Trimesh:
    """The tail of `kind` from the rump, mm."""
    if kind in ("bear", "bunny"):
        return sphere(start, 0.5 * r + 0.2 * length, subdiv=2)
    reach = {"horse": (-0.5, -1.0), "cat": (-0.6, 0.8), "dog": (-0.8, 0.6)}[kind]
    end = start + length * np.array([reach[0], 0.0, reach[1]])
    return capsule(start, end, (0.8 if kind == "horse" else 0.55) * r, count=8)


def _mane(neck: np.ndarray, head: np.ndarray, hr: float, hair: float) -> trimesh.Trimesh:
    """A horse's mane: a ridge along the top of the neck, as long-haired as the tail, mm."""
    axis = (head - neck) / np.linalg.norm(head - neck)
    crest = 0.5 * hr * np.array([-axis[2], 0.0, axis[0]])  # off the spine, backwards and up
    return capsule(neck + crest, head + crest, 0.16 * hr + 0.06 * hair, count=8)


def _snout(
    kind: str, head: np.ndarray, hr: float
) -> tuple[list[trimesh.Trimesh], tuple[np.ndarray, float] | None]:
    """Muzzle parts and the sphere the mouth sits on, mm."""
    if kind == "horse":
        tip = head + hr * np.array([1.0, 0.0, -0.45])
        return [capsule(head, tip, 0.5 * hr, count=12)], (tip, 0.5 * hr)
    if kind in ("bear", "dog"):
        centre = head + hr * np.array([0.75, 0.0, -0.3])
        return [sphere(centre, 0.42 * hr, subdiv=2)], (centre, 0.42 * hr)
    return [], None


def build(p: Mapping[str, float]) -> trimesh.Trimesh:
    """Watertight plush animal standing on its legs, facing +X, mm."""
    kind = choice(FAMILY, p, "species")
    length, width, hr = p["body_length"], p["body_width"], p["head_radius"]
    body_cz = p["leg_length"] + 0.45 * width
    body = ellipsoid((0.0, 0.0, body_cz), (length / 2, width / 2, 0.45 * width), subdiv=3)
    head = np.array([0.38 * length, 0.0, body_cz + 0.3 * width + 0.55 * hr])
    parts = [body, *_legs(p, body_cz)]
    if kind == "horse":  # a long neck carries the head forward and up
        neck = np.array([0.3 * length, 0.0, body_cz + 0.2 * width])
        head = neck + np.array([0.25 * length, 0.0, 0.3 * width + 0.6 * hr])
        parts.append(capsule(neck, head, 0.55 * hr, count=10))
        parts.append(_mane(neck, head, hr, p["tail_length"]))
    snout, mouth_on = _snout(kind, head, hr)
    rump = np.array([-0.45 * length, 0.0, body_cz + 0.1 * width])
    parts += [sphere(head, hr, subdiv=3), *snout]
    parts += [_tail(kind, rump, p["tail_length"], p["limb_radius"])]
    parts += head_ears(kind, head, hr, p["ear_size"])
    parts += face(head, hr, p["mouth_curve"], mouth_on)
    return union(parts)


def describe(p: Mapping[str, float], size_mm: float) -> tuple[str, str]:
    """Title and one-sentence looks of a plush animal."""
    kind = choice(FAMILY, p, "species")
    mood = level(FAMILY, p, "mouth_curve", MOODS)
    body = level(FAMILY, p, "body_width", ("slim", "round", "chubby"))
    head = level(FAMILY, p, "head_radius", ("small", "medium", "big"))
    legs = level(FAMILY, p, "leg_length", ("stubby", "medium", "long"))
    tail = level(FAMILY, p, "tail_length", ("short", "medium", "long"))
    ears = f"{level(FAMILY, p, 'ear_size', ('small', 'medium', 'large'))} {EAR_LOOK[kind]}"
    text = (
        f"A {size_mm:.0f} mm {mood} {kind} plushie with a {body} body, a {head} head, "
        f"{ears} ears, {legs} legs and a {tail} tail."
    )
    if kind == "horse":
        text = text.replace(f" and a {tail} tail.", f", and a {tail} mane and tail.")
    return f"{mood.capitalize()} {body} {kind} plushie", text


# Words that name the product, and weaker words that only suggest it.
KEYWORDS = (
    "plush", "plushie", "plushy", "stuffed animal", "stuffed toy", "soft toy", "teddy",
    "cuddly toy", "squishmallow", "amigurumi", "stuffy", "plush toy",
)  # fmt: skip
HINTS = (
    *SPECIES, "pony", "unicorn", "kitten", "kitty", "puppy", "rabbit", "animal", "cuddly",
    "crying", "sad", "smiling", "happy", "soft",
)  # fmt: skip

FAMILY = Family(
    name="plush_animal",
    params=PARAMS,
    default_size_mm=220.0,
    keywords=KEYWORDS,
    hints=HINTS,
    choice_words={
        **{s: ("species", s) for s in SPECIES},
        "teddy": ("species", "bear"),
        "pony": ("species", "horse"),
        "unicorn": ("species", "horse"),
        "kitten": ("species", "cat"),
        "kitty": ("species", "cat"),
        "rabbit": ("species", "bunny"),
        "puppy": ("species", "dog"),
    },
    processes=("textile_cutting", "plush_sewing", "embroidery", "stuffing", "packaging"),
    material_usd_per_cm3=0.0015,
    phrases=(
        "a plush toy",
        "a soft stuffed animal",
        "a cuddly plushie doll to hug",
        "a fluffy stuffed pony, kitten, puppy, bunny or teddy bear",
        "a soft toy for kids",
    ),
    build=build,
    describe=describe,
    colour=(196, 150, 112),
)
