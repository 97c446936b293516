"""Lanes and customs files: the shipped ones validate; each error names its line, row, field."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engines.logistics import (
    DEFAULT_CUSTOMS_PATH,
    DEFAULT_LANES_PATH,
    DataFileError,
    load_customs,
    load_lanes,
    parse_customs,
    parse_lanes,
)
from trendforge.cli import app as cli

LANES = DEFAULT_LANES_PATH.read_text(encoding="utf-8")
CUSTOMS = DEFAULT_CUSTOMS_PATH.read_text(encoding="utf-8")
FIRST = "{id: express-yiw-us, mode: express, origin: YIW, market: US, transit_days_min: 2, transit_days_max: 4,"


def _problems(text: str, parse=parse_lanes) -> list[tuple[int | None, str | None, str]]:  # type: ignore[no-untyped-def]
    """(row, row id, field) of each problem parse reports."""
    with pytest.raises(DataFileError) as err:
        parse(text)
    return [(p.row, p.row_id, p.field) for p in err.value.problems]


def _line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shipped_files_validate_with_sources_and_dates() -> None:
    lanes, customs = load_lanes(), load_customs()
    assert {lane.mode for lane in lanes.lanes} == {"express", "air", "rail", "sea"}
    assert {"YIW", "NGB", "SHA", "PVG"} <= {lane.origin for lane in lanes.lanes}
    assert {"US", "GB", "DE", "ES", "JP", "AE"} <= set(lanes.markets)
    for lane in lanes.lanes:
        assert lane.source in lanes.sources and lane.checked <= lanes.date
    assert all(rule.source in customs.sources for rule in customs.rules)


def test_public_facts_of_the_issue_are_in_the_lanes() -> None:
    lanes = {lane.id: lane for lane in load_lanes().lanes}
    assert (lanes["express-yiw-us"].transit_days_min, lanes["express-yiw-us"].transit_days_max) == (
        2,
        4,
    )
    assert (lanes["air-pvg-us"].transit_days_min, lanes["air-pvg-us"].transit_days_max) == (3, 10)
    assert lanes["rail-yiw-es"].transit_days_min == 18
    assert (lanes["sea-ngb-de"].transit_days_min, lanes["sea-ngb-de"].transit_days_max) == (35, 45)
    divisors = {lane.mode: lane.volumetric_divisor_cm3_per_kg for lane in lanes.values()}
    assert divisors == {"express": 5000, "air": 6000, "rail": 3000, "sea": 1000}


def test_lane_errors_name_row_and_field() -> None:
    bad = LANES.replace(
        FIRST,
        FIRST.replace("mode: express", "mode: boat").replace(
            "transit_days_max: 4", "transit_days_max: 1"
        ),
    )
    bad = bad.replace("id: express-yiw-gb,", "id: express-yiw-us,", 1)
    bad = bad.replace(
        "source: geese-eu, checked: 2026-12-05}", "source: geese, checked: 2026-13-05}", 1
    )
    bad = bad.replace("reliability: 0.96,", "reliability: 0.96, reliabilty: 1,", 1)
    got = _problems(bad)
    assert (1, "express-yiw-us", "mode") in got
    assert (1, "express-yiw-us", "transit_days_max") in got
    assert (2, "express-yiw-us", "id") in got  # a repeated id
    assert (33, "sea-ngb-de", "source") in got
    assert (33, "sea-ngb-de", "checked") in got  # a bad date is a problem, not a crash
    assert (9, "express-yiw-jp", "reliabilty") in got  # a misspelt field
    with pytest.raises(DataFileError) as err:
        parse_lanes(bad)
    text = [str(p) for p in err.value.problems]
    line = _line_of(bad, "id: sea-ngb-de,")
    assert (
        f"line {line}, lanes row 33 (sea-ngb-de), field source: 'geese' is not a key of `sources`"
        in text
    )


def test_missing_fields_and_sections() -> None:
    no_fees = LANES.replace("min_charge_usd: 60, fees_usd: 25, ", "min_charge_usd: 60, ", 1)
    assert (1, "express-yiw-us", "fees_usd") in _problems(no_fees)
    with pytest.raises(DataFileError) as err:
        parse_lanes("version: x\ndate: 2026-01-01\n")
    assert {p.section for p in err.value.problems} == {"sources", "origins", "markets", "lanes"}
    unknown_market = LANES.replace("origin: YIW, market: US,", "origin: YIW, market: MARS,", 1)
    assert (1, "express-yiw-us", "market") in _problems(unknown_market)


def test_broken_yaml_is_one_problem_with_a_line() -> None:
    with pytest.raises(DataFileError) as err:
        parse_lanes("version: 1\nlanes: [\n  {id: a,\n")
    (problem,) = err.value.problems
    assert problem.line is not None and "not valid YAML" in problem.message


def test_customs_errors_name_row_and_field() -> None:
    first = "- {id: us-321-cn, market: US, origin: CN, kind: de_minimis,"
    bad = CUSTOMS.replace(first, first.replace("kind: de_minimis", "kind: tariff"))
    bad = bad.replace(
        "kind: ad_valorem, rate: 0.10, effective_from: 2025-02-04, effective_to: 2025-03-04",
        "kind: ad_valorem, effective_from: 2025-03-04, effective_to: 2025-02-04",
        1,
    )
    bad = bad.replace('origin: "!CN", kind: de_minimis', 'origin: "not CN", kind: de_minimis', 1)
    got = _problems(bad, parse_customs)
    assert (1, "us-321-cn", "kind") in got
    assert (3, "us-ieepa-fentanyl-10", "rate") in got  # an ad_valorem rule needs a rate
    assert (3, "us-ieepa-fentanyl-10", "effective_to") in got  # ends before it starts
    assert (2, "us-321-other", "origin") in got


def test_cli_validates_the_shipped_files(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["lanes", "validate"])
    assert done.exit_code == 0, done.output
    assert "41 lanes" in done.output and "customs rules" in done.output


def test_cli_names_row_and_field_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "lanes.yaml"
    bad.write_text(
        LANES.replace(FIRST, FIRST.replace("mode: express", "mode: boat")), encoding="utf-8"
    )
    done = CliRunner().invoke(cli, ["lanes", "validate", str(bad)])
    assert done.exit_code == 1
    line = _line_of(LANES, FIRST)
    assert (
        f"line {line}, lanes row 1 (express-yiw-us), field mode: must be one of express, air, rail, sea, got 'boat'"
        in done.output
    )
    missing = CliRunner().invoke(cli, ["lanes", "validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_country_codes_are_not_booleans() -> None:
    norway = LANES.replace(
        '  SA: {name: "Saudi Arabia"',
        '  NO: {name: "Norway", lat: 59.9, lon: 10.7}\n  SA: {name: "Saudi Arabia"',
        1,
    )
    norway = norway.replace("origin: YIW, market: SA,", "origin: YIW, market: NO,", 1)
    book = parse_lanes(norway)
    assert "NO" in book.markets and book.for_market("NO").size == 1
