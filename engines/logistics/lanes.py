"""The lanes file: modes, origins, markets, transit days, cut-offs, rate models, reliability."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engines.logistics.errors import DataFileError, FileProblem, NoLane, UnknownMarket
from engines.logistics.yamlrows import Row, header, mapping, parse_yaml, rows

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LANES_PATH = DATA_DIR / "lanes.yaml"
MODES = ("express", "air", "rail", "sea")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_LANE_FIELDS = {
    "id", "mode", "origin", "market", "transit_days_min", "transit_days_max", "cutoff_days",
    "departures_per_week", "volumetric_divisor_cm3_per_kg", "usd_per_kg", "usd_per_cbm",
    "min_charge_usd", "fees_usd", "max_kg_per_departure", "reliability", "estimate",
    "source", "checked", "note",
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    """An origin or a market: its code, name and position (degrees)."""

    code: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Lane:
    """One way to carry goods from an origin to a market (days, USD, kg, cm³)."""

    id: str
    mode: str
    origin: str
    market: str
    transit_days_min: int
    transit_days_max: int
    cutoff_days: int
    departures_per_week: float
    volumetric_divisor_cm3_per_kg: float
    usd_per_kg: float
    usd_per_cbm: float
    min_charge_usd: float
    fees_usd: float
    max_kg_per_departure: float | None
    reliability: float
    estimate: bool
    source: str
    checked: dt.date

    @property
    def headway_days(self) -> int:
        """Days between departures, rounded up to whole days."""
        return int(np.ceil(7.0 / self.departures_per_week))


@dataclass
class LaneBook:
    """A validated lanes file: its lanes, places, sources, and numpy columns for choosing."""

    version: str
    date: dt.date
    lanes: list[Lane]
    origins: dict[str, Place]
    markets: dict[str, Place]
    sources: dict[str, dict[str, str]]
    columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        numeric = (
            "transit_days_min", "transit_days_max", "cutoff_days", "departures_per_week",
            "volumetric_divisor_cm3_per_kg", "usd_per_kg", "usd_per_cbm", "min_charge_usd",
            "fees_usd", "reliability",
        )  # fmt: skip
        for name in numeric:
            self.columns[name] = np.array([getattr(lane, name) for lane in self.lanes], float)
        cap = [lane.max_kg_per_departure or np.inf for lane in self.lanes]
        self.columns["max_kg_per_departure"] = np.array(cap, float)
        self.columns["headway_days"] = np.array([ln.headway_days for ln in self.lanes], float)
        self._by_market: dict[str, np.ndarray] = {}
        for i, lane in enumerate(self.lanes):
            self._by_market.setdefault(lane.market, np.empty(0, int))
            self._by_market[lane.market] = np.append(self._by_market[lane.market], i)

    def for_market(self, market: str) -> np.ndarray:
        """Indices of the lanes to a market; UnknownMarket or NoLane otherwise."""
        if market not in self.markets:
            raise UnknownMarket(market, sorted(self.markets))
        idx = self._by_market.get(market)
        if idx is None or idx.size == 0:
            raise NoLane(f"no lane reaches {market} ({self.markets[market].name})")
        return idx

    def source_of(self, lane: Lane) -> str:
        """The lane's source as 'name <url>'."""
        src = self.sources.get(lane.source, {})
        url = src.get("url", "")
        return f"{src.get('name', lane.source)}{f' <{url}>' if url else ''}"


def _places(
    raw: dict[str, Any], section: str, lines: Any, problems: list[FileProblem]
) -> dict[str, Place]:
    """Origins or markets: code -> name and position."""
    out: dict[str, Place] = {}
    for code, item in raw.items():
        row = Row(section, -1, item, lines, problems, path=(section, str(code)))
        row.row_id = str(code)
        name = row.text("name")
        lat = row.number("lat", -90, 90)
        lon = row.number("lon", -180, 180)
        row.only({"name", "lat", "lon"})
        if not re.fullmatch(r"[A-Z]{2,4}", str(code)):
            row.problem("", f"code {code!r} must be 2-4 capital letters")
        if not row.bad:
            out[str(code)] = Place(str(code), name, lat, lon)
    return out


