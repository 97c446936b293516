"""Choose a print orientation: least overhang (mm²), then lowest height (mm)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import trimesh
from trimesh.transformations import rotation_matrix

from .errors import UnprintableMesh
from .profiles import PrinterProfile

OVERHANG_LIMIT_DEG = 45.0
BED_TOLERANCE_MM = 0.01
MIN_BED_CONTACT_MM2 = 25.0  # poses resting on less (an edge, a tip) are skipped if others exist
MIN_BED_CONTACT_SHARE = 0.01
HEIGHT_TOLERANCE_MM = 1.0
MAX_SCORED_FACES = 150_000  # larger meshes are scored on a seeded face sample  # poses closer in height than this tie on height (a few layers)
_OVERHANG_NZ = -math.cos(math.radians(90.0 - OVERHANG_LIMIT_DEG))
_AXIS_TURNS = (  # (degrees, axis): each side of the bounding box down once
    (0.0, (1, 0, 0)),
    (90.0, (1, 0, 0)),
    (-90.0, (1, 0, 0)),
    (180.0, (1, 0, 0)),
    (90.0, (0, 1, 0)),
    (-90.0, (0, 1, 0)),
)


@dataclass(frozen=True)
class Pose:
    """A candidate orientation with its support area (mm²), height (mm) and bed contact (mm²)."""

    rotation: np.ndarray
    support_mm2: float
    height_mm: float
    bed_contact_mm2: float
    extents_mm: tuple[float, float, float]


def overhang_faces(normal_z: np.ndarray, face_top_mm: np.ndarray, bed_mm: float) -> np.ndarray:
    """Faces pointing down more than 45° from vertical that are not lying on the bed."""
    return (normal_z < _OVERHANG_NZ) & (face_top_mm > bed_mm + BED_TOLERANCE_MM)


def score_pose(mesh: trimesh.Trimesh, rotation: np.ndarray) -> Pose:
    """Support area (projected, mm²), height and bed contact of the mesh rotated by rotation."""
    vertices = np.asarray(mesh.vertices) @ rotation.T
    normal_z = np.asarray(mesh.face_normals) @ rotation[2]
    z = vertices[:, 2]
    face_top = z[np.asarray(mesh.faces)].max(axis=1)
    area = np.asarray(mesh.area_faces)
    overhang = overhang_faces(normal_z, face_top, z.min())
    on_bed = face_top <= z.min() + BED_TOLERANCE_MM
    extents = vertices.max(axis=0) - vertices.min(axis=0)
    return Pose(
        rotation=rotation,
        support_mm2=float((area * -normal_z)[overhang].sum()),
        height_mm=float(extents[2]),
        bed_contact_mm2=float(area[on_bed].sum()),
        extents_mm=(float(extents[0]), float(extents[1]), float(extents[2])),
    )


def axis_rotations() -> list[np.ndarray]:
    """The six axis-aligned poses (each bounding-box side down once)."""
    return [rotation_matrix(math.radians(a), d)[:3, :3] for a, d in _AXIS_TURNS]


def candidate_rotations(
    mesh: trimesh.Trimesh, stable_count: int = 8, sampled_count: int = 24
) -> list[np.ndarray]:
    """The model's own pose, five other axis-aligned ones, top stable poses, sampled ones."""
    return (
        axis_rotations() + _stable_rotations(mesh, stable_count) + sampled_rotations(sampled_count)
    )


def sampled_rotations(count: int) -> list[np.ndarray]:
    """Rotations putting `count` Fibonacci-sphere directions face down (-z)."""
    i = np.arange(count) + 0.5
    polar = np.arccos(1 - 2 * i / count)
    azimuth = math.pi * (1 + 5**0.5) * i
    down = np.column_stack(
        [np.sin(polar) * np.cos(azimuth), np.sin(polar) * np.sin(azimuth), np.cos(polar)]
    )
    return [trimesh.geometry.align_vectors(d, [0.0, 0.0, -1.0])[:3, :3] for d in down]


def _stable_rotations(
    mesh: trimesh.Trimesh, count: int, max_hull_points: int = 200
) -> list[np.ndarray]:
    """Rotations of the most probable resting poses, from a coarsened convex hull."""
    try:
        points = _sample_points(np.asarray(mesh.vertices), 20 * max_hull_points)
        hull = trimesh.convex.convex_hull(points)
        hull = trimesh.convex.convex_hull(_sample_points(hull.vertices, max_hull_points))
        transforms, _ = trimesh.poses.compute_stable_poses(hull, center_mass=mesh.center_mass)
    except Exception:  # qhull rejects flat or degenerate hulls; the axis poses remain
        return []
    return [np.asarray(t)[:3, :3] for t in transforms[:count]]


_DIRECTIONS = np.array([d for d in np.ndindex(3, 3, 3) if d != (1, 1, 1)], dtype=float) - 1.0


def _sample_points(points: np.ndarray, count: int) -> np.ndarray:
    """At most about count points: the extremes in 26 directions plus a seeded random sample."""
    if len(points) <= count:
        return points
    extremes = np.argmax(points @ _DIRECTIONS.T, axis=0)
    sample = np.random.default_rng(0).choice(len(points), count, replace=False)
    return points[np.union1d(extremes, sample)]


