"""The demo's two mugs competing for the factory's own glazing lines (issue 21).

A frog mug (a large, cheap order due in 40 days) is planned and approved first: its plan takes
both own ceramic-glazing lines for its first days. Then a black cat mug goes viral (a dearer
order due in 12 days): planned around the frog mug's bookings, it misses its due date. The
simulated planner sees the late plan and who holds the own lines of its bottleneck process,
asks for a portfolio replan of that process, reads the proposal (each idea's completion and
lateness before and after), approves it when it makes the cat mug less late, then approves the
cat mug's plan as moved. Both ship.

Why these figures (the seeded factory: 2 own glazing lines at 2,500/day; suppliers reserved at
1.25 × the average rate): the frog mug's plan holds both own lines for about six days and ends
two days before it is due, so it can give way; the cat mug planned behind it is 3–6 days late,
and the replan moves its lots earlier on the own lines (1.2–2.4 days less late, measured through
the planning and portfolio activities with and without the other demo ideas' reservations; 3.0 →
1.3 and 6.0 → 4.4 in two demo runs; in the second the cat mug's own ramp preview also finished 3
days sooner taking the lines over, in the first no sooner: that greedy preview is coarser than
the replan) while the frog mug stays on time; priorities 5.2 against 6.1. When the cat mug's
sourcing finds two glazing suppliers (it depends on what the other demo ideas reserved), its
plan glazes on their lines only and holds no own line; the replan then moves part of that
work onto the own lines, after the frog mug's lots or ahead of them (four runs: 6.0 → 0.0,
6.0 → 1.5 with the frog mug 0.6 days late, 4.0 → 0.7, 6.0 → 0.0). No mug but these two
is glazed, so no other idea takes part. The frog mug's booked line time starts at least half a
day ahead in real time (the lines' changeover), so its lots have not started when the replan
reads them; on the demo's accelerated clock its run would be over before the cat mug arrives, so
the factory simulator starts its lots only once the replan is settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from rich.table import Table

from models.contracts import TERMINAL_STAGES, Stage

if TYPE_CHECKING:
    from trendforge.demo import DemoPeople

# planned and approved first: big, cheap, due late (priority ≈ 5.2)
FROG_MUG: dict[str, Any] = {
    "text": "green frog mug",
    "merchant_id": "yiwu-home",
    "target_price": 4.0,
    "expected_volume": 24000,
    "due_in_days": 40,
}
# the viral one, submitted once the frog mug's plan is approved: dearer, due soon (≈ 6.1)
VIRAL_MUG: dict[str, Any] = {
    "text": "black cat mug",
    "merchant_id": "yiwu-viral",
    "target_price": 15.0,
    "expected_volume": 15000,
    "due_in_days": 12,
}
SETTLED = ("approved", "rejected", "expired", "nothing_to_move", "failed", "no conflict")
DAY_S = 86400.0


def _is(idea: dict[str, Any], rival: dict[str, Any]) -> bool:
    return bool(idea["text"] == rival["text"] and idea["merchant_id"] == rival["merchant_id"])


@dataclass
class ReplanRow:
    """One idea of the proposal: completion (days from the proposal) and lateness, before/after."""

    idea: str
    before_day: float
    after_day: float
    late_before: float
    late_after: float


def replan_rows(proposal: dict[str, Any], texts: dict[int, str]) -> list[ReplanRow]:
    """The proposal's ideas as table rows, days counted from when it was made."""
    made = datetime.fromisoformat(proposal["created_at"])

    def day(at: str) -> float:
        return round((datetime.fromisoformat(at) - made).total_seconds() / DAY_S, 1)

    return [
        ReplanRow(
            f"{i['trend_id']} {texts.get(i['trend_id'], '')}"[:32],
            day(i["completion_before"]),
            day(i["completion_after"]),
            i["lateness_days_before"],
            i["lateness_days_after"],
        )
        for i in proposal["ideas"]
    ]


