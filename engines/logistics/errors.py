"""Typed logistics errors: each carries a human-readable reason."""

from __future__ import annotations

from dataclasses import dataclass


class LogisticsError(ValueError):
    """Base of the delivery leg's domain errors; `reason` is what a person reads."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FileProblem:
    """One problem in a lanes or customs file: where (line, list, row, field) and what."""

    message: str
    line: int | None = None  # 1-based line in the file
    section: str = ""  # "lanes", "rules", "sources" ... ("" = the top level)
    row: int | None = None  # 1-based position in the section's list
    row_id: str | None = None
    field: str = ""

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line else []
        if self.row is not None:
            name = f" ({self.row_id})" if self.row_id else ""
            where.append(f"{self.section} row {self.row}{name}")
        elif self.section:
            where.append(self.section)
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class DataFileError(LogisticsError):
    """A lanes or customs file that does not validate; `problems` names each row and field."""

    def __init__(self, kind: str, problems: list[FileProblem]) -> None:
        self.problems = problems
        first = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{kind} file has {len(problems)} problem(s): {first}{more}")


class UnknownMarket(LogisticsError):
    """A market code the lanes file does not list."""

    def __init__(self, market: str, known: list[str]) -> None:
        super().__init__(f"unknown market {market!r}; known: {', '.join(known)}")
        self.market = market


class NoLane(LogisticsError):
    """A known market with no lane that can carry the consignment."""


class PackingError(LogisticsError):
    """A product that cannot be measured or packed (empty mesh, unknown material)."""


class BadShipment(LogisticsError):
    """A consignment request that makes no sense (no units, deadline before it is ready)."""
