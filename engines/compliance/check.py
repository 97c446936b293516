"""The compliance check of one design: its age grade, the geometric findings on its parts,
and for each market the rules in force on the shipping date (a test plan to run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import trimesh

from engines.compliance import hazards
from engines.compliance.age import LABELS, AgeGrade, infer_age_grade
from engines.compliance.cylinder import DIAMETER_MM, LONGEST_INSIDE_MM, fit_cylinder
from engines.compliance.errors import ComplianceError
from engines.compliance.parts import (
    SOFT_FORMS,
    Component,
    PartShape,
    components,
    construction_words,
)
from engines.compliance.rules import Rules, load_rules, parse_day, unique

SEVERITIES = (
    "fail",
    "lab",
    "label",
    "info",
)  # fail blocks; lab: a lab must test it; label: a warning is due
CORD_NAMES = ("string", "cord", "lanyard", "strap", "ribbon", "chain", "rope")
SLENDER_RATIO = 10.0  # a part at least this many times longer than thick, and ...
CORD_MAX_THICKNESS_MM = 6.0  # ... this thin, is a cord


@dataclass(frozen=True)
class Finding:
    """One thing a check found: the part, the rule, how bad, why (with sizes), what to do."""

    rule: str  # small_part, small_product, sharp_point, sharp_edge, cord, loop, finger_hole
    part: str
    severity: str  # one of SEVERITIES
    reason: str
    source: str  # the regulation or standard clause
    fixes: tuple[str, ...] = ()
    measures: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MarketPlan:
    """What one market asks of the product on the shipping date."""

    market: str  # the code asked for (CA)
    rules_market: str  # the market whose rules apply (DEFAULT)
    name: str
    ship_date: dt.date
    rules: tuple[str, ...]
    standards: tuple[str, ...]
    tests: tuple[str, ...]
    lab_checks: tuple[str, ...]  # the findings a lab must settle
    certificates: tuple[str, ...]
    labels: tuple[str, ...]
    warnings: tuple[str, ...]
    marks: tuple[str, ...]
    sources: tuple[dict[str, str], ...]
    blocked: tuple[str, ...]  # failing findings: nothing ships until they are fixed


@dataclass(frozen=True)
class ComplianceReport:
    """The whole check: age grade, findings, one plan per market, the rules version used."""

    age: AgeGrade
    form: str
    findings: tuple[Finding, ...]
    plans: tuple[MarketPlan, ...]
    rules_version: str
    conditions: tuple[str, ...]  # small_parts, cord, sharp, finger_hole, balloon

    @property
    def passed(self) -> bool:
        """No failing finding (lab checks and labels still to do)."""
        return not any(f.severity == "fail" for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        """The failing findings."""
        return [f for f in self.findings if f.severity == "fail"]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the database and the API (dates as ISO strings)."""
        out = asdict(self)
        out["age"]["label"] = self.age.label
        out["passed"] = self.passed
        for plan in out["plans"]:
            plan["ship_date"] = plan["ship_date"].isoformat()
        return out


def check_design(
    parts: Sequence[PartShape],
    *,
    form: str,
    ship_date: dt.date | str,
    markets: Sequence[str] = ("US",),
    text: str = "",
    rules: Rules | None = None,
    age_override: str | None = None,
    builds: Mapping[str, str] | None = None,
    seed: int = 0,
) -> ComplianceReport:
    """Check a design's parts (mm) for the markets it ships to on `ship_date`; `text` is the
    idea's words (age and construction words), `builds` the merchant's construction choices."""
    rules = rules or load_rules()
    day = parse_day(ship_date)
    if not markets:
        raise ComplianceError("name at least one market to ship to")
    keys = [rules.market(m) for m in markets]  # unknown markets fail before any geometry
    if not parts:
        raise ComplianceError("the design has no parts to check")
    age = infer_age_grade(text, form, age_override)
    chosen = {**construction_words(text), **(builds or {})}
    groups = components(parts, form, chosen)
    findings = _findings(parts, groups, form, age.grade, rules, seed)
    conditions = _conditions(findings, text)
    plans = tuple(
        _plan(code.strip().upper(), key, age.grade, form, day, rules, findings, conditions)
        for code, key in zip(markets, keys, strict=True)
    )
    return ComplianceReport(age, form, tuple(findings), plans, rules.version, conditions)


