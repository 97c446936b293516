"""Design engine: watertight families, intent from words, ranked and distinct variants, assets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import trimesh
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bench.design.baseline import (
    FAMILIES,
    DesignError,
    GeneratedVariant,
    detect_family,
    generate_variants,
    parse_intent,
    render_preview,
    write_variant_assets,
)
from engines.design.base import PROCESS_COST_USD
from engines.design.shapes import sphere, union

FAMILY_NAMES = sorted(FAMILIES)


def assert_solid(mesh: trimesh.Trimesh) -> None:
    assert mesh.is_watertight
    assert mesh.volume > 0
    assert mesh.body_count == 1


def corner_units(d: int) -> list[np.ndarray]:
    """All-low, all-high, the two alternating and the two half-split corners of the unit cube."""
    alternating = [np.array([(i + k) % 2 for i in range(d)], dtype=float) for k in (0, 1)]
    split = [np.array([float((i < d // 2) ^ k) for i in range(d)]) for k in (0, 1)]
    return [np.zeros(d), np.ones(d), *alternating, *split]


# --------------------------------------------------------------------------- families


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_declarations_are_consistent(name: str) -> None:
    family = FAMILIES[name]
    assert family.name == name and family.keywords and family.processes
    assert family.default_size_mm > 0 and family.material_usd_per_cm3 > 0
    assert set(family.processes) <= set(PROCESS_COST_USD)
    for p in family.params:
        assert p.low < p.high and p.low <= p.default <= p.high, p
        assert p.unit in ("mm", "", "deg", "choice")
        assert (p.unit == "choice") == bool(p.choices)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_builds_at_bound_corners_for_every_choice(name: str) -> None:
    family = FAMILIES[name]
    choice_idx = [i for i, p in enumerate(family.params) if p.choices]
    n_choices = [len(family.params[i].choices) for i in choice_idx]
    for u, picks in itertools.product(
        corner_units(len(family.params)), itertools.product(*map(range, n_choices))
    ):
        params = family.values(u)
        for i, pick in zip(choice_idx, picks, strict=True):
            params[family.params[i].name] = float(pick)
        assert_solid(family.build(params))


@pytest.mark.parametrize("name", FAMILY_NAMES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(u=st.lists(st.floats(0.0, 1.0), min_size=12, max_size=12))
def test_family_builds_anywhere_within_bounds(name: str, u: list[float]) -> None:
    family = FAMILIES[name]
    assert_solid(family.build(family.values(np.array(u[: len(family.params)]))))


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_build_is_scale_covariant(name: str) -> None:
    """Doubling every mm parameter doubles the solid: builders hold no absolute lengths."""
    family = FAMILIES[name]
    params = family.defaults()
    doubled = {p.name: params[p.name] * (2.0 if p.unit == "mm" else 1.0) for p in family.params}
    np.testing.assert_allclose(
        family.build(doubled).extents, 2.0 * family.build(params).extents, rtol=1e-3
    )


def test_union_refuses_parts_that_do_not_touch() -> None:
    assert_solid(union([sphere((0, 0, 0), 2.0), sphere((3, 0, 0), 2.0)]))
    with pytest.raises(DesignError, match="do not touch"):
        union([sphere((0, 0, 0), 1.0), sphere((5, 0, 0), 1.0)])


# --------------------------------------------------------------------------- intent

PHRASINGS = [
    ("viral crying horse plushie", "plush_animal"),
    ("mini straw sun hat for your palm", "hat"),
    ("cat-shaped phone holder", "phone_stand"),
    ("Teddy bear keychain", "keychain_charm"),
    ("smiling bear figurine for your desk", "figurine"),
    ("oversized coffee mug with a cat face", "cup"),
    ("floppy wide-brim bucket hat", "hat"),
    ("XL stuffed animal unicorn", "plush_animal"),
    ("tablet stand for the kitchen", "phone_stand"),
    ("bag charm shaped like a heart", "keychain_charm"),
    ("happy cat plushies", "plush_animal"),
    ("collectible anime figure", "figurine"),
    ("ceramic tea cup", "cup"),
    ("sad dog soft toy", "plush_animal"),
    ("COWBOY HAT!!!", "hat"),
    ("crying horse", "plush_animal"),
    ("hat for my plushie", "hat"),
    ("mug with a cat charm", "cup"),
]


@pytest.mark.parametrize(("text", "family"), PHRASINGS)
def test_detect_family(text: str, family: str) -> None:
    assert detect_family(text) == family


@pytest.mark.parametrize("text", ["", "   ", "!!!", "asdf qwerty", "a car engine", "sun"])
def test_unusable_text_raises_readable_design_error(text: str) -> None:
    with pytest.raises(DesignError, match=r"empty|names no product") as info:
        detect_family(text)
    assert isinstance(info.value, ValueError) and len(str(info.value)) > 20
    with pytest.raises(DesignError):
        generate_variants(text, count=2)


def test_intent_reads_size_mood_brim_and_species_words() -> None:
    crying = parse_intent("viral crying horse plushie")
    assert crying.priors["mouth_curve"] == 0.0
    assert FAMILIES["plush_animal"].param("species").choices[int(crying.choices["species"])] == (
        "horse"
    )
    assert parse_intent("mini straw sun hat for your palm").size_mm == 60.0
    floppy = parse_intent("floppy wide-brim bucket hat")
    assert floppy.priors["brim_droop"] > 0.8 and floppy.priors["brim_width"] > 0.8
    assert parse_intent("giant teddy bear plush").size_mm == pytest.approx(2.5 * 220.0)
    assert parse_intent("coffee mug").size_mm is None


# --------------------------------------------------------------------------- variants


@pytest.fixture(scope="module")
def horse() -> tuple[str, list[GeneratedVariant]]:
    return generate_variants("viral crying horse plushie", count=36, seed=7)


def min_pairwise_distance(variants: list[GeneratedVariant]) -> float:
    family = FAMILIES[variants[0].family]
    units = np.array([family.normalise(v.design_params) for v in variants])
    dist = np.linalg.norm(units[:, None] - units[None], axis=2) / np.sqrt(units.shape[1])
    return float(dist[np.triu_indices(len(units), 1)].min())


def test_variants_are_ranked_complete_and_solid(horse) -> None:
    family, variants = horse
    assert family == "plush_animal" and len(variants) == 36
    assert [v.rank for v in variants] == list(range(1, 37))
    scores = [v.score for v in variants]
    assert scores == sorted(scores, reverse=True)
    for v in variants:
        assert_solid(v.mesh)
        assert v.name.endswith(f"#{v.rank}") and "horse" in v.description
        assert v.volume_cm3 == pytest.approx(v.mesh.volume / 1000, rel=1e-6)
        assert v.unit_cost_usd > FAMILIES[family].process_cost_usd()
        assert v.processes == list(FAMILIES[family].processes)
        assert max(v.dims_mm) == pytest.approx(220.0, rel=1e-6)
        assert v.printable


def test_variants_are_distinct(horse) -> None:
    assert min_pairwise_distance(horse[1]) > 0.03


def test_variants_follow_word_priors(horse) -> None:
    assert np.mean([v.params["mouth_curve"] for v in horse[1][:10]]) < -0.4
    _, smiling = generate_variants("smiling cat plushie", count=8)
    assert np.mean([v.params["mouth_curve"] for v in smiling]) > 0.4
    assert all(v.params["species"] == 1.0 for v in smiling)  # cat


def test_variants_are_deterministic_per_seed() -> None:
    a = generate_variants("cat-shaped phone holder", count=10, seed=3)[1]
    b = generate_variants("cat-shaped phone holder", count=10, seed=3)[1]
    c = generate_variants("cat-shaped phone holder", count=10, seed=4)[1]
    assert [(v.rank, v.params, v.score) for v in a] == [(v.rank, v.params, v.score) for v in b]
    assert [v.params for v in a] != [v.params for v in c]


@pytest.mark.parametrize("size_mm", [35.0, 80.0, 240.0])
def test_variants_honour_target_size(size_mm: float) -> None:
    _, variants = generate_variants("heart keychain", count=6, target_size_mm=size_mm)
    for v in variants:
        assert max(v.mesh.extents) == pytest.approx(size_mm, rel=0.01)
        assert max(v.dims_mm) == pytest.approx(size_mm, rel=0.01)


def test_size_words_shrink_and_small_variants_stay_printable() -> None:
    _, variants = generate_variants("mini straw sun hat for your palm", count=12)
    assert all(max(v.dims_mm) == pytest.approx(60.0, rel=0.01) for v in variants)
    assert all(v.printable and v.params["wall"] >= 1.0 for v in variants)
    assert min_pairwise_distance(variants) > 0.03


@pytest.mark.parametrize(
    ("text", "printable"),
    [("plushie", True), ("phone stand", True), ("keychain", True), ("mug", True),
     ("figurine", True), ("hat", False)],
)  # fmt: skip
def test_tiny_sizes_thicken_walls_or_say_unprintable(text: str, printable: bool) -> None:
    """At 25 mm thin walls are thickened to >= 1 mm (within 2x bounds); a 25 mm hat can't be."""
    family, variants = generate_variants(text, count=3, target_size_mm=25.0)
    for v in variants:
        assert_solid(v.mesh)
        thinnest = min(v.params[p.name] for p in FAMILIES[family].params if p.thin)
        assert v.printable is printable and (thinnest >= 1.0) is printable


