"""Deterministic orchestration: no I/O, no clock, no randomness, no heavy imports."""

from workflows.production_run import ProductionRun
from workflows.prototype_preparation import PrototypePreparation
from workflows.trend_to_production import TrendToProduction
from workflows.trend_watch import TrendWatch
from workflows.what_if import WhatIf

ALL_WORKFLOWS = [TrendToProduction, PrototypePreparation, ProductionRun, TrendWatch, WhatIf]

__all__ = [
    "ALL_WORKFLOWS",
    "ProductionRun",
    "PrototypePreparation",
    "TrendToProduction",
    "TrendWatch",
    "WhatIf",
]