def check_spec(spec: Any, parts: Sequence[PartShape], **kwargs: Any) -> ComplianceReport:
    """check_design for a design engine DesignSpec (its words and form)."""
    return check_design(parts, form=spec.form, text=spec.text, **kwargs)


# ----------------------------------------------------------------------------- findings


def _findings(
    parts: Sequence[PartShape],
    groups: list[Component],
    form: str,
    grade: str,
    rules: Rules,
    seed: int,
) -> list[Finding]:
    """Every geometric finding for the grade (small parts, cords, sharp, holes)."""
    out = _small_parts(parts, groups, grade, rules, seed)
    out += _cords(groups, grade, rules)
    out += _solid_screens(parts, groups, form, grade, rules)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(out, key=lambda f: (order[f.severity], f.rule, f.part))


def _small_parts(
    parts: Sequence[PartShape], groups: list[Component], grade: str, rules: Rules, seed: int
) -> list[Finding]:
    """The 16 CFR 1501 cylinder on the whole product and on every piece that can come off."""
    banned = grade in rules.grades_for("small_parts")
    warned = grade in rules.grades_for("small_parts_warning")
    if not (banned or warned):
        return []
    out = []
    whole = fit_cylinder(np.vstack([p.vertices for p in parts]), seed)
    if whole.fits:
        severity = "fail" if banned else "label"
        out.append(Finding("small_product", "whole product", severity,
                           whole.explain("the whole product"), "16 CFR 1501.4(b)(1)",
                           _fixes("small_product", "body", grade, whole.extents_mm),
                           _measures(whole)))  # fmt: skip
    for c in groups:
        tested = c.build == "hard" or c.build == "integral" and c.kind in ("accessory", "loop")
        if not tested or c.kind in ("body", "mark"):  # printed eyes are flush marks, not pieces
            continue
        fit = fit_cylinder(c.vertices, seed)
        if not fit.fits:
            continue
        if c.build == "hard":
            severity = "fail" if banned else "label"
            how = "a separate hard piece that can come off in use and abuse (16 CFR 1500.51/52)"
        else:
            severity = "lab"
            how = "printed in one piece: a lab decides whether it breaks off in use and abuse"
        out.append(Finding("small_part", c.name, severity, f"{fit.explain(c.name)}; {how}",
                           "16 CFR 1501.4(b)(2)", _fixes("small_part", c.kind, grade, fit.extents_mm),
                           _measures(fit)))  # fmt: skip
    return out


def _measures(fit: Any) -> dict[str, float]:
    """A cylinder fit's numbers for the record (mm)."""
    a, b, c = fit.extents_mm
    return {"length_mm": round(a, 2), "width_mm": round(b, 2), "height_mm": round(c, 2),
            "margin_mm": round(fit.margin_mm, 2)}  # fmt: skip


def _fixes(
    rule: str, kind: str, grade: str, extents: tuple[float, float, float]
) -> tuple[str, ...]:
    """Suggested fixes for a small part of a kind."""
    bigger = (
        f"make it bigger than the cylinder: at least {DIAMETER_MM + 0.5:.1f} mm across every way "
        f"(or over {LONGEST_INSIDE_MM:.0f} mm long); now {extents[0]:.1f} x {extents[1]:.1f} x {extents[2]:.1f} mm"
    )
    older = "grade it 14+ (a collector's piece, labelled and sold as not for children)"
    if grade != "under_3":
        older = "or print the choking-hazard warning the markets ask for (see the labels)"
    if rule == "small_product":
        return (bigger, older)
    if kind == "eye":
        return ("embroidered eyes instead of beads or safety eyes", bigger, older)
    if kind == "nose":
        return ("an embroidered nose instead of a hard one", bigger, older)
    if kind == "accessory":
        return ("sew the accessory from fabric, or make it part of the body", bigger, older)
    return (
        "join it to the body with a thicker root, then have a lab run the torque and tension tests",
        bigger,
        older,
    )


