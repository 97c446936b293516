"""The import arrows of docs/architecture.md, checked on every module (its source, with ast).

api → services, workflows (typed references), engines, models; never the shell.
activities → services, engines, models; never a workflow.
workflows → models only (activities by name); never an engine, the database or the API.
engines → engines and models.contracts; never the database, sqlmodel, Temporal or bench.
models → nothing of ours. services → engines, models.
trendforge (the shell) may import everything, but its settings import no API.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package (or module) -> imports it must not make (a name and everything below it)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "api": ("trendforge", "activities"),
    "activities": ("workflows", "api", "trendforge"),
    "workflows": (
        "activities",
        "engines",
        "services",
        "api",
        "trendforge",
        "models.db",
        "models.tables",
        "sqlmodel",
        "sqlalchemy",
    ),
    "engines": (
        "bench",
        "models.tables",
        "models.db",
        "models.records",
        "models.names",
        "services",
        "activities",
        "workflows",
        "api",
        "trendforge",
        "temporalio",
        "sqlmodel",
        "sqlalchemy",
    ),
    "models": ("engines", "services", "activities", "workflows", "api", "trendforge"),
    "services": ("activities", "workflows", "api", "trendforge"),
    "trendforge.settings": ("api", "activities", "workflows"),
}

# Known breaks, each with the follow-up that removes it (none at present).
EXCEPTIONS: dict[tuple[str, str], str] = {}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every module `path` imports, at the top or inside a function, absolute or relative."""
    here = module_name(path, root).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _hits(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + ".")


def violations(modules: dict[str, set[str]]) -> list[str]:
    """`module imports name` for every import against the arrows (minus the known ones)."""
    out = []
    for module, names in sorted(modules.items()):
        for layer, banned in FORBIDDEN.items():
            if not _hits(module, layer):
                continue
            reported: list[str] = []  # a.b once, not again as a.b.C
            for name in sorted(names):
                wrong = any(_hits(name, b) for b in banned) and (module, name) not in EXCEPTIONS
                if wrong and not any(_hits(name, r) for r in reported):
                    reported.append(name)
                    out.append(f"{module} imports {name}")
    return out


def our_modules() -> dict[str, set[str]]:
    paths = [p for layer in FORBIDDEN for p in (ROOT / layer.split(".")[0]).rglob("*.py")]
    return {module_name(p): imports_of(p) for p in sorted(set(paths))}


def test_every_layer_imports_along_the_arrows() -> None:
    found = violations(our_modules())
    assert not found, "imports against the arrows (docs/architecture.md):\n" + "\n".join(found)


def test_every_exception_still_exists() -> None:
    modules = our_modules()
    stale = [pair for pair in EXCEPTIONS if pair[1] not in modules.get(pair[0], set())]
    assert not stale, f"exceptions that no longer happen (remove them): {stale}"


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("api.routes.ideas", "from trendforge.settings import get_settings"),
        ("activities.design", "from workflows.trend_to_production import TrendToProduction"),
        ("engines.scheduling.plan", "from models.tables import ProductionPlan"),
        ("engines.trends", "import temporalio.activity"),
        ("workflows.production_run", "from ..activities import planning"),
        ("trendforge.settings", "def f():\n    from api.auth import issue_token"),
    ],
)
def test_an_import_against_the_arrows_is_caught(tmp_path: Path, module: str, source: str) -> None:
    """The check itself: a module written with one wrong import is reported."""
    path = tmp_path.joinpath(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True)
    path.write_text(source + "\n")
    names = imports_of(path, tmp_path)
    assert violations({module: names}), (module, names)
