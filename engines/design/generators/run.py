"""Ask every generator for candidates: plug-ins in threads beside the parametric build, each
bounded in time; what fails or is late becomes a finding, never an exception."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from engines.design.base import DesignError
from engines.design.generators.base import GenerationRequest, Generator, Proposal
from engines.design.generators.parametric import ParametricGenerator

if TYPE_CHECKING:
    from engines.design.generate import Candidate

PLUGIN_WAIT_S = 50.0  # longest wait for all plug-ins together (a process times out at 45 s)


def propose_all(
    generators: Sequence[Generator] | None, request: GenerationRequest, builders: Any = None
) -> tuple[list[Candidate], list[str]]:
    """Every generator's candidates (default: the parametric engine with `builders`) and the
    findings of what was skipped; DesignError when none proposed anything (the parametric
    engine's own reason when it was asked)."""
    gens = [
        ParametricGenerator(builders, g.name) if isinstance(g, ParametricGenerator) and not g.builders
        else g
        for g in generators or (ParametricGenerator(builders),)
    ]  # fmt: skip
    plugins = [g for g in gens if not isinstance(g, ParametricGenerator)]
    pool = ThreadPoolExecutor(max_workers=len(plugins)) if plugins else None
    running = {id(g): pool.submit(g.propose, request) for g in plugins if pool is not None}
    deadline = time.monotonic() + PLUGIN_WAIT_S
    answers = [_answer(g, running.get(id(g)), request, deadline) for g in gens]
    if pool is not None:
        pool.shutdown(wait=False)  # a plug-in past the deadline is left behind, not waited for
    cands = [c for proposal, _ in answers for c in proposal.candidates]
    skipped = [f for proposal, _ in answers for f in proposal.findings]
    errors = [err for _, err in answers if err is not None]
    if cands:
        return cands, skipped
    if errors:
        raise errors[0]
    form = request.spec.form.replace("_", " ")
    raise DesignError(f"no {form} design came from any generator: " + "; ".join(skipped)[:600])


def _answer(
    g: Generator, running: Future[Proposal] | None, request: GenerationRequest, deadline: float
) -> tuple[Proposal, DesignError | None]:
    """A generator's proposal (the parametric one run here, a plug-in awaited until the
    deadline), or what went wrong as a finding (and the parametric engine's DesignError)."""
    if running is None:
        try:
            return g.propose(request), None
        except DesignError as err:
            return Proposal([], [f"generator {g.name}: {err}"]), err
    try:
        return running.result(max(0.0, deadline - time.monotonic())), None
    except FutureTimeout:
        return Proposal([], [f"generator {g.name} skipped: no answer within {PLUGIN_WAIT_S:g} s"]), None  # fmt: skip
    except Exception as err:  # noqa: BLE001 - a plug-in's failure must not stop the design stage
        return Proposal([], [f"generator {g.name} skipped: it failed ({err!s:.300})"]), None
