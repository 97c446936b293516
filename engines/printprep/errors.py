"""Domain errors of the print-preparation engine."""

from __future__ import annotations


class UnprintableMesh(ValueError):
    """A mesh that cannot be made printable; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
