"""Meshes the tests build by hand."""

import numpy as np
import trimesh


def mobius_strip(segments: int = 40, radius_mm: float = 10.0, half_width_mm: float = 3.0):  # type: ignore[no-untyped-def]
    """A Möbius strip (mm): one-sided, with one boundary loop no fan can close into a solid."""
    angles = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    vertices = [
        [
            (radius_mm + s * half_width_mm * np.cos(a / 2)) * np.cos(a),
            (radius_mm + s * half_width_mm * np.cos(a / 2)) * np.sin(a),
            s * half_width_mm * np.sin(a / 2),
        ]
        for a in angles
        for s in (-1, 1)
    ]
    faces = []
    for i in range(segments):
        a, b = 2 * i, 2 * i + 1
        c, d = (2 * i + 2) % (2 * segments), (2 * i + 3) % (2 * segments)
        if i == segments - 1:  # the half twist
            c, d = d, c
        faces += [[a, b, d], [a, d, c]]
    return trimesh.Trimesh(np.array(vertices), np.array(faces), process=False)
