"""Typed errors of the compliance engine; each carries a reason a person can act on."""

from __future__ import annotations


class ComplianceError(ValueError):
    """Bad input to a compliance check (unknown market, empty part, bad age grade)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RulesError(ComplianceError):
    """A rules file that cannot be used; `problems` name the line and field of each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        head = f"{source}: {len(self.problems)} problem(s)"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))
