"""`trendforge demo`: the embedded stack, the sample trends end to end, a lead-time table.

A simulated merchant picks variants, a simulated planner reviews plans (rejecting one first to
show a replan), a factory simulator reports each line's daily output through the API on an
accelerated clock, and a simulated carrier moves each delivery leg (picked up, departed,
arrived, cleared, out for delivery, delivered) on the same clock. Two mugs compete for the own
glazing lines: the planner sees the viral one late behind the other's bookings, and approves a
portfolio replan before its plan (demo_rivals). Everything goes through the public HTTP API,
as real users would: each merchant and the planner log in with a password (POST /auth/token),
the factory MES sends an API key made for it, and a viewer reads the dashboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import httpx
from rich.console import Console
from rich.live import Live
from rich.table import Table
from sqlalchemy.engine import Engine

from api.auth import create_api_key, ensure_user
from api.leadtimes import format_duration
from models.contracts import DONE_STAGES, STAGE_SPANS, TERMINAL_STAGES, PipelineConfig, Stage
from models.names import TREND_WATCH_SCHEDULE_ID
from services.pdf import text_pdf
from trendforge.demo_rivals import FROG_MUG, Rivals, replan_table
from trendforge.settings import Settings
from trendforge.stack import running_stack
from trendforge.temporal import ensure_trend_watch

MERCHANT_IDEAS = [
    {
        "text": "cat-shaped phone holder",
        "merchant_id": "yiwu-gifts",
        "target_size_mm": 110,
        "market": "EU",
        "target_price": 9.9,
        "expected_volume": 8000,
        "due_in_days": 6,
        # units to two markets, each with a deadline in days from the day it is submitted
        "destinations": [{"market": "DE", "units": 5000}, {"market": "US", "units": 3000}],
    },
    {
        # a toddler's plush with bead eyes for the US: the first pick fails the small-parts
        # cylinder (16 CFR 1501), the merchant picks it again with embroidered eyes and nose,
        # a lab report opens the US gate, and it ships
        "text": "toddler bunny plush with bead eyes",
        "merchant_id": "yiwu-toys",
        "market": "US",
        "target_price": 12.0,
        "expected_volume": 3000,
        "due_in_days": 8,
        "compliance_markets": ["US"],
        "destinations": [{"market": "US", "units": 3000}],
    },
]
# how the demo's merchant has a piece made again after a failed small-parts check
EMBROIDERED = {"eyes": "surface", "nose": "surface"}
DEADLINE_DAYS = {"US": 21, "DE": 40}  # the US by air, Germany by the Yiwu rail or by sea

PLACES = {
    "YIW": "Yiwu",
    "NGB": "Ningbo-Zhoushan port",
    "SHA": "Shanghai Yangshan port",
    "PVG": "Shanghai Pudong airport",
}
ARRIVALS = {
    "express": "hub",
    "air": "airport",
    "rail": "rail terminal",
    "sea": "port",
}
# A leg's carrier events as fractions of its door-to-door days, and where each happens.
CARRIER_STEPS = (
    (0.0, "picked_up", "origin"),
    (0.15, "departed", "origin"),
    (0.7, "arrived", "arrival"),
    (0.8, "customs_cleared", "arrival"),
    (0.92, "out_for_delivery", "market"),
    (1.0, "delivered", "market"),
)


def sample_feed() -> str:
    return str(resources.files("trendforge") / "samples" / "trend_feed.jsonl")


@dataclass
class FactorySim:
    """Reports each planned line-day with a seeded performance factor (some days run behind)."""

    rng: random.Random
    day: dict[int, int] = field(default_factory=dict)

    def reports(self, plan: dict[str, Any], day: int, remaining: int) -> list[dict[str, Any]]:
        planned = [d for d in plan["daily"] if d["day"] == day]
        if not planned and day > max((d["day"] for d in plan["daily"]), default=0):
            # past the plan's end: the last stage's lines keep making their full rate until the
            # order is done (upstream lines' units are not finished product)
            last_stage = {d["line_id"] for d in plan["daily"]}
            planned = [
                {"line_id": ln["line_id"], "units": int(ln["rate_units_per_day"])}
                for ln in plan["lines"]
                if ln["line_id"] in last_stage
            ]
        out = []
        for d in planned:
            if remaining <= 0:
                break
            units = min(remaining, int(d["units"] * self.rng.uniform(0.85, 1.05)))
            remaining -= units
            out.append({"line_id": d["line_id"], "day": day, "units": units})
        return out


@dataclass
class CarrierSim:
    """Moves each booked leg through its carrier events on the factory's accelerated clock:
    door to door in a seeded share (70–100 %) of the lane's worst-case days."""

    rng: random.Random
    day_s: float
    legs: dict[int, tuple[float, list[dict[str, Any]]]] = field(default_factory=dict)

    def due(self, leg: dict[str, Any], now: float) -> list[dict[str, Any]]:
        """The events of `leg` whose time has come (each once)."""
        if leg["id"] not in self.legs:
            self.legs[leg["id"]] = (now, self._schedule(leg))
        start, events = self.legs[leg["id"]]
        ready = [e for e in events if start + e["day"] * self.day_s <= now]
        self.legs[leg["id"]] = (start, events[len(ready) :])
        return [
            {k: v for k, v in e.items() if k != "day"} | {"at": datetime.now(UTC).isoformat()}
            for e in ready
        ]

    def _schedule(self, leg: dict[str, Any]) -> list[dict[str, Any]]:
        booked = date.fromisoformat(str(leg["booked_at"] or leg["planned_departure"])[:10])
        days = max((date.fromisoformat(leg["eta_latest"]) - booked).days, 1)
        door = days * self.rng.uniform(0.7, 1.0)
        origin = PLACES.get(leg["lane_id"].split("-")[1].upper(), "Yiwu")
        where = {
            "origin": origin,
            "arrival": f"{leg['market']} {ARRIVALS.get(leg['mode'], 'hub')}",
            "market": f"{leg['market']} merchant warehouse",
        }
        return [
            {"event_id": f"sim-{leg['id']}-{kind}", "kind": kind, "day": share * door,
             "location": where[place]}
            for share, kind, place in CARRIER_STEPS
        ]  # fmt: skip


