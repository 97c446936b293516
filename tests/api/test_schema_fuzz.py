"""Property-based fuzzing of every API operation from the OpenAPI schema (schemathesis).

The real app is served over HTTP on a free port, in its own thread and event loop, backed by
the real database and the real Temporal dev server (pipelines it starts wait on a queue that
no worker polls). Each operation is called with generated valid and invalid input, as an admin
and as a merchant, with every check schemathesis has (`--checks all`): no answer may be a 5xx,
every answer's status code is declared and matches its schema, schema-valid input is taken
(except where the meaning is checked too, listed below), invalid input refused, and a 405
lists every method of its path in Allow. Which role may do what is the authorization matrix's
job (tests/api/test_authz_matrix.py).
"""

import asyncio
import threading
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

from tests.helpers.apps import make_app
from trendforge.temporal import free_port

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def served(
    dev_env, engine, tmp_path_factory, jwt_secret, auth_headers
) -> Iterator[tuple[str, dict[str, dict[str, str]]]]:  # type: ignore[no-untyped-def]
    """(base URL, headers per role) of the app served by uvicorn in a thread of its own."""
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
    roles = {role: auth_headers(f"fuzz-{role}", role) for role in ("admin", "merchant")}
    yield f"http://127.0.0.1:{port}", roles
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


# Operations whose valid input depends on more than its shape, so a schema-valid request can
# rightly get a 422 ("positive data acceptance" does not apply to them); each with the rule the
# schema cannot say. Every other operation must take every schema-valid request.
MEANING_CHECKED = {
    ("POST", "/ideas"): "markets come from the lanes file; destinations' units add up to volume",
    ("POST", "/ideas/upload"): "the mesh must be a readable model file",
    ("POST", "/signals"): "observations must span time and show a trend",
    ("GET", "/suppliers"): "lat and lon come together",
    ("POST", "/suppliers/import"): "the CSV's columns and rows",
    ("POST", "/factory/lines/import"): "the CSV's columns and rows",
    ("POST", "/plans/{plan_id}/whatif"): "scenario names are unique and not 'baseline'",
    ("POST", "/codec/decode"): "payloads are base64 ciphertext under the workers' key",
    ("POST", "/plans/{plan_id}/review"): "a rejection needs a reason",
    ("POST", "/runs/{run_id}/progress"): "the line is one of the run's plan",
    ("POST", "/runs/{run_id}/progress/batch"): "the lines are the run's plan's",
    ("POST", "/ideas/{trend_id}/compliance/{market}/lab-report"): "markets are the rules file's",
    ("GET", "/ideas/{trend_id}/compliance/{market}/lab-report"): "markets are the rules file's",
    ("POST", "/ideas/{trend_id}/compliance/{market}/waiver"): "markets are the rules file's",
    ("GET", "/ideas/{trend_id}/compliance/{market}/documents/{document}"): "the rules' markets",
    ("POST", "/factory/replans"): "the process is one the factory's own lines make",
    ("POST", "/factory/replans/{replan_id}/decision"): "a rejection needs a reason",
}


@pytest.mark.parametrize("role", ["admin", "merchant"])
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_answers_5xx_or_breaks_its_schema(case, served, role) -> None:  # type: ignore[no-untyped-def]
    base, headers = served
    case.call_and_validate(
        base_url=base,
        headers=headers[role],
        additional_checks=[no_server_fault],
        excluded_checks=[not_a_server_error]
        + ([positive_data_acceptance] if (case.method, case.path) in MEANING_CHECKED else []),
        timeout=30,
    )


def test_every_id_parameter_is_bounded_to_the_columns_range() -> None:
    """Ids are 32-bit INTEGER columns on PostgreSQL: every id parameter, optional query ones
    (`int | None`) included, declares that range, so a client learns it from the schema and a
    fuzzer's 37111578174 is outside what the schema promises (it was inside for
    GET /plans?trend_id=, and PostgreSQL's overflow came back as an undeclared refusal)."""
    spec = make_app(None, "schema-only").openapi()
    unbounded = [
        f"{method.upper()} {path} {p['name']}"
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        for p in op.get("parameters", [])
        if p.get("in") == "path" or p["name"].endswith("id")
        for branch in [p["schema"], *p["schema"].get("anyOf", [])]
        if branch.get("type") == "integer" and branch.get("maximum") != 2**31 - 1
    ]
    assert not unbounded, unbounded
