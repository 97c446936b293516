"""Generic job shop (jobs = [(machine, duration)]) on the same CP-SAT core; OR-Library parser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engines.scheduling import cpsat
from engines.scheduling.problem import Problem, Solution, greedy

JobSpec = Sequence[tuple[int, int]]


@dataclass
class JobShopResult:
    """Makespan, bound and per-operation (job, op, machine, start, end) in time units."""

    makespan: int
    lower_bound: int
    greedy_makespan: int
    status: str
    operations: list[tuple[int, int, int, int, int]]

    @property
    def gap(self) -> float:
        """Relative gap (makespan − bound) / makespan."""
        return (self.makespan - self.lower_bound) / self.makespan if self.makespan else 0.0


def parse_orlib(text: str) -> list[list[tuple[int, int]]]:
    """Jobs from OR-Library job-shop text: 'n m' then per job 'machine duration' pairs."""
    rows = [ln.split() for ln in text.splitlines()]
    nums = [[int(x) for x in r] for r in rows if r and all(x.lstrip("-").isdigit() for x in r)]
    n_jobs, n_machines = nums[0][:2]
    jobs = [list(zip(r[0::2], r[1::2], strict=True)) for r in nums[1 : 1 + n_jobs]]
    if len(jobs) != n_jobs or any(len(j) != n_machines for j in jobs):
        raise ValueError(f"expected {n_jobs} jobs of {n_machines} operations")
    return jobs


def load_orlib(path: str | Path) -> list[list[tuple[int, int]]]:
    """Jobs from an OR-Library job-shop file."""
    return parse_orlib(Path(path).read_text())


def jobshop_problem(jobs: Sequence[JobSpec]) -> Problem:
    """A Problem with one group and one fixed machine per operation."""
    n_machines = 1 + max(m for job in jobs for m, _ in job)
    return Problem(
        n_machines, [[{m: d} for m, d in job] for job in jobs], [0] * len(jobs), due=[None]
    )


def solve_jobshop(
    jobs: Sequence[JobSpec], *, time_limit_s: float = 10.0, workers: int = 2
) -> JobShopResult:
    """Minimum-makespan job shop: greedy warm start, then CP-SAT within time_limit_s seconds."""
    p = jobshop_problem(jobs)
    warm = greedy(p)
    sol: Solution = cpsat.solve(p, hint=warm, time_limit_s=time_limit_s, workers=workers)
    ops = sorted((j, s, m, st, en) for (j, s), (m, st, en) in sol.ops.items())
    return JobShopResult(sol.makespan, int(sol.bound), warm.makespan, sol.status, ops)
