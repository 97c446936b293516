"""Tests of the print-preparation engine: repair, orientation, estimates, exports."""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import trimesh
from hypothesis import given, settings
from hypothesis import strategies as st
from trimesh.transformations import rotation_matrix

from engines.printprep import (
    MATERIALS,
    PRINTERS,
    PrintPrepReport,
    UnprintableMesh,
    load_mesh,
    prepare,
)
from engines.printprep.profiles import SLICER_PROFILE, Material, PrinterProfile
from engines.printprep.repair import mesh_health, repair_mesh
from engines.printprep.slicer import parse_duration_s
from engines.printprep.slicing import LayerStack, PrintSettings, estimate_print, slice_layers
from models.contracts import Finding

PLA = MATERIALS["PLA"]
MK4 = PRINTERS["prusa_mk4"]


@pytest.fixture(autouse=True)
def _no_installed_slicer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide a system-wide prusa-slicer so tests are the same with or without it (fakes stay)."""
    real = shutil.which

    def which(name: str, *args: object, **kwargs: object) -> str | None:
        found = real(name)
        return None if found and found.startswith(("/usr/", "/bin/")) else found

    monkeypatch.setattr("engines.printprep.slicer.shutil.which", which)


# --------------------------------------------------------------------------- fixtures


def cube(size_mm: float = 20.0) -> trimesh.Trimesh:
    """An axis-aligned cube centred on the origin."""
    return trimesh.creation.box((size_mm, size_mm, size_mm))


def soup(mesh: trimesh.Trimesh, faces: np.ndarray) -> trimesh.Trimesh:
    """The mesh's vertices with other faces, unprocessed (so defects survive)."""
    return trimesh.Trimesh(vertices=mesh.vertices, faces=faces, process=False)


def save(mesh: trimesh.Trimesh, path: Path) -> Path:
    """Export by suffix and return the path."""
    mesh.export(path)
    return path


