"""Mode choice per batch and market: the lane that meets the deadline at the lowest landed cost."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from engines.logistics.customs import SHIPMENTS, Assessment, CustomsBook, Entry
from engines.logistics.errors import BadShipment, NoLane
from engines.logistics.lanes import LaneBook
from engines.logistics.packing import Packing, chargeable_kg


@dataclass(frozen=True)
class Demand:
    """Units of one batch bound for one market: ready at the gate, wanted by the deadline."""

    market: str
    units: int
    ready_date: dt.date  # the batch leaves the factory
    deadline: dt.date  # delivered at the merchant's warehouse by this day (inclusive)
    unit_value_usd: float  # declared customs value per unit (FOB), USD
    category: str = "toy"  # customs category (CustomsBook.form_categories values)
    childrens: bool | None = None  # None: a toy is a children's product
    shipment: str = "warehouse"  # warehouse | buyer | parcels
    units_per_parcel: int = 1
    origin_country: str = "CN"
    market_procurement: bool = False  # bought in the Yiwu market: export under 1039


@dataclass
class LaneQuote:
    """One lane carrying some units: when they leave and arrive, and what it costs (USD)."""

    lane_id: str
    mode: str
    origin: str
    units: int
    cartons: int
    departures: int
    ship_date: dt.date
    arrival_earliest: dt.date
    arrival_latest: dt.date
    chargeable_kg: float
    freight_usd: float
    duty_usd: float
    customs_fees_usd: float
    reliability: float
    meets_deadline: bool
    export_mode: str = ""
    documents: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    @property
    def landed_usd(self) -> float:
        """Freight + duty + customs fees, USD."""
        return self.freight_usd + self.duty_usd + self.customs_fees_usd

    def summary(self) -> str:
        """One line: mode, origin, units, cost and arrival."""
        per_unit = self.landed_usd / max(self.units, 1)
        return (
            f"{self.mode} from {self.origin} ({self.lane_id}): {self.units} units, "
            f"${self.landed_usd:,.0f} landed (${per_unit:.2f}/unit: freight ${self.freight_usd:,.0f}, "
            f"duty ${self.duty_usd:,.0f}, fees ${self.customs_fees_usd:,.0f}), leaves {self.ship_date}, "
            f"arrives {self.arrival_earliest}..{self.arrival_latest}"
        )


@dataclass
class DeliveryChoice:
    """The chosen leg(s) for one demand, the alternatives, and what binds the choice."""

    market: str
    units: int
    deadline: dt.date
    status: str  # on_time | split | late
    legs: list[LaneQuote]
    alternatives: list[LaneQuote]  # every lane carrying all units, cheapest first
    binding: str  # none | deadline | capacity | unreachable
    deadline_cost_usd: float  # landed cost above the cheapest lane that ignores the deadline
    units_on_time: int
    lanes: LaneBook = field(repr=False, compare=False)  # the book it was chosen from

    @cached_property
    def explanation(self) -> list[str]:
        """Why this choice, line by line (written when first read: most choices never are)."""
        return explain(self, self.lanes)

    @property
    def landed_usd(self) -> float:
        """Landed cost of all legs, USD."""
        return sum(q.landed_usd for q in self.legs)

    @property
    def arrival_latest(self) -> dt.date:
        """When the last unit arrives at the latest."""
        return max(q.arrival_latest for q in self.legs)


@dataclass
class _Arrays:
    """Per-lane numbers for one unit count (days are offsets from the ready date)."""

    idx: np.ndarray
    cartons: int
    departures: np.ndarray
    charge_kg: np.ndarray
    freight: np.ndarray
    first_departure: np.ndarray
    arrival_min: np.ndarray
    arrival_max: np.ndarray
    units_by_deadline: np.ndarray


def _validate(d: Demand, customs: CustomsBook) -> None:
    """BadShipment when the demand cannot be shipped as asked."""
    if d.units < 1:
        raise BadShipment(f"a consignment needs at least one unit, got {d.units}")
    if d.deadline < d.ready_date:
        raise BadShipment(f"deadline {d.deadline} is before the batch is ready ({d.ready_date})")
    if not d.unit_value_usd >= 0:
        raise BadShipment(f"unit value must be 0 USD or more, got {d.unit_value_usd}")
    if d.shipment not in SHIPMENTS:
        raise BadShipment(f"shipment must be one of {', '.join(SHIPMENTS)}, got {d.shipment!r}")
    if d.category not in customs.categories:
        known = ", ".join(sorted(customs.categories))
        raise BadShipment(f"unknown customs category {d.category!r}; known: {known}")


def _arrays(
    lanes: LaneBook, idx: np.ndarray, packing: Packing, units: int, horizon_days: int
) -> _Arrays:
    """Departures, chargeable kg, freight USD and arrival day offsets of `units` on each lane."""
    return _arrays_many(lanes, idx, packing, np.array([units]), np.array([horizon_days]))[0]


def _arrays_many(
    lanes: LaneBook, idx: np.ndarray, packing: Packing, units: np.ndarray, horizon: np.ndarray
) -> list[_Arrays]:
    """`_arrays` for many unit counts (and horizons, days) of one product at once: rows are
    demands, columns the lanes `idx`."""
    c = {k: v[idx] for k, v in lanes.columns.items()}
    div = c["volumetric_divisor_cm3_per_kg"]
    carton = packing.carton
    n = units[:, None].astype(float)
    cartons = np.ceil(n / carton.units)  # as Packing.consignment, for every row
    gross = n * packing.box.gross_g / 1000.0 + cartons * carton.tare_kg
    per_carton_kg = chargeable_kg(carton.gross_kg, carton.volume_cm3, div)
    unlimited = np.isinf(c["max_kg_per_departure"])
    cap_cartons = np.where(unlimited, cartons, np.floor(c["max_kg_per_departure"] / per_carton_kg))
    # departures needed; inf when one carton is over the lane's limit
    deps = np.where(cap_cartons >= 1, np.ceil(cartons / np.maximum(cap_cartons, 1)), np.inf)
    charge = chargeable_kg(gross, cartons * carton.volume_cm3, div)
    by_rate = charge * c["usd_per_kg"] + charge * div / 1e6 * c["usd_per_cbm"]
    d = np.where(np.isfinite(deps), deps, 1.0)
    freight = np.maximum(c["min_charge_usd"] * d, by_rate) + c["fees_usd"] * d
    head = c["headway_days"]
    first = c["cutoff_days"] + head - 1  # worst case: the batch just missed a departure
    last = first + (d - 1) * head
    arrival_max = np.where(np.isfinite(deps), last + c["transit_days_max"], np.inf)
    n_on_time = np.floor((horizon[:, None] - first - c["transit_days_max"]) / head) + 1
    per_departure = np.where(unlimited, np.inf, np.where(cap_cartons >= 1, cap_cartons, 0))
    cartons_on_time = np.where(n_on_time >= 1, np.clip(n_on_time, 1, None) * per_departure, 0)
    units_ok = np.minimum(n, cartons_on_time * carton.units).astype(int)
    arrival_min = first + c["transit_days_min"]
    return [
        _Arrays(
            idx,
            int(cartons[i, 0]),
            deps[i],
            charge[i],
            freight[i],
            first,
            arrival_min,
            arrival_max[i],
            units_ok[i],
        )  # fmt: skip
        for i in range(len(units))
    ]


def _quotes(
    lanes: LaneBook, customs: CustomsBook, a: _Arrays, d: Demand, units: int
) -> list[LaneQuote]:
    """LaneQuotes (customs on each lane's first departure) for the lanes that can carry `units`;
    the lanes shipping between the same effective dates share one assessment (read-only)."""
    out: list[LaneQuote] = []
    ready = d.ready_date.toordinal()
    deps, first = a.departures.tolist(), a.first_departure.tolist()
    early, late = a.arrival_min.tolist(), a.arrival_max.tolist()
    charge, freight = a.charge_kg.tolist(), a.freight.tolist()
    by_epoch: dict[int, Assessment] = {}
    for j, i in enumerate(a.idx.tolist()):
        if not math.isfinite(deps[j]):
            continue
        lane = lanes.lanes[i]
        ship = dt.date.fromordinal(ready + int(first[j]))
        epoch = customs.epoch(ship)
        ca = by_epoch.get(epoch)
        if ca is None:
            entry = Entry(
                d.market, ship, d.category, units, d.unit_value_usd,
                d.childrens if d.childrens is not None else d.category == "toy",
                d.shipment, d.units_per_parcel, d.origin_country, d.market_procurement,
            )  # fmt: skip
            ca = by_epoch[epoch] = customs.assess_kept(entry)
        latest = dt.date.fromordinal(ready + int(late[j]))
        out.append(LaneQuote(
            lane.id, lane.mode, lanes.origins[lane.origin].name, units, a.cartons,
            int(deps[j]), ship, dt.date.fromordinal(ready + int(early[j])),
            latest, charge[j], freight[j], ca.duty_usd, ca.fees_usd,
            lane.reliability, latest <= d.deadline, ca.export_mode, ca.documents, ca.rules,
        ))  # fmt: skip
    return out


def _split(
    lanes: LaneBook,
    customs: CustomsBook,
    packing: Packing,
    d: Demand,
    idx: np.ndarray,
    full: _Arrays,
    horizon: int,
) -> tuple[LaneQuote, LaneQuote, int] | None:
    """Best (fast, rest, on-time units): most units on time, then lowest landed cost."""
    best: tuple[int, float, LaneQuote, LaneQuote] | None = None
    for j in np.flatnonzero((full.units_by_deadline > 0) & (full.units_by_deadline < d.units)):
        k = int(full.units_by_deadline[j])
        fast_a = _arrays(lanes, idx[j : j + 1], packing, k, horizon)
        fast = _quotes(lanes, customs, fast_a, d, k)[0]
        rest_idx = np.delete(idx, j)
        rest_a = _arrays(lanes, rest_idx, packing, d.units - k, horizon)
        for rest in _quotes(lanes, customs, rest_a, d, d.units - k):
            on_time = k + (rest.units if rest.meets_deadline else 0)
            cost = fast.landed_usd + rest.landed_usd
            if best is None or (-on_time, cost) < (-best[0], best[1]):
                best = (on_time, cost, fast, rest)
    return None if best is None else (best[2], best[3], best[0])


def choose_mode(
    packing: Packing, demand: Demand, lanes: LaneBook, customs: CustomsBook
) -> DeliveryChoice:
    """Cheapest lane meeting the deadline; else split fast/slow; else the earliest arrival."""
    _validate(demand, customs)
    idx = lanes.for_market(demand.market)
    horizon = (demand.deadline - demand.ready_date).days
    full = _arrays(lanes, idx, packing, demand.units, horizon)
    return _decide(packing, demand, lanes, customs, idx, horizon, full)


def choose_modes(
    work: Sequence[tuple[Packing, Demand]], lanes: LaneBook, customs: CustomsBook
) -> list[DeliveryChoice]:
    """`choose_mode` for many (packing, demand) pairs: each market's lanes are costed for all
    of a product's demands in one numpy pass (the same choices, in the same order)."""
    groups: dict[tuple[str, int], list[int]] = {}
    for i, (packing, demand) in enumerate(work):
        _validate(demand, customs)
        groups.setdefault((demand.market, id(packing)), []).append(i)
    out: list[DeliveryChoice | None] = [None] * len(work)
    for (market, _), rows in groups.items():
        idx = lanes.for_market(market)
        packing = work[rows[0]][0]
        demands = [work[i][1] for i in rows]
        units = np.array([d.units for d in demands])
        horizons = np.array([(d.deadline - d.ready_date).days for d in demands])
        for i, d, h, full in zip(
            rows, demands, horizons, _arrays_many(lanes, idx, packing, units, horizons), strict=True
        ):
            out[i] = _decide(packing, d, lanes, customs, idx, int(h), full)
    return [c for c in out if c is not None]


def _decide(
    packing: Packing,
    demand: Demand,
    lanes: LaneBook,
    customs: CustomsBook,
    idx: np.ndarray,
    horizon: int,
    full: _Arrays,
) -> DeliveryChoice:
    """The choice, once each lane's numbers for the whole demand are known."""
    quotes = sorted(_quotes(lanes, customs, full, demand, demand.units), key=lambda q: q.landed_usd)
    if not quotes:
        raise NoLane(
            f"no lane to {demand.market} can carry {demand.units} units (cartons too heavy)"
        )
    cheapest = quotes[0]
    on_time = [q for q in quotes if q.meets_deadline]
    if on_time:
        legs, status, units_ok = [on_time[0]], "on_time", demand.units
        binding = "none" if on_time[0] is cheapest else "deadline"
    else:
        split = _split(lanes, customs, packing, demand, idx, full, horizon)
        if split is not None:
            legs, status, units_ok, binding = [split[0], split[1]], "split", split[2], "capacity"
        else:
            first = min(quotes, key=lambda q: (q.arrival_latest, q.landed_usd))
            legs, status, units_ok, binding = [first], "late", 0, "unreachable"
    return DeliveryChoice(
        demand.market,
        demand.units,
        demand.deadline,
        status,
        legs,
        quotes,
        binding,
        sum(q.landed_usd for q in legs) - cheapest.landed_usd,
        units_ok,
        lanes,
    )


def explain(c: DeliveryChoice, lanes: LaneBook) -> list[str]:
    """Why this choice: the legs, the binding constraint, the alternatives (like a supplier match)."""
    lines = [f"{c.market}: {c.units} units wanted by {c.deadline}; {c.status.replace('_', ' ')}."]
    lines += [f"chosen: {q.summary()}" for q in c.legs]
    cheapest = c.alternatives[0]
    if c.binding == "none":
        lines.append("binding: none: the cheapest lane meets the deadline.")
    elif c.binding == "deadline":
        late = (cheapest.arrival_latest - c.deadline).days
        lines.append(
            f"binding: the deadline: {cheapest.mode} would save ${c.deadline_cost_usd:,.0f} but "
            f"may arrive {cheapest.arrival_latest}, {late} days late."
        )
    elif c.binding == "capacity":
        fast, rest = c.legs
        lane = next(ln for ln in lanes.lanes if ln.id == fast.lane_id)
        lines.append(
            f"binding: capacity: no lane carries all {c.units} units by {c.deadline}; "
            f"{fast.mode} takes at most {fast.units} in time ({lane.max_kg_per_departure:,.0f} "
            f"chargeable kg a departure); the other {rest.units} go by {rest.mode}, arriving by "
            f"{rest.arrival_latest}. The deadline costs ${c.deadline_cost_usd:,.0f} over "
            f"{cheapest.mode} for all."
        )
    else:
        first = c.legs[0]
        lines.append(
            f"binding: unreachable: the earliest any lane delivers is {first.arrival_latest} "
            f"({first.mode}), {(first.arrival_latest - c.deadline).days} days after the deadline."
        )
    lines += [
        f"alternative: {q.summary()}" for q in c.alternatives if all(q is not x for x in c.legs)
    ]
    leg = c.legs[0]
    lines.append(
        f"customs on {leg.ship_date}: rules {', '.join(leg.rules)}; export mode {leg.export_mode}."
    )
    lines.append("documents: " + "; ".join(leg.documents))
    return lines
