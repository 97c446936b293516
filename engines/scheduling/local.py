"""Local search on flow lines: per-machine sequences, semi-active timing, critical-path moves.

A flow line is a Problem whose jobs all have the same stages and whose machines each serve one
stage index, with no setups between groups. A schedule is then a job sequence per machine: each
operation starts as soon as its machine and its job's previous stage are done (and outside
blocked time), stage by stage, so every sequence set is feasible and no move can make a cycle.
"""

from __future__ import annotations

import time

import numpy as np

from engines.scheduling.problem import Problem, Solution, _rank, earliest_fit

Seqs = dict[int, list[int]]  # machine -> jobs in run order
RANDOM_POSITION = 0.15  # share of relocations to a random position (else by next-stage order)
Move = tuple[str, int, int, int, int, int]  # kind, stage, machine, index, machine 2, index 2


def is_flow_line(p: Problem) -> bool:
    """Same stage count everywhere, one stage index per machine, setups irrelevant."""
    if not p.jobs or len({len(st) for st in p.jobs}) != 1:
        return False
    if p.has_setups() and p.n_groups > 1:
        return False
    stage_of: dict[int, int] = {}
    for st in p.jobs:
        for s, alts in enumerate(st):
            if any(stage_of.setdefault(m, s) != s for m in alts):
                return False
    return True


class _Line:
    """Sequences per stage, their timing, and the cost (makespan, Σ squared job ends)."""

    def __init__(self, p: Problem, sol: Solution) -> None:
        self.p, self.n_stages = p, len(p.jobs[0])
        self.stage_machines: list[list[int]] = [[] for _ in range(self.n_stages)]
        by_m: dict[int, list[tuple[int, int]]] = {}
        for (j, _s), (m, st, _) in sol.ops.items():
            by_m.setdefault(m, []).append((st, j))
        for s in range(self.n_stages):
            self.stage_machines[s] = sorted({m for st in p.jobs for m in st[s]})
        self.seqs: Seqs = {m: [] for ms in self.stage_machines for m in ms}
        for m, ops in by_m.items():
            self.seqs[m] = [j for _, j in sorted(ops)]
        n = len(p.jobs)
        self.start = [[0] * n for _ in range(self.n_stages)]
        self.end = [[0] * n for _ in range(self.n_stages)]
        self.m_end: dict[int, int] = {}
        self.where = [{j: m for m in ms for j in self.seqs[m]} for ms in self.stage_machines]
        self.log: list[tuple[int, int, int, int]] = []
        self.retime_all()

    def time_machine(self, s: int, m: int) -> list[int]:
        """Semi-active ticks of machine m's stage-s operations; jobs whose end moved (logged)."""
        p, start, end, log = self.p, self.start[s], self.end[s], self.log
        ready = self.end[s - 1] if s else p.job_release
        t, blocks, moved = p.release[m] + p.setup[m], p.blocked[m], []
        for j in self.seqs[m]:
            d, r = p.jobs[j][s][m], ready[j]
            st = t if t > r else r
            if blocks:
                st = earliest_fit(blocks, st, d)
            t = st + d
            if start[j] != st or end[j] != t:
                log.append((s, j, start[j], end[j]))
                if end[j] != t:
                    moved.append(j)
                start[j], end[j] = st, t
        log.append((-1, m, self.m_end.get(m, 0), 0))
        self.m_end[m] = t if self.seqs[m] else 0
        return moved

    def retime(self, s: int, machines: set[int]) -> None:
        """Retime the given stage-s machines, then whatever their moved jobs touch downstream."""
        while machines:
            moved = [j for m in machines for j in self.time_machine(s, m)]
            s += 1
            if s == self.n_stages:
                return
            machines = {self.where[s][j] for j in moved}

    def retime_all(self) -> None:
        """Retime every machine, stage by stage."""
        for s, ms in enumerate(self.stage_machines):
            for m in ms:
                self.time_machine(s, m)
        self.log.clear()

    def rollback(self) -> None:
        """Restore every tick logged since the log was last cleared."""
        for s, j, st, en in reversed(self.log):
            if s < 0:
                self.m_end[j] = st
            else:
                self.start[s][j], self.end[s][j] = st, en
        self.log.clear()

    def cost(self) -> tuple[int, int]:
        """(makespan, Σ squared job ends): the square sum pulls the latest lots earlier."""
        last = self.stage_machines[-1]
        return max(self.m_end[m] for m in last), sum(e * e for e in self.end[-1])

    def critical(self) -> list[tuple[int, int, int]]:
        """(stage, machine, job) on one critical path, traced back from the latest end."""
        s = self.n_stages - 1
        j = int(np.argmax(self.end[s]))
        machine = self.where[s]
        out = []
        while True:
            m = machine[j]
            out.append((s, m, j))
            seq = self.seqs[m]
            i = seq.index(j)
            ready = self.end[s - 1][j] if s else self.p.job_release[j]
            if self.start[s][j] == ready and s:
                s, machine = s - 1, self.where[s - 1]
            elif i > 0:
                j = seq[i - 1]
            else:
                return out

    def solution(self) -> Solution:
        """The current sequences as a Solution."""
        ops = {}
        for s, ms in enumerate(self.stage_machines):
            for m in ms:
                for j in self.seqs[m]:
                    ops[(j, s)] = (m, self.start[s][j], self.end[s][j])
        return Solution(ops)


