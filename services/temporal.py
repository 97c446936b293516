"""The Temporal client side: connect with the pydantic converter, start an idea's pipeline, count
the workers polling a task queue."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    Priority,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import TLSConfig

from models.contracts import IdeaInput, PipelineConfig, PipelineResult, Stage, TrendWorkflowInput
from models.names import LIGHT_QUEUE, MERCHANT_ID, TREND_STAGE, Wf, trend_workflow_id
from services.codec import EncryptionCodec, data_converter


async def connect(
    address: str,
    namespace: str = "default",
    attempts: int = 50,
    payload_key: bytes | None = None,
    tls: TLSConfig | None = None,
) -> Client:
    """A client with the pydantic converter (encrypting payloads when a key is given), over TLS
    when `tls` is given; waits for a server that is still starting. A TLS handshake that fails
    (certificates, names, a plaintext server) fails at once: retrying cannot mend it."""
    for attempt in range(attempts):
        try:
            return await Client.connect(
                address,
                namespace=namespace,
                data_converter=data_converter(payload_key),
                tls=tls or False,
            )
        except RuntimeError as err:
            why = _tls_refused(err) if tls is not None else None
            if why:
                raise RuntimeError(f"TLS to Temporal at {address} failed: {why} ({err})") from err
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.3)
    raise AssertionError("unreachable")


# what the SDK's errors say when the TLS handshake itself fails, and what to do about it
TLS_FAILURES = (
    ("UnknownIssuer", "the server's certificate is not signed by TRENDFORGE_TEMPORAL_TLS_CA"),
    ("BadSignature", "the server's certificate is not signed by TRENDFORGE_TEMPORAL_TLS_CA"),
    (
        "NotValidForName",
        "the server's certificate does not hold the name dialled: set "
        "TRENDFORGE_TEMPORAL_TLS_SERVER_NAME to one it holds",
    ),
    ("InvalidContentType", "the server does not speak TLS there"),
    (
        "close_notify",
        "the server ended the handshake: it wants a client certificate it trusts "
        "(TRENDFORGE_TEMPORAL_TLS_CERT/_KEY)",
    ),
    ("InvalidCertificate", "the server's certificate was refused"),
    ("InvalidMessage", "the TLS handshake failed"),
)


def _tls_refused(err: RuntimeError) -> str | None:
    """Why a TLS connection failed for good, or None when the error may pass (still starting)."""
    text = str(err)
    return next((why for marker, why in TLS_FAILURES if marker in text), None)


def merchant_tag(client: Client, merchant_id: str) -> str:
    """How Temporal's visible fields (search attribute, fairness key) name a merchant: the id,
    or an HMAC of it under the payload key when the client encrypts payloads."""
    codec = client.data_converter.payload_codec
    return codec.name(merchant_id) if isinstance(codec, EncryptionCodec) else merchant_id


async def start_pipeline(
    client: Client,
    trend_id: int,
    idea: IdeaInput,
    config: PipelineConfig | None = None,
    task_queue: str = LIGHT_QUEUE,
) -> WorkflowHandle:
    """Start `trend-<id>`; a second call for the same idea returns the same workflow."""
    config = config or PipelineConfig()
    tag = merchant_tag(client, idea.merchant_id)  # an HMAC of it when payloads are encrypted
    attrs = TypedSearchAttributes(
        [
            SearchAttributePair(MERCHANT_ID, tag),
            SearchAttributePair(TREND_STAGE, Stage.received.value),
        ]
    )
    wid = trend_workflow_id(trend_id)
    try:
        return await client.start_workflow(
            Wf.trend_to_production,
            TrendWorkflowInput(trend_id=trend_id, idea=idea, config=config, merchant_tag=tag),
            id=wid,
            task_queue=task_queue,
            result_type=PipelineResult,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=attrs if config.use_search_attributes else None,
            # its activities and children inherit it: the merchant's share of the workers
            priority=Priority(fairness_key=tag[:64]),
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(wid, result_type=PipelineResult)


# a live worker re-polls at least every minute (long polls); the server remembers a poller for
# five minutes, so only one seen within this many seconds counts as there
POLLER_FRESH_S = 90.0


async def live_pollers(client: Client, task_queue: str, kind: str) -> int:
    """How many workers poll `task_queue` for `kind` ("workflow" or "activity") tasks now."""
    queue_type = {
        "workflow": TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        "activity": TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    }[kind]
    answer = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
            task_queue_type=queue_type,
        ),
        timeout=timedelta(seconds=5),
    )
    now = Timestamp()
    now.GetCurrentTime()
    fresh_after = now.seconds - POLLER_FRESH_S
    return sum(p.last_access_time.seconds >= fresh_after for p in answer.pollers)
