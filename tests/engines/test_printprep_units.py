"""Units (explicit choice, stated guess, mm preferred, refusals) and honest outcomes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

from engines.printprep import PrintPrepReport, UnprintableMesh, prepare
from engines.printprep.fit import choose_unit, detect_unit


def run(tmp_path: Path, size: tuple[float, float, float], **kwargs: object) -> PrintPrepReport:
    """Prepare a box of the given size (file units) without the external slicer."""
    path = tmp_path / "part.stl"
    trimesh.creation.box(size).export(path)
    return prepare(path, tmp_path / "out", use_slicer=False, **kwargs)  # type: ignore[arg-type]


def units_message(report: PrintPrepReport) -> str:
    """The units finding's message."""
    return next(f["message"] for f in report.findings if f["name"] == "units")


def test_eleven_units_that_fit_as_mm_are_mm_and_the_guess_is_stated(tmp_path: Path) -> None:
    report = run(tmp_path, (11.4, 8.0, 5.0))
    assert report.unit == "mm"
    assert sorted(report.dims_mm) == pytest.approx([5.0, 8.0, 11.4])
    message = units_message(report)
    assert "read as millimetres because it is 11.4 units long" in message
    assert "choose units=inch, cm or m if that is wrong" in message
    assert report.unit_note in message


def test_sub_millimetre_as_mm_reads_as_inches_and_says_so(tmp_path: Path) -> None:
    report = run(tmp_path, (2.0, 1.0, 0.5))
    assert report.unit == "inch"
    message = units_message(report)
    assert "read as inches because it is 2 units long" in message
    assert "choose units=mm if that is wrong" in message
    assert next(f for f in report.findings if f["name"] == "units")["severity"] == "warning"


@pytest.mark.parametrize("unit", ["mm", "cm", "m", "inch"])
def test_an_explicit_unit_is_used_as_chosen(tmp_path: Path, unit: str) -> None:
    sizes = {"mm": (40.0, 30.0, 20.0), "cm": (4.0, 3.0, 2.0), "m": (0.04, 0.03, 0.02)}
    size = sizes.get(unit, (1.6, 1.2, 0.8))
    report = run(tmp_path, size, units=unit)
    assert report.unit == unit
    assert "as chosen" in units_message(report)
    assert max(report.dims_mm) == pytest.approx(40.0, rel=0.02)


def test_a_refusal_after_a_guess_names_the_guess(tmp_path: Path) -> None:
    with pytest.raises(UnprintableMesh) as err:
        run(tmp_path, (11.0, 10.0, 0.5))  # as inches 279 × 254 mm: too big for the bed
    assert "read as inches because it is 11 units long" in err.value.reason
    assert "choose units=mm" in err.value.reason


def test_sub_millimetre_parts_are_refused_with_unit_advice(tmp_path: Path) -> None:
    with pytest.raises(UnprintableMesh) as err:
        run(tmp_path, (0.15, 0.1, 0.05), units="mm")
    assert "sub-millimetre" in err.value.reason
    assert "m (150.0 mm)" in err.value.reason and "inch (3.8 mm)" in err.value.reason
    scaled = run(tmp_path, (0.15, 0.1, 0.05), units="mm", target_size_mm=30)
    assert max(scaled.dims_mm) == pytest.approx(30.0)


def test_absurdly_large_parts_are_refused_with_unit_advice(tmp_path: Path) -> None:
    with pytest.raises(UnprintableMesh) as err:
        run(tmp_path, (12000.0, 8000.0, 3000.0))
    assert "far beyond any bed" in err.value.reason
    assert "rescale the file" in err.value.reason  # no other unit makes it fit


def test_unknown_units_are_value_errors() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        choose_unit((1.0, 1.0, 1.0), ".stl", None, "furlong")
    assert detect_unit(40.0, ".stl", None, "auto") == "mm"  # the design engine's call


def test_a_part_that_will_not_print_is_unprintable_with_reason_and_fix(tmp_path: Path) -> None:
    report = run(tmp_path, (40.0, 30.0, 0.5), units="mm")  # a 0.5 mm sheet
    assert report.status == "unprintable"
    assert report.reason is not None and "0.50 mm thick" in report.reason
    assert report.fix is not None and "scale it by 1.60" in report.fix
    assert report.print_time_s == 0.0 and report.filament_g == 0.0  # no estimate
    assert report.gcode_path is None


def test_a_printable_part_is_ready_with_an_estimate(tmp_path: Path) -> None:
    report = run(tmp_path, (40.0, 30.0, 10.0), units="mm")
    assert report.status == "ready" and report.reason is None and report.fix is None
    assert report.print_time_s > 0 and report.filament_g > 0


@pytest.mark.parametrize(
    "mesh",
    [trimesh.creation.cone(25, 40, sections=96), trimesh.creation.cone(31.8, 30, sections=4)],
)
def test_acute_rims_of_cones_and_pyramids_are_not_thin_walls(
    tmp_path: Path, mesh: trimesh.Trimesh
) -> None:
    path = tmp_path / "cone.stl"
    mesh.export(path)
    report = prepare(path, tmp_path / "out", use_slicer=False, units="mm")
    assert report.status == "ready", report.reason
    assert not [f for f in report.findings if f["name"] == "thin_wall"]


def test_a_scale_multiplies_the_part_after_its_units_and_is_stated(tmp_path: Path) -> None:
    report = run(tmp_path, (2.0, 1.5, 1.0), units="inch", scale=2.0)
    assert sorted(report.dims_mm) == pytest.approx([50.8, 76.2, 101.6], abs=0.01)
    assert report.scale == pytest.approx(50.8)
    scale = next(f["message"] for f in report.findings if f["name"] == "scale")
    assert "scaled by 2 as chosen" in scale and "101.6 mm" in scale


def test_a_scale_that_makes_a_part_sub_millimetre_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnprintableMesh) as err:
        run(tmp_path, (20.0, 10.0, 5.0), units="mm", scale=0.01)
    assert "only 0.2 mm long" in err.value.reason and "sub-millimetre" in err.value.reason


def test_repair_pictures_mark_defects_before_and_added_faces_after(tmp_path: Path) -> None:
    """The before picture paints the faces around a hole red; the after picture paints the faces
    the repair added green: both masks are exact on a box with two triangles missing."""
    from engines.printprep.previews import added_faces, defect_faces

    box = trimesh.creation.box((20.0, 20.0, 20.0))
    holed = box.copy()
    holed.update_faces(box.face_normals[:, 2] < 0.5)  # the top (seen by the camera) gone
    holed.remove_unreferenced_vertices()
    assert defect_faces(box).sum() == 0
    assert 2 <= defect_faces(holed).sum() <= 4  # the faces along the hole's four edges
    assert added_faces(box, box).sum() == 0
    assert added_faces(holed, box).sum() == 2  # the repair's two new triangles
    path = tmp_path / "holed.stl"
    holed.export(path)
    report = prepare(path, tmp_path / "out", use_slicer=False, previews=True, stem="p")
    from PIL import Image

    before = np.asarray(Image.open(report.before_preview_path).convert("RGB")).reshape(-1, 3)
    after = np.asarray(Image.open(report.after_preview_path).convert("RGB")).reshape(-1, 3)
    r0, g0, r1, g1 = (c.astype(int) for c in (before[:, 0], before[:, 1], after[:, 0], after[:, 1]))
    reddish, greenish = (r0 > 100) & (r0 > 2 * g0), (g1 > 100) & (g1 > 2 * r1)
    assert reddish.sum() > 100 and greenish.sum() > 100  # both are visible in the pictures
    assert report.repaired and report.health_after["boundary_edges"] == 0
