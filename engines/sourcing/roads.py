"""Road graphs with travel minutes: OpenStreetMap import, Dijkstra isochrones, access legs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from engines.sourcing.geo import ROAD_FACTOR, haversine_km, project_km

# highway class -> default speed km/h for trucks
HIGHWAY_KMH: dict[str, float] = {
    "motorway": 80.0,
    "motorway_link": 50.0,
    "trunk": 60.0,
    "trunk_link": 40.0,
    "primary": 45.0,
    "primary_link": 35.0,
    "secondary": 40.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 25.0,
    "unclassified": 25.0,
    "residential": 20.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 25.0,
}
ACCESS_KMH = 20.0  # last-mile speed from a supplier or hub to its nearest graph node


class BadRoadGraph(ValueError):
    """An OpenStreetMap extract without usable highways."""


@dataclass
class RoadGraph:
    """Directed road graph: node coordinates (degrees) and edge weights in travel minutes."""

    lat: np.ndarray
    lon: np.ndarray
    minutes: csr_matrix
    _tree: cKDTree | None = field(default=None, repr=False)
    _cache: dict[tuple[int, float], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def tree(self) -> cKDTree:
        """KD-tree over node positions in projected km."""
        if self._tree is None:
            self._tree = cKDTree(project_km(self.lat, self.lon).reshape(-1, 2))
        return self._tree

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and the access leg in minutes (straight × road factor)."""
        _, node = self.tree.query(project_km(lat, lon).reshape(-1, 2))
        node = np.asarray(node, dtype=np.int64).reshape(np.shape(lat))
        km = haversine_km(lat, lon, self.lat[node], self.lon[node])
        return node, km * ROAD_FACTOR / ACCESS_KMH * 60.0

    def isochrone(self, node: int, limit_minutes: float) -> np.ndarray:
        """Minutes from `node` to every node (inf beyond the limit), Dijkstra with cutoff; cached."""
        key = (int(node), float(limit_minutes))
        if key not in self._cache:
            self._cache[key] = dijkstra(self.minutes, indices=int(node), limit=limit_minutes)
        return self._cache[key]


def _speed_kmh(tags: dict[str, str]) -> float | None:
    """Truck speed km/h of a way from its maxspeed or highway class; None when not a road."""
    base = HIGHWAY_KMH.get(tags.get("highway", ""))
    if base is None:
        return None
    raw = tags.get("maxspeed", "").split()[0] if tags.get("maxspeed") else ""
    return min(base, float(raw)) if raw.replace(".", "", 1).isdigit() else base


def _parse_osm(
    path: Path,
) -> tuple[dict[int, tuple[float, float]], list[tuple[list[int], float, int]]]:
    """Nodes (id → lat, lon) and highway ways (node ids, km/h, oneway ±1/0) of an .osm file."""
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[list[int], float, int]] = []
    for _, el in ET.iterparse(path, events=("end",)):
        if el.tag == "node":
            nodes[int(el.attrib["id"])] = (float(el.attrib["lat"]), float(el.attrib["lon"]))
        elif el.tag == "way":
            tags = {t.attrib["k"]: t.attrib["v"] for t in el.iter("tag")}
            speed = _speed_kmh(tags)
            refs = [int(nd.attrib["ref"]) for nd in el.iter("nd")]
            if speed is not None and len(refs) > 1:
                oneway = {"yes": 1, "true": 1, "1": 1, "-1": -1}.get(tags.get("oneway", ""), 0)
                ways.append((refs, speed, oneway))
        if el.tag in ("way", "relation"):
            el.clear()
    return nodes, ways


def load_osm(path: str | Path) -> RoadGraph:
    """Road graph from an OpenStreetMap XML extract: highway ways, minutes from speed by class."""
    nodes, ways = _parse_osm(Path(path))
    used = sorted({r for refs, _, _ in ways for r in refs if r in nodes})
    if not used:
        raise BadRoadGraph(f"{path}: no highway ways with known nodes")
    index = {nid: k for k, nid in enumerate(used)}
    lat = np.array([nodes[n][0] for n in used])
    lon = np.array([nodes[n][1] for n in used])
    src, dst, kmh = [], [], []
    for refs, speed, oneway in ways:
        ks = [index[r] for r in refs if r in index]
        a, b = np.array(ks[:-1]), np.array(ks[1:])
        pairs = [(a, b)] if oneway == 1 else [(b, a)] if oneway == -1 else [(a, b), (b, a)]
        for u, v in pairs:
            src.append(u)
            dst.append(v)
            kmh.append(np.full(u.size, speed))
    u, v, s = np.concatenate(src), np.concatenate(dst), np.concatenate(kmh)
    return RoadGraph(
        lat,
        lon,
        _edge_matrix(u, v, haversine_km(lat[u], lon[u], lat[v], lon[v]) / s * 60.0, lat.size),
    )


def _edge_matrix(u: np.ndarray, v: np.ndarray, minutes: np.ndarray, n: int) -> csr_matrix:
    """CSR matrix keeping the fastest of parallel edges (minutes, at least 1e-6)."""
    order = np.lexsort((minutes, v, u))
    u, v, minutes = u[order], v[order], np.maximum(minutes[order], 1e-6)
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return csr_matrix((minutes[first], (u[first], v[first])), shape=(n, n))
