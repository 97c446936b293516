"""Customs and duty rules with effective dates: the rule in force on the ship date decides."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engines.logistics.errors import DataFileError, FileProblem
from engines.logistics.yamlrows import Row, header, mapping, parse_yaml, rows

DEFAULT_CUSTOMS_PATH = Path(__file__).resolve().parent / "data" / "customs.yaml"
KINDS = ("de_minimis", "ad_valorem", "flat_per_category", "fee", "document", "export_mode")
SHIPMENTS = ("warehouse", "buyer", "parcels")  # bulk to the merchant's warehouse / a buyer
_ORIGIN = re.compile(r"^(\*|!?[A-Z]{2})$")
_RULE_FIELDS = {
    "id", "market", "origin", "kind", "effective_from", "effective_to", "category", "shipment",
    "childrens", "market_procurement", "value_below", "value_over", "currency", "rate",
    "amount", "min_amount", "max_amount", "code", "text", "source", "checked", "estimate",
    "note",
}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """One dated customs rule; amounts and thresholds in `currency`, rates as fractions."""

    id: str
    kind: str
    markets: frozenset[str] | None  # None: every market
    origin: str  # "*", "CN" or "!CN"
    effective_from: dt.date
    effective_to: dt.date | None
    categories: tuple[str, ...] = ()
    shipment: str | None = None
    childrens: bool | None = None
    market_procurement: bool | None = None
    value_below: float | None = None
    value_over: float | None = None
    currency: str = "USD"
    rate: float = 0.0
    amount: float = 0.0
    min_amount: float = 0.0
    max_amount: float = math.inf
    code: str = ""
    text: str = ""
    source: str = ""
    estimate: bool = False

    def in_force(self, day: dt.date) -> bool:
        """Whether the rule applies on `day` (from inclusive, to exclusive)."""
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def origin_matches(self, country: str) -> bool:
        """Whether goods from `country` fall under the rule."""
        if self.origin == "*":
            return True
        if self.origin.startswith("!"):
            return country != self.origin[1:]
        return country == self.origin


@dataclass(frozen=True)
class Entry:
    """What customs sees of a consignment: where, when, what and how much (USD)."""

    market: str
    ship_date: dt.date
    category: str
    units: int
    unit_value_usd: float
    childrens: bool = False
    shipment: str = "warehouse"
    units_per_parcel: int = 1
    origin: str = "CN"
    market_procurement: bool = False

    @property
    def entries(self) -> int:
        """Customs entries: one for a bulk consignment, one per parcel otherwise."""
        if self.shipment == "parcels":
            return max(1, math.ceil(self.units / max(1, self.units_per_parcel)))
        return 1

    @property
    def entry_value_usd(self) -> float:
        """Declared value of one entry (USD)."""
        if self.shipment == "parcels":
            return min(self.units, self.units_per_parcel) * self.unit_value_usd
        return self.units * self.unit_value_usd


MAX_KEPT_ASSESSMENTS = 200_000  # assessments kept per book before the memo starts over


@dataclass
class Assessment:
    """Duty, fees (USD), documents and export mode of a consignment, with the rules used."""

    duty_usd: float
    fees_usd: float
    documents: list[str]
    export_mode: str
    rules: list[str]
    de_minimis: bool
    entries: int
    entry_value_usd: float


@dataclass
class CustomsBook:
    """A validated customs file: rules, currency rates, market groups, product categories."""

    version: str
    date: dt.date
    rules: list[Rule]
    usd_per: dict[str, float]
    groups: dict[str, frozenset[str]]
    form_categories: dict[str, str]
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    _by_case: dict[tuple[Any, ...], list[Rule]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _assessed: dict[tuple[Any, ...], Assessment] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _bounds: list[dt.date] | None = field(default=None, init=False, repr=False, compare=False)
    _tallies: dict[tuple[Any, ...], _Tally] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def epoch(self, day: dt.date) -> int:
        """Which stretch between effective dates `day` is in: one set of rules in force each."""
        if self._bounds is None:
            ends = {r.effective_to for r in self.rules if r.effective_to is not None}
            self._bounds = sorted({r.effective_from for r in self.rules} | ends)
        return bisect.bisect_right(self._bounds, day)

    @property
    def categories(self) -> set[str]:
        """The product categories rules may name."""
        return set(self.form_categories.values())

    def to_usd(self, amount: float, currency: str) -> float:
        """An amount in `currency` as USD."""
        return amount * self.usd_per[currency]

    def matching(self, entry: Entry) -> list[Rule]:
        """The rules in force on the entry's ship date whose every condition holds."""
        value = entry.entry_value_usd
        return [r for r in self._case(entry) if self._value_ok(r, value)]

    def _case(self, e: Entry) -> list[Rule]:
        """The rules whose conditions other than value hold (kept per case: batches repeat)."""
        key = (e.market, self.epoch(e.ship_date), e.category, e.childrens, e.shipment, e.origin,
               e.market_procurement)  # fmt: skip
        rules = self._by_case.get(key)
        if rules is None:
            rules = self._by_case[key] = [r for r in self.rules if self._applies(r, e)]
        return rules

    def _value_ok(self, r: Rule, value_usd: float) -> bool:
        """Whether an entry declared at `value_usd` is within the rule's value limits."""
        if r.value_below is not None and not value_usd < self.to_usd(r.value_below, r.currency):
            return False
        return r.value_over is None or value_usd > self.to_usd(r.value_over, r.currency)

    def _applies(self, r: Rule, e: Entry) -> bool:
        """Whether rule `r` covers entry `e`, its declared value aside."""
        if not r.in_force(e.ship_date) or not r.origin_matches(e.origin):
            return False
        if r.markets is not None and e.market not in r.markets:
            return False
        if r.categories and e.category not in r.categories:
            return False
        if r.shipment is not None and r.shipment != e.shipment:
            return False
        if r.childrens is not None and r.childrens != e.childrens:
            return False
        return r.market_procurement is None or r.market_procurement == e.market_procurement

    def assess(self, entry: Entry) -> Assessment:
        """Duty and fees (USD), documents and China export mode under the rules in force (kept
        per entry and stretch between effective dates: a batch's lanes mostly share one)."""
        hit = self.assess_kept(entry)
        return replace(hit, documents=list(hit.documents), rules=list(hit.rules))

    def assess_kept(self, entry: Entry) -> Assessment:
        """`assess`, the kept answer itself: shared, so its lists must not be changed."""
        e = entry
        key = (e.market, self.epoch(e.ship_date), e.category, e.childrens, e.shipment, e.origin,
               e.market_procurement, e.units, e.unit_value_usd, e.units_per_parcel)  # fmt: skip
        hit = self._assessed.get(key)
        if hit is None:
            if len(self._assessed) > MAX_KEPT_ASSESSMENTS:
                self._assessed.clear()
            hit = self._assessed[key] = self._assess(entry)
        return hit

    def _assess(self, entry: Entry) -> Assessment:
        """Duty and fees (USD), documents and China export mode under the rules in force."""
        value = entry.entry_value_usd
        case = self._case(entry)
        passing = tuple(self._value_ok(r, value) for r in case)
        key = (id(case), passing)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = self._tally(
                [r for r, ok in zip(case, passing, strict=True) if ok]
            )
        fees = sum(
            min(max(amount + rate * value, low), high) for amount, rate, low, high in tally.fees
        )
        duty = (0.0 if tally.exempt else tally.rate * value) + tally.flat_usd
        return Assessment(
            duty * entry.entries,
            fees * entry.entries,
            list(tally.documents),
            tally.export_mode,
            list(tally.rules),
            tally.exempt,
            entry.entries,
            value,
        )

    def _tally(self, used: list[Rule]) -> _Tally:
        """What a set of matching rules adds up to, apart from the declared value."""
        exempt = any(r.kind == "de_minimis" for r in used)
        modes = [r for r in used if r.kind == "export_mode"]
        export = modes[0] if modes else None
        kept = [r for r in used if r.kind != "export_mode" or r is export]
        kept = [r for r in kept if not (exempt and r.kind == "ad_valorem")]
        docs = [r.text for r in kept if r.kind == "document"]
        if export is not None:
            docs.append(f"China export declaration, supervision mode {export.text}")
        usd = self.to_usd
        return _Tally(
            exempt=exempt,
            rate=sum(r.rate for r in used if r.kind == "ad_valorem"),
            flat_usd=sum(usd(r.amount, r.currency) for r in used if r.kind == "flat_per_category"),
            fees=tuple(
                (
                    usd(r.amount, r.currency),
                    r.rate,
                    usd(r.min_amount, r.currency),
                    usd(r.max_amount, r.currency),
                )
                for r in used
                if r.kind == "fee"
            ),  # fmt: skip
            documents=tuple(docs),
            export_mode=export.code if export else "",
            rules=tuple(r.id for r in kept),
        )


