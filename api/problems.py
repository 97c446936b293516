"""Answers for input the routes cannot catch one by one, and the schema of every 4xx body.

A number beyond what the database column holds (an id of 10^30, say) is bad input, not a
server fault: 422 with the database's words. Every 4xx body is `{"detail": ...}`, where
detail is FastAPI's list of field errors or one sentence (or an object with line-by-line
errors, as the CSV import gives); the OpenAPI schema says so, so clients and schemathesis can
check it.
"""

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.auth.roles import ROLE_CHECKS
from api.auth.sessions import actor

# the answers a route gives by what it is, not by what its body does: declared on every
# operation they apply to (a route's own `responses=` adds the rest: 409, 429, 503)
GENERIC_ANSWERS: dict[int, str] = {
    400: "the body cannot be parsed (broken JSON or form data)",
    401: "not signed in: no session, token or API key, or one that is no longer valid",
    403: "signed in, but your role may not do this",
    404: "no such object (another merchant's is answered the same)",
    413: "the body is larger than this route accepts",
    422: "the input is not valid; the detail says which field and why",
}
# what a route that hands its request to a running workflow can also answer
WORKFLOW_ANSWERS: dict[int | str, dict[str, Any]] = {
    409: {"description": "the workflow does not take this now (another stage, or finished)"},
    503: {"description": "the workflow did not answer in time; nothing changed, try again"},
}
BODY_METHODS = {"POST", "PUT", "PATCH"}
ID_MAX = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL (64 on SQLite)


def install_problem_answers(app: FastAPI) -> None:
    """422 for out-of-range numbers; an OpenAPI schema that documents every `detail` shape."""

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        return JSONResponse({"detail": f"a number in the request is out of range: {exc}"}, 422)

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        reason = str(exc.orig).splitlines()[0] if exc.orig else "invalid value"
        return JSONResponse({"detail": f"a value in the request does not fit: {reason}"}, 422)

    answer_http = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        """A 405's Allow lists every method the path takes, not only the first route's."""
        if exc.status_code == 405:
            allow = ", ".join(sorted(allowed_methods(app, request)))
            return JSONResponse({"detail": "Method Not Allowed"}, 405, headers={"Allow": allow})
        if answer_http is None:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        answer = answer_http(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
        if error is not None:
            error["properties"]["detail"] = {
                "title": "Detail",
                "anyOf": [
                    {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                    {"type": "string"},
                    {"type": "object"},
                ],
            }
        declare_generic_answers(schema, app.routes)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def route_answers(route: Any) -> set[int]:
    """The generic answers a route can give: 401 when it needs a caller, 403 when it needs a
    role, 404 when its path names an object, 400 and 413 when it takes a body."""
    calls = set(_calls(route.dependant))
    codes: set[int] = set()
    if actor in calls:
        codes.add(401)
    if calls & ROLE_CHECKS:
        codes.add(403)
    if "{" in route.path_format:
        codes.add(404)
    if route.methods & BODY_METHODS:
        codes |= {400, 413, 422}  # 422: a body it reads itself (a CSV import) can be refused too
    return codes


def declare_generic_answers(schema: dict[str, Any], routes: list[Any]) -> None:
    """Add each operation's generic answers to the schema (never replacing a route's own), with
    the `{"detail": ...}` body every 4xx has."""
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}
    paths = schema.get("paths", {})
    for route in iter_route_contexts(routes):  # through included routers too
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            for param in operation.get("parameters", []):
                # an id beyond the column's range is a 422 (the overflow and DataError handlers)
                is_id = param.get("in") == "path" or str(param.get("name", "")).endswith("id")
                schema_ = param.get("schema", {})
                for bounds in [schema_, *schema_.get("anyOf", [])]:  # `int | None` too
                    if is_id and bounds.get("type") == "integer":
                        bounds.setdefault("maximum", ID_MAX)
                        bounds.setdefault("minimum", -ID_MAX - 1)
            answers = operation.setdefault("responses", {})
            for code in sorted(route_answers(route)):
                answers.setdefault(str(code), {"description": GENERIC_ANSWERS[code]})
            for code, answer in answers.items():
                if code.startswith("4") and "content" not in answer:
                    answer["content"] = body


def allowed_methods(app: FastAPI, request: Request) -> set[str]:
    """Every method some route takes at this request's path (HEAD with GET)."""
    # no route takes this method, so a path match is PARTIAL; without the path parameters the
    # route that answered already put in the scope (matches() adds its own to those)
    scope = {**request.scope, "method": "\x00", "path_params": {}}
    by_params: dict[int, set[str]] = {}  # methods by how many path parameters the route used
    for route in iter_route_contexts(app.routes):
        taken = getattr(route, "methods", None)
        match, child = route.matches(scope)
        if taken and match is Match.PARTIAL:
            by_params.setdefault(len(child.get("path_params") or {}), set()).update(taken)
    # the most specific routes: "/suppliers/import" is the import, not supplier "import"
    return by_params[min(by_params)] if by_params else set()
