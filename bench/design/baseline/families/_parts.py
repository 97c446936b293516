"""Character features shared by families: ears and an embossed face (mm, +X is the front)."""

from __future__ import annotations

import numpy as np
import trimesh

from engines.design.shapes import Vec, capsule, cone, sphere


def on_sphere(center: Vec, radius: float, az_deg: float, el_deg: float) -> np.ndarray:
    """Point on a sphere seen from +X: azimuth towards +Y, elevation towards +Z, mm."""
    az, el = np.radians(az_deg), np.radians(el_deg)
    direction = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
    return np.asarray(center, dtype=float) + radius * direction


def ear(kind: str, base: Vec, direction: Vec, size: float) -> trimesh.Trimesh:
    """One ear of `kind` rooted at `base` and growing along `direction`, `size` mm."""
    b = np.asarray(base, dtype=float)
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    if kind == "cat":
        return cone(b - 0.3 * size * d, b + 1.1 * size * d, 0.55 * size, sections=12)
    if kind == "horse":
        return cone(b - 0.3 * size * d, b + 1.4 * size * d, 0.38 * size, sections=12)
    if kind == "bunny":
        return capsule(b - 0.2 * size * d, b + 2.0 * size * d, 0.3 * size, count=8)
    if kind == "dog":
        return capsule(b, b + 1.5 * size * d, 0.33 * size, count=8)
    return sphere(b + 0.1 * size * d, 0.5 * size, subdiv=2)  # bear / round


def head_ears(kind: str, center: Vec, radius: float, size: float) -> list[trimesh.Trimesh]:
    """A pair of ears of `kind` on a spherical head, mm."""
    if kind == "none":
        return []
    parts = []
    for side in (-1.0, 1.0):
        if kind == "dog":
            base = on_sphere(center, 0.9 * radius, side * 80.0, 35.0)
            parts.append(ear(kind, base, (0.1, side * 0.5, -1.0), size))
            continue
        base = on_sphere(center, 0.9 * radius, side * 90.0, 55.0)
        parts.append(ear(kind, base, base - np.asarray(center, dtype=float), size))
    return parts


def face(
    head: Vec, head_r: float, mouth_curve: float, mouth_on: tuple[Vec, float] | None = None
) -> list[trimesh.Trimesh]:
    """Embossed eyes, an arc mouth (-1 crying .. +1 smiling) and tears when sad, mm."""
    eye_r = 0.13 * head_r
    parts = [sphere(on_sphere(head, 0.97 * head_r, s * 28.0, 12.0), eye_r, 1) for s in (-1, 1)]
    centre, radius = mouth_on if mouth_on is not None else (head, head_r)
    el0 = -15.0 if mouth_on is not None else -22.0
    az = np.linspace(-30.0, 30.0, 6)
    el = el0 + 14.0 * mouth_curve * (az / 30.0) ** 2
    bead = 0.07 * radius + 0.02 * head_r
    parts += [
        sphere(on_sphere(centre, 0.98 * radius, a, e), bead, 1) for a, e in zip(az, el, strict=True)
    ]
    if mouth_curve < -0.5:
        drops = [(s * 30.0, e) for s in (-1, 1) for e in (-4.0, -16.0)]
        parts += [sphere(on_sphere(head, 0.98 * head_r, a, e), 0.7 * eye_r, 1) for a, e in drops]
    return parts