def _insert_at(line: _Line, s: int, m: int, j: int) -> int:
    """Position on machine m in order of next-stage start (last stage: of stage-s ready tick)."""
    if s + 1 < line.n_stages:
        key = line.start[s + 1]
    else:
        key = line.end[s - 1] if s else line.p.job_release
    seq, r = line.seqs[m], key[j]
    lo = 0
    while lo < len(seq) and key[seq[lo]] <= r:
        lo += 1
    return lo


def _move(line: _Line, rng: np.random.Generator, crit: list[tuple[int, int, int]]) -> Move:
    """Apply one random move (mostly on the critical path); returns how to undo it."""
    p = line.p
    if crit and rng.random() < 0.8:
        s, _, j = crit[int(rng.integers(len(crit)))]
    else:
        s = int(rng.integers(line.n_stages))
        j = int(rng.integers(len(p.jobs)))
    m = line.where[s][j]
    seq = line.seqs[m]
    i = seq.index(j)
    alts = [k for k in p.jobs[j][s] if k != m]
    kind = rng.random()
    if kind < 0.25 and len(seq) > 1:  # swap with a neighbour on the same machine
        k = i - 1 if (i > 0 and rng.random() < 0.5) or i == len(seq) - 1 else i + 1
        seq[i], seq[k] = seq[k], seq[i]
        return ("swap", s, m, i, m, k)
    if kind < 0.45 and alts:  # exchange with a job on another machine of the stage
        m2 = alts[int(rng.integers(len(alts)))]
        seq2 = line.seqs[m2]
        if seq2:
            i2 = min(_insert_at(line, s, m2, j), len(seq2) - 1)
            j2 = seq2[i2]
            if m in p.jobs[j2][s]:
                seq[i], seq2[i2] = j2, j
                line.where[s][j], line.where[s][j2] = m2, m
                return ("xchg", s, m, i, m2, i2)
    target = alts[int(rng.integers(len(alts)))] if alts and rng.random() < 0.8 else m
    seq.pop(i)
    if rng.random() < RANDOM_POSITION:
        pos = int(rng.integers(len(line.seqs[target]) + 1))
    else:
        pos = _insert_at(line, s, target, j)
        pos = int(np.clip(pos + rng.integers(-1, 2), 0, len(line.seqs[target])))
    line.seqs[target].insert(pos, j)
    line.where[s][j] = target
    return ("reloc", s, m, i, target, pos)


def _touched(mv: Move) -> set[int]:
    """Machines whose sequence a move changed."""
    return {mv[2], mv[4]}


def _undo(line: _Line, mv: Move) -> None:
    """Revert a move returned by _move."""
    if mv[0] == "swap":
        _, _, m, i, _, k = mv
        seq = line.seqs[m]
        seq[i], seq[k] = seq[k], seq[i]
    elif mv[0] == "xchg":
        _, _, m, i, m2, i2 = mv
        a, b = line.seqs[m], line.seqs[m2]
        a[i], b[i2] = b[i2], a[i]
        line.where[mv[1]][a[i]], line.where[mv[1]][b[i2]] = m, m2
    else:
        _, _, m, i, target, pos = mv
        j = line.seqs[target].pop(pos)
        line.seqs[m].insert(i, j)
        line.where[mv[1]][j] = m


def _dues_matter(p: Problem) -> bool:
    """True when tardiness is part of the objective (local search only minimises makespan)."""
    return p.n_groups > 1 and any(d is not None for d in p.due)


def improve(p: Problem, sol: Solution, time_limit_s: float, seed: int = 0) -> Solution:
    """Hill-climb (sideways moves allowed) from sol for time_limit_s; never returns worse."""
    if time_limit_s <= 0 or not is_flow_line(p) or _dues_matter(p):
        return sol
    line, rng = _Line(p, sol), np.random.default_rng(seed)
    deadline = time.perf_counter() + time_limit_s
    cur, crit, it = line.cost(), line.critical(), 0
    while True:
        it += 1
        if it % 64 == 0 and time.perf_counter() > deadline:
            break
        mv = _move(line, rng, crit)
        line.retime(mv[1], _touched(mv))
        new = line.cost()
        if new <= cur:
            if new[0] < cur[0] or rng.random() < 0.2:
                crit = line.critical()
            cur = new
        else:
            _undo(line, mv)
            line.rollback()
        line.log.clear()
    out = line.solution()
    return out if _rank(p, out) <= _rank(p, sol) else sol
