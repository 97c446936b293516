"""Held items (vocab.FEATURES["held"]): built from primitives in their own colours (a worded
colour paints the item's main part), at the paws (in front of the hand anchor), on top of the
head like a hat ("a duck on its head"), or across the mouth ("a fish in its mouth") (mm).

Every item is built about a centre `p` at a scale `s` (about its height) facing +X; `held`
chooses the place and the scale, then joins the item to the body (a grip at the paws, a peg
on the head or at the mouth) so it never floats."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import trimesh

from engines.design.features.kit import Ctx
from engines.design.shapes import revolve
from engines.design.subjects.geom import (
    blob,
    disc_on,
    heart_outline,
    plate,
    puffy,
    rounded,
    star_outline,
    tube,
)

RGB = tuple[int, int, int]
Item = Callable[[Ctx, np.ndarray, float, float], None]
X, Y, Z = np.eye(3)
DARK: RGB = (35, 30, 35)
GREEN: RGB = (80, 160, 70)
ON_HEAD = 1.35  # an item's scale on the head / the head's half width (a hat-sized duck)
IN_MOUTH = 0.9  # an item's scale at the mouth / the head's half width (a fish across it)
SINK = 0.12  # how far an item on the head sinks into it / its scale


def _heart(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A puffy heart: two round lobes over a pointed tip, domed front and back."""
    heart = puffy(heart_outline(s, 120), 0.9 * t, p + Z * 0.2 * s, Y, Z, taper=0.8)[0]
    ctx.add("heart", heart, (230, 50, 80))


