"""Before/after pictures of a repair: the file as given with its defects in red, and the
repaired solid with the faces the repair added in green (same view, so they compare)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

from engines.design.render import render_preview

from .repair import RepairResult

BASE = (196, 190, 180)
DEFECT = (214, 48, 49)  # faces on open or non-manifold edges, degenerate faces
ADDED = (39, 174, 96)  # faces the repair made (hole fills, closed seams)
INSIDE = (88, 84, 80)  # the inner side of faces, seen through holes
PREVIEW_PX = 320
KEY_DECIMALS = 5  # face keys compare corners to 10 nm (the units of the file)


def defect_faces(mesh: trimesh.Trimesh) -> np.ndarray:
    """Mask of faces touching an edge not shared by exactly two faces, or with no area."""
    bad = np.zeros(len(mesh.faces), dtype=bool)
    if len(mesh.faces) == 0:
        return bad
    _, inverse, counts = np.unique(
        mesh.edges_sorted, axis=0, return_inverse=True, return_counts=True
    )
    odd = counts[inverse.ravel()] != 2
    bad[np.asarray(mesh.edges_face)[odd]] = True
    bad |= np.asarray(mesh.area_faces) <= 1e-12
    return bad


def _face_keys(mesh: trimesh.Trimesh) -> np.ndarray:
    """One row per face: its corners rounded and sorted, as bytes that compare exactly."""
    corners = np.round(np.asarray(mesh.vertices)[mesh.faces], KEY_DECIMALS)  # (n, 3, 3)
    order = np.lexsort(corners.transpose(2, 0, 1)[::-1], axis=-1)
    ordered = np.take_along_axis(corners, order[:, :, None], axis=1).reshape(len(corners), 9)
    return np.ascontiguousarray(ordered).view(np.dtype((np.void, 9 * 8))).ravel()


def added_faces(before: trimesh.Trimesh, after: trimesh.Trimesh) -> np.ndarray:
    """Mask of the repaired mesh's faces whose corners no face of the original had."""
    if len(after.faces) == 0:
        return np.zeros(0, dtype=bool)
    if len(before.faces) == 0:
        return np.ones(len(after.faces), dtype=bool)
    return ~np.isin(_face_keys(after), _face_keys(before))


def _painted(mask: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """(n, 3) face colours: BASE, and `colour` where mask."""
    colours = np.tile(np.asarray(BASE, np.uint8), (len(mask), 1))
    colours[mask] = colour
    return colours


def repair_previews(
    loaded: trimesh.Trimesh, repair: RepairResult, out: Path, stem: str
) -> tuple[str, str]:
    """Write <stem>-before.png and <stem>-after.png into out; their paths."""
    before, after = out / f"{stem}-before.png", out / f"{stem}-after.png"
    both_sides = trimesh.Trimesh(
        loaded.vertices, np.vstack([loaded.faces, loaded.faces[:, ::-1]]), process=False
    )  # the inner sides too: a hole shows the inside, not the far wall's outside
    colours = np.vstack(
        [_painted(defect_faces(loaded), DEFECT), np.tile(INSIDE, (len(loaded.faces), 1))]
    ).astype(np.uint8)
    render_preview(both_sides, before, PREVIEW_PX, face_colours=colours)
    new = added_faces(loaded, repair.mesh)
    render_preview(repair.mesh, after, PREVIEW_PX, face_colours=_painted(new, ADDED))
    return str(before), str(after)