@dataclass(frozen=True)
class _Tally:
    """Matching rules added up: exemption, ad valorem rate, flat duty and fee terms (USD)."""

    exempt: bool
    rate: float
    flat_usd: float
    fees: tuple[tuple[float, float, float, float], ...]  # amount, rate, min, max
    documents: tuple[str, ...]
    export_mode: str
    rules: tuple[str, ...]


def _markets(row: Row, groups: dict[str, frozenset[str]]) -> frozenset[str] | None:
    """The rule's markets: '*' (all), a group name or a market code."""
    raw = row.text("market")
    if raw == "*":
        return None
    if raw in groups:
        return groups[raw]
    if not re.fullmatch(r"[A-Z]{2}", raw):
        row.problem(
            "market", f"must be '*', a group ({', '.join(groups)}) or a 2-letter code, got {raw!r}"
        )
    return frozenset({raw})


def _kind_checks(row: Row, kind: str, values: dict[str, Any]) -> None:
    """The fields each kind of rule needs."""
    need = {
        "de_minimis": ("value_below",), "ad_valorem": ("rate",), "flat_per_category": ("amount",),
        "document": ("text",), "export_mode": ("code", "text"),
    }.get(kind, ())  # fmt: skip
    for name in need:
        if not row.has(name):
            row.problem(name, f"is required for a {kind} rule")
    if kind == "fee" and not (values["amount"] or values["rate"]):
        row.problem("amount", "a fee rule needs an amount or a rate")
    if kind == "export_mode" and values["code"] and not re.fullmatch(r"\d{4}", values["code"]):
        row.problem("code", f"must be a 4-digit supervision mode, got {values['code']!r}")


