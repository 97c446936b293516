"""Market rules as data: load and validate the versioned rules file (YAML), and pick the rules
in force for a market, an age grade and a shipping date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engines.compliance.age import FORM_GRADES, GRADES, check_grade
from engines.compliance.errors import ComplianceError, RulesError

DEFAULT_RULES = Path(__file__).with_name("data") / "rules.yaml"
CONDITIONS = ("small_parts", "balloon", "cord", "sharp", "finger_hole")
LIST_FIELDS = ("standards", "tests", "certificates", "labels", "marks")
CHECKS = ("small_parts", "small_parts_warning", "cords", "finger_holes", "sharp")
_MARKET = re.compile(r"^([A-Z]{2}|DEFAULT)$")


@dataclass(frozen=True)
class Warning:
    """A warning text and the finding that calls for it (None: always)."""

    text: str
    when: str | None = None


@dataclass(frozen=True)
class Rule:
    """One dated rule of a market: what it asks of the grades it names."""

    id: str
    market: str
    grades: tuple[str, ...]
    effective: dt.date
    until: dt.date | None
    standards: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()
    warnings: tuple[Warning, ...] = ()
    sources: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()  # the product forms it is for (a night-light's electrics); (): all

    def in_force(self, day: dt.date) -> bool:
        """Whether the rule applies to goods shipped on `day`."""
        return self.effective <= day and (self.until is None or day < self.until)

    def covers(self, form: str | None) -> bool:
        """Whether the rule applies to the product form (None: a product of no named form)."""
        return not self.forms or form in self.forms


@dataclass(frozen=True)
class Certificate:
    """A certificate's title, the law it answers and the fields it must carry."""

    id: str
    title: str
    legislation: str
    fields: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Rules:
    """A whole rules file: version, sources, geometric thresholds, certificates, markets."""

    version: str
    updated: dt.date
    sources: dict[str, dict[str, str]]
    checks: dict[str, Any]
    certificates: dict[str, Certificate]
    markets: dict[str, str]  # code -> name
    rules: tuple[Rule, ...]
    aliases: dict[str, str] = field(default_factory=dict)  # code -> its market (DE -> EU)
    path: str = ""

    def market(self, code: str) -> str:
        """The market whose rules apply to a code (US, EU, a DEFAULT alias), or ComplianceError."""
        key = code.strip().upper()
        if key in self.markets:
            return key
        if key in self.aliases:
            return self.aliases[key]
        known = sorted([*self.markets, *self.aliases])
        raise ComplianceError(f"unknown market {code!r}: the rules know {', '.join(known)}")

    def in_force(
        self, market: str, grade: str, day: dt.date, form: str | None = None
    ) -> list[Rule]:
        """The rules of a market for an age grade and product form in force on a shipping
        date (form None: only the rules every product shares)."""
        key, grade = self.market(market), check_grade(grade)
        return [
            r
            for r in self.rules
            if r.market == key and grade in r.grades and r.in_force(day) and r.covers(form)
        ]

    def grades_for(self, check: str) -> tuple[str, ...]:
        """The grades a geometric check applies to (from `checks`)."""
        entry = self.checks.get(check)
        if isinstance(entry, list):
            return tuple(g for e in entry for g in e["grades"])
        return tuple(entry["grades"]) if entry else ()

    def threshold(self, check: str, grade: str) -> dict[str, Any] | None:
        """The `checks` entry of a check for a grade, or None when it does not apply."""
        entry = self.checks.get(check)
        for e in entry if isinstance(entry, list) else [entry] if entry else []:
            if grade in e["grades"]:
                return dict(e)
        return None


# ----------------------------------------------------------------------------- loading


