"""One OS process of the cross-process booking test: wait for "go", plan and book, print JSON.

`python -m tests.booking_worker URL TREND_ID PROCESS QUANTITY TAG PLANS`
"""

from __future__ import annotations

import json
import sys

from activities.planning import PlanningActivities
from models.db import make_engine
from tests.test_bookings import plan_request


def main(url: str, trend_id: int, process: str, quantity: int, tag: str, plans: int) -> None:
    """Plan `plans` orders of `quantity` units on `process`; print each plan's completion day."""
    engine = make_engine(url)
    with engine.connect():  # connect (and import everything) before the start signal
        pass
    acts = PlanningActivities(engine)
    print("ready", flush=True)
    sys.stdin.readline()
    done = []
    for k in range(plans):
        req = plan_request(trend_id, process, quantity, f"wf-{tag}-{k}")
        done.append(acts.plan_production(req).completion_day)
    print(json.dumps(done), flush=True)
    engine.dispose()


if __name__ == "__main__":
    url, trend, process, quantity, tag, plans = sys.argv[1:7]
    main(url, int(trend), process, int(quantity), tag, int(plans))