def _rule(
    row: Row, groups: dict[str, frozenset[str]], book: dict[str, Any], file_date: dt.date | None
) -> Rule | None:
    """One validated rule row, or None when it has problems."""
    row.only(_RULE_FIELDS)
    rule_id = row.text("id")
    kind = row.text("kind", choices=KINDS)
    markets = _markets(row, groups)
    origin = row.text("origin")
    if origin and not _ORIGIN.match(origin):
        row.problem("origin", f"must be '*', a 2-letter code or '!' and a code, got {origin!r}")
    start = row.day("effective_from")
    end = row.day("effective_to", required=False)
    if start and end and end <= start:
        row.problem("effective_to", f"{end} must be after effective_from {start}")
    currency = row.text("currency", required=False) or "USD"
    if currency not in book["usd_per"]:
        row.problem("currency", f"{currency!r} has no rate in fx.usd_per")
    values: dict[str, Any] = {
        "value_below": row.number("value_below", 0, 1e9, required=False),
        "value_over": row.number("value_over", 0, 1e9, required=False),
        "rate": row.number("rate", 0, 5, required=False, default=0.0),
        "amount": row.number("amount", 0, 1e7, required=False, default=0.0),
        "code": row.text("code", required=False),
        "text": row.text("text", required=False),
    }
    if kind:
        _kind_checks(row, kind, values)
    categories = row.strings("category", book["categories"])
    shipment = (
        row.text("shipment", required=False, choices=SHIPMENTS) if row.has("shipment") else None
    )
    childrens = row.flag("childrens") if row.has("childrens") else None
    procurement = row.flag("market_procurement") if row.has("market_procurement") else None
    low = row.number("min_amount", 0, 1e7, required=False, default=0.0)
    high = row.number("max_amount", 0, 1e9, required=False, default=math.inf)
    source = row.text("source")
    if source and source not in book["sources"]:
        row.problem("source", f"{source!r} is not a key of `sources`")
    estimate = row.flag("estimate", required=True)
    row.checked_by(file_date)
    if row.bad or start is None:
        return None
    nan_none = {k: (None if v != v else v) for k, v in values.items() if k.startswith("value")}
    return Rule(
        rule_id,
        kind,
        markets,
        origin,
        start,
        end,
        categories,
        shipment,
        childrens,
        procurement,
        nan_none["value_below"],
        nan_none["value_over"],
        currency,
        values["rate"],
        values["amount"],
        low,
        high,
        values["code"],
        values["text"],
        source,
        estimate,
    )


