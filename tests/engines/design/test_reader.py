"""The spec reader: merchant ideas -> DesignSpec in canonical vocabulary, or a reasoned refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engines.design.base import DesignError
from engines.design.kit import vocab
from engines.design.kit.spec import DesignSpec
from engines.design.reader import read_spec
from engines.design.reader.approx import HELD_MIN_SIMILARITY, MIN_SIMILARITY
from engines.design.reader.lexicon import FORM_NOMINAL_MM, KIN, PHRASES, REFUSED
from tests.engines.design.test_idea_checks import CHECKS as IDEA_CHECKS

DATA = Path(__file__).resolve().parents[2] / "data"
IDEAS: list[dict[str, Any]] = yaml.safe_load((DATA / "design_ideas.yaml").read_text())
ACCEPTED = [i for i in IDEAS if not i.get("refuse")]
REFUSALS = [i for i in IDEAS if i.get("refuse")]
CHECKS = set(IDEA_CHECKS)  # the geometric checks test_idea_checks implements
OPTIONAL = ("lens_shape", "style", "pose", "expression", "size_mm", "material", "placement")


def feature_words(spec: DesignSpec) -> list[str]:
    """Features as the development set labels them (DesignSpec.feature_words)."""
    return spec.feature_words()


def test_the_development_set_is_big_enough_and_well_formed() -> None:
    assert len(IDEAS) >= 120
    assert len(REFUSALS) >= 20
    texts = [i["text"].lower() for i in IDEAS]
    assert len(texts) == len(set(texts)), "each idea once"
    for idea in ACCEPTED:
        assert idea["form"] in vocab.FORMS
        assert idea["subject"] is None or idea["subject"] in vocab.SUBJECTS
        assert set(idea["checks"]) <= CHECKS, idea["text"]
        for feature in idea["features"]:
            name, variant = feature.split("@")[0].split(":")[0].split("/")
            assert name in vocab.FEATURES and (variant == "" or variant in vocab.FEATURES[name])
    for idea in REFUSALS:
        assert idea["reason"], idea["text"]


@pytest.mark.parametrize("idea", ACCEPTED, ids=[i["text"][:60] for i in ACCEPTED])
def test_each_idea_reads_as_labelled(idea: dict[str, Any]) -> None:
    spec = read_spec(idea["text"])
    assert (spec.form, spec.subject) == (idea["form"], idea["subject"])
    assert feature_words(spec) == sorted(idea["features"])
    assert (spec.body_colour, spec.product_colour) == (idea["body_colour"], idea["product_colour"])
    for key in OPTIONAL:
        if key in idea:
            assert getattr(spec, key) == idea[key], key
    assert spec.portrait == idea.get("portrait", False)  # the head alone only when worded
    approximated = [f"{a.word} ≈ {a.subject}" for a in spec.approximations]
    assert approximated == idea.get("approximated", [])
    assert [list(pc) for pc in spec.part_colours] == idea.get("part_colours", [])


@pytest.mark.parametrize("idea", REFUSALS, ids=[i["text"][:60] for i in REFUSALS])
def test_each_refusal_names_what_came_close(idea: dict[str, Any]) -> None:
    with pytest.raises(DesignError) as err:
        read_spec(idea["text"])
    reason = str(err.value).lower()
    for word in idea["reason"]:
        assert word.lower() in reason, f"{word!r} not in {reason!r}"


def test_only_canonical_names_come_out() -> None:
    for idea in ACCEPTED:
        spec = read_spec(idea["text"])
        assert spec.form in vocab.FORMS
        assert spec.subject is None or spec.subject in vocab.SUBJECTS
        for f in spec.features:
            assert f.name in vocab.FEATURES and f.variant in (("",) + vocab.FEATURES[f.name])
            assert f.colour is None or f.colour in vocab.COLOURS or f.colour in vocab.MATERIALS
            assert f.material is None or f.material in vocab.MATERIALS
        for colour in (spec.body_colour, spec.product_colour):
            assert colour is None or colour in vocab.COLOURS
        assert spec.material is None or spec.material in vocab.MATERIALS
        assert spec.style in (None, *vocab.STYLES)
        assert spec.pose in (None, *vocab.POSES)
        assert spec.expression in (None, *vocab.EXPRESSIONS)
        assert spec.lens_shape in (None, *vocab.FEATURES["glasses"])
        assert 0.0 <= spec.confidence <= 1.0


def test_every_lexicon_meaning_is_in_the_vocabulary() -> None:
    for words, m in PHRASES.items():
        assert m.form is None or m.form in vocab.FORMS, words
        assert m.subject is None or m.subject in vocab.SUBJECTS, words
        for name, variant in ((m.feature,) if m.feature else ()) + m.also:
            assert name in vocab.FEATURES and variant in (("",) + vocab.FEATURES[name]), words
        assert m.colour is None or m.colour in vocab.COLOURS, words
        assert m.body_colour is None or m.body_colour in vocab.COLOURS, words
        assert m.material is None or m.material in vocab.MATERIALS, words
        assert m.style in (None, *vocab.STYLES) and m.pose in (None, *vocab.POSES), words
        assert m.expression in (None, *vocab.EXPRESSIONS), words
        assert m.refuse is None or m.refuse in REFUSED or m.refuse in KIN, words
    for near in KIN.values():
        assert set(near) <= set(vocab.SUBJECTS)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("rabbit plush", "bunny"),
        ("kitten keychain", "cat"),
        ("puppy mug", "dog"),
        ("t-rex figurine", "dinosaur"),
        ("dino planter", "dinosaur"),
        ("ducky keychain", "duck"),
        ("baby chick plush", "chick"),
        ("two capybaras", "capybara"),
        ("bunnies ornament", "bunny"),
        ("octopi keychain", "octopus"),
        ("mice figurine", "mouse"),
        ("cacti planter", "cactus"),
        ("doughnut charm", "donut"),
    ],
)
def test_subject_synonyms_and_plurals(text: str, subject: str) -> None:
    assert read_spec(text).subject == subject


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("frog cup", "mug"),
        ("frog tumbler", "mug"),
        ("frog pot", "planter"),
        ("frog pencil holder", "pen_holder"),
        ("frog pen cup", "pen_holder"),
        ("frog christmas ornament", "ornament"),
        ("frog hanging decoration", "ornament"),
        ("frog key ring", "keychain"),
        ("frog bag charm", "keychain"),
        ("frog stuffed toy", "plush"),
        ("frog soft toy", "plush"),
        ("frog statue", "figurine"),
        ("frog phone holder", "phone_stand"),
        ("frog", "plush"),
    ],
)
def test_form_synonyms(text: str, form: str) -> None:
    assert read_spec(text).form == form


def test_glasses_are_the_product_or_a_feature_by_position() -> None:
    worn = read_spec("frog wearing round glasses")
    assert (worn.form, worn.lens_shape) == ("plush", None)
    assert [(f.name, f.variant) for f in worn.features] == [("glasses", "round")]
    product = read_spec("star shaped sunglasses")
    assert (product.form, product.lens_shape, product.features) == ("eyewear", "star", ())


def test_a_hat_is_the_product_or_a_feature_by_position() -> None:
    hat = read_spec("frog bucket hat")
    assert (hat.form, hat.subject) == ("hat", "frog")
    assert [(f.name, f.variant) for f in hat.features] == [("hat", "bucket")]
    worn = read_spec("frog wearing a bucket hat")
    assert (worn.form, worn.subject) == ("plush", "frog")


def test_colours_bind_to_their_nouns() -> None:
    spec = read_spec("white mug with a green frog wearing a pink bow")
    assert (spec.product_colour, spec.body_colour) == ("white", "green")
    assert [(f.name, f.colour) for f in spec.features] == [("bow", "pink")]
    assert read_spec("frog plush in pink").body_colour == "pink"
    assert read_spec("gray kitty with a red scarf").body_colour == "grey"


def test_a_straw_hat_does_not_tint_the_subject() -> None:
    spec = read_spec("capybara figurine with a straw hat")
    assert spec.body_colour is None and spec.material is None
    (hat,) = spec.features
    assert (hat.name, hat.variant, hat.material) == ("hat", "straw", "straw")


def test_worded_lengths_become_millimetres() -> None:
    assert read_spec("10 cm frog figurine").size_mm == pytest.approx(100.0)
    assert read_spec("4 inch frog figurine").size_mm == pytest.approx(101.6)
    assert read_spec('6" frog figurine').size_mm == pytest.approx(152.4)
    assert read_spec("150mm frog figurine").size_mm == pytest.approx(150.0)
    assert read_spec("frog figurine, 8cm tall").size_mm == pytest.approx(80.0)
    assert read_spec("frog figurine").size_mm is None
    assert read_spec("mini frog figurine", size_mm=42).size_mm == 42.0


def test_size_words_scale_the_form_and_stay_on_the_bed() -> None:
    sizes = [read_spec(f"{w} frog plush").size_mm for w in ("tiny", "mini", "big", "giant")]
    assert sizes == sorted(sizes)
    assert sizes[1] == pytest.approx(0.6 * FORM_NOMINAL_MM["plush"])
    assert read_spec("giant frog hat").size_mm is not None
    assert all(read_spec(f"giant frog {f}").size_mm <= 210.0 for f in ("hat", "plush", "mug"))  # type: ignore[operator]


def test_a_size_word_on_a_feature_does_not_size_the_product() -> None:
    assert read_spec("frog plush with a tiny hat").size_mm is None
    assert read_spec("tiny frog plush with a hat").size_mm == pytest.approx(
        0.5 * FORM_NOMINAL_MM["plush"]
    )


def test_plain_feature_words_leave_the_variant_to_the_builder() -> None:
    assert [(f.name, f.variant) for f in read_spec("cow with horns").features] == [("horns", "")]
    assert [(f.name, f.variant) for f in read_spec("devil cow").features] == [("horns", "devil")]
    assert [(f.name, f.variant) for f in read_spec("pig with wings").features] == [("wings", "")]


def test_features_with_expressions() -> None:
    crying = read_spec("crying horse")
    assert crying.expression == "crying"
    assert ("tears", "drops") in [(f.name, f.variant) for f in crying.features]
    sleepy = read_spec("sleepy cat")
    assert (sleepy.expression, sleepy.features[0].name, sleepy.features[0].variant) == (
        "sleepy",
        "eyes",
        "sleepy",
    )
    devil = read_spec("devil bunny")
    assert [(f.name, f.variant) for f in devil.features] == [("horns", "devil")]


def test_matched_shows_how_the_words_were_read() -> None:
    spec = read_spec("pink axolotl keychain with a crown, 5 cm")
    assert spec.matched["keychain"] == "product: keychain"
    assert spec.matched["axolotl"] == "subject: axolotl"
    assert "crown" in spec.matched["crown"]
    assert "pink" in spec.matched["pink"]
    assert "50 mm" in spec.matched["5 cm"]


def test_confidence_drops_when_the_reader_guesses() -> None:
    named = read_spec("frog plush").confidence
    assert read_spec("frog").confidence < named  # the form was inferred
    assert read_spec("frog plush with a zorblaxian gizmo").confidence < named


def test_unknown_subject_names_the_closest() -> None:
    with pytest.raises(DesignError, match="we don't know a quokka yet") as err:
        read_spec("quokka")  # quokka ≈ koala 0.46: too far to approximate
    assert "capybara" in str(err.value)
    with pytest.raises(DesignError, match="capybara"):
        read_spec("capybarra keychain")  # a misspelling is not silently corrected


def test_an_unknown_noun_near_a_subject_is_approximated_and_recorded() -> None:
    spec = read_spec("panther plush")
    assert (spec.form, spec.subject) == ("plush", "lion")
    (approx,) = spec.approximations
    assert (approx.word, approx.subject) == ("panther", "lion")
    assert MIN_SIMILARITY <= approx.similarity < 1.0
    assert approx.text() == f"panther ≈ lion, similarity {approx.similarity:.2f}"
    assert spec.matched["panther"] == (
        f"subject: lion (approximated, similarity {approx.similarity:.2f})"
    )
    assert spec.confidence < read_spec("lion plush").confidence
    assert DesignSpec.from_json(spec.to_json()) == spec  # stored and read back with the idea
    assert DesignSpec.from_json({"text": "frog", "form": "plush"}).approximations == ()


def test_held_things_are_read_with_their_place() -> None:
    held = {
        "bear holding a pink mug": ("mug", "pink", ""),
        "ghost holding a coffee cup": ("cup", None, ""),
        "cat holding bubble tea": ("bubble_tea", None, ""),
        "otter holding a pebble": ("rock", None, ""),
        "frog with a rubber duck on top of its head": ("duck", None, "head"),
        "dog with a carrot in its mouth": ("carrot", None, "mouth"),
    }
    for text, (variant, colour, place) in held.items():
        spec = read_spec(text)
        assert [(f.name, f.variant, f.colour, f.place) for f in spec.features] == [
            ("held", variant, colour, place)
        ], text
        assert spec.product_colour is None and spec.body_colour is None, text
    assert read_spec("frog sitting on a pumpkin").features == ()  # on it, not holding it


def test_an_unknown_held_thing_is_the_nearest_held_item_and_recorded() -> None:
    spec = read_spec("frog holding a lantern")
    assert [(f.name, f.variant) for f in spec.features] == [("held", "pumpkin")]
    (approx,) = spec.approximations
    assert (approx.word, approx.subject, approx.feature) == ("lantern", "pumpkin", "held")
    assert HELD_MIN_SIMILARITY <= approx.similarity < 1.0
    assert approx.text() == f"lantern ≈ held pumpkin, similarity {approx.similarity:.2f}"
    assert "approximated" in spec.matched["lantern"]
    assert spec.confidence < read_spec("frog holding a carrot").confidence
    assert DesignSpec.from_json(spec.to_json()) == spec
    far = read_spec("bear holding a trumpet")  # nearest: rock 0.46, not near enough
    assert far.features == () and far.approximations == ()
    assert far.matched["trumpet"].startswith("held: not made"), far.matched


def test_a_known_kin_word_chooses_among_its_hand_picked_subjects() -> None:
    spec = read_spec("goat keychain")
    assert spec.subject == "sheep" and spec.subject in KIN["goat"]
    assert spec.approximations[0].similarity >= MIN_SIMILARITY


def test_animals_with_their_own_build_are_read_as_them_not_approximated() -> None:
    """Issue 20: a red panda is not a giant panda, a salamander (newt, lizard) not a frog."""
    for text, subject in (("red panda keychain", "red_panda"), ("salamander plush", "salamander"),
                          ("newt plush", "salamander"), ("lizard figurine", "salamander")):  # fmt: skip
        spec = read_spec(text)
        assert (spec.subject, spec.approximations) == (subject, ()), text
    assert read_spec("panda plush").subject == "panda"
    assert read_spec("red fox plush").subject == "fox"


def test_nouns_far_from_every_subject_are_refused_as_before() -> None:
    data = yaml.safe_load((DATA / "design_approximations.yaml").read_text())
    for noun in ("toaster", "pirate", "laptop", "keyboard", "zorblax", "screwdriver"):
        assert noun in data["refuse"]
        with pytest.raises(DesignError, match=f"we don't know an? {noun} yet"):
            read_spec(f"{noun} figurine")


def test_without_the_model_unknown_nouns_are_refused(monkeypatch) -> None:
    from engines.design import embed

    monkeypatch.setenv(embed.ENV_SWITCH, "0")
    with pytest.raises(DesignError, match="we don't know a panther yet"):
        read_spec("panther plush")


def test_no_product_and_no_subject_is_refused() -> None:
    with pytest.raises(DesignError):
        read_spec("   ")
    with pytest.raises(DesignError, match="we make"):
        read_spec("make it pop")


def test_a_plush_or_figurine_of_nothing_is_refused() -> None:
    for text in ("a cute plush", "figurine for my desk"):
        with pytest.raises(DesignError, match="of what"):
            read_spec(text)
    assert read_spec("plain white mug").subject is None  # a mug on its own is a product


def test_spec_round_trips_through_json() -> None:
    for text in ("pink bunny with a straw hat holding a carrot", "horse with a rainbow mane"):
        spec = read_spec(text)
        assert DesignSpec.from_json(spec.to_json()) == spec
    old = read_spec("pink bunny").to_json()
    del old["part_colours"]  # an idea stored before part colours
    assert DesignSpec.from_json(old).part_colours == ()


def test_a_colour_on_a_part_of_the_subject_paints_that_part() -> None:
    spec = read_spec("horse plush with a black mane and white ears")
    assert spec.part_colours == (("mane", "black"), ("ear", "white"))
    assert spec.matched["black mane"] == "mane colour: black"
    assert read_spec("mug with pink ears").part_colours == ()  # no subject to have them


def test_a_keychain_of_nothing_is_refused_and_a_tree_ornament_is_a_star() -> None:
    with pytest.raises(DesignError, match="keychain of what"):
        read_spec("keychain charm")
    spec = read_spec("christmas tree ornament")
    assert spec.form == "ornament" and spec.subject == "star"
    assert any("default" in v for v in spec.matched.values())


def test_a_headband_with_only_a_feature_asks_for_a_subject() -> None:
    with pytest.raises(DesignError, match="headband together with a subject"):
        read_spec("crown headband")
    assert read_spec("cat headband with a crown").subject == "cat"


def test_an_unknown_word_after_the_product_does_not_replace_it() -> None:
    spec = read_spec("palm-sized straw sun hat batch 3")
    assert spec.form == "hat" and spec.matched.get("batch") == "not understood"
    with pytest.raises(DesignError, match="not a pickleball paddle"):
        read_spec("frog pickleball paddle")  # a subject is no product: still refused


def test_refusals_can_name_subjects_near_in_meaning() -> None:
    from engines.design.reader.refusal import closest_subjects

    near, how = closest_subjects("orca", embeddings=True)
    assert how == "meaning" and len(near) == 3 and set(near) <= set(vocab.SUBJECTS)
    assert "whale" in near  # an orca is a whale to MiniLM too
    assert closest_subjects("orca")[1] == "popular"  # without embeddings: the popular ones


def test_a_worded_print_is_read_with_the_body_colour_it_implies() -> None:
    """Issue 20: a print is its own spots variant; a cow print whitens the body unless a body
    colour is worded, a strawberry print keeps the body's colour."""
    cases = {
        "cow print frog plush": ("frog", "cow", "white"),
        "black cow print cat": ("cat", "cow", "white"),
        "pink cow with strawberry print": ("cow", "strawberry", "pink"),
        "leopard print cat": ("cat", "leopard", "beige"),
        "polka dot bunny": ("bunny", "polka", None),
        "spotted dog": ("dog", "colour", None),
    }
    for text, (subject, variant, body) in cases.items():
        spec = read_spec(text)
        spots = [f.variant for f in spec.features if f.name == "spots"]
        assert (spec.subject, spots, spec.body_colour) == (subject, [variant], body), text


