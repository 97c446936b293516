"""A flexible job shop in integer ticks: jobs of stages, machine alternatives, setups, greedy."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

Alternatives = dict[int, int]  # machine index -> duration in ticks
MAX_DISPATCH_JOBS = 80
SLACKS = (0.0, 0.25, 0.5)
FLOW_ROUNDS = 6
ALL_ANCHORS = True


@dataclass
class Problem:
    """Jobs (lots) × stages with machine alternatives; groups (orders) share setups and due ticks."""

    n_machines: int
    jobs: list[list[Alternatives]]
    group: list[int]
    due: list[int | None] = field(default_factory=list)  # per group, ticks (None: no due)
    setup: list[int] = field(default_factory=list)  # per machine, ticks before a group's campaign
    release: list[int] = field(default_factory=list)  # per machine, ticks
    blocked: list[list[tuple[int, int]]] = field(default_factory=list)  # per machine [start, end)
    cost: list[int] = field(default_factory=list)  # per machine, paid once if used
    job_release: list[int] = field(default_factory=list)  # per job, ticks

    def __post_init__(self) -> None:
        m, n_groups = self.n_machines, max(self.group, default=-1) + 1
        self.due = self.due or [None] * n_groups
        self.setup = self.setup or [0] * m
        self.release = self.release or [0] * m
        self.blocked = self.blocked or [[] for _ in range(m)]
        self.cost = self.cost or [0] * m
        self.job_release = self.job_release or [0] * len(self.jobs)
        for blocks in self.blocked:
            blocks.sort()

    @property
    def n_groups(self) -> int:
        """Number of groups (orders)."""
        return len(self.due)

    def has_setups(self) -> bool:
        """True when some machine needs a setup (changeover or ramp loss) per campaign."""
        return any(s > 0 for s in self.setup)


@dataclass
class Solution:
    """Per (job, stage): (machine, start tick, end tick); plus the solver's figures."""

    ops: dict[tuple[int, int], tuple[int, int, int]]
    objective: float = 0.0
    bound: float = 0.0
    status: str = "GREEDY"
    wall_s: float = 0.0

    @property
    def makespan(self) -> int:
        """Latest end tick over all operations."""
        return max((e for _, _, e in self.ops.values()), default=0)


def job_end(problem: Problem, sol: Solution, job: int) -> int:
    """End tick of a job's last stage."""
    return sol.ops[(job, len(problem.jobs[job]) - 1)][2]


def tardiness(problem: Problem, sol: Solution) -> list[int]:
    """Per group: ticks its last job ends after its due tick (0 when on time or no due)."""
    ends = [0] * problem.n_groups
    for j, g in enumerate(problem.group):
        ends[g] = max(ends[g], job_end(problem, sol, j))
    return [max(0, e - d) if d is not None else 0 for e, d in zip(ends, problem.due, strict=True)]


def used_cost(problem: Problem, sol: Solution) -> int:
    """Total cost of the machines a solution uses."""
    return sum(problem.cost[m] for m in {m for m, _, _ in sol.ops.values()})


def weights(problem: Problem, horizon: int) -> tuple[int, int, int]:
    """Lexicographic weights (tardiness, makespan, cost): one tick of each outweighs all below."""
    w_cost = 1
    w_makespan = sum(problem.cost) + 1
    # one group: its tardiness max(0, makespan − due) only grows with the makespan, so drop it
    dues = any(d is not None for d in problem.due) and problem.n_groups > 1
    w_tardy = w_makespan * (horizon + 1) if dues else 0
    return w_tardy, w_makespan, w_cost


def objective(problem: Problem, sol: Solution, horizon: int) -> int:
    """The weighted objective of a solution (same as the CP-SAT model's)."""
    wt, wm, wc = weights(problem, horizon)
    return wt * sum(tardiness(problem, sol)) + wm * sol.makespan + wc * used_cost(problem, sol)


