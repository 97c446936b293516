"""Headless previews: an orthographic 3/4 view, painter's algorithm, Lambert shading (PIL)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh
from PIL import Image, ImageDraw

BACKGROUND = (244, 245, 247)
DEFAULT_COLOUR = (200, 170, 140)
SUPERSAMPLE = 2  # draw at 2x and downsample: cheap anti-aliasing
AMBIENT = 0.32
SPLIT = 0.15  # a preview splits triangles longer than this share of its view (painter order)
PNG_LEVEL = 1  # zlib level: lossless either way; 1 is ~2x faster to write than the default 6


def _camera(azimuth_deg: float = -35.0, elevation_deg: float = 22.0) -> np.ndarray:
    """Rows: screen right, screen up, towards the viewer (Z is world up, +X the front)."""
    az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
    back = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
    right = np.cross(-back, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    return np.array([right, np.cross(right, -back), back])


VIEW = _camera()
LIGHT = np.array([0.35, 0.6, 0.72]) / np.linalg.norm([0.35, 0.6, 0.72])  # camera frame: key light
# a flat product (a coaster: height under FLAT_SHARE of its footprint) is seen from high up, or
# what lies on its top is foreshortened past recognition; its front (+X) faces the viewer
FLAT_SHARE = 0.2
FLAT_VIEW = _camera(azimuth_deg=-20.0, elevation_deg=58.0)


def view_of(mesh: trimesh.Trimesh) -> np.ndarray:
    """The camera for a mesh: VIEW, or FLAT_VIEW for a flat product."""
    extents = np.ptp(np.asarray(mesh.vertices), axis=0)
    return FLAT_VIEW if extents[2] < FLAT_SHARE * float(extents[:2].max()) else VIEW


def _projected(mesh: trimesh.Trimesh, px: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Front-facing triangles far-to-near as pixel polygons (k, 6), their shades (k,) and
    their face indices (k,)."""
    view = view_of(mesh)
    v = mesh.vertices @ view.T
    n = mesh.face_normals @ view.T
    keep = n[:, 2] > 1e-6
    lo, hi = v[:, :2].min(axis=0), v[:, :2].max(axis=0)
    tri, index = _split_long(
        v[mesh.faces[keep]], np.flatnonzero(keep), SPLIT * float((hi - lo).max())
    )
    order = np.argsort(tri[:, :, 2].mean(axis=1), kind="stable")
    k = 0.86 * px / max(float((hi - lo).max()), 1e-9)
    xy = (tri[order, :, :2] - (lo + hi) / 2) * k * np.array([1.0, -1.0]) + px / 2
    shade = AMBIENT + (1 - AMBIENT) * np.clip(n[index[order]] @ LIGHT, 0.0, 1.0)
    return xy.reshape(-1, 6), shade, index[order]


def _split_long(
    tri: np.ndarray, index: np.ndarray, longest: float
) -> tuple[np.ndarray, np.ndarray]:
    """Triangles (k, 3, 3) with those whose longest edge exceeds `longest` split in four at
    their edges' midpoints (a few rounds), each piece keeping its face's index: far-to-near
    by centroid then orders a vessel's tall inner wall right against what stands behind it."""
    for _ in range(4):
        edges = np.linalg.norm(tri - np.roll(tri, 1, axis=1), axis=2).max(axis=1)
        long = edges > longest
        if not long.any():
            break
        a, b, c = tri[long, 0], tri[long, 1], tri[long, 2]
        ab, bc, ca = (a + b) / 2, (b + c) / 2, (c + a) / 2
        pieces = np.stack([np.stack(t, axis=1) for t in ((a, ab, ca), (ab, b, bc), (ca, bc, c),
                                                        (ab, bc, ca))])  # fmt: skip
        tri = np.concatenate([tri[~long], pieces.reshape(-1, 3, 3)])
        index = np.concatenate([index[~long], np.tile(index[long], 4)])
    return tri, index


def render_preview(
    mesh: trimesh.Trimesh,
    path: str | Path,
    size_px: int = 256,
    *,
    colour: tuple[int, int, int] = DEFAULT_COLOUR,
    face_colours: np.ndarray | None = None,
) -> None:
    """Write a size_px x size_px PNG of the mesh seen from the front-left, above, in one
    colour or with one RGB colour per face ((n, 3) face_colours)."""
    px = size_px * SUPERSAMPLE
    image = Image.new("RGB", (px, px), BACKGROUND)
    if len(mesh.faces):
        polygons, shade, faces = _projected(mesh, px)
        base = (
            np.asarray(face_colours, dtype=float)[faces, :3]
            if face_colours is not None
            else np.tile(np.asarray(colour, dtype=float), (len(faces), 1))
        )
        fills = np.clip(shade[:, None] * base, 0, 255).astype(np.int64)
        corners = np.floor(polygons).astype(np.int32).tolist()  # PIL floors float corners too
        fill_polygon = ImageDraw.Draw(image).draw.draw_polygon  # what polygon(fill=outline=c)
        for polygon, ink in zip(corners, _inks(fills), strict=True):  # does, without its
            fill_polygon(polygon, ink, 1)  # per-call colour conversion (a third of the time)
    # box-filter the supersampled image down; a light PNG compression level (still lossless)
    image.reduce(SUPERSAMPLE).save(path, format="PNG", compress_level=PNG_LEVEL)


def _inks(rgb: np.ndarray) -> list[int]:
    """PIL's ink values of (n, 3) RGB 0..255 colours for an RGB image (ImageDraw's
    draw_ink: r | g << 8 | b << 16 | 255 << 24 as a signed 32-bit int)."""
    v = rgb[:, 0] | (rgb[:, 1] << 8) | (rgb[:, 2] << 16) | (255 << 24)
    return (v - (1 << 32)).tolist()