def write_binary_stl(path: Path, triangles: np.ndarray) -> Path:
    """A binary STL written by hand, so it can hold anything (NaN included)."""
    record = np.zeros(
        len(triangles), dtype=[("normal", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")]
    )
    record["v"] = triangles
    path.write_bytes(b"\0" * 80 + np.uint32(len(triangles)).tobytes() + record.tobytes())
    return path


def wedge() -> trimesh.Trimesh:
    """A right-angled wedge: 40 mm x 20 mm flat base, rising to 20 mm at x = 0."""
    profile = [(0, 0), (40, 0), (0, 20)]
    return trimesh.convex.convex_hull([(x, y, z) for x, z in profile for y in (0, 20)])


def l_bracket() -> trimesh.Trimesh:
    """An L of two 5 mm thick, 20 mm wide, 40 mm long arms (one watertight solid)."""
    foot = trimesh.creation.box((40, 20, 5)).apply_translation([20, 10, 2.5])
    post = trimesh.creation.box((5, 20, 40)).apply_translation([2.5, 10, 20])
    return trimesh.boolean.union([foot, post], engine="manifold")


def run(tmp_path: Path, mesh: trimesh.Trimesh, name: str = "part.stl", **kwargs) -> PrintPrepReport:
    """Save a mesh and prepare it into tmp_path/out."""
    return prepare(save(mesh, tmp_path / name), tmp_path / "out", **kwargs)


def names(report: PrintPrepReport, severity: str | None = None) -> set[str]:
    """Finding names, optionally of one severity."""
    return {f["name"] for f in report.findings if severity in (None, f["severity"])}


# --------------------------------------------------------------------------- happy path


def test_clean_cube_is_untouched_and_estimated(tmp_path: Path) -> None:
    stages: list[str] = []
    report = run(tmp_path, cube(), progress=stages.append)

    assert stages == ["repair", "orient", "slice", "export"]
    assert report.repaired == []
    assert report.dims_mm == pytest.approx((20, 20, 20))
    assert report.volume_cm3 == pytest.approx(8.0)
    assert report.triangles == 12
    assert report.layer_count == 100
    assert report.support_area_mm2 == report.support_area_before_mm2 == 0
    assert not names(report, "error") and not names(report, "warning")
    assert 120 < report.print_time_s < 4 * 3600
    assert 0 < report.filament_g < 8.0 * PLA.density_g_cm3
    filament_cm3 = report.filament_m * 100 * math.pi * (0.175 / 2) ** 2
    assert report.filament_g == pytest.approx(filament_cm3 * PLA.density_g_cm3)
    assert report.gcode_path is None and report.slicer_print_time_s is None
    assert "slicer" in names(report, "info")
    for f in report.findings:  # every finding fits the workflow contract
        Finding.model_validate(f)


def test_exports_load_back_on_the_bed(tmp_path: Path) -> None:
    report = run(tmp_path, l_bracket(), stem="bracket")

    assert Path(report.stl_path).name == "bracket.stl"
    assert Path(report.threemf_path).name == "bracket.3mf"
    with zipfile.ZipFile(report.threemf_path) as z:
        assert "3D/3dmodel.model" in z.namelist()
    for path in (report.stl_path, report.threemf_path):
        back = load_mesh(path)
        assert back.is_watertight
        assert back.volume / 1000 == pytest.approx(report.volume_cm3, rel=0.01)
        lo, hi = back.bounds
        assert lo[2] == pytest.approx(0, abs=1e-6)
        centre = (lo[:2] + hi[:2]) / 2
        assert centre == pytest.approx(np.array(MK4.build_volume_mm[:2]) / 2, abs=1e-3)


@pytest.mark.parametrize("suffix", [".obj", ".ply", ".glb", ".3mf"])
def test_other_formats_load(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / f"first{suffix}"
    if suffix == ".3mf":  # trimesh cannot write 3MF without lxml: use our own export
        source = Path(run(tmp_path, cube(), stem="first").threemf_path)
    else:
        save(cube(), source)
    assert load_mesh(source).volume == pytest.approx(8000, rel=1e-6)


# --------------------------------------------------------------------------- repair


def _coplanar_with_first(mesh: trimesh.Trimesh) -> np.ndarray:
    """Indices of the faces in the plane of face 0."""
    return np.flatnonzero(mesh.face_normals @ mesh.face_normals[0] > 0.999)


@pytest.mark.parametrize("removed", [1, 2])
def test_holes_are_filled(tmp_path: Path, removed: int) -> None:
    box = cube()
    drop = _coplanar_with_first(box)[:removed]
    report = run(tmp_path, soup(box, np.delete(box.faces, drop, axis=0)))

    assert "filled 1 hole(s)" in report.repaired
    assert report.volume_cm3 == pytest.approx(8.0)
    health = next(f for f in report.findings if f["name"] == "mesh_health")
    assert health["message"].startswith(f"before repair: {removed + 2} open edges")


@pytest.mark.parametrize("flipped", [[0, 3, 5], list(range(12))])
def test_flipped_faces_point_outward_again(tmp_path: Path, flipped: list[int]) -> None:
    box = cube()
    faces = box.faces.copy()
    faces[flipped] = faces[flipped][:, ::-1]
    report = run(tmp_path, soup(box, faces))

    assert f"flipped {len(flipped)} faces so normals point outward" in report.repaired
    assert report.volume_cm3 == pytest.approx(8.0)


def test_duplicate_faces_are_removed(tmp_path: Path) -> None:
    box = cube()
    report = run(tmp_path, soup(box, np.vstack([box.faces, box.faces[:4]])))

    assert "removed 4 duplicate faces" in report.repaired
    assert report.triangles == 12


def test_duplicate_vertices_are_merged(tmp_path: Path) -> None:
    box = cube()
    unshared = box.vertices[box.faces.reshape(-1)]  # 36 corners, 8 distinct
    mesh = trimesh.Trimesh(unshared, np.arange(36).reshape(-1, 3), process=False)
    report = run(tmp_path, mesh, name="part.obj")

    assert "merged 28 duplicate vertices" in report.repaired


def test_overlapping_shells_are_united(tmp_path: Path) -> None:
    shifted = cube().apply_translation([10, 0, 0])
    report = run(tmp_path, trimesh.util.concatenate([cube(), shifted]))

    assert "united 2 overlapping shells into 1 solid(s)" in report.repaired
    assert report.volume_cm3 == pytest.approx(12.0, rel=1e-6)
    assert sorted(report.dims_mm) == pytest.approx([20, 20, 30])


def test_separate_parts_and_cavities_are_kept(tmp_path: Path) -> None:
    apart = cube().apply_translation([40, 0, 0])
    cavity = trimesh.creation.box((10, 10, 10))
    cavity.invert()
    report = run(tmp_path, trimesh.util.concatenate([cube(), apart, cavity]))

    assert report.repaired == []
    assert report.volume_cm3 == pytest.approx(16.0 - 1.0)
    assert {"separate_parts", "cavities"} <= names(report, "info")


def test_repair_is_fast_enough_to_rewind_a_dense_mesh() -> None:
    sphere = trimesh.creation.icosphere(subdivisions=5, radius=20)
    faces = sphere.faces.copy()
    flip = np.random.default_rng(1).random(len(faces)) < 0.3
    faces[flip] = faces[flip][:, ::-1]
    result = repair_mesh(soup(sphere, faces))

    assert result.after.watertight and result.after.winding_consistent
    assert result.mesh.volume == pytest.approx(sphere.volume)


# --------------------------------------------------------------------------- refusals


def _nan_stl(path: Path) -> Path:
    triangles = cube().triangles.copy()
    triangles[3, 1, 2] = np.nan
    return write_binary_stl(path, triangles)


def _file(name: str, data: bytes) -> Callable[[Path], Path]:
    """A fixture maker writing raw bytes to tmp_path / name."""

    def make(directory: Path) -> Path:
        (directory / name).write_bytes(data)
        return directory / name

    return make


def _sheet(directory: Path) -> Path:
    square = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]]
    return save(trimesh.Trimesh(square, [[0, 1, 2], [0, 2, 3]], process=False), directory / "s.stl")


JUNK = random.Random(20261203).randbytes(4096)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p / "missing.stl", "does not exist"),
        (_file("empty.stl", b""), "empty"),
        # seeded junk: os.urandom made the STL case flaky (random bytes sometimes parse as an
        # ASCII or binary STL with no facets, which is refused with "contains no triangles")
        (_file("junk.stl", JUNK), "readable|contains no triangles"),
        (_file("junk.glb", JUNK), "readable"),
        (_file("junk.3mf", JUNK), "readable"),
        (_file("part.step", b"ISO-10303-21;"), "format"),
        (_file("blank.obj", b"# no faces\n"), "no triangles"),
        (lambda p: _nan_stl(p / "nan.stl"), "NaN"),
        (_sheet, "no volume"),
    ],
    ids=[
        "missing",
        "empty",
        "junk-stl",
        "junk-glb",
        "junk-3mf",
        "step",
        "no-faces",
        "nan",
        "sheet",
    ],
)
def test_unusable_files_raise_with_a_reason(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    with pytest.raises(UnprintableMesh, match=reason) as caught:
        prepare(make(tmp_path), tmp_path / "out")
    assert isinstance(caught.value, ValueError)
    assert re.search(reason, caught.value.reason)


def test_size_limits(tmp_path: Path) -> None:
    path = save(cube(), tmp_path / "cube.stl")
    with pytest.raises(UnprintableMesh, match="upload limit"):
        load_mesh(path, max_bytes=100)
    with pytest.raises(UnprintableMesh, match="12 triangles, over the 10 limit"):
        load_mesh(path, max_triangles=10)


def test_too_big_part_is_refused_with_a_scale_that_fits(tmp_path: Path) -> None:
    with pytest.raises(UnprintableMesh, match=r"scale it by 0\.525") as caught:
        run(tmp_path, cube(), target_size_mm=400.0)
    assert "prusa_mk4" in caught.value.reason
    report = run(tmp_path, cube(), target_size_mm=400.0 * 0.525)  # the proposal does fit
    assert max(report.dims_mm) == pytest.approx(210.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"printer": "makerbot"},
        {"material": "ABS"},
        {"layer_height_mm": 0.0},
        {"infill_fraction": 1.5},
        {"target_size_mm": -1.0},
        {"stem": "../escape"},
    ],
)
def test_bad_settings_are_value_errors(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError) as caught:
        run(tmp_path, cube(), **kwargs)
    assert not isinstance(caught.value, UnprintableMesh)


