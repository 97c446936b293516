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
    "Jiali",
    "Hongda",
    "Xinyu",
    "Meida",
    "Huamei",
    "Tianyi",
    "Yongsheng",
    "Shengda",
    "Ruixiang",
    "Haoyu",
    "Fuxing",
    "Zhongxing",
    "Baoli",
    "Kaixin",
    "Lianfa",
    "Mingyang",
    "Xinhe",
    "Jinxiu",
    "Huaxing",
    "Dingsheng",
    "Longteng",
    "Chenguang",
    "Yida",
    "Hengtai",
)  # fmt: skip  (names, not data: three lines rather than one a name)
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


@dataclass
class SupplierArrays:
    """Columnar suppliers: location (degrees), lead (days), MOQ (units), quality, capability rows."""

    lat: np.ndarray
    lon: np.ndarray
    lead_days: np.ndarray
    quality: np.ndarray
    moq_units: np.ndarray
    town_idx: np.ndarray
    towns: list[str]
    cap_row: np.ndarray  # supplier row of each capability
    cap_process: np.ndarray  # index into `processes`
    cap_units: np.ndarray  # capacity units/day
    cap_usd: np.ndarray  # unit cost USD
    processes: list[str]
    codes: list[str] | None = None
    names: list[str] | None = None
    ids: list[int | None] | None = None

    def __len__(self) -> int:
        return int(self.lat.size)

    def code(self, i: int) -> str:
        """Supplier code of row i (generated rows are YW + 1-based row number)."""
        return self.codes[i] if self.codes is not None else f"YW{i + 1:07d}"

    def name(self, i: int) -> str:
        """Supplier name of row i."""
        if self.names is not None:
            return self.names[i]
        town = self.towns[int(self.town_idx[i])]
        return f"{town} {_WORDS[i % len(_WORDS)]} {_SUFFIXES[i % len(_SUFFIXES)]}"

    def town(self, i: int) -> str:
        """Town name of row i."""
        return self.towns[int(self.town_idx[i])]

    def supplier_id(self, i: int) -> int | None:
        """Database id of row i, if known."""
        return self.ids[i] if self.ids is not None else None


def records_to_arrays(records: list[SupplierRecord]) -> SupplierArrays:
    """Columnar form of a SupplierRecord list (small networks, DB rows)."""
    towns = sorted({r.town for r in records})
    tix = {t: k for k, t in enumerate(towns)}
    processes = sorted({p for r in records for p in r.capabilities})
    pix = {p: k for k, p in enumerate(processes)}
    caps = [
        (i, pix[p], u, c) for i, r in enumerate(records) for p, (u, c) in r.capabilities.items()
    ]
    cap = np.array(caps, dtype=float).reshape(-1, 4)
    return SupplierArrays(
        lat=np.array([r.lat for r in records], dtype=float),
        lon=np.array([r.lon for r in records], dtype=float),
        lead_days=np.array([r.lead_time_days for r in records], dtype=float),
        quality=np.array([r.quality for r in records], dtype=float),
        moq_units=np.array([r.moq_units for r in records], dtype=np.int64),
        town_idx=np.array([tix[r.town] for r in records], dtype=np.int32),
        towns=towns,
        cap_row=cap[:, 0].astype(np.int64),
        cap_process=cap[:, 1].astype(np.int32),
        cap_units=cap[:, 2].astype(np.int64),
        cap_usd=cap[:, 3].astype(float),
        processes=processes,
        codes=[r.code for r in records],
        names=[r.name for r in records],
        ids=[r.id for r in records],
    )


def _array_capabilities(
    rng: np.random.Generator, town_idx: np.ndarray, towns: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capability rows (supplier row, process, units/day, USD): 1-3 per supplier, cluster-typical."""
    n = town_idx.size
    pidx = {p: k for k, p in enumerate(PROCESSES)}
    typical = [[pidx[p] for p in CLUSTERS[t][2]] for t in towns]
    width = max(len(t) for t in typical)
    table = np.array([(t * width)[:width] for t in typical])  # cyclic pad
    lens = np.array([len(t) for t in typical])
    n_caps = rng.choice([1, 2, 3], size=n, p=[0.45, 0.35, 0.2])
    everywhere = np.array([pidx[p] for p in _EVERYWHERE])
    procs = np.full((n, 3), -1)
    for k in range(3):
        pick = (rng.random(n) * lens[town_idx]).astype(int)
        proc = table[town_idx, pick]
        if k > 0:
            side = rng.random(n) < 0.4
            proc = np.where(side, everywhere[rng.integers(everywhere.size, size=n)], proc)
        dup = (procs == proc[:, None]).any(axis=1)
        procs[:, k] = np.where((k < n_caps) & ~dup, proc, -1)
    row, col = np.nonzero(procs >= 0)
    proc = procs[row, col]
    profile = np.array([PROCESS_PROFILE[p][:3] for p in PROCESSES], dtype=float)
    lo, hi = profile[proc, 1], profile[proc, 2]
    units = np.exp(np.log(lo) + rng.random(row.size) * np.log(hi / lo))
    usd = profile[proc, 0] * np.exp(0.15 * rng.normal(size=row.size)) * (units / 4000.0) ** -0.05
    units_i = np.maximum(np.round(units, -2), 100).astype(np.int64)
    return row, proc.astype(np.int32), units_i, np.round(usd, 3)


def generate_yiwu_arrays(n_suppliers: int, seed: int = 0) -> SupplierArrays:
    """Seeded synthetic Yiwu network as numpy columns (millions of suppliers in seconds)."""
    rng = np.random.default_rng(seed)
    towns = list(CLUSTERS)
    share = np.array([CLUSTERS[t][0] for t in towns])
    town_idx = rng.choice(len(towns), size=n_suppliers, p=share / share.sum()).astype(np.int32)
    scatter = np.array([CLUSTERS[t][1] for t in towns])[town_idx]
    dlat, dlon = km_to_degrees(*(rng.normal(size=(2, n_suppliers)) * scatter))
    centre = np.array([TOWNS[t] for t in towns])[town_idx]
    row, proc, units, usd = _array_capabilities(rng, town_idx, towns)
    min_cap = np.full(n_suppliers, np.iinfo(np.int64).max)
    np.minimum.at(min_cap, row, units)
    moq = np.minimum(rng.choice(_MOQ_UNITS, size=n_suppliers), min_cap)
    return SupplierArrays(
        lat=np.round(centre[:, 0] + dlat, 5),
        lon=np.round(centre[:, 1] + dlon, 5),
        lead_days=(1.0 + rng.gamma(2.0, 1.2, n_suppliers)).round(1),
        quality=np.clip(rng.beta(8.0, 2.0, n_suppliers), 0.5, 0.99).round(2),
        moq_units=moq.astype(np.int64),
        town_idx=town_idx,
        towns=towns,
        cap_row=row.astype(np.int64),
        cap_process=proc,
        cap_units=units,
        cap_usd=usd,
        processes=list(PROCESSES),
    )
