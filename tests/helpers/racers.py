"""OS processes started together: each imports and connects, says "ready", then waits for "go",
so their work really overlaps (the cross-process no-double-booking tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def race(module: str, argvs: Sequence[Sequence[str]], timeout_s: float = 240) -> list[Any]:
    """Run `python -m module *argv` once per argv, release them at once, and return each one's
    last stdout line as JSON (an AssertionError with the outputs when one fails)."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", module, *argv],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for argv in argvs
    ]
    try:
        for w in workers:  # every process imported and connected before any starts its work
            assert w.stdout is not None and w.stdout.readline().strip() == "ready"
        for w in workers:
            assert w.stdin is not None
            w.stdin.write("go\n")
            w.stdin.flush()
        outputs = [w.communicate(timeout=timeout_s)[0] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert [w.returncode for w in workers] == [0] * len(workers), outputs
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]
