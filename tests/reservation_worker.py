"""One OS process of the cross-process reservation test: wait for "go", reserve, print JSON.

`python -m tests.reservation_worker URL TREND_ID PROCESS UNITS TAG ATTEMPTS`
"""

from __future__ import annotations

import json
import sys

from activities.sourcing import match_and_reserve
from engines.sourcing import NoFeasibleSuppliers
from models.contracts import SourcingRequest
from models.db import make_engine


def main(url: str, trend_id: int, process: str, units: int, tag: str, attempts: int) -> None:
    """Reserve `units`/day of `process` `attempts` times; print the units granted each time."""
    engine = make_engine(url)
    with engine.connect():  # connect (and import everything) before the start signal
        pass
    print("ready", flush=True)
    sys.stdin.readline()
    granted = []
    for k in range(attempts):
        req = SourcingRequest(
            workflow_id=f"wf-{tag}-{k}",
            trend_id=trend_id,
            processes=[process],
            units_per_day=units,
        )
        try:
            res = match_and_reserve(engine, req)
        except NoFeasibleSuppliers:
            granted.append(0)
            continue
        granted.append(sum(a.units_per_day for a in res.assignments))
    print(json.dumps(granted), flush=True)
    engine.dispose()


if __name__ == "__main__":
    url, trend, process, units, tag, attempts = sys.argv[1:7]
    main(url, int(trend), process, int(units), tag, int(attempts))
