"""The `trendforge` command: up, worker, api, demo, submit, db upgrade."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from trendforge import dbmigrate
from trendforge.settings import Settings, SettingsError, get_settings

app = typer.Typer(help="TrendForge: from a viral product idea to a shipped production run.")
db_app = typer.Typer(help="Database schema.")
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="People (merchant, planner, viewer, admin) and machine API keys.")
app.add_typer(users_app, name="users")
lanes_app = typer.Typer(help="Delivery lanes and customs rules (engines/logistics/data).")
app.add_typer(lanes_app, name="lanes")
compliance_app = typer.Typer(help="Product safety and market compliance rules.")
app.add_typer(compliance_app, name="compliance")


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _checked_settings() -> Settings:
    """The settings, with the ones that name files checked now: a bad one is a one-line error
    that names it (exit 2), not a traceback from deep in the start."""
    settings = get_settings()
    try:
        settings.temporal_tls()
    except SettingsError as err:
        typer.echo(f"trendforge: {err}", err=True)
        raise typer.Exit(2) from err
    return settings


@app.command()
def up(
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    one_process: Annotated[
        bool, typer.Option("--one-process", help="API and workers in this process, unsupervised")
    ] = False,
) -> None:
    """Embedded Temporal (unless TRENDFORGE_TEMPORAL_ADDRESS is set), the API and each worker as
    supervised processes (a dead one is restarted); Ctrl-C stops all."""
    _logging(verbose)
    if one_process:
        from trendforge.stack import serve_until_interrupted

        asyncio.run(serve_until_interrupted(_checked_settings()))
        return
    from trendforge.supervisor import supervise

    supervise(_checked_settings())


@app.command()
def worker(
    queue: Annotated[str, typer.Option(help="all, light (workflows + bookkeeping) or cpu")] = "all",
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Only the workers, against TRENDFORGE_TEMPORAL_ADDRESS (or an embedded server)."""
    from trendforge.stack import serve_until_interrupted

    if queue not in ("all", "light", "cpu"):
        raise typer.BadParameter("--queue is all, light or cpu")
    _logging(verbose)
    asyncio.run(serve_until_interrupted(_checked_settings(), api=False, queues=queue))


