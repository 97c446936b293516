"""Scheduling benchmark: greedy list scheduler vs CP-SAT on 200 orders × 3 stages × 36 lines."""
