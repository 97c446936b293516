"""WhatIf: a planner's scenarios planned next to a stored plan, on the CPU workers.

The API starts it and waits for the answer, so no solver runs in the API process.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import WhatIfRequest, WhatIfResult
    from models.names import Act, Wf
    from workflows.common import run_activity


@workflow.defn(name=Wf.what_if)
class WhatIf:
    @workflow.run
    async def run(self, request: WhatIfRequest) -> WhatIfResult:
        solving = timedelta(seconds=2 * request.time_limit_s * (len(request.scenarios) + 1))
        options = {
            "start_to_close_timeout": timedelta(minutes=1) + solving,
            "heartbeat_timeout": timedelta(seconds=20),
            "retry_policy": RetryPolicy(maximum_attempts=2),  # bad scenarios are non-retryable
        }
        return await run_activity(
            Act.plan_what_if, request, request.cpu_task_queue, WhatIfResult, options
        )
