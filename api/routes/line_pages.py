"""The factory lines page: planners (and admins) change the own lines with plain HTML forms,
no script needed; each form carries the session's anti-forgery token as a hidden field.

Every change goes through the rule a CSV import uses (engines.scheduling.factory_csv
`parse_line`, via services.factory `add_line` / `edit_line` / `import_lines_csv`): a refused
one renders the page again with the reason and the cells sent, answers 4xx and stores nothing;
an accepted one redirects back (303), so a reload never posts twice.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine

from api.auth import Actor
from api.deps import EngineDep, PagePlannerDep
from api.routes.pages import page
from api.routes.suppliers import _csv_text
from api.views import LinesForm, lines_view
from engines.scheduling.factory_csv import COLUMNS
from services.factory import add_line, edit_line, import_lines_csv

LINES = "/app/factory/lines"

router = APIRouter(include_in_schema=False)


def _page(request: Request, engine: Engine, who: Actor, status: int = 200,
          refused: LinesForm | None = None, **notes: object) -> HTMLResponse:  # fmt: skip
    response = page(request, "lines.html", **lines_view(engine, who, refused), **notes)
    response.status_code = status
    return response


def _back(**done: str | int) -> RedirectResponse:
    return RedirectResponse(f"{LINES}?{urlencode(done)}", status_code=303)


async def _cells(request: Request) -> dict[str, str]:
    """The line's cells the form sent (a cell it did not send keeps its stored value)."""
    form = await request.form()
    return {key: value for key in COLUMNS if isinstance(value := form.get(key), str)}


@router.get(LINES, response_class=HTMLResponse)
def lines_page(
    request: Request, who: PagePlannerDep, engine: EngineDep, saved: str = "",
    created: int = -1, updated: int = -1,
) -> HTMLResponse:  # fmt: skip
    """Every own line, editable, with what plans hold of it; the add and import forms."""
    return _page(request, engine, who, saved=saved[:64], created=created, updated=updated)


@router.post(LINES, response_class=HTMLResponse)
async def add_line_form(request: Request, who: PagePlannerDep, engine: EngineDep) -> Response:
    """A new line; 422 with the reason (a bad cell, a line_id taken), nothing stored."""
    cells = await _cells(request)
    try:
        line = await run_in_threadpool(add_line, engine, cells)
    except ValueError as err:
        refused = LinesForm(reason=str(err), cells=cells)
        return await run_in_threadpool(_page, request, engine, who, 422, refused)
    return _back(saved=line.line_id)


@router.post(LINES + "/import", response_class=HTMLResponse)
async def import_lines_form(request: Request, who: PagePlannerDep, engine: EngineDep) -> Response:
    """Upsert lines from an uploaded CSV, all or nothing; 422 lists the bad lines by number."""
    try:
        report = await run_in_threadpool(import_lines_csv, engine, await _csv_text(request))
    except HTTPException as err:  # not UTF-8, too large, no file
        refused = LinesForm(reason=str(err.detail))
        return await run_in_threadpool(_page, request, engine, who, err.status_code, refused)
    if report.errors:
        refused = LinesForm(reason="CSV rejected, nothing imported", import_errors=report.errors)
        return await run_in_threadpool(_page, request, engine, who, 422, refused)
    return _back(created=report.created, updated=report.updated)


@router.post(LINES + "/{line_id}", response_class=HTMLResponse)
async def edit_line_form(
    request: Request, line_id: str, who: PagePlannerDep, engine: EngineDep
) -> Response:
    """Change the cells sent (a row's Save, or Deactivate / Reactivate sending `active`); 422
    with the reason and nothing stored, 404 for no such line."""
    cells = await _cells(request)
    try:
        line = await run_in_threadpool(edit_line, engine, line_id, cells)
    except LookupError as err:
        raise HTTPException(404, str(err)) from err
    except ValueError as err:
        refused = LinesForm(reason=str(err), line_id=line_id, cells=cells)
        return await run_in_threadpool(_page, request, engine, who, 422, refused)
    return _back(saved=line.line_id)