def fit_scale(
    extents_mm: tuple[float, float, float], build_mm: tuple[float, float, float]
) -> float:
    """Largest uniform scale at which extents fit the build volume, allowing a quarter turn."""
    xy = np.sort(np.asarray(extents_mm[:2]))[::-1]
    bed = np.sort(np.asarray(build_mm[:2]))[::-1]
    ratios = np.append(bed / np.maximum(xy, 1e-12), build_mm[2] / max(extents_mm[2], 1e-12))
    return float(ratios.min())


def choose_pose(mesh: trimesh.Trimesh, printer: PrinterProfile) -> tuple[Pose, Pose]:
    """(chosen, as modelled) by least support, then height, then bed contact; raises if none fit."""
    proxy, weight = _scoring_proxy(mesh)
    poses = [_scaled_pose(score_pose(proxy, r), weight) for r in candidate_rotations(mesh)]
    fitting = [p for p in poses if fit_scale(p.extents_mm, printer.build_volume_mm) >= 1 - 1e-9]
    if not fitting:
        raise UnprintableMesh(too_big_reason(poses, printer))
    min_contact = min(MIN_BED_CONTACT_MM2, MIN_BED_CONTACT_SHARE * float(mesh.area))
    fitting = [p for p in fitting if p.bed_contact_mm2 >= min_contact] or fitting
    least = min(p.support_mm2 for p in fitting)
    near = [p for p in fitting if p.support_mm2 <= least + max(1.0, 0.02 * least)]
    lowest = min(p.height_mm for p in near)
    low = [p for p in near if p.height_mm <= lowest + HEIGHT_TOLERANCE_MM]
    return min(low, key=lambda p: (p.support_mm2, -p.bed_contact_mm2)), poses[0]


def _scoring_proxy(
    mesh: trimesh.Trimesh, max_faces: int = MAX_SCORED_FACES
) -> tuple[trimesh.Trimesh, float]:
    """The mesh, or a seeded uniform sample of its faces and the area weight that restores totals."""
    if len(mesh.faces) <= max_faces:
        return mesh, 1.0
    keep = np.random.default_rng(0).choice(len(mesh.faces), max_faces, replace=False)
    proxy = trimesh.Trimesh(mesh.vertices, np.asarray(mesh.faces)[keep], process=False)
    return proxy, float(mesh.area / proxy.area)


def _scaled_pose(pose: Pose, weight: float) -> Pose:
    """A pose with its areas (mm²) scaled from a face sample to the whole mesh."""
    if weight == 1.0:
        return pose
    return replace(
        pose, support_mm2=pose.support_mm2 * weight, bed_contact_mm2=pose.bed_contact_mm2 * weight
    )


STABLE_HEIGHT_SHARE = 2.0  # advice poses: height at most this many times the footprint's width


def stable(pose: Pose) -> bool:
    """Whether a pose rests steadily: not a plate standing on its thin edge (mm)."""
    return pose.height_mm <= STABLE_HEIGHT_SHARE * min(pose.extents_mm[:2])


def too_big_reason(poses: list[Pose], printer: PrinterProfile) -> str:
    """Explain that the part does not fit and propose the scale, lying in a steady pose."""
    steady = [p for p in poses if stable(p)] or poses
    best = max(steady, key=lambda p: fit_scale(p.extents_mm, printer.build_volume_mm))
    scale = math.floor(fit_scale(best.extents_mm, printer.build_volume_mm) * 1000) / 1000
    dims = " × ".join(f"{d:.1f}" for d in poses[0].extents_mm)
    bed = " × ".join(f"{d:.0f}" for d in printer.build_volume_mm)
    longest = max(poses[0].extents_mm) * scale
    face = " × ".join(f"{d:.0f}" for d in sorted(best.extents_mm[:2], reverse=True))
    return (
        f"part measures {dims} mm and does not fit the {printer.name} build volume "
        f"({bed} mm) in any of {len(poses)} orientations; scale it by {scale:.3f} "
        f"(longest side {longest:.1f} mm) lying on its {face} mm side, {best.height_mm:.0f} mm "
        f"tall, or split it"
    )


def place_on_bed(mesh: trimesh.Trimesh, pose: Pose, printer: PrinterProfile) -> trimesh.Trimesh:
    """Rotate into the pose (quarter-turned if the bed needs it), centred on the bed at z = 0."""
    rotation = pose.rotation
    bx, by, _ = printer.build_volume_mm
    if pose.extents_mm[0] > bx or pose.extents_mm[1] > by:
        rotation = rotation_matrix(math.pi / 2, (0, 0, 1))[:3, :3] @ rotation
    transform = np.eye(4)
    transform[:3, :3] = rotation
    placed = mesh.copy()
    placed.apply_transform(transform)
    lo, hi = placed.bounds
    placed.apply_translation([bx / 2 - (lo[0] + hi[0]) / 2, by / 2 - (lo[1] + hi[1]) / 2, -lo[2]])
    return placed
