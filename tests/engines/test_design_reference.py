"""A trend's reference mesh guides the design: size and proportions become priors, the shape
names the family when the words are vague, trend fit includes likeness to it, and an unusable
file is refused with its reason (a DesignError in the engine, a non-retryable failure in the
activity). All meshes here are real files written with trimesh."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import numpy as np
import pytest
import trimesh
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.pipeline import PipelineActivities
from bench.design.baseline import generate_variants, intent_for
from bench.design.baseline.shape_priors import nearest_family
from engines.design import DesignError, load_reference
from engines.design.reference import describe_shape, similarity
from models.contracts import DesignRequest
from models.tables import DesignVariant, Trend


def _mug(radius_mm: float, height_mm: float) -> trimesh.Trimesh:
    """A hollow cylinder cup (4 mm walls) with a ring handle on its side, mm."""
    body = trimesh.creation.cylinder(radius=radius_mm, height=height_mm)
    inside = trimesh.creation.cylinder(radius=radius_mm - 4.0, height=height_mm)
    inside.apply_translation([0, 0, 6.0])  # a 6 mm floor
    handle = trimesh.creation.torus(0.3 * height_mm, 0.06 * height_mm)
    handle.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    handle.apply_translation([radius_mm + 0.15 * height_mm, 0, 0])
    solid = trimesh.boolean.union([body, handle], engine="manifold")
    mug = trimesh.boolean.difference([solid, inside], engine="manifold")
    mug.apply_translation([0, 0, height_mm / 2])
    return mug


def _hat() -> trimesh.Trimesh:
    """A top hat: a tall crown on a wide thin brim, mm."""
    crown = trimesh.creation.cylinder(radius=60.0, height=90.0)
    crown.apply_translation([0, 0, 49.0])
    brim = trimesh.creation.cylinder(radius=150.0, height=6.0)
    brim.apply_translation([0, 0, 3.0])
    return trimesh.boolean.union([crown, brim], engine="manifold")


def _quadruped() -> trimesh.Trimesh:
    """A four-legged animal: an egg body, legs, a neck and a head, mm."""
    body = trimesh.creation.icosphere(3, 1.0)
    body.apply_scale([80.0, 45.0, 40.0])
    body.apply_translation([0, 0, 90.0])
    legs = [trimesh.creation.cylinder(9.0, segment=[(x, y, 0), (x, y, 90)])
            for x in (-50, 50) for y in (-25, 25)]  # fmt: skip
    neck = trimesh.creation.cylinder(14.0, segment=[(60, 0, 100), (95, 0, 150)])
    head = trimesh.creation.icosphere(3, 26.0)
    head.apply_translation([100, 0, 160])
    return trimesh.boolean.union([body, *legs, neck, head], engine="manifold")


def _y_up(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """The mesh turned +Z up -> +Y up, as glTF files are by specification."""
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    return mesh


def _write(mesh: trimesh.Trimesh, path: Path) -> Path:
    mesh.export(path)
    return path


@pytest.fixture(scope="module")
def refs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("refs")
    return {
        "tall_mug": _write(_mug(35.0, 120.0), d / "tall_mug.stl"),
        "squat_mug": _write(_mug(50.0, 70.0), d / "squat_mug.stl"),
        "hat": _write(_hat(), d / "hat.obj"),
        "pony": _write(_quadruped(), d / "pony.ply"),
        "hat_glb": _write(_y_up(_hat()), d / "hat.glb"),
    }


def _height_over_width(dims_mm: tuple[float, float, float]) -> float:
    return dims_mm[2] / max(dims_mm[0], dims_mm[1])


def test_reference_is_loaded_in_mm_and_described(refs) -> None:
    ref = load_reference(refs["tall_mug"])
    assert ref.unit == "mm" and ref.size_mm == pytest.approx(70.0 + 0.45 * 120.0 + 7.2, rel=1e-2)
    assert ref.shape.proportions[2] == pytest.approx(120.0 / ref.size_mm)
    assert ref.shape.hull_area_ratio > 1.3  # hollow
    assert ref.shape.d2.sum() == pytest.approx(1.0)
    again = load_reference(refs["tall_mug"])
    assert np.array_equal(ref.shape.d2, again.shape.d2)  # seeded: deterministic


def test_glb_reference_is_turned_z_up(refs) -> None:
    obj, glb = load_reference(refs["hat"]), load_reference(refs["hat_glb"])
    assert np.allclose(obj.shape.proportions, glb.shape.proportions, atol=1e-6)
    assert obj.shape.proportions[2] < 0.4  # the hat lies flat and wide either way


def test_small_numbers_are_read_as_inches(tmp_path) -> None:
    mug = _mug(35.0, 120.0)
    mug.apply_scale(4.0 / float(mug.extents.max()))  # 4 units long: inches, as print prep reads
    ref = load_reference(_write(mug, tmp_path / "inch_mug.stl"))
    assert ref.unit == "inch" and ref.size_mm == pytest.approx(101.6, rel=1e-3)


def test_shape_names_the_family_when_words_are_vague(refs) -> None:
    cases = (("hat", "hat"), ("tall_mug", "cup"), ("squat_mug", "cup"), ("pony", "plush_animal"))
    for name, family in cases:
        ref = load_reference(refs[name])
        assert nearest_family(ref) == family
        assert intent_for("something just like this one", ref, embeddings=False).family == family
    with pytest.raises(DesignError, match="names no product"):
        intent_for("something just like this one", None, embeddings=False)


def test_words_still_name_the_family_over_the_shape(refs) -> None:
    ref = load_reference(refs["hat"])
    assert intent_for("a cute phone stand", ref, embeddings=False).family == "phone_stand"


def test_empty_text_is_refused_even_with_a_reference(refs) -> None:
    with pytest.raises(DesignError, match="empty"):
        generate_variants("  ", reference=refs["hat"], embeddings=False)


def test_reference_sets_size_and_proportions(refs) -> None:
    _, tall = generate_variants("a mug", count=12, reference=refs["tall_mug"], embeddings=False)
    _, squat = generate_variants("a mug", count=12, reference=refs["squat_mug"], embeddings=False)
    _, plain = generate_variants("a mug", count=12, embeddings=False)
    size_mm = load_reference(refs["tall_mug"]).size_mm
    assert all(max(v.dims_mm) == pytest.approx(size_mm, rel=1e-6) for v in tall)
    assert all(v.printable and v.mesh.is_watertight for v in tall + squat)
    ratio = {k: np.median([_height_over_width(v.dims_mm) for v in vs[:6]])
             for k, vs in (("tall", tall), ("squat", squat), ("plain", plain))}  # fmt: skip
    assert ratio["tall"] > ratio["plain"] > ratio["squat"]


def test_size_words_beat_the_reference_size(refs) -> None:
    _, mini = generate_variants("a mini mug", count=4, reference=refs["tall_mug"], embeddings=False)
    assert all(max(v.dims_mm) == pytest.approx(60.0, rel=1e-6) for v in mini)


def test_trend_fit_includes_likeness_to_the_reference(refs) -> None:
    tall_ref = load_reference(refs["tall_mug"])
    _, tall = generate_variants("a mug", count=12, reference=tall_ref, embeddings=False)
    _, squat = generate_variants("a mug", count=12, reference=refs["squat_mug"], embeddings=False)
    assert all("reference_similarity" in v.objectives for v in tall)
    like_tall = [similarity(describe_shape(v.mesh), tall_ref.shape) for v in tall[:6]]
    like_squat = [similarity(describe_shape(v.mesh), tall_ref.shape) for v in squat[:6]]
    assert np.mean(like_tall) > np.mean(like_squat) + 0.05
    # within one run, the most reference-like candidates rank higher than the least
    sims = np.array([v.objectives["reference_similarity"] for v in tall])
    assert np.mean(sims[:4]) > np.mean(sims[-4:])


def test_reference_variants_are_deterministic(refs) -> None:
    a = generate_variants("a mug", count=6, seed=5, reference=refs["squat_mug"], embeddings=False)
    b = generate_variants("a mug", count=6, seed=5, reference=refs["squat_mug"], embeddings=False)
    assert [v.params for v in a[1]] == [v.params for v in b[1]]


def _flat_sheet(path: Path) -> Path:
    sheet = trimesh.Trimesh(
        [[0, 0, 0], [50, 0, 0], [0, 50, 0], [50, 50, 0]], [[0, 1, 2], [1, 3, 2]]
    )
    return _write(sheet, path)


def _nan_stl(path: Path) -> Path:
    path.write_text(
        "solid bad\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex nan 0 0\n"
        "vertex 0 1 0\nendloop\nendfacet\nendsolid bad\n"
    )
    return path


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("3D/3dmodel.model", "<model>" + " " * 5_000_000 + "</model>")
    return path


BAD = {
    "missing.stl": (lambda p: p, "missing"),
    "empty.stl": (lambda p: (p.write_bytes(b""), p)[1], "empty"),
    "garbage.stl": (
        lambda p: (p.write_bytes(b"\x00\x01 not a mesh " * 7), p)[1],
        "readable|no triangles",
    ),
    "notes.txt": (lambda p: (p.write_text("hello"), p)[1], "unsupported format"),
    "nan.stl": (_nan_stl, "NaN"),
    "sheet.stl": (_flat_sheet, "flat"),
    "bomb.3mf": (_zip_bomb, "compress|ratio|expand|unpack"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_reference_meshes_raise_design_error_with_the_reason(name, tmp_path) -> None:
    make, reason = BAD[name]
    path = make(tmp_path / name)
    with pytest.raises(DesignError, match=rf"reference mesh {name} cannot be used: .*({reason})"):
        generate_variants("a mug", count=4, reference=path, embeddings=False)


# ----------------------------------------------------------------- the design activity


def _trend(engine, text: str, reference: str | None) -> int:
    with Session(engine) as s:
        trend = Trend(
            dedup_key=uuid.uuid4().hex,
            text=text,
            merchant_id="m-ref",
            reference_mesh_path=reference,
        )
        s.add(trend)
        s.commit()
        assert trend.id is not None
        return trend.id


@pytest.mark.db
def test_design_activity_uses_the_trends_reference_mesh(engine, tmp_path, refs) -> None:
    acts = PipelineActivities(engine, tmp_path)
    (tmp_path / "uploads").mkdir()
    _write(_hat(), tmp_path / "uploads" / "hat.stl")  # relative to the files folder
    trend_id = _trend(engine, "a sun hat just like this one", "uploads/hat.stl")
    req = DesignRequest(workflow_id=f"trend-{trend_id}", trend_id=trend_id, text="x", count=6)
    req.text = "a sun hat just like this one"
    result = ActivityEnvironment().run(acts.design_variants, req)
    assert result.family == "hat" and len(result.variants) == 6
    with Session(engine) as s:
        rows = s.exec(select(DesignVariant).where(DesignVariant.trend_id == trend_id)).all()
    # made at the reference's 300 mm (200 mm without it); the brim-width axis moves a
    # variant's span by at most -13 % / +5 % around the same crown
    sizes = [max(r.dims_mm) for r in rows]
    assert len(rows) == 6 and any(size == pytest.approx(300.0, rel=1e-6) for size in sizes)
    assert all(0.85 * 300 <= size <= 1.1 * 300 for size in sizes), sizes


@pytest.mark.db
def test_design_activity_refuses_a_bad_reference_without_retrying(engine, tmp_path) -> None:
    acts = PipelineActivities(engine, tmp_path)
    bad = _nan_stl(tmp_path / "nan.stl")
    trend_id = _trend(engine, "a mug", str(bad))
    req = DesignRequest(workflow_id=f"trend-{trend_id}", trend_id=trend_id, text="a mug", count=6)
    with pytest.raises(ApplicationError) as info:
        ActivityEnvironment().run(acts.design_variants, req)
    assert info.value.non_retryable and info.value.type == "DesignError"
    assert "reference mesh nan.stl cannot be used" in str(info.value) and "NaN" in str(info.value)
    with Session(engine) as s:
        assert not s.exec(select(DesignVariant).where(DesignVariant.trend_id == trend_id)).all()


def test_a_reference_too_big_to_make_is_refused_with_its_size(tmp_path) -> None:
    path = _write(trimesh.creation.box(extents=(3000.0, 800.0, 900.0)), tmp_path / "shed.stl")
    with pytest.raises(DesignError, match="reference mesh's longest side 3000 mm is outside"):
        generate_variants("a mug", count=4, reference=path, embeddings=False)
    _, fits = generate_variants("a mug", count=4, reference=path, target_size_mm=120.0)
    assert all(max(v.dims_mm) == pytest.approx(120.0) for v in fits)  # a given size wins
