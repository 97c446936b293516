"""Worker processes for the design pipeline's heavy steps: building, joining and writing the
variants. Threads gave little on the 2-core machine: the builders are numpy, trimesh and PIL
work that holds the GIL (manifold3d's booleans already use every core). The workers fork from a
server that imported the design engine once, so a pool starts in a fraction of a second after
the first; they live as long as this process and are shared by every caller (thread-safe).

TRENDFORGE_DESIGN_PROCESSES sets how many (default: the cores, at most MAX_PROCESSES); 0 or 1
runs every step in this process. A pool that breaks (a worker killed) is dropped and its work
done here; the next call starts a new one. Workers whose owner was killed (no shutdown reached
them) end within WATCH_S. A program that uses the engine needs the `if __name__ ==
"__main__":` guard: the workers import its main module."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

ENV = "TRENDFORGE_DESIGN_PROCESSES"
MAX_PROCESSES = 4
# imported by the fork server, so each worker starts with the engine loaded (not torch: the
# workers never read words, they build what was read)
PRELOAD = ("engines.design.generate", "engines.design.forms", "engines.design.subjects",
           "engines.design.features")  # fmt: skip

T = TypeVar("T")
R = TypeVar("R")
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def processes() -> int:
    """Worker processes to use: TRENDFORGE_DESIGN_PROCESSES, else the cores (at most
    MAX_PROCESSES); under 2 means none."""
    raw = os.environ.get(ENV, "").strip()
    try:
        n = int(raw) if raw else min(MAX_PROCESSES, os.cpu_count() or 1)
    except ValueError:
        raise ValueError(f"{ENV} must be a whole number of processes, got {raw!r}") from None
    return max(0, n)


def _get() -> ProcessPoolExecutor | None:
    """The shared pool, started on first use; None when configured off."""
    global _pool
    n = processes()
    if n < 2:
        return None
    with _lock:
        if _pool is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(list(PRELOAD))
            _pool = ProcessPoolExecutor(
                max_workers=n, mp_context=ctx, initializer=_watch, initargs=(os.getpid(),)
            )
        return _pool


WATCH_S = 1.0  # how often a worker checks that the process it works for is alive


def _watch(owner: int) -> None:
    """In each worker: a thread that ends the worker when its owner is gone (killed: no
    shutdown reaches the pool, and the worker would wait for work for ever)."""

    def watch() -> None:
        while True:
            time.sleep(WATCH_S)
            try:
                os.kill(owner, 0)
            except (ProcessLookupError, PermissionError):  # gone, or its pid reused
                os._exit(0)

    threading.Thread(target=watch, name="design-worker-watch", daemon=True).start()


def _drop(broken: ProcessPoolExecutor) -> None:
    """Forget a broken pool (the next call starts a fresh one)."""
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def run(
    fn: Callable[[T], R],
    items: Sequence[T],
    fallback: Callable[[Callable[[T], R], Sequence[T]], list[R]] | None = None,
    done: Callable[[int], None] | None = None,
) -> list[R]:
    """fn over items on the workers, results in order (fn and items must pickle: fn a
    module-level function). With no pool, one item, or a broken pool, fallback(fn, items)
    (default: a loop here) does them. done(k) is called here as item k finishes."""

    def here(f: Callable[[T], R], xs: Sequence[T]) -> list[R]:
        out = []
        for k, x in enumerate(xs):
            out.append(f(x))
            if done is not None:
                done(k)
        return out

    local = fallback or here
    pool = _get() if len(items) > 1 else None
    if pool is None:
        return local(fn, items)
    try:
        futures = [pool.submit(fn, x) for x in items]
        return _gathered(futures, done)
    except BrokenProcessPool:
        _drop(pool)
        return local(fn, items)


def _gathered(futures: list[Future[R]], done: Callable[[int], None] | None) -> list[R]:
    """The futures' results in order, calling done(k) as each finishes (in finishing order)."""
    if done is not None:
        index = {id(f): k for k, f in enumerate(futures)}
        for f in as_completed(futures):
            if f.exception() is None:
                done(index[id(f)])
    return [f.result() for f in futures]


def worker_pids() -> list[int]:
    """The live workers' process ids (for CPU accounting in benchmarks); [] with no pool."""
    pool = _pool
    if pool is None:
        return []
    return [p.pid for p in getattr(pool, "_processes", {}).values() if p.pid is not None]


def cpu_seconds(pids: Iterable[int] | None = None) -> float:
    """User plus system CPU seconds of this process's threads and of the given worker
    processes (default: the pool's live workers; Linux /proc; a worker gone counts 0)."""
    pids = worker_pids() if pids is None else pids
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total