def test_target_price_favours_cheap_variants() -> None:
    _, free = generate_variants("coffee mug", count=12)
    _, tight = generate_variants("coffee mug", count=12, target_price=2.0)
    assert tight[0].unit_cost_usd <= 1.05 * min(v.unit_cost_usd for v in tight)
    assert np.mean([v.unit_cost_usd for v in tight[:4]]) < np.mean(
        [v.unit_cost_usd for v in tight[-4:]]
    )
    assert max(v.score for v in tight) < max(v.score for v in free)


@pytest.mark.parametrize("kwargs", [{"count": 0}, {"count": 10_000}, {"target_size_mm": -5.0}])
def test_bad_requests_raise_design_error(kwargs: dict) -> None:
    with pytest.raises(DesignError):
        generate_variants("coffee mug", **kwargs)


# --------------------------------------------------------------------------- assets


def test_write_variant_assets_writes_loadable_stl_and_nonblank_png(horse, tmp_path) -> None:
    variant = horse[1][0]
    stl, png = write_variant_assets(variant, tmp_path / "out", "variant-01")
    loaded = trimesh.load(stl, file_type="stl")
    assert_solid(loaded)
    assert loaded.volume == pytest.approx(variant.mesh.volume, rel=1e-3)
    with open(stl, "rb") as fh:
        assert not fh.read(5).startswith(b"solid")  # binary STL
    image = np.asarray(Image.open(png).convert("L"), dtype=float)
    assert image.shape == (256, 256) and image.std() > 10.0


@pytest.mark.parametrize("stem", ["", "../escape", "a/b", ".."])
def test_write_variant_assets_rejects_path_like_stems(horse, tmp_path, stem: str) -> None:
    with pytest.raises(DesignError):
        write_variant_assets(horse[1][0], tmp_path, stem)


def test_render_preview_draws_the_mesh(tmp_path) -> None:
    path = tmp_path / "box.png"
    render_preview(trimesh.creation.box(extents=(10, 20, 30)), path, size_px=64)
    image = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    assert image.shape == (64, 64, 3)
    assert (np.abs(image - image[0, 0]).sum(axis=2) > 30).mean() > 0.2  # object covers the frame


def test_every_process_is_one_the_supply_network_offers() -> None:
    from engines.sourcing import PROCESSES

    for name, family in FAMILIES.items():
        missing = set(family.processes) - set(PROCESSES)
        assert not missing, f"{name} needs processes no supplier offers: {missing}"