def _fx(data: dict[str, Any], lines: Any, problems: list[FileProblem]) -> dict[str, float]:
    """Currency -> USD per unit; USD itself must be 1."""
    section = mapping(data, "fx", lines, problems)
    raw = section.get("usd_per") if section else None
    if not isinstance(raw, dict):
        problems.append(
            FileProblem("fx.usd_per must map currency codes to USD rates", lines.get(("fx",)), "fx")
        )
        return {"USD": 1.0}
    row = Row("fx", -1, raw, lines, problems, path=("fx", "usd_per"))
    rates = {str(code): row.number(str(code), 1e-6, 1e6) for code in raw}
    if rates.get("USD") != 1.0:
        row.problem("USD", "must be 1.0")
    return rates


def parse_customs(text: str) -> CustomsBook:
    """Validate customs YAML text; DataFileError naming the line, row and field of each problem."""
    problems: list[FileProblem] = []
    data, lines = parse_yaml(text, problems)
    if problems:
        raise DataFileError("customs", problems)
    version, file_date = header(data, lines, problems)
    usd_per = _fx(data, lines, problems)
    raw_groups = mapping(data, "groups", lines, problems)
    groups = {str(k): frozenset(map(str, v)) for k, v in raw_groups.items() if isinstance(v, list)}
    forms = {str(k): str(v) for k, v in mapping(data, "form_categories", lines, problems).items()}
    sources = {
        str(k): dict(v)
        for k, v in mapping(data, "sources", lines, problems).items()
        if isinstance(v, dict)
    }
    book = {"usd_per": usd_per, "categories": set(forms.values()), "sources": sources}
    rules: list[Rule] = []
    seen: set[str] = set()
    for row in rows(data, "rules", lines, problems):
        rule = _rule(row, groups, book, file_date)
        if row.row_id in seen:
            row.problem("id", "repeats an earlier rule's id")
        elif rule is not None:
            rules.append(rule)
        if row.row_id:
            seen.add(row.row_id)
    if problems or file_date is None:
        raise DataFileError("customs", problems)
    return CustomsBook(version, file_date, rules, usd_per, groups, forms, sources)


def load_customs(path: str | Path | None = None) -> CustomsBook:
    """Read and validate a customs file (default: engines/logistics/data/customs.yaml)."""
    file = Path(path) if path is not None else DEFAULT_CUSTOMS_PATH
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise DataFileError(
            "customs", [FileProblem(f"cannot read {file}: {err.strerror}")]
        ) from None
    return parse_customs(text)