def earliest_fit(blocks: list[tuple[int, int]], start: int, duration: int) -> int:
    """Earliest tick ≥ start where [t, t + duration) misses every blocked interval."""
    t = start
    i = max(bisect.bisect_right(blocks, (t, t)) - 1, 0)
    while i < len(blocks):
        b0, b1 = blocks[i]
        if b1 <= t:
            i += 1
            continue
        if b0 >= t + duration:
            break
        t, i = b1, i + 1
    return t


class _Dispatcher:
    """Appends operations at machine ends (no insertion), one campaign per (group, machine)."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.free = list(problem.release)
        self.current = [-1] * problem.n_machines
        self.used = [False] * problem.n_machines
        self.ops: dict[tuple[int, int], tuple[int, int, int]] = {}
        self.insert = not problem.has_setups()  # fill idle gaps unless campaigns must be contiguous
        self.occupied = [list(b) for b in problem.blocked]

    def option(self, job: int, stage: int, ready: int, m: int, d: int) -> tuple[int, int, int]:
        """(end, start, machine) if job's stage goes on machine m next."""
        p, g = self.p, self.p.group[job]
        if self.insert:
            start = earliest_fit(self.occupied[m], max(ready, p.release[m]), d)
            return start + d, start, m
        setup = p.setup[m] if self.current[m] != g else 0
        start = earliest_fit(p.blocked[m], max(ready, self.free[m] + setup), d)
        return start + d, start, m

    def best(self, job: int, stage: int, ready: int, slack: float = 0.0) -> tuple[int, int, int]:
        """Earliest-completion machine (slack > 0: earliest start among nearly as early ends)."""
        alts = self.p.jobs[job][stage]
        opts = [self.option(job, stage, ready, m, d) for m, d in alts.items()]
        if slack > 0:
            end = min(o[0] for o in opts)
            limit = end + slack * (end - min(o[1] for o in opts))
            opts = [o for o in opts if o[0] <= limit]
            return min(opts, key=lambda o: (o[1], o[0], o[2]))
        return min(opts, key=lambda o: (o[0], self.p.cost[o[2]] * (not self.used[o[2]]), o[2]))

    def place(self, job: int, stage: int, end: int, start: int, m: int) -> None:
        """Commit an operation to a machine."""
        self.ops[(job, stage)] = (m, start, end)
        self.free[m], self.current[m], self.used[m] = end, self.p.group[job], True
        if self.insert:
            bisect.insort(self.occupied[m], (start, end))


def _dispatch(problem: Problem, jobs: list[int], d: _Dispatcher) -> None:
    """Earliest-completion-time list scheduling of the given jobs' operations, stage order."""
    nxt = {j: 0 for j in jobs}
    ready = {j: problem.job_release[j] for j in jobs}
    left = {j: [min(a.values()) for a in problem.jobs[j]] for j in jobs}
    while nxt:
        picks = [(d.best(j, s, ready[j]), j) for j, s in nxt.items()]
        first_end = min(o[0] for o, _ in picks)
        # Giffler–Thompson flavour: of the operations that can start before the earliest
        # completion, take the one whose job has the most work left (MWKR)
        conflict = [(o, j) for o, j in picks if o[1] < first_end]
        (end, start, m), j = max(conflict, key=lambda pj: (sum(left[pj[1]][nxt[pj[1]] :]), -pj[1]))
        d.place(j, nxt[j], end, start, m)
        ready[j] = end
        nxt[j] += 1
        if nxt[j] == len(problem.jobs[j]):
            del nxt[j]


def _serial(problem: Problem, order: list[int], slack: float) -> Solution:
    """Each job in turn, all its stages, on the best machine (gap insertion when no setups)."""
    d = _Dispatcher(problem)
    for j in order:
        ready = problem.job_release[j]
        for s in range(len(problem.jobs[j])):
            end, start, m = d.best(j, s, ready, slack)
            d.place(j, s, end, start, m)
            ready = end
    return Solution(d.ops)


