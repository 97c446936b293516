"""Binary glTF of a variant: one node per part, each with its own PBR material colour, mm, +Y up."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import trimesh
from trimesh.visual.material import PBRMaterial

Z_UP_TO_Y_UP = trimesh.transformations.rotation_matrix(-np.pi / 2, [1.0, 0.0, 0.0])
ROUGHNESS = {"ceramic": 0.25, "metal": 0.3, "glass": 0.1, "resin": 0.3}  # else matte plastic


def part_scene(
    mesh: trimesh.Trimesh,
    owner: np.ndarray,
    names: Sequence[str],
    colours: Sequence[tuple[int, int, int]],
    materials: Sequence[str | None] = (),
    detachable: Sequence[bool | None] = (),
) -> trimesh.Scene:
    """A scene of the solid split by owning part: one node and one material per part, +Y up.
    A part's `detachable` (whether it is a separate piece that could come off) goes into its
    mesh's glTF extras, where the compliance check reads it."""
    scene = trimesh.Scene()
    used: dict[str, int] = {}
    vertices = np.asarray(mesh.vertices) @ Z_UP_TO_Y_UP[:3, :3].T
    faces_all = np.asarray(mesh.faces)
    for index in np.unique(owner):
        used_corners, corners = np.unique(faces_all[owner == index], return_inverse=True)
        piece = trimesh.Trimesh(vertices[used_corners], corners.reshape(-1, 3), process=False)
        name = names[index]
        used[name] = used.get(name, 0) + 1
        node = name if used[name] == 1 else f"{name} {used[name]}"
        material = materials[index] if index < len(materials) else None
        piece.visual = trimesh.visual.TextureVisuals(
            material=PBRMaterial(
                name=node,
                baseColorFactor=[*colours[index], 255],
                metallicFactor=0.0,
                roughnessFactor=ROUGHNESS.get(material or "", 0.7),
            )
        )
        comes_off = detachable[index] if index < len(detachable) else None
        if comes_off is not None:
            piece.metadata["detachable"] = bool(comes_off)  # exported as the mesh's extras
        scene.add_geometry(piece, node_name=node, geom_name=node)
    return scene


def write_part_glb(
    path: str | Path,
    mesh: trimesh.Trimesh,
    owner: np.ndarray,
    names: Sequence[str],
    colours: Sequence[tuple[int, int, int]],
    materials: Sequence[str | None] = (),
    detachable: Sequence[bool | None] = (),
) -> None:
    """Write the solid as a GLB with one node and PBR material per part (mm, +Y up)."""
    scene = part_scene(mesh, owner, names, colours, materials, detachable)
    Path(path).write_bytes(scene.export(file_type="glb"))
