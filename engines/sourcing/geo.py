"""Yiwu geography: towns, assembly hubs, road travel time (minutes) and a local km projection."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

EARTH_RADIUS_KM = 6371.0088
YIWU_CENTRE: tuple[float, float] = (29.306, 120.075)
ROAD_FACTOR = 1.35  # road km per straight-line km
SPEED_KMH = 35.0  # average truck speed on Yiwu roads

# Subdistricts (街道) and towns (镇) of Yiwu, approximate centres (lat N, lon E).
TOWNS: dict[str, tuple[float, float]] = {
    "Choucheng": (29.306, 120.075),
    "Futian": (29.338, 120.098),
    "Jiangdong": (29.298, 120.104),
    "Beiyuan": (29.342, 120.060),
    "Choujiang": (29.272, 120.048),
    "Houzhai": (29.383, 120.066),
    "Chengxi": (29.302, 120.000),
    "Niansanli": (29.352, 120.158),
    "Fotang": (29.198, 120.033),
    "Chi'an": (29.168, 120.113),
    "Yiting": (29.255, 119.932),
    "Suxi": (29.407, 120.152),
    "Shangxi": (29.318, 119.922),
    "Dachen": (29.462, 120.108),
}

# Assembly / consolidation hubs where finished goods are put together and shipped from.
HUBS: dict[str, tuple[float, float]] = {
    "Futian": (29.332, 120.104),  # next to the International Trade City
    "Choujiang": (29.277, 120.056),  # economic development zone
    "Fotang": (29.203, 120.040),
    "Suxi": (29.402, 120.146),
}


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km, broadcast over the inputs (degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_minutes(
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    road_factor: float = ROAD_FACTOR,
    speed_kmh: float = SPEED_KMH,
) -> np.ndarray:
    """Truck travel time in minutes: haversine km × road factor / average speed (km/h)."""
    return haversine_km(lat1, lon1, lat2, lon2) * road_factor / speed_kmh * 60.0


def project_km(lat: ArrayLike, lon: ArrayLike) -> np.ndarray:
    """Equirectangular (x east, y north) km around the Yiwu centre, shape (..., 2)."""
    lat0, lon0 = np.radians(YIWU_CENTRE)
    x = EARTH_RADIUS_KM * (np.radians(lon) - lon0) * np.cos(lat0)
    y = EARTH_RADIUS_KM * (np.radians(lat) - lat0)
    return np.stack([x, y], axis=-1)


def km_to_degrees(dx_km: np.ndarray, dy_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets in km (east, north) to (dlat, dlon) degrees near Yiwu."""
    dlat = np.degrees(dy_km / EARTH_RADIUS_KM)
    dlon = np.degrees(dx_km / (EARTH_RADIUS_KM * np.cos(np.radians(YIWU_CENTRE[0]))))
    return dlat, dlon
