"""The portfolio bench's simulation stays honest (small sizes; the bench prints the figures):
booking around others never double books, planning alone does."""

from __future__ import annotations

from bench.scheduling.portfolio import double_booked, factory, ideas, report, run_alone, run_fcfs


def test_fcfs_and_portfolio_never_double_book_and_alone_does() -> None:
    asks, lines = ideas(10, 5.0, seed=3, scale=2.0), factory(6, seed=3)
    alone = run_alone(asks, lines)
    fcfs, _ = run_fcfs(asks, lines, portfolio=False)
    ports = [
        run_fcfs(asks, lines, portfolio=True, weight=0.0, solver=s, time_limit_s=1.0)[0]
        for s in ("greedy", "cpsat")
    ]  # approve any gain
    assert double_booked(alone) > 0
    assert double_booked(fcfs) == 0 and all(double_booked(p) == 0 for p in ports)
    for world in (alone, fcfs, *ports):
        assert set(world.completion) == {a.k for a in asks}
    r = report("fcfs", fcfs, asks)
    assert 0 < r["utilisation"] <= 1 and 0 <= r["on_time"] <= 1
