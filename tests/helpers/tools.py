"""System tools some tests need (Chromium, PrusaSlicer) and the wheels' binaries."""

import os
import shutil
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def skip_unless_installed(found: bool, what: str, require_env: str, install: str) -> None:
    """Skip a test whose system tool is missing, or fail where CI sets `require_env`=1."""
    if found:
        return
    if os.environ.get(require_env) == "1":
        pytest.fail(f"{what} is missing and {require_env}=1")
    pytest.skip(f"no {what}: `{install}` to run this test")


def wheel_binary(name: str) -> str:
    """A binary installed by a wheel next to this Python (temporal, temporal-test-server)."""
    path = BIN / name
    found = str(path) if path.is_file() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make install`")
    return found


def process_alive(pid: int) -> bool:
    """Whether a process runs (not gone, nor a zombie awaiting its parent's wait; Linux)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
