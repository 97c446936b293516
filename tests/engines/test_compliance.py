"""Compliance engine: age grade, checks on design engine parts, rules by date, documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import trimesh
from typer.testing import CliRunner

from engines.compliance import (
    ComplianceError,
    PartShape,
    RulesError,
    certificate_html,
    check_design,
    check_spec,
    infer_age_grade,
    load_rules,
    parse_rules,
    parts_from_glb,
    parts_from_model,
    plan_html,
)
from engines.compliance.parts import components, construction_words
from engines.compliance.rules import DEFAULT_RULES
from engines.design import axes
from engines.design.generate import build_candidate, default_builders
from engines.design.glb import write_part_glb
from engines.design.kit import vocab
from engines.design.kit.parts import Model, Part
from engines.design.reader import read_spec

SHIP = dt.date(2026, 9, 1)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def bunny() -> tuple[object, Model]:
    """A 200 mm bunny plush from the design engine, as the pipeline builds it."""
    spec = read_spec("toddler bunny plush")
    choice = axes.sample_choices(spec, 1, 0)[0]
    return spec, build_candidate(spec, choice, 200.0, default_builders()).model


def with_beads(model: Model, diameter_mm: float) -> Model:
    """The model with its eyes swapped for round beads of a diameter at the eye anchors."""
    parts = [p for p in model.parts if not p.name.startswith("eye_")]
    for side in ("l", "r"):
        bead = trimesh.creation.icosphere(3, diameter_mm / 2)
        bead.apply_translation(model.anchors[f"eye_{side}"].point)
        parts.append(Part(f"eye_{side}", bead, (20, 20, 20), "detail"))
    return Model(parts, model.anchors)


# ----------------------------------------------------------------------------- age grade


@pytest.mark.parametrize(
    ("text", "form", "grade", "why"),
    [
        ("baby bunny plush", "plush", "under_3", "'baby' → under 3"),
        ("toddler cat plush for adults", "plush", "under_3", "'toddler' → under 3"),
        ("frog mug for kids", "mug", "3_to_13", "'kids' → 3–13"),
        ("dino plush ages 3+", "plush", "3_to_13", "'ages 3+' → 3–13"),
        ("bunny 18m+", "plush", "under_3", "'18m+' → under 3"),
        ("collectible capybara plush", "plush", "14_plus", "'collectible' → 14+"),
        ("kawaii frog plush", "plush", "under_3", "'plush' → under 3"),
        ("cat keychain", "keychain", "14_plus", "'keychain' → 14+"),
        ("pink frog with 3 hats", "figurine", "14_plus", "'figurine' → 14+"),
        ("10-12 cm bear", "mug", "adult", "'mug' → adult"),
        ("cat lamp", "night_light", "14_plus", "'night light' → 14+"),
        ("frog night light for kids", "night_light", "3_to_13", "'kids' → 3–13"),
    ],
)
def test_age_grade_from_words_and_form(text: str, form: str, grade: str, why: str) -> None:
    age = infer_age_grade(text, form)
    assert age.grade == grade
    assert age.reasons[0].startswith(why)
    assert not age.overridden


def test_the_merchant_overrides_the_age_grade_and_the_inference_stays_visible() -> None:
    age = infer_age_grade("baby bunny plush", "plush", override="14_plus")
    assert (age.grade, age.overridden, age.label) == ("14_plus", True, "14+")
    assert "inferred: under 3" in age.reasons[0]
    with pytest.raises(ComplianceError, match="not one of under_3"):
        infer_age_grade("bunny", "plush", override="toddler")


# ----------------------------------------------------------------------------- parts


def test_parts_are_grouped_into_pieces_with_their_build(bunny) -> None:
    _, model = bunny
    groups = {c.name: c for c in components(parts_from_model(model), "plush")}
    assert groups["eye_l"].kind == "eye" and groups["eye_l"].build == "hard"
    assert {p.name for p in groups["eye_l"].parts} >= {"eye_l", "eye_l shine"}
    assert groups["nose"].build == "hard"
    assert groups["body"].build == "body"
    assert groups["mouth"].build == "surface"
    # the design's own flags decide: its plush eyes come off, even read as a figurine's ...
    assert {c.name: c.build for c in components(parts_from_model(model), "figurine")}[
        "eye_l"
    ] == "hard"
    # ... and printed in one (relief), or with no flag on a rigid form, they are integral
    relief = [replace(p, detachable=False) for p in parts_from_model(model)]
    assert {c.name: c.build for c in components(relief, "figurine")}["eye_l"] == "integral"
    unsaid = [replace(p, detachable=None) for p in parts_from_model(model)]
    assert {c.name: c.build for c in components(unsaid, "figurine")}["eye_l"] == "integral"


def test_the_design_engine_marks_the_pieces_that_come_off(bunny) -> None:
    _, model = bunny
    flags = {p.name: p.detachable for p in model.parts}
    assert flags["eye_l"] and flags["eye_r"] and flags["nose"]
    assert not flags["body"] and not flags["head"] and not flags["mouth"]
    mug_spec = read_spec("bunny mug")
    mug = build_candidate(
        mug_spec, axes.sample_choices(mug_spec, 1, 0)[0], 100.0, default_builders()
    ).model
    assert mug.parts and not any(p.detachable for p in mug.parts)  # a mug is printed in one
    charm = read_spec("bunny figurine with a hat")
    figurine = build_candidate(
        charm, axes.sample_choices(charm, 1, 0)[0], 80.0, default_builders()
    ).model
    hat = [p for p in figurine.parts if p.role == "feature"]  # "straw hat crown", …
    assert hat and all(p.detachable for p in hat)


def test_a_bead_eyed_toddler_plush_from_the_design_engine_is_blocked_until_embroidered(
    rules,
) -> None:
    """The real design's parts, as the engine builds them: bead eyes fail the cylinder, the
    same design with embroidered eyes and nose passes."""
    spec = read_spec("toddler bunny plush with bead eyes")
    model = build_candidate(
        spec, axes.sample_choices(spec, 1, 0)[0], 200.0, default_builders()
    ).model
    parts = parts_from_model(model)
    report = check_spec(spec, parts, ship_date=SHIP, markets=["US"], rules=rules)
    assert not report.passed
    failed = {f.part for f in report.failures if f.rule == "small_part"}
    assert {"eye_l", "eye_r"} <= failed
    assert report.failures[0].fixes[0].startswith("embroidered")
    embroidered = check_spec(spec, parts, ship_date=SHIP, markets=["US"], rules=rules,
                             builds={"eyes": "surface", "nose": "surface"})  # fmt: skip
    assert embroidered.passed, [f.reason for f in embroidered.failures]


def test_construction_words_take_the_nearest_build_word() -> None:
    assert construction_words("bunny with bead eyes") == {"eyes": "hard"}
    assert construction_words("embroidered eyes and nose") == {"eyes": "surface", "nose": "surface"}
    assert construction_words("embroidered bow and bead eyes") == {"eyes": "hard"}
    assert construction_words("an embroidered face") == {"eyes": "surface", "nose": "surface"}


def test_the_feature_names_are_the_design_vocabulary() -> None:
    from engines.compliance.parts import FEATURE_NAMES

    assert set(FEATURE_NAMES) == set(vocab.FEATURES)


def test_every_design_form_has_an_age_grade_with_its_reason() -> None:
    from engines.compliance.age import FORM_GRADES

    assert set(vocab.FORMS) <= set(FORM_GRADES)


# ----------------------------------------------------------------------------- checks


def test_a_toddler_plush_with_8mm_bead_eyes_fails_the_small_parts_test(bunny, rules) -> None:
    spec, model = bunny
    report = check_design(parts_from_model(with_beads(model, 8.0)), form="plush",
                          text="toddler bunny plush with 8 mm bead eyes", ship_date=SHIP,
                          markets=["US", "EU"], rules=rules)  # fmt: skip
    assert report.age.grade == "under_3"
    assert not report.passed
    eyes = [f for f in report.failures if f.rule == "small_part" and f.part.startswith("eye_")]
    assert {f.part for f in eyes} == {"eye_l", "eye_r"}
    assert "8.0 x 8.0 x 8.0 mm" in eyes[0].reason and "16 CFR 1501" in eyes[0].reason
    assert eyes[0].fixes[0] == "embroidered eyes instead of beads or safety eyes"
    assert any("14+" in fix for fix in eyes[0].fixes)
    assert all(plan.blocked for plan in report.plans)


def test_the_same_plush_graded_14_plus_passes(bunny, rules) -> None:
    _, model = bunny
    report = check_design(parts_from_model(with_beads(model, 8.0)), form="plush",
                          text="toddler bunny plush with 8 mm bead eyes", ship_date=SHIP,
                          rules=rules, age_override="14_plus")  # fmt: skip
    assert report.passed and not [f for f in report.findings if f.rule == "small_part"]
    assert report.plans[0].certificates == ("GCC",)


def test_embroidered_eyes_and_nose_pass_for_a_toddler(bunny, rules) -> None:
    spec, model = bunny
    text = "toddler bunny plush with embroidered eyes and nose"
    report = check_spec(
        replace(spec, text=text), parts_from_model(model), ship_date=SHIP, rules=rules
    )
    assert report.passed, [f.reason for f in report.failures]
    assert report.plans[0].certificates == ("CPC",)


def test_bead_eyes_bigger_than_the_cylinder_pass(bunny, rules) -> None:
    _, model = bunny
    report = check_design(parts_from_model(with_beads(model, 34.0)), form="plush",
                          text="baby bunny with bead eyes and an embroidered nose",
                          ship_date=SHIP, rules=rules)  # fmt: skip
    assert report.passed, [f.reason for f in report.failures]


def test_a_small_part_for_ages_3_to_13_asks_for_the_choking_warning(bunny, rules) -> None:
    _, model = bunny
    report = check_design(parts_from_model(with_beads(model, 8.0)), form="plush",
                          text="bunny plush for kids with bead eyes", ship_date=SHIP,
                          markets=["US", "EU"], rules=rules)  # fmt: skip
    assert report.age.grade == "3_to_13" and report.passed
    assert "small_parts" in report.conditions
    us, eu = report.plans
    assert us.warnings == ("⚠ WARNING: CHOKING HAZARD—Small parts. Not for children under 3 yrs.",)
    assert "36 months" in eu.warnings[0] and eu.marks == ("CE",)


def test_a_whole_product_small_enough_to_swallow_fails_for_a_baby(rules) -> None:
    tiny = trimesh.creation.icosphere(3, 12.0)
    report = check_design([PartShape("body", tiny.vertices, "body", tiny.faces)], form="figurine",
                          text="baby duck figurine", ship_date=SHIP, rules=rules)  # fmt: skip
    assert [f.rule for f in report.failures] == ["small_product"]
    assert "24.0 x 24.0" in report.failures[0].reason


def _figurine(extra: list[PartShape]) -> list[PartShape]:
    body = trimesh.creation.box((60.0, 50.0, 80.0))
    return [PartShape("body", body.vertices, "body", body.faces), *extra]


def test_a_sharp_rigid_point_and_a_finger_hole_go_to_the_lab(rules) -> None:
    horn = trimesh.creation.cone(3.0, 20.0, sections=32)
    horn.apply_translation((0, 0, 40.0))
    ring = trimesh.creation.torus(4.0 + 1.5, 1.5, major_sections=48, minor_sections=16)
    ring.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0)))
    ring.apply_translation((0, 0, -60.0))  # apart from the body: a hole 8 mm across
    parts = _figurine([PartShape("horn", horn.vertices, "feature", horn.faces),
                       PartShape("loop", ring.vertices, "fixture", ring.faces)])  # fmt: skip
    report = check_design(parts, form="figurine", text="unicorn figurine for kids",
                          ship_date=SHIP, rules=rules)  # fmt: skip
    found = {(f.rule, f.part): f for f in report.findings}
    assert found[("sharp_point", "horn")].severity == "lab"
    hole = found[("finger_hole", "loop")]
    assert hole.measures["hole_mm"] == pytest.approx(8.0, abs=0.6)
    assert "ASTM F963-23 4.18.2" in hole.source
    assert any("horn" in check for check in report.plans[0].lab_checks)
    adult = check_design(
        parts, form="figurine", text="unicorn figurine", ship_date=SHIP, rules=rules
    )
    assert not [f for f in adult.findings if f.rule in ("sharp_point", "finger_hole")]


def test_round_parts_and_wide_holes_are_not_flagged(rules) -> None:
    ball = trimesh.creation.icosphere(3, 6.0)
    ball.apply_translation((0, 0, 46.0))
    ring = trimesh.creation.torus(8.0 + 2.0, 2.0, major_sections=48, minor_sections=16)
    ring.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0)))
    ring.apply_translation((0, 0, -70.0))  # a 16 mm hole admits the 13 mm rod
    parts = _figurine([PartShape("ball", ball.vertices, "feature", ball.faces),
                       PartShape("loop", ring.vertices, "fixture", ring.faces)])  # fmt: skip
    report = check_design(
        parts, form="figurine", text="figurine for kids", ship_date=SHIP, rules=rules
    )
    assert not [f for f in report.findings if f.rule in ("sharp_point", "finger_hole")]


def test_a_long_string_on_a_baby_plush_fails_and_a_short_one_is_noted(bunny, rules) -> None:
    _, model = bunny
    for length, severity in ((350.0, "fail"), (200.0, "info")):
        string = trimesh.creation.cylinder(1.0, length, sections=12)
        parts = [
            *parts_from_model(model),
            PartShape("held string", string.vertices, "feature", string.faces),
        ]
        report = check_design(parts, form="plush", text="baby bunny with embroidered face",
                              ship_date=SHIP, rules=rules)  # fmt: skip
        cords = [f for f in report.findings if f.rule == "cord"]
        assert [(f.part, f.severity) for f in cords] == [("held string", severity)]
        assert cords[0].measures["length_mm"] == pytest.approx(length, rel=0.05)  # facets: longer


def test_the_glb_the_design_engine_writes_is_checked_part_by_part(
    bunny, rules, tmp_path: Path
) -> None:
    _, model = bunny
    beaded = with_beads(model, 8.0)
    mesh, owner = beaded.solid()
    path = tmp_path / "variant.glb"
    write_part_glb(
        path, mesh, owner, [p.name for p in beaded.parts], [p.colour for p in beaded.parts]
    )
    parts = parts_from_glb(path)
    assert {"eye_l", "eye_r", "body", "nose"} <= {p.name for p in parts}
    report = check_design(
        parts, form="plush", text="baby bunny with bead eyes", ship_date=SHIP, rules=rules
    )
    assert {f.part for f in report.failures} >= {"eye_l", "eye_r"}
    # whether a part comes off travels in the GLB (glTF extras), as the design said it
    flags = [p.name.startswith(("eye", "nose")) for p in beaded.parts]
    write_part_glb(
        path, mesh, owner, [p.name for p in beaded.parts], [p.colour for p in beaded.parts],
        detachable=flags,
    )  # fmt: skip
    read = {p.name: p.detachable for p in parts_from_glb(path)}
    assert read["eye_l"] is True and read["nose"] is True and read["body"] is False
    with pytest.raises(ComplianceError, match="no GLB"):
        parts_from_glb(tmp_path / "missing.glb")
    (tmp_path / "bad.glb").write_bytes(b"not a glb")
    with pytest.raises(ComplianceError, match="not a readable GLB"):
        parts_from_glb(tmp_path / "bad.glb")


def test_bad_input_is_a_clear_error(bunny, rules) -> None:
    _, model = bunny
    parts = parts_from_model(model)
    with pytest.raises(ComplianceError, match="unknown market 'XX'"):
        check_design(parts, form="plush", ship_date=SHIP, markets=["US", "XX"], rules=rules)
    with pytest.raises(ComplianceError, match="not a date"):
        check_design(parts, form="plush", ship_date="next week", rules=rules)
    with pytest.raises(ComplianceError, match="build 'glued'"):
        check_design(parts, form="plush", ship_date=SHIP, builds={"eyes": "glued"}, rules=rules)
    with pytest.raises(ComplianceError, match="no parts"):
        check_design([], form="plush", ship_date=SHIP, rules=rules)
    with pytest.raises(ComplianceError, match="at least one market"):
        check_design(parts, form="plush", ship_date=SHIP, markets=[], rules=rules)


# ----------------------------------------------------------------------------- rules


def test_the_rule_in_force_is_chosen_by_the_shipping_date(rules) -> None:
    def ids(market: str, grade: str, day: str) -> list[str]:
        return [r.id for r in rules.in_force(market, grade, dt.date.fromisoformat(day))]

    assert "us-children-f963-17" in ids("US", "under_3", "2024-04-19")
    assert "us-children-f963-23" not in ids("US", "under_3", "2024-04-19")
    assert "us-children-f963-23" in ids("US", "under_3", "2024-04-20")
    assert "us-children-f963-17" not in ids("US", "under_3", "2024-04-20")
    assert "us-cpc-efiling" not in ids("US", "3_to_13", "2026-07-07")
    assert "us-cpc-efiling" in ids("US", "3_to_13", "2026-07-08")
    assert ids("EU", "adult", "2024-12-12") == []
    assert ids("EU", "adult", "2024-12-13") == ["eu-general-products"]
    assert ids("ca", "under_3", "2026-01-01") == ["default-children"]


def test_the_plan_changes_on_the_efiling_date(bunny, rules) -> None:
    _, model = bunny
    parts = parts_from_model(model)
    text = "toddler bunny plush with embroidered eyes and nose"
    before, after = (check_design(parts, form="plush", text=text, ship_date=day, rules=rules)
                     for day in ("2026-07-07", "2026-07-08"))  # fmt: skip
    efiling = "CPC data filed electronically with CBP entry (eFiling)"
    assert efiling not in before.plans[0].labels
    assert efiling in after.plans[0].labels


def test_the_packaged_rules_cover_the_markets_with_sources(rules) -> None:
    assert set(rules.markets) >= {"US", "EU", "UK", "JP", "DEFAULT"}
    for rule in rules.rules:
        assert rule.sources and all(s in rules.sources for s in rule.sources)
    assert rules.market("uk") == "UK" and rules.market("NO") == "DEFAULT"


def _broken(old: str, new: str) -> str:
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "effective: 2026-07-08",
            "effective: 8 July 2026",
            "markets.US.rules[4].effective: must be a date",
        ),
        (
            "effective: 2024-04-20\n        standards",
            "effective: 2024-13-20\n        standards",
            "must be a date (YYYY-MM-DD), not '2024-13-20'",
        ),
        ("until: 2024-04-20", "until: 2017-01-01", "is not after effective 2017-12-20"),
        ("certificates: [EU_DOC]", "certificates: [EU_DOK]", "unknown certificate 'EU_DOK'"),
        (
            "grades: [under_3]\n    source: cfr_1501",
            "grades: [toddler]\n    source: cfr_1501",
            "checks.small_parts.grades",
        ),
        (
            "max_length_mm: 300",
            "max_length_mm: -300",
            "checks.cords[0].max_length_mm: must be a positive number",
        ),
        ("sources: [eu_gpsr]", "sources: [eu_gspr]", "unknown source 'eu_gspr'"),
        ("id: eu-toys", "id: us-choking-warnings", "'us-choking-warnings' is used twice"),
        ('"NO"', "NO", "False is not a two-letter code"),
        ("when: balloon", "when: ballon", "'ballon' is not one of"),
        ('version: "2026.12.1"', "version: 2026.12", "version: must be a text"),
        (
            "forms: [night_light]\n        effective: 2017-11-02",
            "forms: [nightlight]\n        effective: 2017-11-02",
            "unknown product form 'nightlight'",
        ),
    ],
)
def test_a_broken_rules_file_names_the_line_and_field(old: str, new: str, problem: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(_broken(old, new), "rules.yaml")
    text = str(caught.value)
    assert problem in text, text
    found = next(p for p in caught.value.problems if problem in p)
    number, path = found.removeprefix("line ").split(": ")[:2]
    field = path.rsplit(".", 1)[-1].split("[")[0]
    assert field in _broken(old, new).splitlines()[int(number) - 1]  # the line of that field


def test_the_cli_validates_a_rules_file(tmp_path: Path) -> None:
    from trendforge.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["compliance", "validate"])
    assert ok.exit_code == 0 and "valid: 23 rules" in ok.output
    bad = tmp_path / "rules.yaml"
    bad.write_text(_broken("certificates: [EU_DOC]", "certificates: [EU_DOK]"), encoding="utf-8")
    result = runner.invoke(app, ["compliance", "validate", str(bad)])
    assert result.exit_code == 1
    line = (
        DEFAULT_RULES.read_text(encoding="utf-8")
        .splitlines()
        .index("        certificates: [EU_DOC]")
        + 1
    )
    assert (
        f"line {line}: markets.EU.rules[0].certificates: unknown certificate 'EU_DOK'"
        in result.output
    )
    missing = runner.invoke(app, ["compliance", "validate", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 1 and "cannot read the file" in missing.output


# ----------------------------------------------------------------------------- documents


def test_the_test_plan_and_certificate_drafts_are_filled_from_the_data(bunny, rules) -> None:
    _, model = bunny
    report = check_design(parts_from_model(with_beads(model, 8.0)), form="plush",
                          text="bunny plush for kids with bead eyes", ship_date=SHIP,
                          markets=["US", "EU", "UK"], rules=rules)  # fmt: skip
    page = plan_html(report, "US", product="<b>Bunny</b>")
    assert "&lt;b&gt;Bunny&lt;/b&gt;" in page and "<b>Bunny</b>" not in page
    assert "ASTM F963-23" in page and "CHOKING HAZARD" in page and "eye_l" in page
    cpc = certificate_html(report, "US", "CPC", rules, {"product": "Bunny plush BP-1"})
    assert "Children&#x27;s Product Certificate (draft)" in cpc and "Bunny plush BP-1" in cpc
    assert "ASTM F963-23" in cpc and cpc.count('class="blank"') == 5
    doc = certificate_html(report, "EU", "EU_DOC", rules)
    assert "Directive 2009/48/EC" in doc and "EN 71-1" in doc
    assert "Toys (Safety) Regulations 2011" in certificate_html(report, "UK", "UKCA_DOC", rules)
    with pytest.raises(ComplianceError, match="asks for EU_DOC"):
        certificate_html(report, "EU", "CPC", rules)
    with pytest.raises(ComplianceError, match="no plan for market 'JP'"):
        plan_html(report, "JP")


def _lamp() -> list[PartShape]:
    """A night-light's parts: a shell over a base (the geometry plays no part in the rules)."""
    shell = trimesh.creation.icosphere(3, 60.0)
    shell.apply_translation((0, 0, 70.0))
    base = trimesh.creation.cylinder(55.0, 12.0)
    return [PartShape("shell", shell.vertices, "body", shell.faces),
            PartShape("base", base.vertices, "fixture", base.faces)]  # fmt: skip


