"""Several objects: 3MF builds and multi-body meshes arranged on plates; per-object advice."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import trimesh

from engines.printprep import PRINTERS, UnprintableMesh, prepare
from engines.printprep.meshio import _CONTENT_TYPES, _CORE_NS, _RELS
from engines.printprep.orient import axis_rotations, score_pose, stable, too_big_reason

MK4 = PRINTERS["prusa_mk4"]


def write_3mf(path: Path, objects: list[trimesh.Trimesh], offsets: list[tuple]) -> Path:
    """A 3MF with one object per mesh, each placed by its build item's translation (mm)."""
    resources, items = [], []
    for k, (mesh, (x, y)) in enumerate(zip(objects, offsets, strict=True), start=1):
        vertices = "".join(f'<vertex x="{a}" y="{b}" z="{c}"/>' for a, b, c in mesh.vertices)
        faces = "".join(f'<triangle v1="{a}" v2="{b}" v3="{c}"/>' for a, b, c in mesh.faces)
        resources.append(
            f'<object id="{k}" type="model"><mesh><vertices>{vertices}</vertices>'
            f"<triangles>{faces}</triangles></mesh></object>"
        )
        items.append(f'<item objectid="{k}" transform="1 0 0 0 1 0 0 0 1 {x} {y} 0"/>')
    model = (
        f'<?xml version="1.0" encoding="UTF-8"?><model unit="millimeter" xmlns="{_CORE_NS}">'
        f"<resources>{''.join(resources)}</resources><build>{''.join(items)}</build></model>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("3D/3dmodel.model", model)
    return path


def pyramid(base_mm: float, height_mm: float) -> trimesh.Trimesh:
    """A square pyramid, base side base_mm, resting on z = 0."""
    cone = trimesh.creation.cone(base_mm / np.sqrt(2), height_mm, sections=4)
    return cone.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 4, (0, 0, 1)))


def inside_bed(path: str) -> bool:
    """Whether an exported plate lies on the bed and within it (mm)."""
    lo, hi = trimesh.load(path, force="mesh").bounds
    return bool((lo >= -1e-6).all() and (hi <= np.asarray(MK4.build_volume_mm) + 1e-6).all())


def test_nine_pyramids_347_mm_wide_go_on_one_plate(tmp_path: Path) -> None:
    offsets = [(x, y) for x in (0, 151, 302) for y in (0, 60, 120)]  # 347 mm across
    path = write_3mf(tmp_path / "pyramids.3mf", [pyramid(45, 30)] * 9, offsets)
    report = prepare(path, tmp_path / "out", use_slicer=False)
    assert report.plate_count == 1 and report.status == "ready"
    assert report.volume_cm3 == pytest.approx(9 * 45 * 45 * 30 / 3 / 1000, rel=1e-3)
    assert inside_bed(report.stl_path)
    assert len(trimesh.load(report.stl_path, force="mesh").split()) == 9
    assert any(
        f["name"] == "plates" and "9 separate objects" in f["message"] for f in report.findings
    )


def test_objects_beyond_one_bed_go_on_several_plates(tmp_path: Path) -> None:
    box = trimesh.creation.box((120, 100, 10)).apply_translation([0, 0, 5])
    offsets = [(x * 130.0, 0.0) for x in range(6)]  # 770 mm in a row
    path = write_3mf(tmp_path / "boxes.3mf", [box] * 6, offsets)
    report = prepare(path, tmp_path / "out", use_slicer=False)
    assert report.plate_count == 2 and len(report.plate_paths) == 2
    assert all(inside_bed(p) for p in report.plate_paths)
    pieces = sum(len(trimesh.load(p, force="mesh").split()) for p in report.plate_paths)
    assert pieces == 6


def test_an_object_too_big_gets_its_own_advice(tmp_path: Path) -> None:
    rail = trimesh.creation.box((300, 30, 30)).apply_translation([0, 0, 15])
    cube = trimesh.creation.box((20, 20, 20)).apply_translation([0, 0, 10])
    path = write_3mf(tmp_path / "two.3mf", [rail, cube], [(0, 0), (200, 100)])
    with pytest.raises(UnprintableMesh) as err:
        prepare(path, tmp_path / "out", use_slicer=False)
    assert "object 1 of 2" in err.value.reason and "object 2" not in err.value.reason
    assert "scale it by 0.833" in err.value.reason and "split it into 2 pieces" in err.value.reason
    split = prepare(path, tmp_path / "split", use_slicer=False, allow_split=True)
    assert split.volume_cm3 == pytest.approx((300 * 30 * 30 + 20**3) / 1000, rel=1e-3)


def test_scale_advice_lays_a_tray_flat_not_on_its_edge() -> None:
    tray = trimesh.creation.box((260, 240, 2))
    poses = [score_pose(tray, r) for r in axis_rotations()]
    edge = max(poses, key=lambda p: p.height_mm)
    assert not stable(edge)
    reason = too_big_reason(poses, MK4)
    assert "scale it by 0.875" in reason  # 210 / 240 lying flat, not 0.917 standing up
    assert "lying on its 260 × 240 mm side, 2 mm tall" in reason