def test_a_frog_hat_on_another_subject_is_a_frog_eyed_hat() -> None:
    for text in ("cat wearing a frog hat", "dog with a froggy hat", "cat in a frog bucket hat"):
        spec = read_spec(text)
        assert [(f.name, f.variant) for f in spec.features] == [("hat", "frog")], text
    alone = read_spec("frog hat")  # the hat is the product, the frog its face
    assert (alone.form, alone.subject) == ("hat", "frog")
    assert read_spec("frog wearing a hat").features[0].variant == ""


def test_a_subjects_face_on_a_flat_charm_is_its_head_alone_with_no_pose() -> None:
    from engines.design.axes import DEFAULT_POSE, open_axes
    from engines.design.kit.spec import DesignSpec

    face = read_spec("cat face coaster")
    assert face.portrait and face.matched["cat face"] == "portrait: the head alone"
    assert open_axes(face).poses == (DEFAULT_POSE,)  # a head shows no pose
    assert len(open_axes(read_spec("cat coaster")).poses) > 1
    assert not read_spec("a cat with a happy face keychain").portrait  # a part, not the head
    assert not read_spec("cat face plush").portrait  # no flat charm: the cat whole
    assert DesignSpec.from_json(face.to_json()) == face
    old = {k: v for k, v in face.to_json().items() if k != "portrait"}  # stored before it
    assert DesignSpec.from_json(old).portrait is False

    from api.views import spec_view

    view = spec_view(face.to_json())
    assert view is not None and ("Shows", "the cat's head alone") in view["rows"]