@app.command()
def api(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Only the API, against TRENDFORGE_TEMPORAL_ADDRESS (or an embedded server)."""
    from trendforge.stack import serve_until_interrupted

    _logging(verbose)
    asyncio.run(serve_until_interrupted(_checked_settings(), worker=False))


@app.command()
def demo(
    keep: Annotated[bool, typer.Option(help="Keep the stack running afterwards")] = False,
    tick: Annotated[float, typer.Option(help="Seconds per simulated factory day")] = 0.4,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Start the stack, push the sample trends end to end, print the lead-time table."""
    from trendforge.demo import run_demo

    _logging(verbose)
    base = get_settings()
    settings = base.model_copy(update={"data_dir": base.data_dir / "demo"})
    try:
        code = asyncio.run(run_demo(settings, keep=keep, tick_s=tick))
    except RuntimeError as err:
        typer.echo(f"demo could not start: {err}", err=True)
        raise typer.Exit(2) from err
    raise typer.Exit(code)


@app.command()
def submit(
    text: str,
    merchant: Annotated[str, typer.Option(help="Merchant id")] = "merchant-1",
    size_mm: Annotated[float | None, typer.Option(help="Longest side, mm")] = None,
    volume: Annotated[int, typer.Option(help="Units to produce")] = 20_000,
    api_url: Annotated[str | None, typer.Option(help="Default: the local API")] = None,
    token: Annotated[
        str | None, typer.Option(envvar="TRENDFORGE_TOKEN", help="Bearer JWT (POST /auth/token)")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="TRENDFORGE_API_KEY", help="A merchant-role API key")
    ] = None,
) -> None:
    """Submit an idea to a running API (`trendforge up`) as a logged-in merchant."""
    s = get_settings()
    url = api_url or f"http://{s.api_host}:{s.api_port}"
    body = {
        "text": text,
        "merchant_id": merchant,
        "target_size_mm": size_mm,
        "expected_volume": volume,
    }
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if api_key and not token:
            headers = {"X-API-Key": api_key}
        r = httpx.post(f"{url}/ideas", json=body, headers=headers)
    except httpx.ConnectError:
        typer.echo(f"no API at {url}: start it with `trendforge up`", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(r.json(), indent=2))
    raise typer.Exit(0 if r.is_success else 1)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the Alembic migrations to TRENDFORGE_DATABASE_URL (default: the SQLite file)."""
    url = get_settings().resolved_database_url
    dbmigrate.upgrade(url, revision)
    typer.echo(f"database at {url} is at {revision}")


def _engine():  # type: ignore[no-untyped-def]
    """The migrated database of the settings."""
    from models.db import make_engine

    url = get_settings().resolved_database_url
    dbmigrate.upgrade(url)
    return make_engine(url)


@users_app.command("create")
def users_create(
    name: str,
    role: Annotated[str, typer.Option(help="merchant, planner, viewer or admin")],
    password: Annotated[
        str | None, typer.Option(help="Default: asked twice, hidden", show_default=False)
    ] = None,
) -> None:
    """Create a user who logs in with a password (a merchant's name is their merchant_id)."""
    from api.auth import create_user

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(_engine(), name, role, password)
    except ValueError as err:
        typer.echo(f"cannot create user: {err}", err=True)
        raise typer.Exit(1) from err
    typer.echo(f"user {user.username} ({user.role}) created")


def _change_user(name: str, **change: Any) -> None:
    """Apply an admin change to a user (it revokes their sessions) and say what it did."""
    from api.auth.accounts import update_user

    try:
        user = update_user(_engine(), name, **change)
    except ValueError as err:
        typer.echo(f"cannot change user: {err}", err=True)
        raise typer.Exit(1) from err
    if user is None:
        typer.echo(f"no user '{name}'", err=True)
        raise typer.Exit(1)
    state = "active" if user.active else "deactivated"
    typer.echo(f"user {user.username} ({user.role}, {state}); their sessions are revoked")


@users_app.command("deactivate")
def users_deactivate(name: str) -> None:
    """Deactivate a user: they cannot log in, and their sessions stop working at once."""
    _change_user(name, active=False)


@users_app.command("activate")
def users_activate(name: str) -> None:
    """Let a deactivated user log in again."""
    _change_user(name, active=True)


@users_app.command("role")
def users_role(
    name: str, role: Annotated[str, typer.Argument(help="merchant, planner, viewer or admin")]
) -> None:
    """Change a user's role (their sessions are revoked: they log in again)."""
    _change_user(name, role=role)


@users_app.command("password")
def users_password(
    name: str,
    password: Annotated[
        str | None, typer.Option(help="Default: asked twice, hidden", show_default=False)
    ] = None,
) -> None:
    """Reset a user's password (their sessions are revoked)."""
    if password is None:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    _change_user(name, password=password)


@users_app.command("api-key")
def users_api_key(
    name: str,
    role: Annotated[str, typer.Option(help="machine (default), merchant, planner or viewer")] = (
        "machine"
    ),
    owner: Annotated[str | None, typer.Option(help="Who acts through it; default NAME")] = None,
    merchant: Annotated[
        list[str] | None,
        typer.Option(help="A merchant id it may post signals for (repeat); default trend-feed"),
    ] = None,
) -> None:
    """Create an API key (X-API-Key header) and print it once; only its hash is stored."""
    from api.auth import create_api_key
    from models.names import FEED_MERCHANT

    try:
        row, clear = create_api_key(
            _engine(), name, role, owner or name, "cli", merchant or [FEED_MERCHANT]
        )
    except ValueError as err:
        typer.echo(f"cannot create API key: {err}", err=True)
        raise typer.Exit(1) from err
    bound = ", ".join(row.merchant_ids)
    typer.echo(f"API key {row.id} '{row.name}' ({row.role}, owner {row.owner}, for {bound}):")
    typer.echo(clear)


def _validate_data_file(path: Path) -> tuple[Any, list[str]]:
    """Parse a lanes or customs file (told apart by a top-level `rules` list); (book, problems)."""
    from engines.logistics import DataFileError, parse_customs, parse_lanes
    from engines.logistics.yamlrows import is_customs

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, [f"{path}: cannot read: {getattr(err, 'strerror', None) or err}"]
    parse = parse_customs if is_customs(text) else parse_lanes
    try:
        return parse(text), []
    except DataFileError as err:
        return None, [f"{path}: {problem}" for problem in err.problems]


def _describe(path: Path, book: Any) -> str:
    """One line on a valid file: version, date, rows, estimates."""
    from engines.logistics import LaneBook

    if isinstance(book, LaneBook):
        estimates = sum(lane.estimate for lane in book.lanes)
        modes = sorted({lane.mode for lane in book.lanes})
        return (
            f"{path}: lanes {book.version} ({book.date}): {len(book.lanes)} lanes, "
            f"{len(book.markets)} markets, modes {', '.join(modes)}; {estimates} rows are estimates"
        )
    estimates = sum(rule.estimate for rule in book.rules)
    return (
        f"{path}: customs rules {book.version} ({book.date}): {len(book.rules)} rules; "
        f"{estimates} are estimates"
    )


@lanes_app.command("validate")
def lanes_validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Lanes or customs files; default: the shipped lanes and customs"),
    ] = None,
) -> None:
    """Check lanes/customs files: every problem names its line, row and field; exit 1 on any."""
    from engines.logistics import DEFAULT_CUSTOMS_PATH, DEFAULT_LANES_PATH

    paths = files or [DEFAULT_LANES_PATH, DEFAULT_CUSTOMS_PATH]
    failed = False
    for path in paths:
        book, problems = _validate_data_file(path)
        for line in problems:
            typer.echo(line, err=True)
        if book is not None:
            typer.echo(_describe(path, book))
        failed = failed or bool(problems)
    raise typer.Exit(1 if failed else 0)


@compliance_app.command("validate")
def compliance_validate(
    file: Annotated[
        str | None, typer.Argument(help="Rules YAML (default: the packaged rules)")
    ] = None,
) -> None:
    """Check a compliance rules file; each problem names its line and field (exit 1)."""
    from engines.compliance.errors import RulesError
    from engines.compliance.rules import DEFAULT_RULES, load_rules

    try:
        rules = load_rules(file)
    except RulesError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from None
    count = len(rules.rules)
    typer.echo(
        f"{file or DEFAULT_RULES}: rules {rules.version} (updated {rules.updated}) valid: "
        f"{count} rules for {', '.join(rules.markets)}"
    )


@app.command()
def settings() -> None:
    """Print the effective settings (TRENDFORGE_* environment)."""
    typer.echo(Settings().model_dump_json(indent=2))


def main() -> None:  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