def _job_orders(problem: Problem, restarts: int, seed: int = 0) -> list[list[int]]:
    """Job sequences for serial scheduling: groups by due tick, then LPT or short-head-first LPT."""
    work = [sum(min(a.values()) for a in st) for st in problem.jobs]
    head = [min(st[0].values()) for st in problem.jobs]
    n_fast = max(len(st[0]) for st in problem.jobs) * 2

    def by_group(key: Sequence[float]) -> list[int]:
        due = [(problem.due[g] is None, problem.due[g] or 0, g) for g in problem.group]
        return sorted(range(len(problem.jobs)), key=lambda j: (due[j], key[j], j))

    shortest = set(sorted(range(len(work)), key=head.__getitem__)[:n_fast])
    orders = [by_group([-w for w in work])]
    orders.append(by_group([-w * (j not in shortest) for j, w in enumerate(work)]))
    rng = np.random.default_rng(seed)
    for _ in range(restarts):  # LPT with ±15% noise: list schedules are chaotic, sample a few
        orders.append(by_group(list(-np.asarray(work) * rng.uniform(0.85, 1.15, len(work)))))
    return orders


def _rank(problem: Problem, sol: Solution) -> tuple[int, int, int]:
    """Lexicographic (tardiness, makespan, cost) of a solution."""
    return sum(tardiness(problem, sol)), sol.makespan, used_cost(problem, sol)


def _bottleneck_stage(problem: Problem) -> int:
    """Stage index with the most pooled work: Σ_jobs 1 / Σ_machines (1 / ticks)."""
    n_stages = len(problem.jobs[0])
    load = [
        sum(1.0 / sum(1.0 / d for d in st[s].values()) for st in problem.jobs)
        for s in range(n_stages)
    ]
    return int(np.argmax(load))


def _lambda(ordered: list[int]) -> list[int]:
    """Ascending items in Λ order: small ones first (to feed) and last (to drain), big mid-run."""
    return ordered[0::2] + ordered[1::2][::-1]


def _staggered(ordered: list[int], k: int, n: int) -> list[int]:
    """Line k of n: smallest first, second smallest last, its Λ middle rotated by k / n.

    Lines in step would all run their biggest lots at once, and the work in progress between
    stages (a lot moves on only whole) peaks then; out of step, the lots in process at any
    moment mix sizes and the feeding stage keeps up with less of a lead.
    """
    if len(ordered) < 4:
        return _lambda(ordered)
    mid = _lambda(ordered[2:])
    r = k * len(mid) // n
    return ordered[:1] + mid[r:] + mid[:r] + ordered[1:2]


def _shaped(ordered: list[int], shape: str, k: int, n: int) -> list[int]:
    """A line's ascending lots in run order: Λ, staggered Λ (line k of n), rising or falling."""
    if shape == "rise":
        return list(ordered)
    if shape == "fall":
        return ordered[::-1]
    return _staggered(ordered, k, n) if shape == "stagger" else _lambda(ordered)


def _bottleneck_sequences(
    problem: Problem, b: int, head: list[int], idle: dict[int, int], shape: str = "lambda"
) -> dict[int, list[int]]:
    """Jobs per bottleneck machine: LPT onto the earliest-finishing one (its idle ticks counted).

    Each line's jobs then run in the given shape (see _shaped and _anchor_shapes).
    """
    free = {m: problem.release[m] + idle.get(m, 0) for st in problem.jobs for m in st[b]}
    seqs: dict[int, list[int]] = {m: [] for m in free}
    work = [min(st[b].values()) for st in problem.jobs]
    for j in sorted(range(len(problem.jobs)), key=lambda j: (-work[j], j)):
        alts = problem.jobs[j][b]
        m = min(alts, key=lambda k: (max(free[k], head[j]) + alts[k], k))
        free[m] = max(free[m], head[j]) + alts[m]
        seqs[m].append(j)
    ascending = {m: sorted(js, key=lambda j: (problem.jobs[j][b][m], j)) for m, js in seqs.items()}
    return {
        m: _shaped(js, shape, k, len(seqs)) for k, (m, js) in enumerate(sorted(ascending.items()))
    }


