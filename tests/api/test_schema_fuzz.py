"""Property-based fuzzing of every API operation from the OpenAPI schema (schemathesis).

The real app is served over HTTP on a free port, in its own thread and event loop, backed by
the real database and the real Temporal dev server (pipelines it starts wait on a queue that
no worker polls). Each operation is called with generated valid and invalid input, as an admin
(who may call everything): no answer may be a 5xx, and every documented answer must match its
schema. The 401/403 side is the authorization matrix's job (tests/api/test_authz_matrix.py).
"""

import asyncio
import threading
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.helpers.apps import make_app
from trendforge.temporal import free_port

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def served(
    dev_env, engine, tmp_path_factory, jwt_secret, auth_headers
) -> Iterator[tuple[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """(base URL, admin headers) of the app served by uvicorn in a thread of its own."""
    address = dev_env.client.service_client.config.target_host
    app = make_app(
        engine,
        jwt_secret,
        temporal_address=address,
        task_queue=f"nobody-{uuid.uuid4().hex[:6]}",
        uploads_dir=tmp_path_factory.mktemp("fuzz-uploads"),
        max_upload_bytes=1_000_000,
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}", auth_headers("fuzz-admin", "admin")
    server.should_exit = True
    thread.join(timeout=10)


# the schema is the app's own (no database or Temporal needed to describe the routes); the
# event stream never ends by design, so it is exercised by tests/api/test_pages.py instead
def no_server_fault(ctx, response, case) -> None:  # type: ignore[no-untyped-def]
    """No 5xx, except the designed 503s of a decision no worker is there to take and of /readyz
    (no worker polls here)."""
    if response.status_code >= 500:
        not_ready = case.path == "/readyz" and "not ready" in response.text
        waited = response.status_code == 503 and ("did not answer" in response.text or not_ready)
        assert waited, (
            f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
        )


schema = schemathesis.openapi.from_dict(make_app(None, "schema-only").openapi()).exclude(
    path="/events"
)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_answers_5xx_or_breaks_its_schema(case, served) -> None:  # type: ignore[no-untyped-def]
    base, admin = served
    case.call_and_validate(
        base_url=base,
        headers=admin,
        checks=[no_server_fault, response_schema_conformance, content_type_conformance],
        timeout=30,
    )
