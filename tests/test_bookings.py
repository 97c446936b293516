"""The factory's own lines are booked by every plan: never the same line-hour twice (threads,
OS processes, SQLite and PostgreSQL); approval makes bookings firm, rejection, cancellation and
expiry free them, and a later plan is scheduled around what earlier ones hold."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from activities import planning
from activities.planning import PlanningActivities
from activities.sourcing import SourcingActivities
from models.contracts import (
    PlanRequest,
    PlanReviewRecord,
    ReleaseRequest,
    SourcingResult,
    SupplierAssignment,
)
from models.db import as_utc, session_scope
from models.tables import (
    FactoryLine,
    LineBooking,
    ProductionPlan,
    Supplier,
    SupplierCapability,
    SupplierReservation,
    Trend,
    utcnow,
)
from tests.helpers.racers import race
from tests.helpers.records import new_idea_row

pytestmark = pytest.mark.db
START = datetime(2026, 12, 7, tzinfo=UTC)  # every plan of these tests starts that day


def factory(engine: Engine, lines: int = 2) -> str:
    """Own lines of a fresh process (so other tests' bookings never touch them); the process."""
    process = f"test_sewing_{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as s:
        for k in range(1, lines + 1):
            s.add(
                FactoryLine(line_id=f"OWN-{process}-{k}", process=process, rate_units_per_day=1000)
            )
    return process


def plan_request(trend_id: int, process: str, quantity: int, workflow_id: str) -> PlanRequest:
    """A plan of `quantity` units of one process: a small supplier line plus the own lines."""
    supplier = SupplierAssignment(
        supplier_id=1, supplier_code="SUP", supplier_name="Sup Co", town="Futian",
        process=process, units_per_day=200, unit_cost_usd=0.1, travel_minutes=5,
        lead_time_days=0,
    )  # fmt: skip
    sourcing = SourcingResult(
        hub="Futian", hub_lat=0.0, hub_lon=0.0, assignments=[supplier], landed_unit_cost_usd=0.1
    )
    return PlanRequest(
        workflow_id=workflow_id, trend_id=trend_id, family="plush", quantity=quantity,
        due_in_days=30, sourcing=sourcing, start_date=START, time_limit_s=0,
    )  # fmt: skip


def holding(engine: Engine, process: str) -> list[LineBooking]:
    """Bookings that hold the process's own lines now (firm, or held and not expired)."""
    now = utcnow()
    with Session(engine) as s:
        rows = s.exec(select(LineBooking).where(col(LineBooking.line_id).contains(process)))
        return [
            b
            for b in rows
            if b.status == "firm"
            or (b.status == "held" and b.expires_at and as_utc(b.expires_at) > now)
        ]


def assert_never_shared(bookings: list[LineBooking]) -> None:
    """No two pipelines hold overlapping time on one line."""
    for a in bookings:
        for b in bookings:
            if a.id != b.id and a.line_id == b.line_id and a.workflow_id != b.workflow_id:
                overlap = min(as_utc(a.end_at), as_utc(b.end_at)) - max(
                    as_utc(a.start_at), as_utc(b.start_at)
                )
                assert overlap <= timedelta(seconds=1), (a, b)


def test_a_later_plan_is_scheduled_around_the_first(engine: Engine) -> None:
    process, trend = factory(engine), new_idea_row(engine, "booking test", "m-book")
    acts = PlanningActivities(engine)
    first = acts.plan_production(plan_request(trend, process, 6000, f"wf-a-{process}"))
    second = acts.plan_production(plan_request(trend, process, 6000, f"wf-b-{process}"))
    booked = holding(engine, process)
    assert {b.workflow_id for b in booked} == {f"wf-a-{process}", f"wf-b-{process}"}
    assert {b.line_id for b in booked} == {f"OWN-{process}-1", f"OWN-{process}-2"}
    assert_never_shared(booked)
    assert second.completion_day > first.completion_day  # it waited for the lines


def _four_plans_at_once(engine: Engine, tag: str) -> None:
    """4 plans of one idea's process in 4 threads: each books once, none share a line hour."""
    process, trend = factory(engine), new_idea_row(engine, f"booking {tag}", "m-book")
    acts = PlanningActivities(engine)
    with ThreadPoolExecutor(max_workers=4) as pool:
        plans = list(
            pool.map(
                lambda k: acts.plan_production(
                    plan_request(trend, process, 4000, f"{tag}{k}-{process}")
                ),
                range(4),
            )
        )
    booked = holding(engine, process)
    assert len({b.workflow_id for b in booked}) == 4 and len(plans) == 4
    assert_never_shared(booked)


def test_plans_at_once_in_threads_never_share_a_line_hour(engine: Engine) -> None:
    _four_plans_at_once(engine, "t")


def test_plans_made_holding_the_lock_all_book_and_never_share(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last try of a plan schedules holding the booking lock, so a planner slower than the
    others cannot lose the race for ever (it did: 4 of 20 chaos pipelines stuck in planning).
    Here every try is that one: 4 plans at once all book, each once, none overlapping."""
    monkeypatch.setattr(planning, "BOOKING_ATTEMPTS", 1)
    _four_plans_at_once(engine, "l")


def test_a_plan_starting_off_the_grid_books_right_after_another(engine: Engine) -> None:
    """Pipelines plan from their own moment (workflow.now()), so one plan's booking ends off
    the next plan's quarter-hour grid. The next plan starts on the first quarter-hour after it,
    and it must book that time, not the start its stored Gantt shows rounded to 0.001 day
    (28.8 s earlier here): that overlapped, every try lost, even the one holding the lock, and
    chaos pipelines sat in planning for good."""
    process, trend = factory(engine), new_idea_row(engine, "booking off the grid", "m-book")
    acts = PlanningActivities(engine)
    first = plan_request(trend, process, 6000, f"grid-a-{process}")
    first.start_date = START + timedelta(seconds=100)
    acts.plan_production(first)
    second = plan_request(trend, process, 6000, f"grid-b-{process}")
    second.start_date = START + timedelta(seconds=88)  # its grid: 28.8 s after the first's end
    taken = acts._plan_once(second, second.start_date, None)
    assert not taken, f"lost to the booking it was scheduled after: {taken}"
    booked = holding(engine, process)
    assert {b.workflow_id for b in booked} == {first.workflow_id, second.workflow_id}
    assert_never_shared(booked)


def test_plans_from_several_processes_never_share_a_line_hour(
    engine: Engine, database_url: str
) -> None:
    """3 OS processes × 2 plans on one database (SQLite file or PostgreSQL)."""
    process, trend = factory(engine), new_idea_row(engine, "booking processes", "m-book")
    tag = uuid.uuid4().hex[:6]
    argvs = [[database_url, str(trend), process, "4000", f"{tag}-p{k}", "2"] for k in range(3)]
    days = [d for out in race("tests.booking_worker", argvs) for d in out]
    booked = holding(engine, process)
    assert len(days) == 6 and len({b.workflow_id for b in booked}) == 6
    assert_never_shared(booked)


def test_approval_firms_rejection_cancellation_and_expiry_free(engine: Engine) -> None:
    process, trend = factory(engine), new_idea_row(engine, "booking life", "m-book")
    acts, sourcing = PlanningActivities(engine), SourcingActivities(engine)
    ok = acts.plan_production(plan_request(trend, process, 3000, f"ok-{process}"))
    no = acts.plan_production(plan_request(trend, process, 3000, f"no-{process}"))
    acts.plan_production(plan_request(trend, process, 3000, f"gone-{process}"))
    moot = acts.plan_production(plan_request(trend, process, 3000, f"moot-{process}"))
    at = utcnow()
    acts.record_plan_review(
        PlanReviewRecord(plan_id=ok.plan_id, status="approved", reviewer="li", at=at)
    )
    acts.record_plan_review(
        PlanReviewRecord(plan_id=no.plan_id, status="rejected", reviewer="li", at=at)
    )
    acts.record_plan_review(  # a replan the finished run no longer needs
        PlanReviewRecord(plan_id=moot.plan_id, status="superseded", reviewer="system", at=at)
    )
    sourcing.release_reservations(ReleaseRequest(workflow_id=f"gone-{process}", reason="cancel"))
    status = {b.workflow_id: b.status for b in _all(engine, process)}
    assert status == {f"ok-{process}": "firm", f"no-{process}": "released",
                      f"gone-{process}": "released", f"moot-{process}": "released"}  # fmt: skip
    # a held booking past its expiry holds nothing: a new plan may take that time
    late = acts.plan_production(plan_request(trend, process, 3000, f"late-{process}"))
    with session_scope(engine) as s:
        for b in s.exec(select(LineBooking).where(LineBooking.workflow_id == f"late-{process}")):
            b.expires_at = utcnow() - timedelta(minutes=1)
            s.add(b)
    again = acts.plan_production(plan_request(trend, process, 3000, f"again-{process}"))
    assert again.completion_day == late.completion_day  # the expired hold did not block it
    assert {b.workflow_id for b in holding(engine, process)} == {
        f"ok-{process}",
        f"again-{process}",
    }


def _all(engine: Engine, process: str) -> list[LineBooking]:
    with Session(engine) as s:
        return list(s.exec(select(LineBooking).where(col(LineBooking.line_id).contains(process))))


def test_an_empty_factory_is_seeded_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A new database (its own file here, so other tests' lines do not count) starts with two
    lines per process; a second call, or a factory with lines, adds none."""
    from engines.sourcing import PROCESSES
    from models.db import make_engine
    from services.factory import ensure_factory, own_lines
    from trendforge.dbmigrate import upgrade

    url = f"sqlite:///{tmp_path / 'factory.db'}"
    upgrade(url)
    fresh = make_engine(url)
    assert ensure_factory(fresh) == 2 * len(PROCESSES)
    assert ensure_factory(fresh) == 0
    assert [ln.line_id for ln in own_lines(fresh, "plush_sewing")] == [
        "OWN-plush_sewing-1",
        "OWN-plush_sewing-2",
    ]
    fresh.dispose()


def _hold(engine: Engine, trend: int, line_id: str, days: float) -> None:
    """A proposed (held) plan of another idea on a line, from START for `days` days."""
    with session_scope(engine) as s:
        s.add(
            LineBooking(line_id=line_id, workflow_id=f"low-{trend}", trend_id=trend,
                        start_at=START, end_at=START + timedelta(days=days),
                        expires_at=utcnow() + timedelta(days=7))
        )  # fmt: skip


def _override(engine: Engine, trend: int, steps: int) -> None:
    with session_scope(engine) as s:
        row = s.get(Trend, trend)
        assert row is not None
        row.priority_override = steps
        s.add(row)


def test_recruiting_lines_meets_a_due_date_the_free_lines_miss(engine: Engine) -> None:
    """Four of six lines are held by a lower-priority idea: the plan on the free two is late,
    and it proposes the fewest of the held lines that make the due date, with their cost and
    the idea they displace; an idea of the same priority is told the earliest day instead."""
    process = factory(engine, lines=6)
    low = new_idea_row(engine, "low priority", "m-low")
    for k in range(3, 7):
        _hold(engine, low, f"OWN-{process}-{k}", 20)
    hot = new_idea_row(engine, "hot trend", "m-hot")
    _override(engine, hot, 1)
    acts = PlanningActivities(engine)
    req = plan_request(hot, process, 9000, f"hot-{process}").model_copy(update={"due_in_days": 6})
    plan = acts.plan_production(req)
    assert not plan.on_time  # the free lines miss it
    with Session(engine) as s:
        ramp = s.get(ProductionPlan, plan.plan_id).ramp  # type: ignore[union-attr]
    assert ramp["recruit_meets"] and ramp["recruit"]
    taken = {r["line_id"] for r in ramp["recruit"]}
    assert taken <= {f"OWN-{process}-{k}" for k in range(3, 7)}
    meets = ramp["recruit_curve"][-1]
    assert meets["completion_day"] <= ramp["due_day"] < plan.completion_day
    assert ramp["effects"] and {e["trend_id"] for e in ramp["effects"]} == {low}
    assert all(e["delay_days"] > 0 for e in ramp["effects"])
    assert all(r["cost_line_days"] > 0 and r["displaces"] for r in ramp["recruit"])
    assert [p["lines"] for p in ramp["curve"]][0] == 2
    assert any("recruit" in n for n in plan.notes)
    # the bookings of the plan never touch the low idea's held lines
    assert_never_shared(holding(engine, process))
    # same priority: nothing to take; the earliest feasible day and the binding lines instead
    same = new_idea_row(engine, "as hot", "m-same")
    req2 = plan_request(same, process, 9000, f"same-{process}").model_copy(
        update={"due_in_days": 6}
    )
    other = acts.plan_production(req2)
    with Session(engine) as s:
        ramp2 = s.get(ProductionPlan, other.plan_id).ramp  # type: ignore[union-attr]
    assert not other.on_time and ramp2["recruit"] == [] and ramp2["binding"]
    assert any(n.startswith("earliest feasible") for n in other.notes)


def _suppliers(engine: Engine, process: str, capacities: list[int], held: int = 0) -> list[int]:
    """Suppliers of `process` near the hub, one per capacity (units/day) at $0.30, $0.31 …; the
    first has `held` units/day reserved by another pipeline. Their ids."""
    ids = []
    with session_scope(engine) as s:
        for k, cap in enumerate(capacities):
            sup = Supplier(code=f"ALT{k}-{process}", name=f"Alt {k}", town="Futian", lat=0.0,
                           lon=0.0, lead_time_days=0)  # fmt: skip
            s.add(sup)
            s.flush()
            assert sup.id is not None
            s.add(SupplierCapability(supplier_id=sup.id, process=process,
                                     capacity_units_per_day=cap, unit_cost_usd=0.30 + k / 100))  # fmt: skip
            ids.append(sup.id)
    if held:
        trend = new_idea_row(engine, "holds a supplier", "m-sup")
        with session_scope(engine) as s:
            s.add(SupplierReservation(workflow_id=f"other-{process}", trend_id=trend,
                                      supplier_id=ids[0], process=process, units_per_day=held,
                                      expires_at=utcnow() + timedelta(days=7)))  # fmt: skip
    return ids


def test_a_late_plan_proposes_the_fewest_free_supplier_lines_within_reach(engine: Engine) -> None:
    """Every own line is held by an idea of the same priority, so nothing can be taken over:
    the plan proposes adding the match's alternative suppliers (cheapest first), only as much
    of each as other pipelines left free, with the units they would make and their cost."""
    process = factory(engine, lines=2)
    other = new_idea_row(engine, "first come", "m-first")
    for k in (1, 2):
        _hold(engine, other, f"OWN-{process}-{k}", 20)
    ids = _suppliers(engine, process, [900, 900, 900, 900], held=600)
    trend = new_idea_row(engine, "late idea", "m-late")
    req = plan_request(trend, process, 4000, f"late-{process}").model_copy(
        update={"due_in_days": 6}
    )
    alts = [
        req.sourcing.assignments[0].model_copy(
            update={
                "supplier_id": sid,
                "supplier_code": f"ALT{k}-{process}",
                "supplier_name": f"Alt {k}",
                "units_per_day": 900,
                "unit_cost_usd": 0.30 + k / 100,
            }
        )  # fmt: skip
        for k, sid in enumerate(ids)
    ]
    req.sourcing.alternatives = [*reversed(alts)]  # the plan orders them, cheapest first
    plan = PlanningActivities(engine).plan_production(req)
    assert not plan.on_time
    with Session(engine) as s:
        ramp = s.get(ProductionPlan, plan.plan_id).ramp  # type: ignore[union-attr]
    assert ramp["recruit"] == [] and ramp["suppliers_meet"]
    added = ramp["suppliers"]
    assert [a["supplier_code"] for a in added] == [f"ALT{k}-{process}" for k in range(len(added))]
    assert added[0]["units_per_day"] == 300  # 900 less the 600 another pipeline holds
    assert all(a["units"] > 0 and a["cost_usd"] == round(a["units"] * a["unit_cost_usd"], 2)
               for a in added)  # fmt: skip
    assert ramp["supplier_curve"][-1]["completion_day"] <= ramp["due_day"] < plan.completion_day
    if len(added) > 1:  # the fewest: one fewer is late
        assert not ramp["supplier_curve"][-2]["on_time"]
    assert any(n.startswith("or add supplier lines") for n in plan.notes)
