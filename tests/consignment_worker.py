"""A worker in its own OS process for the worker-kill test of a consignment: both queues.

`python -m tests.consignment_worker TEMPORAL_ADDRESS DATABASE_URL QUEUE FILES_DIR`: prints
"ready" once polling, then runs until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from models.db import make_engine
from trendforge.temporal import build_workers


async def main(address: str, url: str, queue: str, files: str) -> None:
    """Run the light and CPU workers on `queue` until the process dies."""
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    engine = make_engine(url)
    async with AsyncExitStack() as stack:
        for w in build_workers(client, engine, Path(files), queue, f"{queue}-cpu"):
            await stack.enter_async_context(w)
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
