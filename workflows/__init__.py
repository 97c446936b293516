"""Deterministic orchestration: no I/O, no clock, no randomness, no heavy imports."""

from workflows.production_run import ProductionRun
from workflows.prototype_preparation import PrototypePreparation
from workflows.trend_to_production import TrendToProduction
from workflows.trend_watch import TrendWatch

ALL_WORKFLOWS = [TrendToProduction, PrototypePreparation, ProductionRun, TrendWatch]

__all__ = [
    "ALL_WORKFLOWS",
    "ProductionRun",
    "PrototypePreparation",
    "TrendToProduction",
    "TrendWatch",
]
