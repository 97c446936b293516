"""Read a dated YAML data file row by row, collecting problems with their line and field."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import yaml

from engines.logistics.errors import FileProblem

Lines = dict[tuple[str, ...], int]  # path of keys/indices (as str) -> 1-based line


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text (a bad date is a problem on its row, not a crash)
    and reads only true/false as booleans (NO is Norway, not False)."""


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _index_lines(node: yaml.Node, path: tuple[str, ...], out: Lines) -> None:
    """Record the line of every mapping value and sequence item under `node`."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                out[(*path, str(key.value))] = key.start_mark.line + 1
                _index_lines(value, (*path, str(key.value)), out)
                out[(*path, str(key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, str(i)), out)


def parse_yaml(text: str, problems: list[FileProblem]) -> tuple[dict[str, Any], Lines]:
    """The document as a mapping and the line of each value; a problem when it is no mapping."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(FileProblem(f"not valid YAML: {getattr(err, 'problem', err)}", line))
        return {}, {}
    if not isinstance(data, dict) or node is None:
        problems.append(FileProblem("the file must be a YAML mapping (version, date, ...)", 1))
        return {}, {}
    lines: Lines = {}
    _index_lines(node, (), lines)
    return data, lines


def as_date(value: Any) -> dt.date | None:
    """A date from a YAML date or an ISO string; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class Row:
    """One mapping of a list in the file; typed getters record problems instead of raising."""

    def __init__(
        self,
        section: str,
        index: int,
        data: Any,
        lines: Lines,
        problems: list[FileProblem],
        path: tuple[str, ...] | None = None,
    ) -> None:
        self.section = section
        self.index = index
        self.path = path if path is not None else (section, str(index))
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        self.lines = lines
        self.problems = problems
        self.row_id: str | None = None
        self.bad = False
        raw_id = self.data.get("id")
        if isinstance(raw_id, str):
            self.row_id = raw_id
        if not isinstance(data, dict):
            self.problem("", "must be a mapping of fields")

    def problem(self, field: str, message: str) -> None:
        """Record a problem on this row (and mark the row unusable)."""
        line = self.lines.get((*self.path, field)) or self.lines.get(self.path)
        row = self.index + 1 if self.index >= 0 else None
        self.problems.append(FileProblem(message, line, self.section, row, self.row_id, field))
        self.bad = True

    def has(self, field: str) -> bool:
        """Whether the field is present and not null."""
        return self.data.get(field) is not None

    def text(
        self, field: str, *, required: bool = True, choices: tuple[str, ...] | None = None
    ) -> str:
        """A non-empty string (numbers are taken as their text), optionally one of `choices`."""
        raw = self.data.get(field)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.problem(field, "is missing")
            return ""
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            self.problem(field, f"must be text, got {raw!r}")
            return ""
        value = str(raw).strip()
        if choices is not None and value not in choices:
            self.problem(field, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def number(
        self,
        field: str,
        lo: float,
        hi: float,
        *,
        required: bool = True,
        integer: bool = False,
        default: float = math.nan,
    ) -> float:
        """A number within [lo, hi]; nan (or `default`) when absent and not required."""
        raw = self.data.get(field)
        if raw is None:
            if required:
                self.problem(field, "is missing")
            return default
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.problem(field, f"must be a number, got {raw!r}")
            return default
        if integer and float(raw) != int(raw):
            self.problem(field, f"must be a whole number, got {raw}")
            return default
        if not lo <= float(raw) <= hi:
            self.problem(field, f"must be between {lo:g} and {hi:g}, got {raw}")
            return default
        return float(raw)

    def day(self, field: str, *, required: bool = True) -> dt.date | None:
        """A date (YYYY-MM-DD)."""
        raw = self.data.get(field)
        if raw is None:
            if required:
                self.problem(field, "is missing (a date, YYYY-MM-DD)")
            return None
        value = as_date(raw)
        if value is None:
            self.problem(field, f"must be a date YYYY-MM-DD, got {raw!r}")
        return value

    def flag(self, field: str, *, required: bool = False, default: bool = False) -> bool:
        """A true/false value."""
        raw = self.data.get(field)
        if raw is None:
            if required:
                self.problem(field, "is missing (true or false)")
            return default
        if not isinstance(raw, bool):
            self.problem(field, f"must be true or false, got {raw!r}")
            return default
        return raw

    def strings(self, field: str, choices: set[str] | None = None) -> tuple[str, ...]:
        """A list of names (a single name is taken as a list of one); () when absent."""
        raw = self.data.get(field)
        if raw is None:
            return ()
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            self.problem(field, f"must be a list of names, got {raw!r}")
            return ()
        unknown = [x for x in items if choices is not None and x not in choices]
        if unknown:
            known = ", ".join(sorted(choices or ()))
            self.problem(field, f"unknown {', '.join(unknown)}; known: {known}")
        return tuple(items)

    def only(self, allowed: set[str]) -> None:
        """Fields outside `allowed` are typos: each one is a problem."""
        for key in self.data:
            if key not in allowed:
                self.problem(str(key), "is not a known field")

    def checked_by(self, file_date: dt.date | None) -> dt.date | None:
        """The row's `checked` date; a problem when missing or later than the file's date."""
        checked = self.day("checked")
        if checked and file_date and checked > file_date:
            self.problem("checked", f"{checked} is after the file's date {file_date}")
        return checked


def header(
    data: dict[str, Any], lines: Lines, problems: list[FileProblem]
) -> tuple[str, dt.date | None]:
    """The file's `version` and `date`, each checked."""
    top = Row("", -1, data, lines, problems, path=())
    version = top.text("version")
    return version, top.day("date")


def mapping(
    data: dict[str, Any], key: str, lines: Lines, problems: list[FileProblem]
) -> dict[str, Any]:
    """A top-level mapping section (sources, origins ...); a problem when absent or not one."""
    raw = data.get(key)
    if not isinstance(raw, dict) or not raw:
        line = lines.get((key,))
        problems.append(FileProblem("must be a non-empty mapping", line, key))
        return {}
    return raw


def rows(data: dict[str, Any], key: str, lines: Lines, problems: list[FileProblem]) -> list[Row]:
    """The rows of a top-level list section; a problem when absent or empty."""
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        problems.append(FileProblem("must be a non-empty list of rows", lines.get((key,)), key))
        return []
    return [Row(key, i, item, lines, problems) for i, item in enumerate(raw)]


def is_customs(text: str) -> bool:
    """Whether YAML text looks like a customs file (a top-level `rules` list)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and "rules" in data