@dataclass
class Rivals:
    """Plays the contest: submits the viral mug after the frog mug's approval, and as the
    planner sees the conflict, asks for a portfolio replan, reads and decides it."""

    http: httpx.AsyncClient
    people: DemoPeople
    low: int | None = None
    hot: int | None = None
    submitted: bool = False
    seen: str = ""  # what the planner saw on the viral mug's plan
    replan_id: str | None = None
    status: str = ""  # the replan's status, or "no conflict"
    rows: list[ReplanRow] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        return self.status in SETTLED

    def holds(self, idea: dict[str, Any]) -> bool:
        """The factory waits with the frog mug's lots until the replan is settled."""
        return idea["id"] == self.low and not self.settled

    def may_review(self, idea: dict[str, Any]) -> bool:
        """The viral mug's plan is approved only after the conflict is settled."""
        return idea["id"] != self.hot or self.settled

    async def advance(self, ideas: list[dict[str, Any]]) -> None:
        """One round of the contest, from where it is."""
        for i in ideas:
            self.low = i["id"] if _is(i, FROG_MUG) else self.low
            self.hot = i["id"] if _is(i, VIRAL_MUG) else self.hot
        low = next((i for i in ideas if i["id"] == self.low), None)
        hot = next((i for i in ideas if i["id"] == self.hot), None)
        if not self.submitted:
            if low and (low["stage"] == Stage.producing or low["stage"] in TERMINAL_STAGES):
                await self._submit_viral()
        elif hot and hot["stage"] == Stage.awaiting_plan_review and not self.settled:
            if self.replan_id is None:
                await self._look_at_plan(hot["id"])
            else:
                await self._decide(ideas)
        elif hot and hot["stage"] in TERMINAL_STAGES and not self.settled:
            self.status = "failed"  # the viral mug ended before planning: nothing to settle

    async def _submit_viral(self) -> None:
        merchant = await self.people.merchant(VIRAL_MUG["merchant_id"])
        r = await self.http.post("/ideas", json=VIRAL_MUG, headers=merchant)
        r.raise_for_status()
        self.submitted = True

    async def _look_at_plan(self, trend_id: int) -> None:
        """The planner reads the pending plan and who holds the own lines of its bottleneck
        process; when the plan is late and others hold them, they ask for a portfolio replan
        of that process."""
        planner = await self.people.planner()
        pending = await self.http.get(
            "/plans", params={"status": "pending", "trend_id": trend_id}, headers=planner
        )
        plans = pending.json()
        if not plans:
            return
        plan = plans[-1]
        process = (plan.get("ramp") or {}).get("process")
        held = await self._holders(process, trend_id) if process else []
        if plan["on_time"] or not held:
            self.status = "no conflict"
            return
        late = plan["completion_day"] - plan["due_day"]
        takeover = [p["completion_day"] for p in plan["ramp"].get("recruit_curve", [])]
        self.seen = (
            f"plan {plan['id']} of idea {trend_id} is {late} day(s) late (day "
            f"{plan['completion_day']}, due day {plan['due_day']}); the own {process} lines are "
            f"held by idea {', '.join(map(str, held))}"
            + (
                f"; its ramp: taking them over, day {min(takeover)}"
                if takeover and min(takeover) < plan["completion_day"]
                else ""
            )
        )
        body = {"process": process, "reason": f"viral idea {trend_id} is late"}
        r = await self.http.post("/factory/replans", json=body, headers=planner)
        r.raise_for_status()
        self.replan_id = r.json()["replan_id"]

    async def _holders(self, process: str, trend_id: int) -> list[int]:
        """The other ideas holding own lines of the process now."""
        lines = await self.http.get("/factory/lines", headers=await self.people.planner())
        lines.raise_for_status()
        return sorted(
            {
                b["trend_id"]
                for ln in lines.json()
                if ln["process"] == process
                for b in ln["bookings"]
                if b["trend_id"] != trend_id
            }
        )

    async def _decide(self, ideas: list[dict[str, Any]]) -> None:
        """Read the replan; once proposed, approve it when it makes the viral mug less late."""
        planner = await self.people.planner()
        r = await self.http.get(f"/factory/replans/{self.replan_id}", headers=planner)
        r.raise_for_status()
        state = r.json()
        if state["status"] != "awaiting_review":
            self.status = "" if state["status"] == "proposing" else state["status"]
            return
        texts = {i["id"]: i["text"] for i in ideas}
        self.rows = replan_rows(state["proposal"], texts)
        mine = [i for i in state["proposal"]["ideas"] if i["trend_id"] == self.hot]
        helps = bool(mine) and mine[0]["lateness_days_after"] < mine[0]["lateness_days_before"]
        body = (
            {"approve": True, "reason": "the viral mug first; the frog mug has slack"}
            if helps
            else {"approve": False, "reason": "the viral mug would be no sooner"}
        )
        done = await self.http.post(
            f"/factory/replans/{self.replan_id}/decision", json=body, headers=planner
        )
        done.raise_for_status()
        self.status = done.json()["status"]

    def summary(self) -> str:
        """The contest in one line for the demo's end."""
        if not self.replan_id:
            return f"Portfolio replan: none ({self.status or 'the viral mug never got a plan'})."
        moved = len(self.rows) if self.status == "approved" else 0
        return f"Planner saw: {self.seen}.\nPortfolio replan {self.status}: moved {moved} idea(s)."


def replan_table(rivals: Rivals) -> Table:
    """The proposal the planner decided: each idea's completion and lateness before → after."""
    t = Table(
        title="Portfolio replan (own ceramic-glazing lines)",
        caption="completion: days from the proposal; lateness: days past due",
    )
    for col in ("idea", "completion day", "lateness (days)", "decision"):
        t.add_column(col)
    for r in rivals.rows:
        t.add_row(
            r.idea,
            f"{r.before_day:.1f} → {r.after_day:.1f}",
            f"{r.late_before:.1f} → {r.late_after:.1f}",
            rivals.status,
        )
    return t
