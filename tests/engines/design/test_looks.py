"""Variants look like the idea the words describe: worded colours survive every colourway, a
natural subject keeps to its coats, feature variants suit the subject (issue 20)."""

from __future__ import annotations

import pytest

from engines.design.axes import COLOURWAYS, OWN, open_axes
from engines.design.generate import GeneratedVariant, generate_designs, read
from engines.design.kit import fit
from engines.design.kit.vocab import COLOURS
from engines.design.subjects import default_colours

RGB = tuple[int, int, int]


def _colours(v: GeneratedVariant, *names: str) -> set[RGB]:
    """The colours of the variant's parts of those names."""
    return {c for p, c in zip(v.parts, v.part_colours, strict=True) if p in names}


def test_a_navy_whale_mug_stays_navy_in_all_36_variants() -> None:
    """The mug is the whale's body: "navy" binds to it, so no colourway repaints it."""
    variants = generate_designs(read("navy whale mug"), 36)
    assert len(variants) == 36
    for v in variants:
        assert _colours(v, "wall", "handle") == {COLOURS["navy"]}, v.label


def test_a_free_product_body_still_takes_colourways() -> None:
    """A product the words leave free ("frog mug": the subject's own colour) still varies."""
    walls = {
        next(iter(_colours(v, "wall")))
        for v in generate_designs(read("frog mug"), 36)
        if _colours(v, "wall")
    }
    assert len(walls) >= 3, walls


@pytest.mark.parametrize(
    "text, subject",
    [
        ("blushing peach plush", "peach"),
        ("angry chick plush", "chick"),
        ("red panda keychain", "red_panda"),
        ("highland cow plush", "highland_cow"),
        ("pink cow plush", "cow"),  # worded pink: no coat at all
        ("otter plushie holding a rock", "otter"),
    ],
)
def test_a_natural_subject_keeps_to_its_coats(text: str, subject: str | None) -> None:
    """A peach is never brown, a chick never olive, a red panda never peach: the subject's
    body is its own colour, one of its coats, or the worded colour."""
    spec = read(text)
    own = default_colours(spec.subject or "")["body"]
    allowed = {own, *fit.COATS.get(spec.subject or "", ())}
    if spec.body_colour:
        allowed = {COLOURS[spec.body_colour]}
    for v in generate_designs(spec, 36):
        body = _colours(v, "body")
        assert body and body <= allowed, (v.label, body, allowed)


def test_colourways_of_a_natural_subject_keep_its_belly_and_marks() -> None:
    """Only the parts of the subject's own colour change coat; its belly, legs and face marks
    keep theirs (a red panda's dark legs stay dark)."""
    natural = default_colours("red_panda")
    for v in generate_designs(read("red panda plush"), 36):
        assert _colours(v, "leg_l", "arm_l") <= {natural["limbs"]}, v.label


def test_no_cow_gets_another_animals_horns() -> None:
    """A cow has horns of its own: "cow with horns" shows them, never unicorn or devil horns."""
    for text in ("cow with horns", "gold dragon statue with horns"):
        spec = read(text)
        assert dict(open_axes(spec).features)["horns"] == (OWN,)
        for v in generate_designs(spec, 36):
            assert dict(v.choice.features)["horns"] == OWN  # type: ignore[union-attr]
            assert not any(p.startswith(("unicorn", "devil", "ram")) for p in v.parts), v.parts
            assert any(p.startswith("horn") for p in v.parts), v.parts  # its own


def test_no_shark_gets_buck_teeth() -> None:
    for text in ("shark keychain with teeth", "cartoon shark figurine with fangs"):
        for v in generate_designs(read(text), 36):
            assert dict(v.choice.features).get("teeth") != "buck", v.label  # type: ignore[union-attr]


def test_a_dragons_unworded_wings_are_a_bats() -> None:
    spec = read("dragon with red wings")
    assert dict(open_axes(spec).features)["wings"] == ("bat",)


def test_worded_variant_wins_over_fit() -> None:
    """The words may still ask for what the subject would not be offered."""
    spec = read("cow with devil horns")
    assert dict(open_axes(spec).features)["horns"] == ("devil",)


def test_fit_tables_are_consistent() -> None:
    for subject, coats in fit.COATS.items():
        assert default_colours(subject)["body"] not in coats, subject  # others, not its own
        assert all(fit.coat(subject, k) in coats for k in range(1, len(COLOURWAYS)))
    assert fit.coat("heart", 2) is None and not fit.natural_subject("heart")


@pytest.mark.parametrize("style", ["kawaii", "chibi", "realistic"])
def test_a_highland_cow_is_shaggy_ginger_with_long_horns_not_spotted(style: str) -> None:
    """Issue 20: "highland cow" read as a spotted cow painted orange. Its own build: a ginger
    coat with no patches, hair hanging down its flanks, a fringe over its eyes and horns
    reaching out past the sides of its head."""
    from engines.design.subjects import build_subject

    assert read("highland cow plush").subject == "highland_cow"
    m = build_subject("highland_cow", style=style)
    names = [p.name for p in m.parts]
    assert "patch" not in names
    body = next(p.colour for p in m.parts if p.name == "body")
    assert body[0] > 170 and body[0] - body[2] > 100  # ginger
    assert names.count("shag") >= 10 and names.count("fringe") >= 3
    head = next(p.mesh for p in m.parts if p.name == "head")
    horns = [p.mesh for p in m.parts if p.name == "horn"]
    assert len(horns) == 2
    span = max(float(h.bounds[1][1]) for h in horns) - min(float(h.bounds[0][1]) for h in horns)
    assert span > 1.6 * float(head.extents[1])  # long, out to the sides
    eye = next(p.mesh for p in m.parts if p.name.startswith("eye_l"))
    fringe = [p.mesh for p in m.parts if p.name == "fringe"]
    assert min(float(f.bounds[0][2]) for f in fringe) < float(eye.bounds[1][2])  # over the eyes


def test_an_otter_is_long_and_slim_with_a_flat_tail_not_a_bear() -> None:
    """Issue 20: the otter looked like a bear. A slim body taller than it is wide (sitting up)
    and a flat tail, where a bear is round with a stub."""
    from engines.design.subjects import build_subject

    for name, slim in (("otter", True), ("bear", False)):
        m = build_subject(name, pose="sitting")
        body = next(p.mesh for p in m.parts if p.name == "body")
        long = float(body.extents[2]) > 1.35 * float(body.extents[1])
        tail = [p.mesh for p in m.parts if p.name == "tail"]
        flat = bool(tail) and float(tail[0].extents.max()) > 0.5 * float(body.extents[2])
        assert long == slim and flat == slim, (name, body.extents, [t.extents for t in tail])