class DemoPeople:
    """The demo's identities: real users with random passwords and a machine API key."""

    def __init__(self, engine: Engine, http: httpx.AsyncClient) -> None:
        self.engine, self.http = engine, http
        self.tokens: dict[str, dict[str, str]] = {}
        self._lock = asyncio.Lock()  # the simulator answers many ideas at once
        _, key = create_api_key(engine, "mes-bot", "machine", "mes-bot", "demo")
        self.mes = {"X-API-Key": key}
        _, key = create_api_key(engine, "carrier-bot", "machine", "carrier-bot", "demo")
        self.carrier = {"X-API-Key": key}

    async def login(self, username: str, role: str) -> dict[str, str]:
        """The Bearer header of `username`, creating the user on first use (OAuth2 password flow)."""
        async with self._lock:
            return await self._login(username, role)

    async def _login(self, username: str, role: str) -> dict[str, str]:
        if username not in self.tokens:
            password = secrets.token_urlsafe(16)
            await asyncio.to_thread(ensure_user, self.engine, username, role, password)
            r = await self.http.post(
                "/auth/token", data={"username": username, "password": password}
            )
            r.raise_for_status()
            self.tokens[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.tokens[username]

    async def merchant(self, merchant_id: str) -> dict[str, str]:
        return await self.login(merchant_id, "merchant")

    async def planner(self) -> dict[str, str]:
        return await self.login("planner-li", "planner")

    async def viewer(self) -> dict[str, str]:
        return await self.login("manager-ma", "viewer")


class DemoDriver:
    """Plays merchant, planner and factory against the API until every idea is shipped."""

    def __init__(self, api: str, tick_s: float, engine: Engine, seed: int = 7) -> None:
        # idle pooled connections are dropped before uvicorn's 5 s keep-alive closes them: a
        # request sent on a connection the server is closing fails with ReadError
        limits = httpx.Limits(keepalive_expiry=2.0)
        self.http = httpx.AsyncClient(base_url=api, timeout=60, limits=limits)
        self.people = DemoPeople(engine, self.http)
        self.tick_s = tick_s
        self.factory = FactorySim(random.Random(seed))
        self.carrier = CarrierSim(random.Random(seed), tick_s)
        self.rejected_once: set[int] = set()
        self.rng = random.Random(seed)
        self.runs: dict[int, dict[str, Any]] = {}
        self.refixed: dict[int, str] = {}  # idea -> the compliance failures fixed by a re-pick
        self.cleared: dict[int, str] = {}  # idea -> the market a lab report opened
        self.rivals = Rivals(self.http, self.people)  # two mugs, one set of glazing lines

    async def step(self, ideas: list[dict[str, Any]], concurrency: int = 16) -> None:
        """One round: every idea waiting for a person gets its answer (16 at a time)."""
        gate = asyncio.Semaphore(concurrency)
        await self.rivals.advance(ideas)

        async def act(idea: dict[str, Any]) -> None:
            async with gate:
                stage = idea["stage"]
                if stage == Stage.awaiting_selection:
                    await self.pick(idea)
                elif stage == Stage.awaiting_compliance:
                    await self.clear(idea)
                elif stage == Stage.awaiting_plan_review:
                    await self.review(idea)
                elif stage == Stage.producing:
                    await self.review(idea)  # replans proposed after slippage
                    await self.produce(idea)
                    await self.carry(idea)  # early batches are on their way already
                elif stage == Stage.in_transit:
                    await self.carry(idea)

        await asyncio.gather(*(act(i) for i in ideas))

    async def pick(self, idea: dict[str, Any]) -> None:
        merchant = await self.people.merchant(idea["merchant_id"])
        base = f"/ideas/{idea['id']}"
        check = (await self.http.get(f"{base}/compliance", headers=merchant)).json()
        if check.get("checked") and check.get("passed") is False:
            # back from compliance: the same design, its failing pieces embroidered instead
            failed = [f for f in check["findings"] if f["severity"] == "fail"]
            self.refixed[idea["id"]] = "; ".join(f"{f['part']}: {f['rule']}" for f in failed)
            pick = {"variant_id": check["variant_id"], "builds": EMBROIDERED}
            await self.http.post(f"{base}/selection", json=pick, headers=merchant)
            return
        variants = (await self.http.get(f"{base}/variants", headers=merchant)).json()
        if not variants:
            return
        top = [v for v in variants[:5] if v["printable"]] or variants[:1]
        choice = self.rng.choice(top)
        await self.http.post(
            f"{base}/selection", json={"variant_id": choice["id"]}, headers=merchant
        )

    async def clear(self, idea: dict[str, Any]) -> None:
        """The merchant uploads the lab's report for each market still waiting on one."""
        merchant = await self.people.merchant(idea["merchant_id"])
        base = f"/ideas/{idea['id']}/compliance"
        check = (await self.http.get(base, headers=merchant)).json()
        for gate in check.get("gates", []):
            if gate["status"] != "awaiting":
                continue
            report = text_pdf(
                [
                    f"Test report for idea {idea['id']}: {idea['text']}",
                    f"Market {gate['market']}; standards: {', '.join(gate['standards'])}",
                    "Result: pass (sample laboratory of the TrendForge demo)",
                ],
                title="Lab test report",
            )
            files = {"report": (f"lab-report-{gate['market']}.pdf", report, "application/pdf")}
            r = await self.http.post(
                f"{base}/{gate['market']}/lab-report", files=files, headers=merchant
            )
            if r.status_code == 200:
                self.cleared[idea["id"]] = gate["market"]

    async def review(self, idea: dict[str, Any]) -> None:
        if not self.rivals.may_review(idea):
            return
        planner = await self.people.planner()
        plans = (
            await self.http.get(
                "/plans", params={"status": "pending", "trend_id": idea["id"]}, headers=planner
            )
        ).json()
        if not plans:
            return
        plan = plans[-1]
        if "horse" in idea["text"] and idea["id"] not in self.rejected_once:
            self.rejected_once.add(idea["id"])
            body = {
                "approve": False,
                "reason": "ship sooner: allow 2 h overtime per line",
                "constraints": {"max_overtime_hours_per_day": 2},
            }
        else:
            body = {"approve": True, "reason": "capacity confirmed"}
        await self.http.post(f"/plans/{plan['id']}/review", json=body, headers=planner)

    async def produce(self, idea: dict[str, Any]) -> None:
        if self.rivals.holds(idea):
            return
        mes = self.people.mes
        detail = (
            await self.http.get(
                f"/ideas/{idea['id']}", params={"live": False}, headers=await self.people.planner()
            )
        ).json()
        run = detail.get("run")
        if not run or run["status"] != "running":
            return
        self.runs[idea["id"]] = run
        plans = (await self.http.get("/plans", params={"trend_id": idea["id"]}, headers=mes)).json()
        live = [p for p in plans if p["status"] == "approved"]
        if not live:
            return
        plan = (await self.http.get(f"/plans/{live[-1]['id']}", headers=mes)).json()
        day = self.factory.day.get(idea["id"], 0)
        remaining = run["quantity"] - run["produced"]
        reports = self.factory.reports(plan, day, remaining)
        if reports:  # the day's lines in one call, as an MES sends a shift's worth
            await self.http.post(
                f"/runs/{run['id']}/progress/batch", json={"reports": reports}, headers=mes
            )
        self.factory.day[idea["id"]] = day + 1

    async def carry(self, idea: dict[str, Any]) -> None:
        """The carrier's events for each booked leg whose time has come, through the webhook."""
        detail = (
            await self.http.get(
                f"/ideas/{idea['id']}", params={"live": False}, headers=await self.people.planner()
            )
        ).json()
        now = time.monotonic()
        for leg in detail.get("consignments", []):
            if leg["status"] not in ("booked", "in_transit", "late"):
                continue
            for event in self.carrier.due(leg, now):
                r = await self.http.post(
                    f"/consignments/{leg['id']}/events", json=event, headers=self.people.carrier
                )
                r.raise_for_status()

    async def submit(self, idea: dict[str, Any]) -> httpx.Response:
        """Submit an idea as its merchant."""
        merchant = await self.people.merchant(idea["merchant_id"])
        return await self.http.post("/ideas", json=idea, headers=merchant)

    async def all_ideas(self) -> list[dict[str, Any]]:
        """Every idea, page by page (a page holds at most 500)."""
        out: list[dict[str, Any]] = []
        params: dict[str, int] = {"limit": 500}
        while True:
            r = await self.http.get("/ideas", params=params, headers=await self.people.viewer())
            r.raise_for_status()
            page = list(r.json())
            out += page
            if len(page) < params["limit"]:
                return out
            params["before_id"] = page[-1]["id"]

    async def close(self) -> None:
        await self.http.aclose()


def progress_table(
    ideas: list[dict[str, Any]], elapsed: float, runs: dict[int, dict[str, Any]]
) -> Table:
    t = Table(title=f"TrendForge demo — {elapsed:.0f}s", expand=False)
    for col in ("#", "idea", "source", "stage", "detail"):
        t.add_column(col)
    for i in sorted(ideas, key=lambda x: x["id"]):
        t.add_row(
            str(i["id"]), i["text"][:36], i["source"], i["stage"], (i.get("detail") or "")[:50]
        )
    return t


def leadtime_table(lt: dict[str, Any]) -> Table:
    stages = [s for s in STAGE_SPANS if s != "total"]
    t = Table(
        title="Lead time per stage (wall clock; factory and carrier days run on an accelerated "
        "clock)",
        caption="* no delivery legs (no market a lane reaches): trend→ship",
    )
    t.add_column("idea")
    for s in stages:
        t.add_column(s, justify="right")
    t.add_column("trend→delivered", justify="right", style="bold")
    for idea in lt["ideas"]:
        gate = idea["total_s"] is not None and "transit" not in idea["stages_s"]
        t.add_row(
            f"{idea['trend_id']} {idea['text'][:28]}",
            *[format_duration(idea["stages_s"].get(s)) for s in stages],
            format_duration(idea["total_s"]) + ("*" if gate else ""),
        )
    p50 = {s["stage"]: s["p50_s"] for s in lt["stages"]}
    p90 = {s["stage"]: s["p90_s"] for s in lt["stages"]}
    t.add_row(
        "p50", *[format_duration(p50.get(s)) for s in stages], format_duration(p50.get("total"))
    )
    t.add_row(
        "p90", *[format_duration(p90.get(s)) for s in stages], format_duration(p90.get("total"))
    )
    return t


def merchant_ideas() -> list[dict[str, Any]]:
    """The merchant ideas to submit at the start, their deadlines counted from today (the
    viral mug follows once the frog mug's plan is approved: demo_rivals)."""
    today = datetime.now(UTC).date()
    out = []
    for idea in [*MERCHANT_IDEAS, FROG_MUG]:
        dests = [
            {**d, "deadline": (today + timedelta(days=DEADLINE_DAYS[d["market"]])).isoformat()}
            for d in idea.get("destinations", [])
        ]
        out.append({**idea, "destinations": dests})
    return out


async def delivered_markets(
    driver: DemoDriver, ideas: list[dict[str, Any]]
) -> dict[str, list[tuple[str, str, int, str]]]:
    """Per delivered idea: (market, mode, units, status) of each leg."""
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    planner = await driver.people.planner()
    for idea in ideas:
        if idea["stage"] != Stage.delivered:
            continue
        detail = (
            await driver.http.get(f"/ideas/{idea['id']}", params={"live": False}, headers=planner)
        ).json()
        out[f"{idea['id']} {idea['text'][:28]}"] = [
            (c["market"], c["mode"], c["units"], c["status"]) for c in detail["consignments"]
        ]
    return out


def delivery_table(delivered: dict[str, list[tuple[str, str, int, str]]]) -> Table:
    t = Table(title="Delivery legs")
    for col in ("idea", "market", "mode", "units", "status"):
        t.add_column(col, justify="right" if col == "units" else "left")
    for idea, legs in delivered.items():
        for market, mode, units, status in legs:
            t.add_row(idea, market, mode, f"{units:,}", status)
    return t


async def run_demo(
    settings: Settings, *, keep: bool = False, tick_s: float = 0.4, timeout_s: float = 900
) -> int:
    """Run the whole demo; returns a process exit code (0 when every sample idea shipped)."""
    console = Console()
    demo_dir = settings.data_dir
    if (demo_dir / "trendforge.db").exists() and not settings.database_url:
        shutil.rmtree(demo_dir)  # a fresh demo each time
    config = PipelineConfig(
        variant_count=settings.variant_count,
        seed=1,
        plan_time_limit_s=3.0,
        delivery_seconds_per_day=tick_s,  # the carrier's days as fast as the factory's
    )
    started = time.monotonic()
    async with running_stack(settings, config=config) as stack:
        console.print(
            f"[bold]TrendForge demo[/] — API {stack.api_url}, Temporal UI {stack.temporal_ui_url}"
        )
        await ensure_trend_watch(stack.client, settings, sample_feed(), config)
        await stack.client.get_schedule_handle(TREND_WATCH_SCHEDULE_ID).trigger()
        driver = DemoDriver(stack.api_url, tick_s, stack.engine)
        # a throwaway admin for this local demo, so the person watching can open the pages
        demo_password = secrets.token_urlsafe(9)
        await asyncio.to_thread(ensure_user, stack.engine, "demo", "admin", demo_password)
        for idea in merchant_ideas():
            merchant = await driver.people.merchant(idea["merchant_id"])
            r = await driver.http.post("/ideas", json=idea, headers=merchant)
            r.raise_for_status()
        # trend-watch starts the hat and the horse; the merchants the rest and the two mugs
        expected = 2 + len(MERCHANT_IDEAS) + 2
        ideas: list[dict[str, Any]] = []
        dropped = 0  # rounds in a row lost to a dropped connection
        with Live(console=console, refresh_per_second=4) as live:
            while time.monotonic() - started < timeout_s:
                try:
                    ideas = (
                        await driver.http.get("/ideas", headers=await driver.people.planner())
                    ).json()
                    live.update(progress_table(ideas, time.monotonic() - started, driver.runs))
                    if len(ideas) >= expected and all(i["stage"] in TERMINAL_STAGES for i in ideas):
                        break
                    await driver.step(ideas)
                    dropped = 0
                except httpx.TransportError:
                    dropped += 1  # every round re-reads the state: the next one redoes it
                    if dropped > 20:
                        raise
                await asyncio.sleep(tick_s)
        lt = (await driver.http.get("/leadtimes", headers=await driver.people.viewer())).json()
        console.print()
        console.print(leadtime_table(lt))
        if lt.get("bottleneck"):
            console.print(f"Bottleneck stage (highest p50): [bold red]{lt['bottleneck']}[/]")
        console.print(
            f"Dashboard: {stack.api_url}/   API docs: {stack.api_url}/docs   Temporal UI: {stack.temporal_ui_url}"
        )
        console.print(
            f"Log in at {stack.api_url}/login as [bold]demo[/] / [bold]{demo_password}[/] "
            "(an admin of this throwaway demo; `trendforge users create NAME --role planner` "
            "makes more)"
        )
        for tid, failures in driver.refixed.items():
            market = driver.cleared.get(tid, "no market")
            console.print(
                f"Compliance: idea {tid} failed ({failures}), was picked again with embroidered "
                f"eyes and nose, and a lab report opened {market}."
            )
        if driver.rivals.rows:
            console.print(replan_table(driver.rivals))
        console.print(driver.rivals.summary())
        shipped = [i for i in ideas if i["stage"] in DONE_STAGES]
        delivered = await delivered_markets(driver, ideas)
        console.print(delivery_table(delivered))
        where = ", ".join(sorted({m for legs in delivered.values() for m, *_ in legs})) or "none"
        console.print(
            f"{len(shipped)}/{len(ideas)} ideas shipped in {time.monotonic() - started:.0f}s; "
            f"{sum(i['stage'] == Stage.delivered for i in ideas)} delivered (markets: {where})."
        )
        if keep:
            console.print("Stack kept running (--keep); Ctrl-C stops it.")
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.Event().wait()
        await driver.http.aclose()
        return 0 if ideas and len(shipped) == len(ideas) else 1
