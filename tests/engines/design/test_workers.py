"""The design worker processes: the same designs as in one process, order kept, a broken
pool's work done here, assets written there, and their CPU counted."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from engines.design import workers
from engines.design.generate import generate_designs, read, write_all_assets
from tests.helpers.tools import process_alive


def _twice_elsewhere(job: tuple[int, int]) -> tuple[int, bool]:
    """Twice the number, and whether a process other than the test's did it."""
    parent, x = job
    return 2 * x, os.getpid() != parent


def _dies_in_a_worker(job: tuple[int, int]) -> int:
    """Kills the worker process it runs on (breaking the pool); in the test's process, x + 1."""
    parent, x = job
    if os.getpid() != parent:
        os._exit(3)
    return x + 1


def _spin(seconds: float) -> int:
    """Busy for about `seconds` of CPU; the worker's pid."""
    import time

    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return os.getpid()


def test_work_runs_on_the_workers_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.ENV, "2")
    out = workers.run(_twice_elsewhere, [(os.getpid(), x) for x in range(9)])
    assert [v for v, _ in out] == [2 * x for x in range(9)]
    assert all(elsewhere for _, elsewhere in out)
    monkeypatch.setenv(workers.ENV, "0")  # off: all here
    out = workers.run(_twice_elsewhere, [(os.getpid(), x) for x in range(3)])
    assert out == [(0, False), (2, False), (4, False)]


def test_a_bad_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.ENV, "two")
    with pytest.raises(ValueError, match="TRENDFORGE_DESIGN_PROCESSES must be a whole number"):
        workers.processes()


def test_a_broken_pool_is_dropped_and_its_work_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.ENV, "2")
    jobs = [(os.getpid(), x) for x in range(4)]
    assert workers.run(_dies_in_a_worker, jobs) == [1, 2, 3, 4]
    # the next call has a fresh pool
    assert all(e for _, e in workers.run(_twice_elsewhere, [(os.getpid(), 1), (os.getpid(), 2)]))


def test_worker_cpu_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.ENV, "2")
    workers.run(_spin, [0.0, 0.0])  # the pool is up
    before = workers.cpu_seconds()
    pids = workers.run(_spin, [0.4, 0.4])
    assert set(pids) <= set(workers.worker_pids())
    assert workers.cpu_seconds() - before >= 0.7


def test_workers_make_the_same_designs_as_one_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = read("frog keychain")
    monkeypatch.setenv(workers.ENV, "0")
    here = generate_designs(spec, 12, seed=4)
    monkeypatch.setenv(workers.ENV, "2")
    there = generate_designs(spec, 12, seed=4)
    assert [v.label for v in there] == [v.label for v in here]
    for a, b in zip(here, there, strict=True):
        assert a.unit_cost_usd == b.unit_cost_usd and a.printable == b.printable
        assert np.allclose(np.sort(a.mesh.vertices, axis=0), np.sort(b.mesh.vertices, axis=0))
    seen: list[int] = []
    paths = write_all_assets(there, tmp_path, [f"v{v.rank:03d}" for v in there], done=seen.append)
    assert sorted(seen) == list(range(12))
    for stl, png in paths:
        assert Path(stl).stat().st_size > 1000 and Path(png).stat().st_size > 1000
        assert Path(stl).with_suffix(".glb").exists()
    assert [Path(s).name for s, _ in paths] == [f"v{k:03d}.stl" for k in range(1, 13)]


_OWNER = """
import sys
from engines.design import workers
from tests.engines.design.test_workers import _spin

if __name__ == "__main__":
    workers.run(_spin, [0.0, 0.0])
    print(" ".join(map(str, workers.worker_pids())), flush=True)
    sys.stdin.read()  # until killed
"""


def test_workers_end_when_their_owner_is_killed(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "owner.py"
    script.write_text(_OWNER)
    env = {**os.environ, workers.ENV: "2", "PYTHONPATH": str(Path.cwd())}
    owner = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        pids = [int(p) for p in owner.stdout.readline().split()]  # type: ignore[union-attr]
        assert len(pids) == 2 and all(process_alive(p) for p in pids)
        owner.send_signal(signal.SIGKILL)  # no shutdown reaches the pool
        owner.wait(10)
        deadline = time.monotonic() + 10 * workers.WATCH_S + 5.0
        while any(process_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(process_alive(p) for p in pids), "a worker outlived its killed owner"
    finally:
        owner.kill()