class _Located(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings know their lines; dates stay dates."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        out = _Located(super().construct_mapping(node, deep=deep))
        out.line = node.start_mark.line + 1
        out.lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        return out

    def construct_located_map(self, node: yaml.MappingNode) -> Any:
        """Every mapping, nested or not, as a _Located (PyYAML's default makes plain dicts)."""
        return self.construct_mapping(node, deep=True)

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date, or the text itself when it is no calendar date (2026-13-01), for the
        validator to name."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_located_map)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_checked_timestamp)


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules file at `path` (the packaged one by default), validated; RulesError names
    the line and field of every problem found."""
    file = Path(path) if path is not None else DEFAULT_RULES
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise RulesError(str(file), [f"cannot read the file: {err.strerror or err}"]) from err
    return parse_rules(text, str(file))


def parse_rules(text: str, source: str = "<rules>") -> Rules:
    """Rules from YAML text; RulesError lists every problem with its line and field."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise RulesError(
            source, [f"{where}not valid YAML: {getattr(err, 'problem', err)}"]
        ) from err
    v = _Validator(source)
    rules = v.rules(data)
    if v.problems:
        raise RulesError(source, v.problems)
    assert rules is not None
    return rules


class _Validator:
    """Walks the parsed file, builds the records and collects problems (line, field, why)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def bad(self, node: Any, key: str | None, path: str, why: str) -> None:
        """Record a problem at a node's key (or the node itself)."""
        line = 0
        if isinstance(node, _Located):
            line = node.lines.get(key, node.line) if key is not None else node.line
        where = f"line {line}: " if line else ""
        self.problems.append(f"{where}{path}: {why}")

    def need(self, node: Any, key: str, path: str, kind: type | tuple[type, ...]) -> Any:
        """node[key] if present and of the kind, else None and a problem."""
        if key not in node:
            self.bad(node, None, f"{path}.{key}" if path else key, "missing")
            return None
        value = node[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            self.bad(
                node,
                key,
                f"{path}.{key}" if path else key,
                f"must be a {_kind(names)}, not {value!r}",
            )
            return None
        return value

    def texts(self, node: Any, key: str, path: str) -> tuple[str, ...]:
        """An optional list of non-empty strings."""
        value = node.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
            self.bad(node, key, f"{path}.{key}", "must be a list of non-empty texts")
            return ()
        return tuple(value)

    def rules(self, data: Any) -> Rules | None:
        """The whole file."""
        if not isinstance(data, dict):
            self.bad(
                None,
                None,
                "(top)",
                "the file must be a mapping with version, sources, checks, certificates, markets",
            )
            return None
        version = self.need(data, "version", "", str)  # quoted: 2026.10 would read as 2026.1
        updated = self.need(data, "updated", "", dt.date)
        sources = self.sources(data)
        checks = self.checks(data, sources)
        certs = self.certificates(data, sources)
        markets, aliases, rules = self.markets(data, sources, certs)
        if version is None or updated is None:
            return None
        return Rules(
            version, updated, sources, checks, certs, markets, tuple(rules), aliases, self.source
        )

    def sources(self, data: Any) -> dict[str, dict[str, str]]:
        """The `sources` table: id -> title and url."""
        table = self.need(data, "sources", "", dict) or {}
        out = {}
        for key, entry in table.items():
            path = f"sources.{key}"
            if not isinstance(entry, dict):
                self.bad(table, key, path, "must be a mapping with title and url")
                continue
            title, url = self.need(entry, "title", path, str), self.need(entry, "url", path, str)
            if url is not None and not url.startswith(("https://", "http://")):
                self.bad(entry, "url", f"{path}.url", f"must be a web address, not {url!r}")
            out[str(key)] = {"title": title or "", "url": url or ""}
        return out

    def source_ref(self, node: Any, key: str, path: str, sources: dict[str, Any]) -> None:
        """A reference to a known source id."""
        ref = node.get(key)
        if ref is not None and ref not in sources:
            self.bad(node, key, f"{path}.{key}", f"unknown source {ref!r} (not in sources)")

    def grades(self, node: Any, path: str) -> tuple[str, ...]:
        """A non-empty list of known age grades."""
        value = self.need(node, "grades", path, list)
        if value is None:
            return ()
        wrong = [g for g in value if g not in GRADES]
        if wrong or not value:
            self.bad(
                node,
                "grades",
                f"{path}.grades",
                f"{wrong or 'empty'}: grades are {', '.join(GRADES)}",
            )
        return tuple(g for g in value if g in GRADES)

    def checks(self, data: Any, sources: dict[str, Any]) -> dict[str, Any]:
        """The geometric thresholds: each entry has grades, a source and positive numbers."""
        table = self.need(data, "checks", "", dict) or {}
        for key in table:
            if key not in CHECKS:
                self.bad(
                    table, key, f"checks.{key}", f"unknown check (checks are {', '.join(CHECKS)})"
                )
        out: dict[str, Any] = {}
        for key, entry in table.items():
            entries = entry if isinstance(entry, list) else [entry]
            for i, e in enumerate(entries):
                path = f"checks.{key}" + (f"[{i}]" if isinstance(entry, list) else "")
                if not isinstance(e, dict):
                    self.bad(table, key, path, "must be a mapping (or a list of them)")
                    continue
                self.grades(e, path)
                self.need(e, "source", path, str)
                self.source_ref(e, "source", path, sources)
                for k, value in e.items():
                    if k.endswith(("_mm", "_deg")) and (
                        not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0
                    ):
                        self.bad(e, k, f"{path}.{k}", f"must be a positive number, not {value!r}")
            out[str(key)] = entry
        return out

    def certificates(self, data: Any, sources: dict[str, Any]) -> dict[str, Certificate]:
        """The certificate templates."""
        table = self.need(data, "certificates", "", dict) or {}
        out = {}
        for key, e in table.items():
            path = f"certificates.{key}"
            if not isinstance(e, dict):
                self.bad(
                    table, key, path, "must be a mapping with title, legislation, fields, source"
                )
                continue
            title = self.need(e, "title", path, str)
            law = self.need(e, "legislation", path, str)
            fields = self.texts(e, "fields", path)
            self.source_ref(e, "source", path, sources)
            out[str(key)] = Certificate(
                str(key), title or "", law or "", fields, str(e.get("source", ""))
            )
        return out

    def markets(
        self, data: Any, sources: dict[str, Any], certs: dict[str, Certificate]
    ) -> tuple[dict[str, str], dict[str, str], list[Rule]]:
        """Markets, the codes DEFAULT stands for, and every rule."""
        table = self.need(data, "markets", "", dict) or {}
        names, aliases, rules = {}, {}, []
        seen: dict[str, str] = {}
        for code, m in table.items():
            path = f"markets.{code}"
            if not _MARKET.match(str(code)):
                self.bad(
                    table, code, path, "a market is a two-letter code (US, EU, UK, JP) or DEFAULT"
                )
            if not isinstance(m, dict):
                self.bad(table, code, path, "must be a mapping with name and rules")
                continue
            names[str(code)] = self.need(m, "name", path, str) or str(code)
            for alias in m.get("applies_to", []) or []:
                if not isinstance(alias, str) or not _MARKET.match(alias):
                    self.bad(
                        m,
                        "applies_to",
                        f"{path}.applies_to",
                        f"{alias!r} is not a two-letter code (quote NO, ON, YES: YAML reads them as true/false)",
                    )
                    continue
                aliases[alias] = str(code)
            for i, r in enumerate(self.need(m, "rules", path, list) or []):
                rule = self.rule(r, f"{path}.rules[{i}]", str(code), sources, certs)
                if rule is None:
                    continue
                if rule.id in seen:
                    self.bad(
                        r,
                        "id",
                        f"{path}.rules[{i}].id",
                        f"{rule.id!r} is used twice (also {seen[rule.id]})",
                    )
                seen[rule.id] = f"{path}.rules[{i}]"
                rules.append(rule)
        for alias in aliases:
            if alias in names:
                self.bad(table, alias, f"markets.{alias}", "is both a market and a DEFAULT alias")
        return names, aliases, rules

    def rule(
        self, r: Any, path: str, market: str, sources: dict[str, Any], certs: dict[str, Certificate]
    ) -> Rule | None:
        """One rule: id, grades, dates, lists, warnings, sources."""
        if not isinstance(r, dict):
            self.bad(None, None, path, "must be a mapping")
            return None
        rid = self.need(r, "id", path, str)
        grades = self.grades(r, path)
        effective = self.need(r, "effective", path, dt.date)
        until = r.get("until")
        if until is not None and not isinstance(until, dt.date):
            self.bad(r, "until", f"{path}.until", f"must be a date (YYYY-MM-DD), not {until!r}")
            until = None
        if effective is not None and until is not None and until <= effective:
            self.bad(r, "until", f"{path}.until", f"{until} is not after effective {effective}")
        lists = {k: self.texts(r, k, path) for k in LIST_FIELDS}
        for cert in lists["certificates"]:
            if cert not in certs:
                self.bad(
                    r,
                    "certificates",
                    f"{path}.certificates",
                    f"unknown certificate {cert!r} (not in certificates)",
                )
        warnings = self.warnings(r, path)
        refs = self.texts(r, "sources", path)
        if not refs:
            self.bad(
                r,
                "sources" if "sources" in r else None,
                f"{path}.sources",
                "a rule needs at least one source",
            )
        for ref in refs:
            if ref not in sources:
                self.bad(
                    r, "sources", f"{path}.sources", f"unknown source {ref!r} (not in sources)"
                )
        forms = self.forms(r, path)
        known = {"id", "grades", "effective", "until", "warnings", "sources", "forms", *LIST_FIELDS}
        for key in r:
            if key not in known:
                self.bad(
                    r,
                    key,
                    f"{path}.{key}",
                    f"unknown field (fields are {', '.join(sorted(known))})",
                )
        if rid is None or effective is None or not grades:
            return None
        return Rule(
            rid, market, grades, effective, until, warnings=warnings, sources=refs, forms=forms,
            **lists,
        )  # fmt: skip

    def forms(self, r: Any, path: str) -> tuple[str, ...]:
        """A rule's optional product forms: each one the age grades know (FORM_GRADES)."""
        forms = self.texts(r, "forms", path)
        wrong = [f for f in forms if f not in FORM_GRADES]
        if wrong:
            self.bad(
                r, "forms", f"{path}.forms",
                f"unknown product form {', '.join(map(repr, wrong))} (forms are "
                f"{', '.join(FORM_GRADES)})",
            )  # fmt: skip
        return tuple(f for f in forms if f in FORM_GRADES)

    def warnings(self, r: Any, path: str) -> tuple[Warning, ...]:
        """A rule's warnings: text and an optional finding condition."""
        out = []
        for i, w in enumerate(r.get("warnings", []) or []):
            wpath = f"{path}.warnings[{i}]"
            if not isinstance(w, dict):
                self.bad(r, "warnings", wpath, "must be a mapping with text (and when)")
                continue
            text = self.need(w, "text", wpath, str)
            when = w.get("when")
            if when is not None and when not in CONDITIONS:
                self.bad(
                    w, "when", f"{wpath}.when", f"{when!r} is not one of {', '.join(CONDITIONS)}"
                )
            if text:
                out.append(Warning(text, when))
        return tuple(out)


def _kind(name: str) -> str:
    """'date' -> 'date (YYYY-MM-DD)'; other type names as they are."""
    return {"date": "date (YYYY-MM-DD)", "str": "text", "dict": "mapping", "list": "list"}.get(
        name, name
    )


def parse_day(value: str | dt.date) -> dt.date:
    """A shipping date from an ISO string or a date; ComplianceError when it is neither."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as err:
        raise ComplianceError(f"shipping date {value!r} is not a date (YYYY-MM-DD)") from err


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Items in first-seen order without repeats."""
    return tuple(dict.fromkeys(items))
