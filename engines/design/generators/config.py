"""Generators from configuration (TRENDFORGE_DESIGN_GENERATORS): a list whose entries are
"parametric" (the embedded engine), a local process {"name", "command", "timeout_s", ...} or an
in-process plug-in {"kind": "python", "name", "factory": "package.module:callable", "options"}."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from engines.design.generators.base import PARAMETRIC, Generator, GeneratorError, MeshGenerator
from engines.design.generators.meshes import MeshSource
from engines.design.generators.parametric import ParametricGenerator
from engines.design.generators.process import MAX_TIMEOUT_S, ProcessGenerator

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")  # a source label (DesignVariant.source)
PROCESS_KEYS = frozenset(
    {"kind", "name", "command", "timeout_s", "max_designs", "max_output_bytes",
     "max_file_bytes", "max_triangles", "env"}
)  # fmt: skip
PYTHON = "{python}"  # in a command: the worker's own interpreter


def generators_from_config(entries: Sequence[str | Mapping[str, Any]]) -> tuple[Generator, ...]:
    """The configured generators in order; GeneratorError saying which entry is wrong and why."""
    if not entries:
        raise GeneratorError('design generators: list at least one (e.g. ["parametric"])')
    out = [_one(e, k) for k, e in enumerate(entries, start=1)]
    names = [g.name for g in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise GeneratorError(f"design generators: the name {twice[0]!r} is used twice")
    return tuple(out)


def _one(entry: str | Mapping[str, Any], k: int) -> Generator:
    """One entry as a generator."""
    if entry == PARAMETRIC:
        return ParametricGenerator()
    if not isinstance(entry, Mapping):
        raise GeneratorError(f"design generator {k}: {entry!r} is not 'parametric' or an object")
    kind = entry.get("kind", "process")
    name = str(entry.get("name", ""))
    if kind == PARAMETRIC:
        return ParametricGenerator()
    if not NAME.match(name) or name == PARAMETRIC:
        raise GeneratorError(
            f"design generator {k}: name {name!r} must be 1-64 of a-z 0-9 _ . - (not 'parametric')"
        )
    if kind == "process":
        return MeshSource(_process(entry, name, k))
    if kind == "python":
        return _python(entry, name, k)
    raise GeneratorError(f"design generator {name}: kind {kind!r} is not process or python")


def _process(entry: Mapping[str, Any], name: str, k: int) -> ProcessGenerator:
    """A local-process generator, its limits checked."""
    unknown = sorted(set(entry) - PROCESS_KEYS)
    if unknown:
        raise GeneratorError(f"design generator {name}: unknown keys {', '.join(unknown)}")
    command = entry.get("command")
    if isinstance(command, str) or not command or not all(isinstance(c, str) for c in command):
        raise GeneratorError(f"design generator {name}: command must be a list of strings")
    timeout = float(entry.get("timeout_s", 30.0))
    if not 0 < timeout <= MAX_TIMEOUT_S:
        raise GeneratorError(
            f"design generator {name}: timeout_s must be in (0, {MAX_TIMEOUT_S:g}]"
        )
    limits = {
        key: int(entry[key])
        for key in ("max_designs", "max_output_bytes", "max_file_bytes", "max_triangles")
        if key in entry
    }
    if any(v < 1 for v in limits.values()):
        raise GeneratorError(f"design generator {name}: limits must be positive integers")
    env = entry.get("env", {})
    if not isinstance(env, Mapping) or not all(isinstance(v, str) for v in env.values()):
        raise GeneratorError(f"design generator {name}: env must map names to strings")
    argv = tuple(_arg(c) for c in command)
    return ProcessGenerator(name, argv, timeout, env=dict(env), **limits)


def _arg(word: str) -> str:
    """A command word as run from the generator's own working folder: {python} is this
    interpreter; a relative path to an existing file becomes absolute (from the worker's cwd)."""
    if word == PYTHON:
        return sys.executable
    path = Path(word)
    return str(path.resolve()) if not path.is_absolute() and path.is_file() else word


def _python(entry: Mapping[str, Any], name: str, k: int) -> Generator:
    """An in-process plug-in: factory(name=..., **options) gives a Generator or MeshGenerator."""
    factory = str(entry.get("factory", ""))
    module_name, _, attr = factory.partition(":")
    try:
        made = getattr(importlib.import_module(module_name), attr)(
            name=name, **dict(entry.get("options", {}))
        )
    except Exception as err:  # noqa: BLE001 - any import or construction failure: say which
        raise GeneratorError(
            f"design generator {name}: factory {factory!r} failed: {err!r}"
        ) from err
    if isinstance(made, Generator):
        return made
    if isinstance(made, MeshGenerator):
        return MeshSource(made)
    raise GeneratorError(f"design generator {name}: {factory} made no propose() or designs()")
