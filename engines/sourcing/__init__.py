"""Sourcing: a Yiwu supplier network and hub-based capacity matching within a travel limit."""

from engines.sourcing.geo import HUBS, TOWNS, haversine_km, travel_minutes
from engines.sourcing.matching import (
    Assignment,
    MatchResult,
    NoFeasibleSuppliers,
    effective_unit_cost_usd,
    greedy_fill,
    match_suppliers,
)
from engines.sourcing.network import PROCESSES, SupplierRecord, generate_yiwu_network

__all__ = [
    "HUBS",
    "PROCESSES",
    "TOWNS",
    "Assignment",
    "MatchResult",
    "NoFeasibleSuppliers",
    "SupplierRecord",
    "effective_unit_cost_usd",
    "generate_yiwu_network",
    "greedy_fill",
    "haversine_km",
    "match_suppliers",
    "travel_minutes",
]