def test_a_night_light_adds_each_markets_electrical_rules_and_documents(rules) -> None:
    markets = ["US", "DE", "GB", "JP", "AU"]
    lamp = check_design(_lamp(), form="night_light", text="cat lamp", ship_date=SHIP,
                        markets=markets, rules=rules)  # fmt: skip
    figure = check_design(_lamp(), form="figurine", text="cat figurine", ship_date=SHIP,
                          markets=markets, rules=rules)  # fmt: skip
    assert lamp.age.grade == figure.age.grade == "14_plus"
    plans = {p.market: p for p in lamp.plans}
    assert "FCC_SDOC" in plans["US"].certificates
    assert any("47 CFR 15" in s for s in plans["US"].standards)
    assert "EU_DOC_EEE" in plans["DE"].certificates and "CE" in plans["DE"].marks
    assert any("WEEE" in label for label in plans["DE"].labels)
    assert "UKCA_DOC_EEE" in plans["GB"].certificates
    assert any("PSE" in mark for mark in plans["JP"].marks)
    assert any("CISPR 15" in s for s in plans["AU"].standards)
    for plain in figure.plans:  # the same shape sold as a figurine has no electrics
        assert not {"FCC_SDOC", "EU_DOC_EEE", "UKCA_DOC_EEE"} & set(plain.certificates)
        assert not any("60598" in s or "55015" in s for s in plain.standards)
    plain_de = next(p for p in figure.plans if p.market == "DE")
    assert set(plans["DE"].rules) - set(plain_de.rules) == {"eu-led-night-light"}
    sdoc = certificate_html(lamp, "US", "FCC_SDOC", rules, {"product": "Cat lamp CL-1"})
    assert "part 15 of the FCC Rules" in sdoc and "Cat lamp CL-1" in sdoc


def test_a_childrens_night_light_takes_the_childrens_luminaire_standard(rules) -> None:
    kids = check_design(_lamp(), form="night_light", text="bunny night light for kids",
                        ship_date=SHIP, markets=["EU"], rules=rules)  # fmt: skip
    adult = check_design(_lamp(), form="night_light", text="bunny night light",
                         ship_date=SHIP, markets=["EU"], rules=rules)  # fmt: skip
    assert kids.age.grade == "3_to_13"
    assert any("60598-2-10" in s for s in kids.plans[0].standards)
    assert not any("60598-2-10" in s for s in adult.plans[0].standards)
    assert rules.in_force("EU", "adult", SHIP) == rules.in_force("EU", "adult", SHIP, "mug")


def test_the_report_is_plain_json(bunny, rules) -> None:
    import json

    _, model = bunny
    report = check_design(parts_from_model(with_beads(model, 8.0)), form="plush",
                          text="baby bunny with bead eyes", ship_date=SHIP, rules=rules)  # fmt: skip
    data = json.loads(json.dumps(report.to_json()))
    assert data["passed"] is False and data["age"]["label"] == "under 3"
    assert data["plans"][0]["ship_date"] == "2026-09-01"
