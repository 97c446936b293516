"""Reachability: which suppliers of a process lie within a travel limit (minutes) of a hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from engines.sourcing.geo import ROAD_FACTOR, SPEED_KMH, haversine_km, project_km
from engines.sourcing.network import SupplierArrays
from engines.sourcing.roads import RoadGraph

_PRUNE_MARGIN = 1.01  # projected km vs haversine km over the Yiwu area

Point = tuple[float, float]


@dataclass
class SupplierIndex:
    """Suppliers with per-process KD-trees (km) and cached isochrones per hub and limit."""

    arrays: SupplierArrays
    road: RoadGraph | None = None
    road_factor: float = ROAD_FACTOR
    speed_kmh: float = SPEED_KMH
    _rows: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _trees: dict[str, cKDTree] = field(default_factory=dict, repr=False)
    _snap: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _reach: dict[tuple[Point, float, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # matcher's ranked candidates

    def capability_rows(self, process: str) -> np.ndarray:
        """Capability row numbers offering `process` (empty when nobody does)."""
        if process not in self._rows:
            procs = self.arrays.processes
            k = procs.index(process) if process in procs else -1
            self._rows[process] = np.flatnonzero(self.arrays.cap_process == k)
        return self._rows[process]

    def build(self, processes: list[str] | None = None) -> None:
        """Build the KD-trees (and road snapping) up front, e.g. before timing matches."""
        for p in processes or self.arrays.processes:
            self._tree(p)
        if self.road is not None:
            self._snapped()

    def _tree(self, process: str) -> cKDTree:
        """KD-tree (km) over the suppliers offering `process`."""
        if process not in self._trees:
            rows = self.arrays.cap_row[self.capability_rows(process)]
            xy = project_km(self.arrays.lat[rows], self.arrays.lon[rows]).reshape(-1, 2)
            self._trees[process] = cKDTree(xy)
        return self._trees[process]

    def _snapped(self) -> tuple[np.ndarray, np.ndarray]:
        """Nearest road node and access minutes of every supplier."""
        assert self.road is not None
        if self._snap is None:
            self._snap = self.road.snap(self.arrays.lat, self.arrays.lon)
        return self._snap

    def reach(self, hub: Point, minutes: float, process: str) -> tuple[np.ndarray, np.ndarray]:
        """Capability rows of `process` within `minutes` of the hub and their travel minutes."""
        key = (hub, float(minutes), process)
        if key not in self._reach:
            fn = self._by_road if self.road is not None else self._by_line
            self._reach[key] = fn(hub, minutes, process)
        return self._reach[key]

    def _by_line(self, hub: Point, minutes: float, process: str) -> tuple[np.ndarray, np.ndarray]:
        """Straight line × road factor at the configured speed, KD-tree pruned."""
        radius_km = minutes / 60.0 * self.speed_kmh / self.road_factor * _PRUNE_MARGIN
        local = self._tree(process).query_ball_point(project_km(*hub), radius_km)
        ci = self.capability_rows(process)[np.sort(np.asarray(local, dtype=np.int64))]
        rows = self.arrays.cap_row[ci]
        km = haversine_km(hub[0], hub[1], self.arrays.lat[rows], self.arrays.lon[rows])
        t = km * self.road_factor / self.speed_kmh * 60.0
        keep = t <= minutes
        return ci[keep], t[keep]

    def _by_road(self, hub: Point, minutes: float, process: str) -> tuple[np.ndarray, np.ndarray]:
        """Hub access leg + Dijkstra isochrone over the road graph + supplier access leg."""
        assert self.road is not None
        node, access = self._snapped()
        hub_node, hub_access = self.road.snap(np.array([hub[0]]), np.array([hub[1]]))
        iso = self.road.isochrone(int(hub_node[0]), max(minutes - float(hub_access[0]), 0.0))
        ci = self.capability_rows(process)
        rows = self.arrays.cap_row[ci]
        t = float(hub_access[0]) + iso[node[rows]] + access[rows]
        keep = t <= minutes
        return ci[keep], t[keep]

    def available(self, hub: Point, minutes: float, processes: list[str]) -> np.ndarray:
        """Capacity units/day per process within `minutes` of the hub (cached)."""
        return np.array([self._capacity(hub, minutes, p) for p in processes], dtype=np.int64)

    def _capacity(self, hub: Point, minutes: float, process: str) -> int:
        """Capacity units/day of one process within `minutes` of the hub."""
        key = ("capacity", hub, float(minutes), process)
        if key not in self.memo:
            self.memo[key] = int(self.arrays.cap_units[self.reach(hub, minutes, process)[0]].sum())
        return int(self.memo[key])

    def warm(self, hubs: dict[str, Point], minutes: float = 30.0) -> None:
        """Precompute every hub's isochrone for every process (part of the index build)."""
        for at in hubs.values():
            for p in self.arrays.processes:
                self.available(at, minutes, [p])