# --------------------------------------------------------------------------- checks


def test_thin_plate_is_returned_with_an_error_finding(tmp_path: Path) -> None:
    report = run(tmp_path, trimesh.creation.box((30, 30, 0.5)))

    assert "thin_feature" in names(report, "error")
    assert report.layer_count in (2, 3)


def test_inch_part_is_scaled_to_the_target_size(tmp_path: Path) -> None:
    inches = trimesh.creation.box((2.0, 1.0, 0.5))
    unscaled = run(tmp_path, inches)
    assert "units" in names(unscaled, "warning") and unscaled.unit == "inch"
    assert sorted(unscaled.dims_mm) == pytest.approx([12.7, 25.4, 50.8])
    as_mm = run(tmp_path, inches, units="mm")
    assert "thin_feature" in names(as_mm, "error") and "tiny_part" in names(as_mm, "warning")

    report = run(tmp_path, inches, target_size_mm=50.8)
    assert sorted(report.dims_mm) == pytest.approx([12.7, 25.4, 50.8])
    assert report.volume_cm3 == pytest.approx(2.0 * 1.0 * 0.5 * 2.54**3)
    assert "scale" in names(report, "info") and not names(report, "error")


def test_ball_warns_about_small_bed_contact(tmp_path: Path) -> None:
    report = run(tmp_path, trimesh.creation.icosphere(subdivisions=3, radius=15))

    assert "bed_contact" in names(report, "warning")
    assert report.support_area_mm2 > 0