def _upstream(
    problem: Problem, d: _Dispatcher, b: int, need: dict[int, int], ready: list[int]
) -> None:
    """Stages before the bottleneck, each job by its latest start (bottleneck start − work left)."""
    work = [[min(a.values()) for a in st] for st in problem.jobs]
    for s in range(b):
        for j in sorted(range(len(problem.jobs)), key=lambda j: (need[j] - sum(work[j][s:b]), j)):
            end, start, m = d.best(j, s, ready[j])
            d.place(j, s, end, start, m)
            ready[j] = end


def _on_sequences(
    problem: Problem, d: _Dispatcher, b: int, seqs: dict[int, list[int]], ready: list[int]
) -> None:
    """The bottleneck stage: each machine runs its sequence, next to start goes first."""
    queue = {m: list(js) for m, js in seqs.items() if js}
    while queue:
        m = min(queue, key=lambda k: (max(d.free[k], ready[queue[k][0]]), k))
        j = queue[m].pop(0)
        if not queue[m]:
            del queue[m]
        end, start, _ = d.option(j, b, ready[j], m, problem.jobs[j][b][m])
        d.place(j, b, end, start, m)
        ready[j] = end


def _downstream(problem: Problem, d: _Dispatcher, b: int, ready: list[int]) -> None:
    """Stages after the bottleneck: when a machine frees, the ready job with most work left."""
    work = [[min(a.values()) for a in st] for st in problem.jobs]
    for s in range(b + 1, len(problem.jobs[0])):
        machines = {m for st in problem.jobs for m in st[s]}
        left = sorted(range(len(problem.jobs)), key=lambda j: (ready[j], j))
        while left:
            t = max(min(d.free[m] for m in machines), ready[left[0]])
            j = max((j for j in left if ready[j] <= t), key=lambda j: (sum(work[j][s:]), -j))
            end, start, m = d.best(j, s, ready[j])
            d.place(j, s, end, start, m)
            ready[j] = end
            left.remove(j)


def bottleneck_first(problem: Problem) -> Solution | None:
    """Flow-line heuristic: balance the bottleneck stage, feed it on time, drain it by priority.

    None when jobs differ in stage count, or campaigns of several groups need setups.
    """
    counts = {len(st) for st in problem.jobs}
    if len(counts) != 1 or 0 in counts or (problem.has_setups() and problem.n_groups > 1):
        return None
    n_stages = len(problem.jobs[0])
    anchors = [_bottleneck_stage(problem)]
    anchors += [b for b in range(n_stages) if b != anchors[0]] if ALL_ANCHORS else []
    work = [min(st[0].values()) for st in problem.jobs]
    mixed = max(work) > 1.1 * min(work)  # lots of one size: every shape runs equals alike
    runs = (
        _anchored(problem, b, shape)
        for b in anchors
        for shape in _anchor_shapes(b, n_stages, mixed)
    )
    return min(runs, key=lambda sol: sol.makespan)


def _anchor_shapes(b: int, n_stages: int, mixed: bool) -> list[str]:
    """Line shapes worth trying with stage b as the anchor.

    Λ always. With lots of mixed sizes also the staggered Λ, and at an end of the routing the
    shape of Johnson's rule for two stages (the slower second: lots in rising order of their
    first-stage ticks; the slower first: falling order of their second-stage ticks). An anchor
    with no stage before it has nothing to fill, only a drain, so its lots fall in size; with
    none after it nothing drains, and they rise.
    """
    if not mixed:
        return ["lambda"]
    shapes = ["lambda", "stagger"]
    if n_stages > 1 and b == 0:
        shapes.append("fall")
    if n_stages > 1 and b == n_stages - 1:
        shapes.append("rise")
    return shapes


def _anchored(problem: Problem, b: int, shape: str = "lambda") -> Solution:
    """The flow-line schedule balanced on stage b, best of a few idle-aware rebalancings."""
    head = [
        problem.job_release[j] + sum(min(a.values()) for a in st[:b])
        for j, st in enumerate(problem.jobs)
    ]
    best: Solution | None = None
    idle: dict[int, int] = {}
    for _ in range(FLOW_ROUNDS):  # rebalance with each line's observed idle ticks
        seqs = _bottleneck_sequences(problem, b, head, idle, shape)
        sol = _flow_schedule(problem, b, seqs)
        best = sol if best is None or sol.makespan < best.makespan else best
        idle = {m: _idle_ticks(problem, sol, b, m, js) for m, js in seqs.items() if js}
    assert best is not None
    return best


