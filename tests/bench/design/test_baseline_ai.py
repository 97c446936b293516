"""Design engine, AI parts: embedding intent, multi-objective Pareto ranking, GLB previews and
learning from merchants' picks (the MiniLM model is loaded once per session by the engine)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import trimesh

from bench.design.baseline import (
    FAMILIES,
    DesignError,
    PreferenceModel,
    generate_variants,
    glb_path,
    learn,
    parse_intent,
    write_variant_assets,
)
from bench.design.baseline.preference import feature_names, features
from bench.design.baseline.variants import nondominated_fronts, pareto_select
from engines.design import embed

# Paraphrases that mostly avoid the families' own keyword lists.
PARAPHRASES = [
    ("weeping pony doll", "plush_animal"),
    ("a squishy cuddly bunny to hug at night", "plush_animal"),
    ("fluffy stuffed kitten for toddlers", "plush_animal"),
    ("soft huggable puppy companion", "plush_animal"),
    ("viral crying horse plushie", "plush_animal"),
    ("enormous grinning teddy", "plush_animal"),
    ("mini straw sun hat for your palm", "hat"),
    ("a wide-brimmed beach hat for summer", "hat"),
    ("teeny sombrero", "hat"),
    ("something to keep the sun off your head at the beach", "hat"),
    ("cozy knitted beanie for winter", "hat"),
    ("cat-shaped phone holder", "phone_stand"),
    ("something to hold my iPhone while I cook", "phone_stand"),
    ("desk dock that props up a smartphone for video calls", "phone_stand"),
    ("bear-eared stand for watching videos on a mobile", "phone_stand"),
    ("a cradle for an ipad on the kitchen counter", "phone_stand"),
    ("backpack dangle", "keychain_charm"),
    ("little pendant to hang on my car keys", "keychain_charm"),
    ("heart shaped bag charm", "keychain_charm"),
    ("cute accessory to clip on a zipper", "keychain_charm"),
    ("star key ring for school bags", "keychain_charm"),
    ("tumbler for iced latte", "cup"),
    ("a big ceramic vessel for morning coffee", "cup"),
    ("something to drink hot cocoa from", "cup"),
    ("teacup with a round belly", "cup"),
    ("espresso cup with a chunky handle", "cup"),
    ("kawaii bunny statue", "figurine"),
    ("collectible chibi character for the shelf", "figurine"),
    ("small decorative sculpture of a smiling robot", "figurine"),
    ("tiny anime hero statuette for your desk", "figurine"),
    ("lucky cat ornament for the shelf", "figurine"),
    ("mascot figure on a round base", "figurine"),
]
REFUSED = ["asdf qwerty", "a car engine", "sun", "cushion pillow", "laptop", "shoes", "qwxz blorp"]


@pytest.fixture(scope="module", autouse=True)
def model_loaded() -> None:
    assert embed.available(), "the bundled MiniLM model should load offline"


def test_paraphrases_map_to_their_family_with_embeddings() -> None:
    assert len(PARAPHRASES) >= 30 and {f for _, f in PARAPHRASES} == set(FAMILIES)
    found = {t: parse_intent(t).family for t, _ in PARAPHRASES}
    wrong = [(t, f, found[t]) for t, f in PARAPHRASES if found[t] != f]
    accuracy = 1 - len(wrong) / len(PARAPHRASES)
    assert accuracy >= 0.9, f"accuracy {accuracy:.0%}; wrong: {wrong}"
    assert parse_intent("weeping pony doll").method == "embeddings"


@pytest.mark.parametrize("text", REFUSED)
def test_text_that_names_nothing_we_make_is_refused(text: str) -> None:
    with pytest.raises(DesignError, match="names no product"):
        parse_intent(text)


def test_unknown_words_borrow_priors_from_their_nearest_known_word() -> None:
    assert parse_intent("weeping pony doll").priors["mouth_curve"] < 0.1
    assert parse_intent("joyful kitten plush").priors["mouth_curve"] > 0.8
    assert parse_intent("enormous teddy plush").size_mm == pytest.approx(2.5 * 220.0)
    assert parse_intent("plush horse named Bob").priors == {}


def test_colour_words_colour_the_variants() -> None:
    intent = parse_intent("pink coffee mug")
    assert intent.colour == "pink" and intent.rgb is not None
    _, variants = generate_variants("pink coffee mug", count=3)
    assert all(v.colour == intent.rgb and " pink " in v.description for v in variants)


@pytest.fixture
def fallback(monkeypatch, caplog) -> logging.LogCaptureFixture:
    monkeypatch.setenv(embed.ENV_SWITCH, "0")
    monkeypatch.setattr(embed, "_warned", set())
    caplog.set_level(logging.WARNING, logger=embed.__name__)
    return caplog


def test_lexical_fallback_when_switched_off(fallback) -> None:
    intent = parse_intent("viral crying horse plushie")
    assert intent.method == "lexical" and intent.family == "plush_animal"
    assert intent.priors["mouth_curve"] == 0.0
    assert "lexical fallback" in fallback.text and embed.ENV_SWITCH in fallback.text
    assert parse_intent("cat-shaped phone holder").family == "phone_stand"
    family, variants = generate_variants("mini straw sun hat for your palm", count=4)
    assert family == "hat" and len(variants) == 4 and "fit" in variants[0].objectives
    with pytest.raises(DesignError, match="names no product"):
        parse_intent("asdf qwerty")


def test_lexical_fallback_when_the_model_cannot_load(monkeypatch, caplog) -> None:
    def broken() -> None:
        raise ImportError("no module named sentence_transformers")

    monkeypatch.setattr(embed, "_model", None)
    monkeypatch.setattr(embed, "_failed", None)
    monkeypatch.setattr(embed, "_warned", set())
    monkeypatch.setattr(embed, "_load", broken)
    caplog.set_level(logging.WARNING, logger=embed.__name__)
    assert parse_intent("ceramic tea cup").method == "lexical"
    assert "could not load" in caplog.text and "lexical fallback" in caplog.text


def test_lexical_fallback_is_also_available_per_call() -> None:
    assert parse_intent("hat for my plushie", embeddings=False).method == "lexical"
    assert parse_intent("hat for my plushie").family == "hat"


# --------------------------------------------------------------------------- ranking


def test_nondominated_fronts_and_pareto_selection() -> None:
    objectives = np.array([[1, 0], [0, 1], [0.5, 0.5], [0.2, 0.2], [0.1, 0.1], [0.4, 0.4]])
    fronts = nondominated_fronts(objectives)
    assert [sorted(f.tolist()) for f in fronts] == [[0, 1, 2], [5], [3], [4]]
    assert pareto_select(objectives, 4) == [0, 1, 2, 5]
    assert pareto_select(objectives, 2) == [0, 1]  # boundary points of the front win the crowding


@pytest.fixture(scope="module")
def stands() -> tuple[str, list]:
    return generate_variants("cat-shaped phone holder", count=12, seed=2)


def test_variants_carry_all_objectives_and_are_not_dominated_by_dropped_ones(stands) -> None:
    _, variants = stands
    keys = {"fit", "cheapness", "printability", "novelty"}
    for v in variants:
        assert keys <= set(v.objectives) and all(0 <= v.objectives[k] <= 1 for k in keys)
        assert "cat" in v.description


def test_trend_fit_follows_the_words_of_the_trend() -> None:
    _, upright = generate_variants("upright phone stand with a tall back", count=10, seed=1)
    _, reclined = generate_variants("deeply reclined phone stand", count=10, seed=1)
    assert np.mean([v.params["back_angle"] for v in upright[:5]]) > np.mean(
        [v.params["back_angle"] for v in reclined[:5]]
    )


def test_catalogue_lowers_novelty_of_repeats(stands) -> None:
    _, variants = stands
    again = generate_variants(
        "cat-shaped phone holder", count=12, seed=2, catalogue=[variants[0].description]
    )[1]
    same = next(v for v in again if v.description == variants[0].description)
    assert same.objectives["novelty"] < max(v.objectives["novelty"] for v in again)


def test_glb_is_written_next_to_the_stl_and_loads(stands, tmp_path) -> None:
    variant = stands[1][0]
    stl, png = write_variant_assets(variant, tmp_path, "v001")
    glb = glb_path(stl)
    assert glb.is_file() and glb.read_bytes()[:4] == b"glTF"
    scene = trimesh.load(glb)
    mesh = scene.to_geometry() if isinstance(scene, trimesh.Scene) else scene
    assert mesh.volume == pytest.approx(variant.mesh.volume, rel=1e-3)
    # glTF is +Y up: the product's height (our z) is the GLB's y extent
    assert mesh.extents[1] == pytest.approx(variant.mesh.extents[2], rel=1e-6)
    assert mesh.extents[2] == pytest.approx(variant.mesh.extents[1], rel=1e-6)


# --------------------------------------------------------------------------- preference


def test_features_are_scale_free_and_json_round_trips(stands) -> None:
    _, variants = stands
    family = FAMILIES["phone_stand"]
    params = [v.params for v in variants]
    doubled = [
        {k: x * (2 if family.param(k).unit == "mm" else 1) for k, x in p.items()} for p in params
    ]
    costs = [v.unit_cost_usd for v in variants]
    x = features(family, params, costs)
    assert x.shape == (12, len(feature_names(family))) and np.isfinite(x).all()
    np.testing.assert_allclose(features(family, doubled, costs), x, atol=1e-9)
    model = learn(None, "phone_stand", params, costs, chosen=3)
    assert model.updates == 1 and model.choice_probabilities(x)[3] > 1 / 12
    assert PreferenceModel.from_json(model.to_json()) == model


HIDDEN = {"topper=bunny": 2.0, "back_angle": -1.5, "base_width": 1.5, "cost": 0.5}  # off-default


def merchant_pick(family: str, variants: list) -> int:
    """A simulated merchant: the shown variant with the highest hidden utility."""
    fam = FAMILIES[family]
    x = features(fam, [v.params for v in variants], [v.unit_cost_usd for v in variants])
    hidden = np.array([HIDDEN.get(n, 0.0) for n in feature_names(fam)])
    return int(np.argmax(x @ hidden))


def test_learning_from_picks_moves_the_favourite_up() -> None:
    model: PreferenceModel | None = None
    ranks = []
    for round_ in range(10):
        family, variants = generate_variants(
            "phone stand", count=12, seed=100 + round_, preference=model
        )
        chosen = merchant_pick(family, variants)
        ranks.append(variants[chosen].rank)
        model = learn(
            model, family, [v.params for v in variants], [v.unit_cost_usd for v in variants], chosen
        )
    assert np.mean(ranks[-3:]) < np.mean(ranks[:3]), ranks
    assert model is not None and model.weights["topper=bunny"] > 0


def test_preference_and_catalogue_keep_results_deterministic(stands) -> None:
    _, variants = stands
    model = learn(None, "phone_stand", [v.params for v in variants], [1.0] * 12, chosen=0)
    kwargs = {"count": 8, "seed": 5, "preference": model, "catalogue": [variants[1].description]}
    a = generate_variants("cat-shaped phone holder", **kwargs)[1]
    b = generate_variants("cat-shaped phone holder", **kwargs)[1]
    assert [(v.params, v.score) for v in a] == [(v.params, v.score) for v in b]
    assert "preference" in a[0].objectives