def _cords(groups: list[Component], grade: str, rules: Rules) -> list[Finding]:
    """Cords longer, or loops wider, than the grade allows (ASTM F963 4.14)."""
    limit = rules.threshold("cords", grade)
    if limit is None:
        return []
    out = []
    source = f"ASTM F963-23 4.14 ({rules.sources.get(limit['source'], {}).get('title', limit['source'])})"
    for c in groups:
        if c.kind in ("body", "mark"):
            continue
        for p in c.parts:
            length, thick = hazards.slender(p.vertices, p.faces)
            named = any(w in p.name.lower() for w in CORD_NAMES)
            if c.kind == "loop":
                perimeter = float(np.pi * max(length - thick, 0.0))
                if perimeter > limit["max_loop_mm"]:
                    out.append(Finding("loop", p.name, "fail",
                                       f"'{p.name}' is a loop {perimeter:.0f} mm round; {LABELS[grade]} allows {limit['max_loop_mm']:.0f} mm",
                                       source, ("make the loop smaller", "close it with a breakaway"),
                                       {"perimeter_mm": round(perimeter, 1)}))  # fmt: skip
                continue
            if not (named or (thick <= CORD_MAX_THICKNESS_MM and length >= SLENDER_RATIO * thick)):
                continue
            if length > limit["max_length_mm"]:
                severity = "fail" if grade == "under_3" else "lab"
                out.append(Finding("cord", p.name, severity,
                                   f"'{p.name}' is a cord {length:.0f} mm long, {thick:.1f} mm thick; {LABELS[grade]} allows {limit['max_length_mm']:.0f} mm",
                                   source, (f"shorten it below {limit['max_length_mm']:.0f} mm", "make it rigid and part of the body", "grade it 14+"),
                                   {"length_mm": round(length, 1), "thickness_mm": round(thick, 2)}))  # fmt: skip
            else:
                out.append(Finding("cord", p.name, "info",
                                   f"'{p.name}' is a cord {length:.0f} mm long (within {limit['max_length_mm']:.0f} mm)",
                                   source, (), {"length_mm": round(length, 1)}))  # fmt: skip
    return out


def _solid_screens(
    parts: Sequence[PartShape], groups: list[Component], form: str, grade: str, rules: Rules
) -> list[Finding]:
    """Sharp points and edges, and finger-trapping holes, on the hard faces of the solid."""
    sharp = rules.threshold("sharp", grade)
    holes = rules.threshold("finger_holes", grade)
    if sharp is None and holes is None:
        return []
    closed = [p for p in parts if p.faces is not None and len(p.faces)]
    if not closed:
        return []
    meshes = [trimesh.Trimesh(p.vertices, p.faces, process=False) for p in closed]
    solid = hazards.solid_of(meshes, [p.name for p in closed])
    build = {p.name: c.build for c in groups for p in c.parts}
    hard_parts = np.array([
        build.get(n) in ("hard", "integral") or (build.get(n) == "body" and form not in SOFT_FORMS)
        for n in solid.names
    ])  # fmt: skip
    rigid = hard_parts[solid.owner]
    out: list[Finding] = []
    if sharp is not None and rigid.any():
        out += _sharp(solid, rigid, sharp, grade)
    if holes is not None and rigid.any():
        out += _holes(solid, rigid, holes, grade)
    return out


def _sharp(
    solid: hazards.Solid, rigid: np.ndarray, limit: dict[str, Any], grade: str
) -> list[Finding]:
    """Sharp points and edges flagged for the lab tests."""
    out = []
    for hit in hazards.sharp_points(solid, float(limit["max_tip_radius_mm"]), rigid):
        out.append(Finding("sharp_point", hit.part, "lab",
                           f"'{hit.part}' ends in a point sharper than a 60 degree cone within {limit['max_tip_radius_mm']} mm of its tip "
                           f"(curvature {hit.measure:.2f} sr); {LABELS[grade]} needs the sharp-point test",
                           "16 CFR 1500.48", (f"round the tip to at least {limit['max_tip_radius_mm']} mm radius", "make it soft (fabric)"),
                           {"curvature_sr": round(hit.measure, 2)}))  # fmt: skip
    for hit in hazards.sharp_edges(solid, float(limit["min_edge_angle_deg"]), rigid):
        out.append(Finding("sharp_edge", hit.part, "lab",
                           f"'{hit.part}' has {hit.extra:.1f} mm of edge whose faces meet at {hit.measure:.0f} degrees "
                           f"(under {limit['min_edge_angle_deg']}); {LABELS[grade]} needs the sharp-edge test",
                           "16 CFR 1500.49", ("round or chamfer the edge", "thicken the part"),
                           {"angle_deg": round(hit.measure, 1), "edge_mm": round(hit.extra, 1)}))  # fmt: skip
    return out


