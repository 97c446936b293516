"""Load: N concurrent ideas through the whole pipeline, then the API under wrk.

`python -m bench.load [--ideas 1000] [--wrk-seconds 10]`. The stack runs as separate
processes (Temporal dev server on SQLite, API, workers; trendforge.chaos without the chaos),
every idea is submitted at once and the people are played by the demo's simulator. It prints
the completion rate, p50/p99 of every stage from the milestones, and then wrk (Debian `wrk`)
at 32 connections on loopback against read routes, each as a ratio to /healthz measured in
the same run (the floor of this machine's HTTP stack).
"""

import argparse
import asyncio
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import numpy as np

from api.auth import ensure_user
from api.leadtimes import compute_leadtimes, format_duration
from models.db import make_engine
from trendforge.chaos import run_chaos, serving


def stage_table(url: str) -> None:
    lt = compute_leadtimes(make_engine(url))
    per: dict[str, list[float]] = {}
    for idea in lt.ideas:
        for stage, s in idea.stages_s.items():
            per.setdefault(stage, []).append(s)
        if idea.total_s is not None:
            per.setdefault("trend→ship", []).append(idea.total_s)
    print(f"{'stage':<12}{'ideas':>7}{'p50':>10}{'p99':>10}")
    for stage, vals in per.items():
        a = np.array(vals)
        print(
            f"{stage:<12}{a.size:>7}{format_duration(float(np.percentile(a, 50))):>10}"
            f"{format_duration(float(np.percentile(a, 99))):>10}"
        )


def wrk(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, float]:
    """(requests/s, p99 ms) of wrk -c32 -t2 against url."""
    cmd = ["wrk", "-c32", "-t2", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert m, out
    p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
    return rps, p99


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ideas", type=int, default=200)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="tf-load-"))
    report = asyncio.run(
        run_chaos(data, pipelines=args.ideas, victims=(), variant_count=4, timeout_s=7200)
    )
    print(
        f"{report.shipped}/{report.pipelines} ideas shipped, {report.reached_end} ended, "
        f"in {report.seconds:.0f} s; problems: {report.problems or 'none'}"
    )
    url = f"sqlite:///{(data / 'trendforge.db').resolve()}"
    stage_table(url)
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk): API load skipped")
        return
    with serving(data) as base:
        ensure_user(make_engine(url), "load-viewer", "viewer", "load-viewer-password")
        token = httpx.post(
            f"{base}/auth/token",
            data={"username": "load-viewer", "password": "load-viewer-password"},
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        floor_rps, floor_p99 = wrk(f"{base}/healthz", args.wrk_seconds, headers)
        print(f"{'route':<22}{'req/s':>9}{'p99 ms':>9}{'p99 / healthz':>15}")
        print(f"{'/healthz':<22}{floor_rps:>9.0f}{floor_p99:>9.1f}{1.0:>15.2f}")
        for route in ("/leadtimes", "/ideas?limit=50", "/ideas/1?live=false", "/metrics", "/"):
            rps, p99 = wrk(base + route, args.wrk_seconds, headers)
            print(f"{route:<22}{rps:>9.0f}{p99:>9.1f}{p99 / floor_p99:>15.2f}")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
