"""The spec reader: a merchant's idea text -> DesignSpec in the canonical names of kit.vocab."""

from __future__ import annotations

from engines.design.reader.read import read_spec

__all__ = ["read_spec"]
