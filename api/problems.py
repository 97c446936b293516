"""Answers for input the routes cannot catch one by one, and the schema of every 4xx body.

A number beyond what the database column holds (an id of 10^30, say) is bad input, not a
server fault: 422 with the database's words. Every 4xx body is `{"detail": ...}`, where
detail is FastAPI's list of field errors or one sentence (or an object with line-by-line
errors, as the CSV import gives); the OpenAPI schema says so, so clients and schemathesis can
check it.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError


def install_problem_answers(app: FastAPI) -> None:
    """422 for out-of-range numbers; an OpenAPI schema that documents every `detail` shape."""

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        return JSONResponse({"detail": f"a number in the request is out of range: {exc}"}, 422)

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        reason = str(exc.orig).splitlines()[0] if exc.orig else "invalid value"
        return JSONResponse({"detail": f"a value in the request does not fit: {reason}"}, 422)

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
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
