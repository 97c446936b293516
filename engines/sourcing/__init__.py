"""Sourcing: a Yiwu supplier network and hub-based capacity matching within a travel limit."""

from engines.sourcing.csvio import CsvRowError, ParsedSuppliers, parse_supplier_csv
from engines.sourcing.geo import HUBS, TOWNS, haversine_km, travel_minutes
from engines.sourcing.matching import (
    Assignment,
    MatchResult,
    NoFeasibleSuppliers,
    as_index,
    effective_unit_cost_usd,
    match_suppliers,
)
from engines.sourcing.network import (
    PROCESSES,
    SupplierArrays,
    SupplierRecord,
    generate_yiwu_arrays,
    generate_yiwu_network,
    records_to_arrays,
)
from engines.sourcing.optimise import Weights, greedy_fill
from engines.sourcing.reach import SupplierIndex
from engines.sourcing.roads import BadRoadGraph, RoadGraph, load_osm

__all__ = [
    "HUBS",
    "PROCESSES",
    "TOWNS",
    "Assignment",
    "BadRoadGraph",
    "CsvRowError",
    "MatchResult",
    "NoFeasibleSuppliers",
    "ParsedSuppliers",
    "RoadGraph",
    "SupplierArrays",
    "SupplierIndex",
    "SupplierRecord",
    "Weights",
    "as_index",
    "effective_unit_cost_usd",
    "generate_yiwu_arrays",
    "generate_yiwu_network",
    "greedy_fill",
    "haversine_km",
    "load_osm",
    "match_suppliers",
    "parse_supplier_csv",
    "records_to_arrays",
    "travel_minutes",
]
