"""Fairness between merchants: one floods ideas while another submits a few.

`python -m bench.load.fairness [--flood 300] [--few 10]`. The stack runs as separate processes
(Temporal dev server, API, one worker; trendforge.chaos's stack, quotas lifted). For each of
three runs it prints the few ideas' design stage (trend seen → variants ready) p50/p99:
  alone      the few ideas with nothing else queued (the baseline, same run),
  fair       after the flood is queued, on a dev server with fair dispatch (as `up` runs it),
  fifo       the same on a dev server without it (what TrendForge did before).
The target (issue 26): fair within 2x of alone. Nobody picks a variant: pipelines stop at
awaiting_selection, so only the design stage is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from sqlmodel import Session, select

from api.auth import ensure_user
from models.db import as_utc, make_engine
from models.tables import Milestone
from trendforge.chaos import _stack, db_url

PASSWORD = "fairness-bench-password"
PRODUCTS = ("frog keychain", "capybara plush", "cat mug", "duck figurine", "bear planter")


async def _token(c: httpx.AsyncClient, user: str) -> dict[str, str]:
    r = await c.post("/auth/token", data={"username": user, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _submit(
    c: httpx.AsyncClient, who: dict[str, str], merchant: str, n: int, tag: str
) -> list[int]:
    """n ideas of a merchant, submitted together; their ids."""

    async def one(i: int) -> int:
        body = {"text": f"{PRODUCTS[i % len(PRODUCTS)]} {tag} {i}", "merchant_id": merchant}
        r = await c.post("/ideas", json=body, headers=who)
        r.raise_for_status()
        return int(r.json()["id"])

    gate = asyncio.Semaphore(16)

    async def gated(i: int) -> int:
        async with gate:
            return await one(i)

    return list(await asyncio.gather(*(gated(i) for i in range(n))))


def _design_seconds(url: str, ids: list[int]) -> list[float] | None:
    """Trend seen → variants ready (s) of every idea, or None while some are not ready."""
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(Milestone).where(Milestone.trend_id.in_(ids))).all()  # type: ignore[attr-defined]
    engine.dispose()
    seen = {r.trend_id: as_utc(r.at) for r in rows if r.name == "trend_seen"}
    ready = {r.trend_id: as_utc(r.at) for r in rows if r.name == "variants_ready"}
    if len(ready) < len(ids) or len(seen) < len(ids):
        return None
    return [(ready[i] - seen[i]).total_seconds() for i in ids]


async def _wait(url: str, ids: list[int], timeout_s: float) -> list[float]:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if (got := _design_seconds(url, ids)) is not None:
            return got
        await asyncio.sleep(1.0)
    raise RuntimeError(f"{len(ids)} ideas did not reach their variants in {timeout_s:.0f} s")


async def run(flood: int, few: int, fairness: bool, alone_too: bool) -> dict[str, list[float]]:
    data = Path(tempfile.mkdtemp(prefix="tf-fair-"))
    procs = _stack(data, variant_count=4, fairness=fairness)
    out: dict[str, list[float]] = {}
    try:
        for name in ("temporal", "api", "worker"):
            await asyncio.to_thread(procs[name].start)
        url = db_url(data)
        engine = make_engine(url)
        for user in ("m-flood", "m-few"):
            ensure_user(engine, user, "merchant", PASSWORD)
        engine.dispose()
        api = f"http://127.0.0.1:{procs['api'].port}"
        async with httpx.AsyncClient(base_url=api, timeout=120) as c:
            few_who, flood_who = await _token(c, "m-few"), await _token(c, "m-flood")
            if alone_too:
                ids = await _submit(c, few_who, "m-few", few, "alone")
                out["alone"] = await _wait(url, ids, 900)
            await _submit(c, flood_who, "m-flood", flood, "flood")
            ids = await _submit(c, few_who, "m-few", few, "after-flood")
            out["fair" if fairness else "fifo"] = await _wait(url, ids, 3600)
    finally:
        for p in procs.values():
            p.stop()
        shutil.rmtree(data, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flood", type=int, default=300)
    ap.add_argument("--few", type=int, default=10)
    ap.add_argument("--skip-fifo", action="store_true", help="only alone and fair")
    args = ap.parse_args()
    results = asyncio.run(run(args.flood, args.few, fairness=True, alone_too=True))
    if not args.skip_fifo:
        results |= asyncio.run(run(args.flood, args.few, fairness=False, alone_too=False))
    base = float(np.percentile(results["alone"], 50))
    print(f"{args.few} ideas of one merchant, after {args.flood} of another were queued")
    print(f"{'run':<8}{'p50 s':>8}{'p99 s':>8}{'p50 / alone':>13}")
    for name, values in results.items():
        a = np.asarray(values)
        p50, p99 = float(np.percentile(a, 50)), float(np.percentile(a, 99))
        print(f"{name:<8}{p50:>8.1f}{p99:>8.1f}{p50 / base:>13.2f}")


if __name__ == "__main__":
    main()