def _sources(
    raw: dict[str, Any], lines: Any, problems: list[FileProblem]
) -> dict[str, dict[str, str]]:
    """Source id -> name and URL (the URL may be empty for our own estimates)."""
    out: dict[str, dict[str, str]] = {}
    for key, item in raw.items():
        row = Row("sources", -1, item, lines, problems, path=("sources", str(key)))
        row.row_id = str(key)
        name = row.text("name")
        url = row.text("url", required=False)
        row.only({"name", "url"})
        if not row.bad:
            out[str(key)] = {"name": name, "url": url}
    return out


def _lane(
    row: Row,
    origins: dict[str, Place],
    markets: dict[str, Place],
    sources: dict[str, Any],
    file_date: dt.date | None,
) -> Lane | None:
    """One validated lane row, or None when it has problems (recorded on the row)."""
    row.only(_LANE_FIELDS)
    lane_id = row.text("id")
    if lane_id and not _ID.match(lane_id):
        row.problem("id", f"must be lower-case letters, digits and '-', got {lane_id!r}")
    mode = row.text("mode", choices=MODES)
    origin = row.text("origin", choices=tuple(origins) or None)
    market = row.text("market", choices=tuple(markets) or None)
    t_min = row.number("transit_days_min", 0, 120, integer=True)
    t_max = row.number("transit_days_max", 0, 120, integer=True)
    if t_min == t_min and t_max == t_max and t_max < t_min:
        row.problem(
            "transit_days_max", f"must be at least transit_days_min ({t_min:g}), got {t_max:g}"
        )
    cutoff = row.number("cutoff_days", 0, 30, integer=True)
    per_week = row.number("departures_per_week", 0.25, 21)
    divisor = row.number("volumetric_divisor_cm3_per_kg", 500, 10_000)
    per_kg = row.number("usd_per_kg", 0, 1_000)
    per_cbm = row.number("usd_per_cbm", 0, 100_000)
    if per_kg == 0 and per_cbm == 0:
        row.problem("usd_per_kg", "usd_per_kg or usd_per_cbm must be above 0")
    minimum = row.number("min_charge_usd", 0, 100_000)
    fees = row.number("fees_usd", 0, 100_000)
    cap = row.number("max_kg_per_departure", 1, 10_000_000, required=False)
    reliability = row.number("reliability", 0.01, 1)
    estimate = row.flag("estimate", required=True)
    source = row.text("source")
    if source and source not in sources:
        row.problem("source", f"{source!r} is not a key of `sources`")
    checked = row.checked_by(file_date)
    if row.bad or checked is None:
        return None
    return Lane(
        lane_id,
        mode,
        origin,
        market,
        int(t_min),
        int(t_max),
        int(cutoff),
        per_week,
        divisor,
        per_kg,
        per_cbm,
        minimum,
        fees,
        None if cap != cap else cap,
        reliability,
        estimate,
        source,
        checked,
    )


def parse_lanes(text: str) -> LaneBook:
    """Validate lanes YAML text; DataFileError naming the line, row and field of each problem."""
    problems: list[FileProblem] = []
    data, lines = parse_yaml(text, problems)
    if problems:
        raise DataFileError("lanes", problems)
    version, file_date = header(data, lines, problems)
    sources = _sources(mapping(data, "sources", lines, problems), lines, problems)
    origins = _places(mapping(data, "origins", lines, problems), "origins", lines, problems)
    markets = _places(mapping(data, "markets", lines, problems), "markets", lines, problems)
    lanes: list[Lane] = []
    seen: dict[str, int] = {}
    for row in rows(data, "lanes", lines, problems):
        lane = _lane(row, origins, markets, sources, file_date)
        if row.row_id in seen:
            row.problem("id", f"repeats the id of row {seen[row.row_id]}")
        elif lane is not None:
            lanes.append(lane)
        if row.row_id:
            seen.setdefault(row.row_id, row.index + 1)
    if problems or file_date is None:
        raise DataFileError("lanes", problems)
    return LaneBook(version, file_date, lanes, origins, markets, sources)


def load_lanes(path: str | Path | None = None) -> LaneBook:
    """Read and validate a lanes file (default: the one shipped in engines/logistics/data)."""
    file = Path(path) if path is not None else DEFAULT_LANES_PATH
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise DataFileError("lanes", [FileProblem(f"cannot read {file}: {err.strerror}")]) from None
    return parse_lanes(text)