# --------------------------------------------------------------------------- orientation


@pytest.mark.parametrize(
    ("shape", "flat_area_mm2", "height_mm"),
    [  # a wedge rests on its largest face (the slope), which is also its lowest pose
        (wedge, math.hypot(40, 20) * 20, 40 * 20 / math.hypot(40, 20)),
        (l_bracket, 40 * 40 - 35 * 35, 20),
    ],
    ids=["wedge", "l-bracket"],
)
def test_orientation_puts_the_flat_face_down(
    tmp_path: Path, shape, flat_area_mm2: float, height_mm: float
) -> None:
    mesh = shape()
    mesh.apply_transform(rotation_matrix(math.radians(150), [0, 1, 0]))
    report = run(tmp_path, mesh)

    assert report.support_area_before_mm2 > 100
    assert report.support_area_mm2 == pytest.approx(0, abs=1e-6)
    assert report.dims_mm[2] == pytest.approx(height_mm, abs=1e-3)
    placed = load_mesh(report.stl_path)
    on_bed = placed.vertices[placed.faces][:, :, 2].max(axis=1) < 1e-6
    assert placed.area_faces[on_bed].sum() == pytest.approx(flat_area_mm2)


# --------------------------------------------------------------------------- estimates


def test_estimates_grow_with_size_and_infill(tmp_path: Path) -> None:
    small = run(tmp_path, cube(20))
    big = run(tmp_path, cube(40))
    assert big.print_time_s > small.print_time_s
    assert big.filament_g > 4 * small.filament_g

    sparse = run(tmp_path, cube(40), infill_fraction=0.1)
    dense = run(tmp_path, cube(40), infill_fraction=0.5)
    assert dense.filament_m > sparse.filament_m
    assert dense.print_time_s > sparse.print_time_s


@pytest.mark.parametrize("layer_height_mm", [0.1, 0.15, 0.2, 0.28])
def test_layer_count_follows_height(tmp_path: Path, layer_height_mm: float) -> None:
    report = run(tmp_path, trimesh.creation.box((30, 12, 20)), layer_height_mm=layer_height_mm)
    assert report.dims_mm[2] == pytest.approx(12.0)  # laid on its largest side
    first_mm = SLICER_PROFILE.first_layer_height_mm  # PrusaSlicer's thicker first layer
    assert report.layer_count == 1 + math.ceil((12 - first_mm) / layer_height_mm - 1e-9)


def test_solid_infill_uses_the_part_volume_in_filament(tmp_path: Path) -> None:
    ball = trimesh.creation.icosphere(subdivisions=4, radius=15)
    report = run(tmp_path, ball, infill_fraction=1.0)
    filament_mm3 = report.filament_g / PLA.density_g_cm3 * 1000
    skirt_mm3 = _skirt_mm3(slice_layers(ball, 0.2, 0.64, SLICER_PROFILE.first_layer_height_mm))
    expected = (ball.volume + skirt_mm3) * PrintSettings().flow_factor  # as PrusaSlicer counts
    assert filament_mm3 == pytest.approx(expected, rel=0.03)


def _skirt_mm3(layers: LayerStack) -> float:
    """Filament (mm³) of the one skirt loop around the first layer."""
    p = SLICER_PROFILE
    h = layers.first_layer_mm or layers.layer_height_mm
    around = float(layers.bbox_perimeter_mm[0]) + 2 * math.pi * p.skirt_distance_mm
    return around * h * (h * p.first_layer_width_share - h * (1 - math.pi / 4))


