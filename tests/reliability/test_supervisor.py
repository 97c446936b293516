"""`trendforge up` supervised: a killed worker comes back by itself (/readyz red, then green),
and a SIGKILL of `up` leaves no process behind; the next `up` stops the dev server an earlier,
uncleanly ended run left on its port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.tools import process_alive
from trendforge.temporal import free_port, port_open

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _children_of(pid: int) -> list[int]:
    """Direct children of a process (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _cmd(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _ready(api: str, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            if httpx.get(f"{api}/readyz", timeout=5).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(1)
    return False


def _up(data: Path, ports: dict[str, int]) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRENDFORGE_DATA_DIR": str(data),
        "TRENDFORGE_API_PORT": str(ports["api"]),
        "TRENDFORGE_TEMPORAL_PORT": str(ports["temporal"]),
        "TRENDFORGE_TEMPORAL_UI_PORT": str(ports["ui"]),
        "TRENDFORGE_SUPPLIER_COUNT": "60",
    }
    env.pop("TRENDFORGE_TEMPORAL_ADDRESS", None)
    log = (data / "up.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "trendforge.cli", "up"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def test_a_killed_worker_comes_back_and_a_killed_up_leaves_nothing(tmp_path: Path) -> None:
    ports = {"api": free_port(), "temporal": free_port(), "ui": free_port()}
    api = f"http://127.0.0.1:{ports['api']}"
    up = _up(tmp_path, ports)
    try:
        assert _ready(api, 180), (tmp_path / "up.log").read_text()[-3000:]
        kids = {_cmd(p): p for p in _children_of(up.pid)}
        cpu = next(p for c, p in kids.items() if "--queue cpu" in c)
        os.kill(cpu, signal.SIGKILL)
        # red while the CPU queue has no poller, then green again with a new worker process
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and httpx.get(f"{api}/readyz").status_code == 200:
            time.sleep(0.5)
        assert _ready(api, 120), (tmp_path / "up.log").read_text()[-3000:]
        again = {_cmd(p): p for p in _children_of(up.pid)}
        assert next(p for c, p in again.items() if "--queue cpu" in c) != cpu
        assert "worker-cpu killed by SIGKILL" in (tmp_path / "up.log").read_text()
        everyone = [p for p in _children_of(up.pid)]
        grandchildren = [g for p in everyone for g in _children_of(p)]
        os.kill(up.pid, signal.SIGKILL)
        up.wait(timeout=10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(
            process_alive(p) for p in everyone + grandchildren
        ):
            time.sleep(0.5)
        left = [_cmd(p) for p in everyone + grandchildren if process_alive(p)]
        assert not left, f"left behind: {left}"
        # a Go server's leader thread is a zombie before its other threads let the port go
        deadline = time.monotonic() + 20
        while port_open("127.0.0.1", ports["temporal"]) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not port_open("127.0.0.1", ports["temporal"])
    finally:
        if up.poll() is None:
            up.kill()


def test_up_stops_a_dev_server_an_earlier_run_left_behind(tmp_path: Path) -> None:
    """An orphaned dev server of ours (its pid in the data folder) is stopped, not fought."""
    from trendforge.settings import Settings
    from trendforge.temporal import dev_server_command

    ports = {"api": free_port(), "temporal": free_port(), "ui": free_port()}
    settings = Settings(
        _env_file=None, data_dir=tmp_path, temporal_port=ports["temporal"],
        temporal_ui_port=ports["ui"],
    )  # fmt: skip
    orphan = subprocess.Popen(dev_server_command(settings), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    (tmp_path / "temporal.pid").write_text(str(orphan.pid))
    deadline = time.monotonic() + 60
    while not port_open("127.0.0.1", ports["temporal"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    up = _up(tmp_path, ports)
    try:
        assert _ready(f"http://127.0.0.1:{ports['api']}", 180), (tmp_path / "up.log").read_text()
        assert orphan.poll() is not None  # the orphan was stopped; a new server answers
        assert "an earlier run left behind" in (tmp_path / "up.log").read_text()
    finally:
        up.send_signal(signal.SIGINT)
        try:
            up.wait(timeout=40)
        except subprocess.TimeoutExpired:
            up.kill()
        if orphan.poll() is None:
            orphan.kill()
    assert not port_open("127.0.0.1", ports["temporal"])
