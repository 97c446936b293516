"""`python -m bench [name ...]`: run every benchmark package under bench/ (or the named ones)."""

from __future__ import annotations

import importlib
import pkgutil
import runpy
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    here = Path(__file__).parent
    found = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.ispkg)
    for name in names or found:
        if name not in found:
            raise SystemExit(f"no benchmark '{name}': choose from {', '.join(found)}")
        print(f"\n=== bench.{name}", flush=True)
        importlib.invalidate_caches()
        runpy.run_module(f"bench.{name}", run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