def _idle_ticks(problem: Problem, sol: Solution, b: int, m: int, jobs: list[int]) -> int:
    """Ticks machine m stood idle between its release and its last bottleneck operation."""
    busy = sum(sol.ops[(j, b)][2] - sol.ops[(j, b)][1] for j in jobs)
    return max(sol.ops[(j, b)][2] for j in jobs) - problem.release[m] - busy


def _flow_schedule(problem: Problem, b: int, seqs: dict[int, list[int]]) -> Solution:
    """All stages given the bottleneck sequences: feed them, run them, drain them."""
    need: dict[int, int] = {}
    for m, js in seqs.items():
        t = problem.release[m]
        for j in js:
            need[j], t = t, t + problem.jobs[j][b][m]
    d, ready = _Dispatcher(problem), list(problem.job_release)
    _upstream(problem, d, b, need, ready)
    _on_sequences(problem, d, b, seqs, ready)
    _downstream(problem, d, b, ready)
    return Solution(d.ops)


def greedy(problem: Problem, restarts: int = 4) -> Solution:
    """Best of a few list schedules (dispatching, serial LPT, bottleneck-first); ms to ~1 s."""
    candidates = [_serial(problem, o, k) for o in _job_orders(problem, restarts) for k in SLACKS]
    flow = bottleneck_first(problem) if problem.jobs else None
    candidates += [flow] if flow is not None else []
    if len(problem.jobs) > MAX_DISPATCH_JOBS:  # dispatching is quadratic in jobs
        return min(candidates, key=lambda s: _rank(problem, s))
    d = _Dispatcher(problem)
    if problem.has_setups():
        by_group: dict[int, list[int]] = {}
        for j, g in enumerate(problem.group):
            by_group.setdefault(g, []).append(j)
        order = sorted(by_group, key=lambda g: (problem.due[g] is None, problem.due[g] or 0, g))
        for g in order:
            _dispatch(problem, by_group[g], d)
    else:
        _dispatch(problem, list(range(len(problem.jobs))), d)
    candidates.append(Solution(d.ops))
    return min(candidates, key=lambda s: _rank(problem, s))


def _machine_violations(p: Problem, m: int, ops: list[tuple[int, int, int, int]]) -> list[str]:
    """Overlap, blocked time, release and campaign setups on one machine (ops: start, end, job)."""
    out, seen, prev_end, prev_group = [], set(), p.release[m], -1
    for st, en, j, s in sorted(ops):
        g = p.group[j]
        if st < prev_end + (p.setup[m] if g != prev_group else 0):
            out.append(f"machine {m}: job {j} stage {s} starts at {st}, too early")
        if any(a < en and st < b for a, b in p.blocked[m]):
            out.append(f"machine {m}: job {j} stage {s} overlaps blocked time")
        if g != prev_group and g in seen and p.setup[m] > 0:
            out.append(f"machine {m}: group {g} has two campaigns")
        seen.add(g)
        prev_end, prev_group = en, g
    return out


def violations(p: Problem, sol: Solution) -> list[str]:
    """Every broken constraint of a solution (empty list: feasible)."""
    out: list[str] = []
    by_machine: dict[int, list[tuple[int, int, int, int]]] = {}
    for j, stages in enumerate(p.jobs):
        for s, alts in enumerate(stages):
            m, st, en = sol.ops[(j, s)]
            if alts.get(m) != en - st:
                out.append(f"job {j} stage {s}: machine {m} or duration {en - st} not allowed")
            prev = sol.ops[(j, s - 1)][2] if s else p.job_release[j]
            if st < prev:
                out.append(f"job {j} stage {s} starts at {st} before {prev}")
            by_machine.setdefault(m, []).append((st, en, j, s))
    for m, ops in by_machine.items():
        out += _machine_violations(p, m, ops)
    return out
