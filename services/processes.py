"""Child processes that never outlive their parent (Linux: the parent-death signal)."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (a no-op off Linux).

    Used as `preexec_fn` of the stack's children and as the mesh pool's initializer, so a
    SIGKILL of `trendforge up` (or of a worker) leaves no orphan holding a port or a core."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
