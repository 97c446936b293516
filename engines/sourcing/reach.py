"""Reachability: which suppliers of a process lie within a travel limit (minutes) of a hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from engines.sourcing.geo import EARTH_RADIUS_KM, ROAD_FACTOR, SPEED_KMH, project_km
from engines.sourcing.network import SupplierArrays
from engines.sourcing.roads import RoadGraph

Point = tuple[float, float]
_PRUNE_MARGIN = 1.01  # projected km vs haversine km over the Yiwu area
_TREE_AREA_SHARE = 0.15  # query the KD-tree when the disc covers less of the process's extent


@dataclass
class ProcessColumns:
    """Suppliers of one process, contiguous: capability rows, km positions, radians, KD-tree,
    and the capability's units/day, USD/unit and its supplier's lead days and quality."""

    ci: np.ndarray  # capability rows, ascending
    xy_km: np.ndarray  # projected (x east, y north) km, shape (n, 2)
    lat_rad: np.ndarray
    cos_lat: np.ndarray
    lon_deg: np.ndarray
    tree: cKDTree
    area_km2: float  # bounding box of xy_km
    units: np.ndarray
    usd: np.ndarray
    lead_days: np.ndarray
    quality: np.ndarray

    @classmethod
    def of(cls, arrays: SupplierArrays, ci: np.ndarray) -> ProcessColumns:
        """Columns of capability rows `ci` (one process)."""
        rows = arrays.cap_row[ci]
        lat, lon = arrays.lat[rows], arrays.lon[rows]
        xy = np.ascontiguousarray(project_km(lat, lon).reshape(-1, 2))
        span = np.ptp(xy, axis=0) if ci.size else np.zeros(2)
        lat_rad = np.radians(lat)
        return cls(
            ci,
            xy,
            lat_rad,
            np.cos(lat_rad),
            lon,
            cKDTree(xy),
            float(span[0] * span[1]),
            arrays.cap_units[ci],
            arrays.cap_usd[ci],
            arrays.lead_days[rows],
            arrays.quality[rows],
        )

    def within(self, centre_km: np.ndarray, radius_km: float) -> np.ndarray:
        """Ascending positions within radius_km (projected) of the centre: KD-tree for small
        discs, one vectorised pass when the disc covers much of the extent (same set)."""
        if np.pi * radius_km**2 < _TREE_AREA_SHARE * self.area_km2:
            found = self.tree.query_ball_point(centre_km, radius_km, return_sorted=False)
            return np.sort(np.asarray(found, dtype=np.int64))
        d2 = (self.xy_km[:, 0] - centre_km[0]) ** 2 + (self.xy_km[:, 1] - centre_km[1]) ** 2
        return np.flatnonzero(d2 <= radius_km**2)

    def km_from(self, hub: Point, local: np.ndarray) -> np.ndarray:
        """Great-circle km from the hub to positions `local` (same arithmetic as haversine_km)."""
        p1 = np.radians(hub[0])
        dphi = self.lat_rad[local] - p1
        dlmb = np.radians(self.lon_deg[local] - float(hub[1]))
        a = np.sin(dphi / 2) ** 2 + np.cos(p1) * self.cos_lat[local] * np.sin(dlmb / 2) ** 2
        return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class SupplierIndex:
    """Suppliers with per-process KD-trees (km) and cached isochrones per hub and limit."""

    arrays: SupplierArrays
    road: RoadGraph | None = None
    road_factor: float = ROAD_FACTOR
    speed_kmh: float = SPEED_KMH
    _rows: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _cols: dict[str, ProcessColumns] = field(default_factory=dict, repr=False)
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
        """Build the per-process columns and KD-trees (and road snapping) up front."""
        for p in processes or self.arrays.processes:
            self.columns(p)
        if self.road is not None:
            self._snapped()

    def columns(self, process: str) -> ProcessColumns:
        """Contiguous columns and KD-tree (km) of the suppliers offering `process` (built once)."""
        if process not in self._cols:
            self._cols[process] = ProcessColumns.of(self.arrays, self.capability_rows(process))
        return self._cols[process]

    def _snapped(self) -> tuple[np.ndarray, np.ndarray]:
        """Nearest road node and access minutes of every supplier."""
        assert self.road is not None
        if self._snap is None:
            self._snap = self.road.snap(self.arrays.lat, self.arrays.lon)
        return self._snap

    def reach(self, hub: Point, minutes: float, process: str) -> tuple[np.ndarray, np.ndarray]:
        """Capability rows of `process` within `minutes` of the hub and their travel minutes."""
        local, t = self.reach_local(hub, minutes, process)
        return self.columns(process).ci[local], t

    def reach_local(
        self, hub: Point, minutes: float, process: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions in columns(process) within `minutes` of the hub, their minutes (cached)."""
        key = (hub, float(minutes), process)
        if key not in self._reach:
            fn = self._by_road if self.road is not None else self._by_line
            self._reach[key] = fn(hub, minutes, process)
        return self._reach[key]

    def _by_line(self, hub: Point, minutes: float, process: str) -> tuple[np.ndarray, np.ndarray]:
        """Straight line × road factor at the configured speed, pruned to a disc (km) first."""
        cols = self.columns(process)
        radius_km = minutes / 60.0 * self.speed_kmh / self.road_factor * _PRUNE_MARGIN
        local = cols.within(project_km(*hub), radius_km)
        t = cols.km_from(hub, local) * self.road_factor / self.speed_kmh * 60.0
        keep = t <= minutes
        return local[keep], t[keep]

    def _by_road(self, hub: Point, minutes: float, process: str) -> tuple[np.ndarray, np.ndarray]:
        """Hub access leg + Dijkstra isochrone over the road graph + supplier access leg."""
        assert self.road is not None
        node, access = self._snapped()
        hub_node, hub_access = self.road.snap(np.array([hub[0]]), np.array([hub[1]]))
        iso = self.road.isochrone(int(hub_node[0]), max(minutes - float(hub_access[0]), 0.0))
        rows = self.arrays.cap_row[self.columns(process).ci]
        t = float(hub_access[0]) + iso[node[rows]] + access[rows]
        keep = np.flatnonzero(t <= minutes)
        return keep, t[keep]

    def available(self, hub: Point, minutes: float, processes: list[str]) -> np.ndarray:
        """Capacity units/day per process within `minutes` of the hub (cached)."""
        return np.array([self._capacity(hub, minutes, p) for p in processes], dtype=np.int64)

    def _capacity(self, hub: Point, minutes: float, process: str) -> int:
        """Capacity units/day of one process within `minutes` of the hub."""
        key = ("capacity", hub, float(minutes), process)
        if key not in self.memo:
            local = self.reach_local(hub, minutes, process)[0]
            self.memo[key] = int(self.columns(process).units[local].sum())
        return int(self.memo[key])

    def warm(self, hubs: dict[str, Point], minutes: float = 30.0) -> None:
        """Precompute every hub's isochrone for every process (part of the index build)."""
        for at in hubs.values():
            for p in self.arrays.processes:
                self.available(at, minutes, [p])
