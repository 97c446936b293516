"""`trendforge demo` as a newcomer runs it: embedded Temporal, workers, API, sample trends to
shipment, the merchant's idea delivered to two markets by the simulated carrier, and two mugs
competing for the own glazing lines settled by an approved portfolio replan."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trendforge.temporal import free_port

pytestmark = pytest.mark.slow


def test_demo_ships_every_sample_trend(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TRENDFORGE_DATA_DIR": str(tmp_path / "data"),
        "TRENDFORGE_API_PORT": str(free_port()),
        "TRENDFORGE_TEMPORAL_PORT": str(free_port()),
        "TRENDFORGE_TEMPORAL_UI_PORT": str(free_port()),
        "TRENDFORGE_VARIANT_COUNT": "12",
        "COLUMNS": "200",
    }
    cli = Path(sys.executable).parent / "trendforge"
    done = subprocess.run(
        [str(cli), "demo", "--tick", "0.2"], env=env, capture_output=True, text=True, timeout=900
    )
    out = done.stdout + done.stderr
    (Path("test-artifacts")).mkdir(exist_ok=True)
    Path("test-artifacts/demo-output.txt").write_text(out)
    assert done.returncode == 0, out[-4000:]
    assert "Lead time per stage" in out
    assert "6/6 ideas shipped" in out
    # the bead-eyed toddler plush fails the small-parts test, is picked again with embroidered
    # eyes, and its lab report opens the US gate before it ships
    assert "Compliance: idea" in out and "small_part" in out and "opened US" in out
    # the merchant's idea goes to two markets: its legs are delivered, trend → delivered shown
    assert "2 delivered (markets: DE, US)" in out and "trend→delivered" in out
    # the viral cat mug is late behind the frog mug's bookings on the own glazing lines: the
    # planner sees who holds them, asks for a portfolio replan and approves it; both mugs ship.
    # (When its sourcing finds two glazing suppliers the cat mug holds no own line at all; the
    # replan moves its supplier work onto the own lines then: it proposed nothing before.)
    assert "Planner saw: plan" in out and "lines are held by idea" in out, out[-4000:]
    settled = re.search(r"Portfolio replan (\w+): moved (\d+) idea", out)
    assert settled and settled.group(1) == "approved", out[-4000:]
    assert int(settled.group(2)) >= 1 and "Portfolio replan (own ceramic-glazing lines)" in out
    for phrase in ("palm-sized straw", "crying horse plush", "cat-shaped phone", "toddler bunny",
                   "green frog mug", "black cat mug"):  # fmt: skip
        assert phrase in out