def _holes(
    solid: hazards.Solid, rigid: np.ndarray, limit: dict[str, Any], grade: str
) -> list[Finding]:
    """Holes that admit the small finger rod but not the large one (ASTM F963 4.18.2)."""
    low, high = float(limit["min_rod_mm"]), float(limit["max_rod_mm"])
    out = []
    for hit in hazards.through_holes(solid, rigid):
        if not low <= hit.measure < high:
            continue
        out.append(Finding("finger_hole", hit.part, "lab",
                           f"'{hit.part}' has a hole {hit.measure:.1f} mm across: it admits a {low:.0f} mm rod but not a {high:.0f} mm one "
                           f"(a finger can go in and swell); the rule applies where the wall is under {limit['max_wall_mm']} mm thick",
                           "ASTM F963-23 4.18.2", (f"make the hole under {low:.0f} mm or at least {high:.0f} mm across", "fill it"),
                           {"hole_mm": round(hit.measure, 2)}))  # fmt: skip
    return out


# ----------------------------------------------------------------------------- plans


def _conditions(findings: Sequence[Finding], text: str) -> tuple[str, ...]:
    """The warning conditions the findings (and the words) raise."""
    named = {"small_part": "small_parts", "small_product": "small_parts", "cord": "cord",
             "loop": "cord", "sharp_point": "sharp", "sharp_edge": "sharp", "finger_hole": "finger_hole"}  # fmt: skip
    out = [named[f.rule] for f in findings if f.severity != "info"]
    if "latex balloon" in text.lower():
        out.append("balloon")
    return unique(out)


def _plan(
    code: str,
    key: str,
    grade: str,
    form: str,
    day: dt.date,
    rules: Rules,
    findings: Sequence[Finding],
    conditions: Sequence[str],
) -> MarketPlan:
    """One market's plan: every rule in force on the day for the grade and form, stacked."""
    active = rules.in_force(key, grade, day, form)
    pick = lambda name: unique(x for r in active for x in getattr(r, name))  # noqa: E731
    warnings = unique(
        w.text for r in active for w in r.warnings if w.when is None or w.when in conditions
    )
    lab = tuple(
        f"{f.source}: {f.part} ({f.rule.replace('_', ' ')})"
        for f in findings
        if f.severity in ("lab", "fail")
    )
    sources = unique(s for r in active for s in r.sources)
    return MarketPlan(
        code, key, rules.markets[key], day, tuple(r.id for r in active), pick("standards"),
        pick("tests"), lab, pick("certificates"), pick("labels"), warnings, pick("marks"),
        tuple({"id": s, **rules.sources[s]} for s in sources),
        tuple(f.reason for f in findings if f.severity == "fail"),
    )  # fmt: skip


def report_from_json(data: Mapping[str, Any]) -> ComplianceReport:
    """A report back from `ComplianceReport.to_json` (the stored rows), for its documents."""
    age = data["age"]
    findings = tuple(
        Finding(f["rule"], f["part"], f["severity"], f["reason"], f["source"],
                tuple(f.get("fixes") or ()), dict(f.get("measures") or {}))
        for f in data.get("findings") or []
    )  # fmt: skip
    plans = tuple(_plan_from_json(p) for p in data.get("plans") or [])
    return ComplianceReport(
        AgeGrade(age["grade"], tuple(age.get("reasons") or ()), bool(age.get("overridden"))),
        str(data.get("form", "")), findings, plans, str(data.get("rules_version", "")),
        tuple(data.get("conditions") or ()),
    )  # fmt: skip


def _plan_from_json(p: Mapping[str, Any]) -> MarketPlan:
    """One stored market plan (lists back to tuples, the date back to a date)."""
    names = [f.name for f in fields(MarketPlan)]
    values: dict[str, Any] = {}
    for name in names:
        value = p.get(name, () if name not in ("market", "rules_market", "name") else "")
        values[name] = tuple(value) if isinstance(value, list) else value
    values["ship_date"] = parse_day(p["ship_date"])
    return MarketPlan(**values)