@settings(max_examples=25, deadline=None)
@given(
    size=st.tuples(*[st.floats(1.0, 60.0)] * 3),
    turn_deg=st.floats(0, 360),
    layer_height_mm=st.sampled_from([0.1, 0.2, 0.3]),
)
def test_sections_of_a_prism_are_exact(
    size: tuple[float, float, float], turn_deg: float, layer_height_mm: float
) -> None:
    box = trimesh.creation.box(size)
    box.apply_transform(rotation_matrix(math.radians(turn_deg), [0, 0, 1]))
    layers = slice_layers(box, layer_height_mm)

    assert len(layers.z_mm) == math.ceil(size[2] / layer_height_mm - 1e-9)
    assert layers.area_mm2 == pytest.approx(np.full(len(layers.z_mm), size[0] * size[1]))
    assert layers.perimeter_mm == pytest.approx(np.full(len(layers.z_mm), 2 * sum(size[:2])))
    assert (layers.islands == 1).all()


@settings(max_examples=20, deadline=None)
@given(low=st.floats(0.0, 1.0), high=st.floats(0.0, 1.0), radius=st.floats(3.0, 40.0))
def test_more_infill_never_means_less_filament(low: float, high: float, radius: float) -> None:
    low, high = sorted((low, high))
    ball = trimesh.creation.icosphere(subdivisions=2, radius=radius)
    layers = slice_layers(ball, 0.2)
    lean = estimate_print(layers, MK4, PLA, low)
    rich = estimate_print(layers, MK4, PLA, high)

    assert lean.filament_g <= rich.filament_g + 1e-9
    assert lean.print_time_s <= rich.print_time_s + 1e-9
    skirt_mm3 = _skirt_mm3(layers)
    assert rich.filament_mm3 <= (ball.volume + skirt_mm3) * PrintSettings().flow_factor * 1.03


def test_hollow_sections_count_one_island_per_outer_loop() -> None:
    ring = trimesh.boolean.difference(
        [trimesh.creation.box((20, 20, 10)), trimesh.creation.box((10, 10, 12))], engine="manifold"
    )
    twin = trimesh.util.concatenate([ring, ring.copy().apply_translation([30, 0, 0])])
    layers = slice_layers(twin, 0.2)

    assert layers.area_mm2 == pytest.approx(np.full(50, 2 * 300.0))
    assert layers.perimeter_mm == pytest.approx(np.full(50, 2 * 120.0))
    assert (layers.islands == 2).all()


def test_profiles_are_as_specified() -> None:
    assert PrinterProfile("prusa_mk4", (250.0, 210.0, 220.0), 0.4, "Prusa MK4") == MK4
    assert PRINTERS["bambu_x1c"].build_volume_mm == (256.0, 256.0, 256.0)
    assert PRINTERS["ender3"].build_volume_mm == (220.0, 220.0, 250.0)
    assert MATERIALS["PETG"] == Material("PETG", 1.27, 1.75)
    assert PLA.density_g_cm3 == 1.24


# --------------------------------------------------------------------------- external slicer


def _fake_slicer(bin_dir: Path, body: str) -> None:
    """Put an executable `prusa-slicer` shell script on bin_dir."""
    bin_dir.mkdir()
    exe = bin_dir / "prusa-slicer"
    exe.write_text("#!/bin/sh\n" + body)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)


def test_prusa_slicer_time_is_used_when_available(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_slicer(
        tmp_path / "bin",
        'while [ "$1" != "-o" ]; do shift; done\n'
        'printf "G28\\n; estimated printing time (normal mode) = 1h 2m 3s\\n" > "$2"\n',
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    report = run(tmp_path, cube())

    assert report.gcode_path == str(tmp_path / "out" / "prototype.gcode")
    assert report.slicer_print_time_s == 3723.0


def test_failing_prusa_slicer_leaves_no_gcode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_slicer(tmp_path / "bin", "echo 'Objects could not be sliced' >&2\nexit 1\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    report = run(tmp_path, cube())

    assert report.gcode_path is None and report.slicer_print_time_s is None
    slicer = next(f for f in report.findings if f["name"] == "slicer")
    assert slicer["severity"] == "warning" and "could not be sliced" in slicer["message"]


def test_duration_parsing() -> None:
    assert parse_duration_s("1d 2h 3m 4s") == 93784
    assert parse_duration_s("45s") == 45
    assert parse_duration_s("soon") is None


def test_health_counts_open_and_nonmanifold_edges() -> None:
    box = cube()
    a, b = box.faces[0, :2]
    fin = np.vstack([box.faces, [[a, b, 8]]])
    mesh = trimesh.Trimesh(np.vstack([box.vertices, [[50, 50, 50]]]), fin, process=False)
    health = mesh_health(mesh)
    assert health.nonmanifold_edges == 1 and health.boundary_edges == 2
    assert not health.watertight
