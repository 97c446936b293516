"""Suppliers and a seeded synthetic Yiwu supplier network clustered by town."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engines.sourcing.geo import TOWNS, km_to_degrees

PROCESSES: tuple[str, ...] = (
    "plush_sewing",
    "textile_cutting",
    "stuffing",
    "embroidery",
    "textile_dyeing",
    "injection_moulding",
    "mould_making",
    "3d_printing",
    "electronics_assembly",
    "packaging",
    "printing",
    "straw_weaving",
    "hat_blocking",
    "metal_stamping",
    "ceramic_glazing",
    "assembly",
)

# process -> (typical unit cost USD, min capacity units/day, max capacity units/day, trade word)
PROCESS_PROFILE: dict[str, tuple[float, int, int, str]] = {
    "plush_sewing": (0.60, 1000, 20000, "Plush Toys"),
    "textile_cutting": (0.12, 2000, 20000, "Textile"),
    "stuffing": (0.15, 2000, 20000, "Toys"),
    "embroidery": (0.22, 1000, 15000, "Embroidery"),
    "textile_dyeing": (0.10, 3000, 20000, "Dyeing"),
    "injection_moulding": (0.25, 2000, 20000, "Plastics"),
    "mould_making": (0.06, 500, 5000, "Mould"),
    "3d_printing": (2.40, 500, 2000, "Rapid Prototyping"),
    "electronics_assembly": (0.85, 1000, 15000, "Electronics"),
    "packaging": (0.08, 2000, 20000, "Packaging"),
    "printing": (0.06, 2000, 20000, "Printing"),
    "straw_weaving": (0.90, 500, 8000, "Straw Crafts"),
    "hat_blocking": (0.30, 1000, 10000, "Hats"),
    "metal_stamping": (0.18, 2000, 20000, "Metalworks"),
    "ceramic_glazing": (0.70, 500, 8000, "Ceramics"),
    "assembly": (0.20, 2000, 20000, "Crafts"),
}

# town -> (share of suppliers, gaussian scatter km, cluster-typical processes)
CLUSTERS: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "Choucheng": (1.0, 1.2, ("printing", "packaging", "assembly", "embroidery")),
    "Futian": (1.2, 1.5, ("assembly", "packaging", "printing", "electronics_assembly")),
    "Jiangdong": (1.0, 1.5, ("textile_cutting", "textile_dyeing", "embroidery", "packaging")),
    "Beiyuan": (1.2, 1.8, ("injection_moulding", "mould_making", "electronics_assembly")),
    "Choujiang": (
        1.3,
        2.0,
        (
            "injection_moulding",
            "electronics_assembly",
            "metal_stamping",
            "mould_making",
            "3d_printing",
        ),
    ),
    "Houzhai": (1.1, 2.0, ("plush_sewing", "stuffing", "textile_cutting", "embroidery")),
    "Chengxi": (0.8, 2.0, ("straw_weaving", "hat_blocking", "textile_cutting")),
    "Niansanli": (0.9, 2.5, ("plush_sewing", "stuffing", "embroidery", "hat_blocking")),
    "Fotang": (1.0, 2.5, ("textile_dyeing", "ceramic_glazing", "metal_stamping", "assembly")),
    "Chi'an": (0.6, 2.5, ("plush_sewing", "stuffing", "textile_cutting")),
    "Yiting": (0.8, 2.5, ("straw_weaving", "hat_blocking", "embroidery")),
    "Suxi": (
        1.0,
        2.5,
        ("injection_moulding", "mould_making", "electronics_assembly", "metal_stamping"),
    ),
    "Shangxi": (0.6, 3.0, ("ceramic_glazing", "metal_stamping", "assembly")),
    "Dachen": (0.7, 3.0, ("textile_cutting", "textile_dyeing", "plush_sewing", "embroidery")),
}

_EVERYWHERE = ("packaging", "printing")
_WORDS = (
    "Jiali", "Hongda", "Xinyu", "Meida", "Huamei", "Tianyi", "Yongsheng", "Shengda",
    "Ruixiang", "Haoyu", "Fuxing", "Zhongxing", "Baoli", "Kaixin", "Lianfa", "Mingyang",
    "Xinhe", "Jinxiu", "Huaxing", "Dingsheng", "Longteng", "Chenguang", "Yida", "Hengtai",
)  # fmt: skip
_SUFFIXES = ("Co", "Factory", "Co., Ltd", "Workshop", "Manufacturing")
_MOQ_UNITS = np.array([200, 300, 500, 1000, 2000, 3000])


@dataclass
class SupplierRecord:
    """A supplier: location (degrees), lead time (days), MOQ (units), quality 0..1, capabilities."""

    code: str
    name: str
    town: str
    lat: float
    lon: float
    lead_time_days: float
    moq_units: int
    quality: float
    capabilities: dict[str, tuple[int, float]] = field(default_factory=dict)
    id: int | None = None


def _capabilities(
    typical: tuple[str, ...], u: np.ndarray, n_caps: int, cap_u: np.ndarray, noise: np.ndarray
) -> dict[str, tuple[int, float]]:
    """1-3 processes (first cluster-typical) with capacity units/day and unit cost USD."""
    caps: dict[str, tuple[int, float]] = {}
    for k in range(n_caps):
        pool = _EVERYWHERE if (k > 0 and u[k, 1] < 0.4) else typical
        process = pool[int(u[k, 0] * len(pool))]
        if process in caps:
            continue
        base_usd, lo, hi, _ = PROCESS_PROFILE[process]
        capacity = float(np.exp(np.log(lo) + cap_u[k] * np.log(hi / lo)))
        scale = (capacity / 4000.0) ** -0.05  # mild economies of scale
        cost = base_usd * float(np.exp(0.15 * noise[k])) * scale
        caps[process] = (int(round(capacity, -2)), round(cost, 3))
    return caps


def generate_yiwu_network(n_suppliers: int = 600, seed: int = 0) -> list[SupplierRecord]:
    """Seeded synthetic suppliers scattered (gaussian, km) around Yiwu's industrial towns."""
    rng = np.random.default_rng(seed)
    towns = list(CLUSTERS)
    share = np.array([CLUSTERS[t][0] for t in towns])
    town_idx = rng.choice(len(towns), size=n_suppliers, p=share / share.sum())
    scatter = np.array([CLUSTERS[t][1] for t in towns])[town_idx]
    dlat, dlon = km_to_degrees(*(rng.normal(size=(2, n_suppliers)) * scatter))
    centre = np.array([TOWNS[t] for t in towns])[town_idx]
    n_caps = rng.choice([1, 2, 3], size=n_suppliers, p=[0.45, 0.35, 0.2])
    pick_u, cap_u, noise = (
        rng.random((n_suppliers, 3, 2)),
        rng.random((n_suppliers, 3)),
        rng.normal(size=(n_suppliers, 3)),
    )
    quality = np.clip(rng.beta(8.0, 2.0, n_suppliers), 0.5, 0.99).round(2)
    lead = (1.0 + rng.gamma(2.0, 1.2, n_suppliers)).round(1)
    moq = rng.choice(_MOQ_UNITS, size=n_suppliers)
    word, suffix = (
        rng.integers(len(_WORDS), size=n_suppliers),
        rng.integers(len(_SUFFIXES), size=n_suppliers),
    )
    out: list[SupplierRecord] = []
    for i in range(n_suppliers):
        town = towns[town_idx[i]]
        caps = _capabilities(CLUSTERS[town][2], pick_u[i], int(n_caps[i]), cap_u[i], noise[i])
        trade = PROCESS_PROFILE[next(iter(caps))][3]
        out.append(
            SupplierRecord(
                code=f"YW{i + 1:05d}",
                name=f"{town} {_WORDS[word[i]]} {trade} {_SUFFIXES[suffix[i]]}",
                town=town,
                lat=round(float(centre[i, 0] + dlat[i]), 5),
                lon=round(float(centre[i, 1] + dlon[i]), 5),
                lead_time_days=float(lead[i]),
                moq_units=int(min(moq[i], min(c for c, _ in caps.values()))),
                quality=float(quality[i]),
                capabilities=caps,
            )
        )
    return out
