"""The preview's painter's algorithm: far faces first, so what stands behind a wall stays
hidden even where the wall is one tall triangle (a vessel's inner wall)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh
from PIL import Image

from engines.design.render import render_preview


def test_a_small_part_behind_a_tall_wall_stays_hidden(tmp_path: Path) -> None:
    wall = trimesh.creation.box(extents=(2.0, 100.0, 100.0))
    wall.apply_translation((0.0, 0.0, 50.0))  # two big triangles a side
    cube = trimesh.creation.box(extents=(6.0, 6.0, 6.0))
    cube.apply_translation((-8.0, 0.0, 80.0))  # behind it, high up: nearer than its middle
    mesh = trimesh.util.concatenate([wall, cube])
    assert isinstance(mesh, trimesh.Trimesh)
    colours = np.array([(200, 40, 40)] * len(wall.faces) + [(40, 40, 220)] * len(cube.faces))
    path = tmp_path / "p.png"
    render_preview(mesh, path, 128, face_colours=colours)
    image = np.asarray(Image.open(path).convert("RGB"), dtype=int)
    blue = (image[:, :, 2] > image[:, :, 0] + 60).sum()
    red = (image[:, :, 0] > image[:, :, 2] + 60).sum()
    assert red > 1000 and blue == 0, (red, blue)
