"""Deterministic orchestration: no I/O, no clock, no randomness, no heavy imports."""

from workflows.consignment_delivery import ConsignmentDelivery
from workflows.portfolio_replan import PortfolioReplan
from workflows.production_run import ProductionRun
from workflows.prototype_preparation import PrototypePreparation
from workflows.trend_to_production import TrendToProduction
from workflows.trend_watch import TrendWatch
from workflows.what_if import WhatIf

ALL_WORKFLOWS = [
    TrendToProduction,
    PrototypePreparation,
    ProductionRun,
    TrendWatch,
    WhatIf,
    ConsignmentDelivery,
    PortfolioReplan,
]

__all__ = [
    "ALL_WORKFLOWS",
    "ConsignmentDelivery",
    "PortfolioReplan",
    "ProductionRun",
    "PrototypePreparation",
    "TrendToProduction",
    "TrendWatch",
    "WhatIf",
]