def _star(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A puffy star, thickest in the middle, its tips rounded."""
    outline = rounded(star_outline(0.6 * s, 5, 0.5), 0.06 * s)
    ctx.add("star", puffy(outline, 0.9 * t, p + Z * 0.2 * s, Y, Z, taper=0.9)[0], (250, 205, 50))


def _flower(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    top = p + Z * 0.9 * s
    ctx.add("stem", tube([p - Z * 0.2 * s, top], max(ctx.line, 0.06 * s)), GREEN, fixed=True)
    for k in range(5):
        a = np.radians(90 + 72 * k)
        q = top + (Y * np.cos(a) + Z * np.sin(a)) * 0.25 * s
        ctx.add("petal", blob(q, (0.6 * t, 0.17 * s, 0.17 * s)), (245, 130, 170))
    centre = blob(top + X * 0.1 * t, (0.7 * t, 0.14 * s, 0.14 * s))
    ctx.add("centre", centre, (250, 210, 60), fixed=True)


def _fish(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    ctx.add("fish", blob(p, (0.55 * t, 0.45 * s, 0.25 * s)), (90, 160, 220))
    tail = np.array([[0.0, 0.0], [0.3, 0.22], [0.3, -0.22]]) * s
    fin = plate(tail - tail.mean(axis=0), 1.2 * t, p - Y * 0.5 * s, Y * -1, Z)
    ctx.add("tail", fin, (90, 160, 220))
    eye = p + Y * 0.28 * s + Z * 0.05 * s + X * 0.45 * t
    ctx.add("eye", disc_on(eye, X, 0.05 * s + ctx.line, ctx.line), DARK, "detail", fixed=True)


def _carrot(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    top = p + Z * 0.35 * s
    tip = p - Z * 0.55 * s + X * 0.1 * s
    root = tube([top, (top + tip) / 2, tip], [0.2 * s, 0.13 * s, ctx.line])
    ctx.add("root", root, (245, 140, 40))
    for k in (-1, 0, 1):
        leaf = tube([top, top + (0, 0.12 * k * s, 0.3 * s)], max(ctx.line, 0.05 * s))
        ctx.add("leaf", leaf, GREEN, fixed=True)


def _balloon(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    top = p + Z * 1.3 * s + Y * 0.15 * s
    string = tube([p, p + Z * 0.6 * s + Y * 0.05 * s, top], ctx.line * 1.05)
    ctx.add("string", string, (240, 240, 240), fixed=True)
    ctx.add("balloon", blob(top + Z * 0.45 * s, (0.4 * s, 0.4 * s, 0.5 * s)), (230, 60, 70))


def _cup_body(p: np.ndarray, s: float, r0: float, r1: float, h: float) -> trimesh.Trimesh:
    """A tapered cup (radius r0 at the bottom, r1 at the top, h tall) centred on p, mm."""
    profile = [(0.0, 0.0), (r0 * s, 0.0), (r1 * s, h * s), (0.0, h * s)]
    return revolve(np.array(profile), 32).apply_translation(p - Z * 0.5 * h * s)


def _mug(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A drinking mug: a cylinder with coffee showing at the top and a D handle on the side
    away from the body (so it shows from the front)."""
    ctx.add("mug", _cup_body(p, s, 0.34, 0.34, 0.75), (245, 242, 235))
    deep = max(0.08 * s, 2.2 * ctx.line)  # the coffee, its top just over the rim
    coffee = _cup_body(p + Z * (0.39 * s - 0.5 * deep), 1.0, 0.29 * s, 0.29 * s, deep)
    ctx.add("coffee", coffee, (110, 70, 45), fixed=True)
    side = 1.0 if p[1] >= 0 else -1.0
    a = np.linspace(0.0, np.pi, 9)
    loop = [p + Y * side * (0.3 + 0.2 * np.sin(x)) * s + Z * 0.22 * np.cos(x) * s for x in a]
    ctx.add("handle", tube(loop, max(ctx.line, 0.06 * s)), (245, 242, 235))


def _cup(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A takeaway coffee cup: white, a kraft sleeve round its middle, a brown lid."""
    ctx.add("cup", _cup_body(p, s, 0.24, 0.33, 0.85), (250, 250, 245))
    sleeve = _cup_body(p + Z * 0.02 * s, s, 0.3, 0.34, 0.32)
    ctx.add("sleeve", sleeve, (185, 135, 85), fixed=True)
    lid = _cup_body(p + Z * 0.46 * s, 1.0, 0.36 * s, 0.3 * s, max(0.1 * s, 2.2 * ctx.line))
    ctx.add("lid", lid, (95, 60, 45), fixed=True)


def _bubble_tea(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A bubble tea: milk tea in a tapered cup, dark pearls at the bottom front, a dome lid
    and a wide pink straw."""
    ctx.add("tea", _cup_body(p, s, 0.25, 0.32, 0.85), (215, 175, 130))
    for k in (-1, 0, 1):
        a = np.radians(20 * k)
        q = p + (X * np.cos(a) + Y * np.sin(a)) * 0.25 * s - Z * 0.3 * s
        ctx.add("pearl", blob(q, (0.08 * s,) * 3), (60, 40, 35), fixed=True)
    ctx.add(
        "lid", blob(p + Z * 0.42 * s, (0.32 * s, 0.32 * s, 0.14 * s)), (235, 240, 245), fixed=True
    )
    straw = tube([p + Z * 0.2 * s, p + Z * 0.85 * s + Y * 0.1 * s], max(ctx.line, 0.06 * s))
    ctx.add("straw", straw, (240, 120, 160), fixed=True)


def _pumpkin(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A pumpkin: ribbed lobes round a squat core, a green stem."""
    ctx.add("pumpkin", blob(p, (0.36 * s, 0.36 * s, 0.3 * s)), (240, 130, 40))
    for k in range(6):
        a = np.radians(60 * k + 30)
        q = p + (X * np.cos(a) + Y * np.sin(a)) * 0.2 * s
        ctx.add("lobe", blob(q, (0.22 * s, 0.22 * s, 0.3 * s), subdiv=1), (240, 130, 40))
    stem = tube([p + Z * 0.2 * s, p + Z * 0.45 * s + X * 0.05 * s], max(ctx.line, 0.06 * s))
    ctx.add("stem", stem, (100, 120, 60), fixed=True)


def _rock(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A smooth grey pebble, a lighter fleck on its front."""
    ctx.add("rock", blob(p, (0.32 * s, 0.42 * s, 0.28 * s), boxy=0.85), (150, 148, 145))
    ctx.add(
        "knob", blob(p + Z * 0.12 * s + Y * 0.1 * s, (0.22 * s, 0.25 * s, 0.2 * s)), (150, 148, 145)
    )
    fleck = disc_on(p + X * 0.31 * s + Z * 0.02 * s, X, 0.09 * s + ctx.line, ctx.line)
    ctx.add("fleck", fleck, (200, 198, 192), "detail", fixed=True)


def _duck(ctx: Ctx, p: np.ndarray, s: float, t: float) -> None:
    """A small yellow duck facing front: body, head, orange beak, dark eyes, a tail tuft."""
    ctx.add("body", blob(p, (0.36 * s, 0.3 * s, 0.24 * s)), (250, 210, 60))
    head = p + X * 0.18 * s + Z * 0.3 * s
    ctx.add("head", blob(head, (0.2 * s,) * 3), (250, 210, 60))
    ctx.add(
        "tail", blob(p - X * 0.32 * s + Z * 0.12 * s, (0.1 * s, 0.1 * s, 0.12 * s)), (250, 210, 60)
    )
    beak = blob(
        head + X * 0.2 * s - Z * 0.03 * s, (0.1 * s, 0.1 * s, max(0.05 * s, 1.1 * ctx.line))
    )
    ctx.add("beak", beak, (240, 130, 40), fixed=True)
    for side in (1.0, -1.0):
        eye = head + (X * 0.8 + Y * side * 0.5 + Z * 0.3) * 0.2 * s * 0.95
        dot = disc_on(eye, X * 0.8 + Y * side * 0.5, 0.035 * s + ctx.line, ctx.line)
        ctx.add("eye", dot, DARK, "detail", fixed=True)


ITEMS: dict[str, Item] = {
    "heart": _heart, "star": _star, "flower": _flower, "fish": _fish, "carrot": _carrot,
    "balloon": _balloon, "mug": _mug, "cup": _cup, "bubble_tea": _bubble_tea,
    "pumpkin": _pumpkin, "rock": _rock, "duck": _duck,
}  # fmt: skip


def held(ctx: Ctx, variant: str) -> None:
    """An item held at the paws, worn on top of the head, or carried across the mouth."""
    ctx.name = f"held {variant}"
    if ctx.place == "head":
        _on_head(ctx, variant)
    elif ctx.place == "mouth":
        _at_mouth(ctx, variant)
    else:
        _at_paws(ctx, variant)


def _at_paws(ctx: Ctx, variant: str) -> None:
    """In front of the hand anchor, joined to it by a grip in the body's colour."""
    hand = ctx.anchor("hand")
    s = max(2.6 * float(hand.size_mm), 0.16 * ctx.height, 0.5 * ctx.head_w)
    p = np.asarray(hand.point, dtype=float) + X * 0.22 * s  # in front of the belly
    ITEMS[variant](ctx, p, s, max(2 * ctx.line, 0.18 * s))
    grip = tube([ctx.snap(p, lift=-0.1 * s), p - X * 0.1 * s], 0.12 * s)
    ctx.add("grip", grip, ctx.model.parts[0].colour, fixed=True)


def _built(ctx: Ctx, variant: str, s: float) -> list:
    """The item's parts built about the origin (placed by the caller)."""
    start = len(ctx.new_parts)
    ITEMS[variant](ctx, np.zeros(3), s, max(2 * ctx.line, 0.18 * s))
    return ctx.new_parts[start:]


def _on_head(ctx: Ctx, variant: str) -> None:
    """On top of the head like a hat: its bottom sunk a little into the head's top."""
    s = ON_HEAD * ctx.head_w
    parts = _built(ctx, variant, s)
    low = min(float(p.mesh.bounds[0][2]) for p in parts)
    top = np.asarray(ctx.anchor("head_top").point, dtype=float)
    seat = np.array([top[0], top[1], top[2] - SINK * s])
    for part in parts:
        part.mesh.apply_translation(seat - Z * low)
    ctx.peg(seat + Z * 0.1 * s, max(ctx.line, 0.1 * s), parts[0].colour)


def _at_mouth(ctx: Ctx, variant: str) -> None:
    """Across the mouth, its middle just in front of the mouth's surface."""
    mouth = ctx.anchor("mouth")
    s = IN_MOUTH * ctx.head_w
    parts = _built(ctx, variant, s)
    t = max(2 * ctx.line, 0.18 * s)
    centre = np.asarray(mouth.point, dtype=float) + X * 0.35 * t
    for part in parts:
        part.mesh.apply_translation(centre)
    ctx.peg(centre, max(ctx.line, 0.1 * s), parts[0].colour)
