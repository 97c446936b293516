"""Server-side SVG charts for the web pages: Gantt, histogram, bars, supplier map, timelines.

Plain strings with every label escaped, so the pages need no chart library and no build step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

STAGE_COLOURS = {
    "design": "#5b8def",
    "selection": "#f2a541",
    "prototype": "#9b6bd3",
    "compliance": "#c9a227",
    "sourcing": "#3bb39b",
    "planning": "#e0607e",
    "approval": "#f26b38",
    "production": "#6c8a2b",
    "shipment": "#2d9cdb",
    "transit": "#8d6e63",
}
PALETTE = ("#5b8def", "#3bb39b", "#f2a541", "#9b6bd3", "#e0607e", "#6c8a2b", "#2d9cdb", "#f26b38")
_FONT = 'font-family="system-ui,sans-serif" font-size="11"'


def colour_for(name: str, names: Sequence[str]) -> str:
    """A stable palette colour for `name` among `names`."""
    return PALETTE[list(names).index(name) % len(PALETTE)] if name in names else "#888"


def _svg(width: float, height: float, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" style="max-width:{width:.0f}px">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def _nice_step(span: float, ticks: int = 6) -> float:
    """A 1/2/5 × 10^k step giving about `ticks` ticks over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


@dataclass(frozen=True)
class GanttBar:
    """One block of work on a line, in factory days (fractional)."""

    line: str
    start_day: float
    end_day: float
    stage: str
    label: str = ""


def gantt_svg(
    bars: Sequence[GanttBar], due_day: float | None = None, completion_day: float | None = None
) -> str:
    """Rows per line, x in factory days, coloured by routing stage, with due and completion marks."""
    if not bars:
        return '<p class="muted">No scheduled work in this plan.</p>'
    lines = sorted({b.line for b in bars})
    first: dict[str, float] = {}
    for b in bars:
        first[b.stage] = min(first.get(b.stage, b.start_day), b.start_day)
    stages = sorted(first, key=lambda st: first[st])  # routing order
    end = max([b.end_day for b in bars] + [due_day or 0, completion_day or 0]) or 1.0
    left, row_h, width = 190, 22, 980
    plot_w = width - left - 20
    rows_end = 32 + row_h * len(lines)
    height = rows_end + 44

    def x(day: float) -> float:
        return left + plot_w * day / end

    parts = []
    step = _nice_step(end)
    tick = 0.0
    while tick <= end + 1e-9:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="30" x2="{x(tick):.1f}" y2="{rows_end}" stroke="#e3e6ee"/>'
            f'<text x="{x(tick):.1f}" y="22" text-anchor="middle" {_FONT} fill="#667">day {tick:g}</text>'
        )
        tick += step
    for i, line in enumerate(lines):
        y = 32 + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" {_FONT} fill="#1d2330">{escape(line)}</text>'
        )
    for b in bars:
        y = 32 + lines.index(b.line) * row_h
        w = max(x(b.end_day) - x(b.start_day), 1.5)
        tip = f"{b.line} · {b.stage} {b.label} · day {b.start_day:.1f}–{b.end_day:.1f}"
        parts.append(
            f'<rect class="gantt-bar" x="{x(b.start_day):.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
            f'rx="2" fill="{colour_for(b.stage, stages)}"><title>{escape(tip)}</title></rect>'
        )
    for day, colour, name in ((due_day, "#c0392b", "due"), (completion_day, "#1d2330", "done")):
        if day is not None:
            anchor = "end" if x(day) > width - 120 else "start"
            dx = -4 if anchor == "end" else 4
            parts.append(
                f'<line x1="{x(day):.1f}" y1="28" x2="{x(day):.1f}" y2="{rows_end + 4}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="5 3"/>'
                f'<text x="{x(day) + dx:.1f}" y="{rows_end + 16}" text-anchor="{anchor}" {_FONT} '
                f'fill="{colour}">{name} day {day:g}</text>'
            )
    legend = "".join(
        f'<rect x="{left + i * 130}" y="{rows_end + 26}" width="10" height="10" '
        f'fill="{colour_for(s, stages)}"/>'
        f'<text x="{left + i * 130 + 14}" y="{rows_end + 35}" {_FONT}>{escape(s)}</text>'
        for i, s in enumerate(stages)
    )
    return _svg(width, height, "".join(parts) + legend, "production plan Gantt chart")


def bars_svg(
    items: Sequence[tuple[str, float]],
    unit: str = "",
    colour: str = "#5b8def",
    label: str = "bar chart",
    max_value: float | None = None,
) -> str:
    """Vertical bars with a value label over each (histograms, throughput per day)."""
    if not items:
        return '<p class="muted">Nothing to chart yet.</p>'
    width, height, bottom = max(320, 34 * len(items) + 40), 180, 30
    top = max_value or max(v for _, v in items) or 1.0
    bar_w = (width - 40) / len(items)
    parts = []
    for i, (name, value) in enumerate(items):
        h = (height - bottom - 20) * value / top
        xl = 20 + i * bar_w
        parts.append(
            f'<rect x="{xl + 2:.1f}" y="{height - bottom - h:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
            f'fill="{colour}" rx="2"><title>{escape(name)}: {value:g}{escape(unit)}</title></rect>'
            f'<text x="{xl + bar_w / 2:.1f}" y="{height - bottom - h - 4:.1f}" text-anchor="middle" '
            f"{_FONT}>{value:g}</text>"
            f'<text x="{xl + bar_w / 2:.1f}" y="{height - bottom + 14:.1f}" text-anchor="middle" '
            f'{_FONT} fill="#667">{escape(name)}</text>'
        )
    return _svg(width, height, "".join(parts), label)


def histogram(values: Iterable[float], bins: int = 8) -> list[tuple[str, float]]:
    """(bin label, count) for `values` (seconds), labels as durations."""
    from api.leadtimes import format_duration

    vals = sorted(values)
    if not vals:
        return []
    bins = min(bins, max(2, len(vals)))
    lo, hi = vals[0], vals[-1]
    if hi - lo < 1e-9:
        return [(format_duration(lo), float(len(vals)))]
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in vals:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return [(format_duration(lo + (i + 0.5) * width), float(c)) for i, c in enumerate(counts)]


@dataclass(frozen=True)
class MapPoint:
    """A place on the supplier map (degrees)."""

    lat: float
    lon: float
    label: str
    kind: str  # hub | chosen | alternative


def map_svg(hub: MapPoint, radius_km: float, points: Sequence[MapPoint], minutes: float) -> str:
    """The hub, its travel-time isochrone (as a radius on the ground) and the suppliers around it."""
    width = height = 460
    km_lat = 111.32
    km_lon = 111.32 * math.cos(math.radians(hub.lat))
    reach = max([radius_km * 1.15] + [_km(hub, p, km_lat, km_lon) * 1.1 for p in points])
    scale = (width / 2 - 20) / reach  # px per km

    def xy(p: MapPoint) -> tuple[float, float]:
        return (
            width / 2 + (p.lon - hub.lon) * km_lon * scale,
            height / 2 - (p.lat - hub.lat) * km_lat * scale,
        )

    colours = {"chosen": "#3bb39b", "alternative": "#b5bccb", "hub": "#c0392b"}
    parts = [
        f'<rect width="{width}" height="{height}" fill="#f3f5f9" rx="6"/>',
        f'<circle class="isochrone" cx="{width / 2}" cy="{height / 2}" r="{radius_km * scale:.1f}" '
        f'fill="#5b8def22" stroke="#5b8def" stroke-dasharray="6 4"/>',
        f'<text x="{width / 2}" y="{height / 2 - radius_km * scale - 6:.1f}" text-anchor="middle" '
        f'{_FONT} fill="#3a5fb0">{minutes:g}-minute drive</text>',
    ]
    labels: dict[tuple[float, float], list[str]] = {}
    for p in points:  # one supplier doing several processes: one label listing them
        if p.kind == "chosen":
            labels.setdefault((p.lat, p.lon), []).append(p.label.split(":", 1)[0])
    hx, hy = xy(hub)
    hub_x, hub_y = hx + 10, hy - 8  # the hub's own label
    legend = (("hub", "assembly hub"), ("chosen", "chosen supplier"), ("alternative", "runner-up"))
    taken = [  # boxes labels must not cover: the legend, the hub and its label, chosen markers
        (width - 126.0, 8.0, float(width), 12.0 + 16 * len(legend)),  # to under its last row
        (hx - 9, hy - 9, hx + 9, hy + 9),
        _label_box(hub_x, hub_y, hub.label, "start"),
    ]
    taken += [
        (x - 6, y - 6, x + 6, y + 6) for x, y in (xy(p) for p in points if p.kind == "chosen")
    ]
    texts = []
    for p in sorted(points, key=lambda q: q.kind != "alternative"):
        px, py = xy(p)
        r = 6 if p.kind == "chosen" else 4
        parts.append(
            f'<circle class="supplier {p.kind}" cx="{px:.1f}" cy="{py:.1f}" r="{r}" '
            f'fill="{colours.get(p.kind, "#888")}" stroke="#fff"><title>{escape(p.label)}</title></circle>'
        )
        if p.kind == "chosen" and (p.lat, p.lon) in labels:
            short = ", ".join(labels.pop((p.lat, p.lon)))  # processes; the supplier in the tooltip
            x, y, anchor = _place_label(px, py, short, taken, width, height)
            texts.append(
                f'<text class="supplier-label" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
                f"{_FONT}>{escape(short)}</text>"
            )
    parts.append(
        f'<rect x="{hx - 7:.1f}" y="{hy - 7:.1f}" width="14" height="14" fill="{colours["hub"]}" '
        f'transform="rotate(45 {hx:.1f} {hy:.1f})"><title>{escape(hub.label)}</title></rect>'
        f'<text x="{hub_x:.1f}" y="{hub_y:.1f}" {_FONT} font-weight="600">{escape(hub.label)}</text>'
    )
    parts += texts  # labels over every marker
    for i, (kind, name) in enumerate(legend):
        parts.append(
            f'<circle cx="{width - 120}" cy="{18 + i * 16}" r="5" fill="{colours[kind]}"/>'
            f'<text x="{width - 110}" y="{22 + i * 16}" {_FONT}>{name}</text>'
        )
    bar_km = _nice_step(reach, 3)
    parts.append(
        f'<line x1="20" y1="{height - 20}" x2="{20 + bar_km * scale:.1f}" y2="{height - 20}" '
        f'stroke="#1d2330" stroke-width="2"/><text x="20" y="{height - 26}" {_FONT}>{bar_km:g} km</text>'
    )
    return _svg(width, height, "".join(parts), f"supplier map around {hub.label}")


Box = tuple[float, float, float, float]  # left, top, right, bottom (px)
_CHAR_PX = 6.5  # generous mean glyph width of the 11 px sans-serif labels


def _label_box(x: float, y: float, text: str, anchor: str) -> Box:
    """Approximate box of an 11 px label whose baseline starts (or ends) at (x, y)."""
    w = len(text) * _CHAR_PX
    left = x - w if anchor == "end" else x
    return (left, y - 10, left + w, y + 3)


def _place_label(
    px: float, py: float, text: str, taken: list[Box], width: float, height: float
) -> tuple[float, float, str]:
    """(x, y, text-anchor) for a point's label: right or left of it, then a line lower or higher,
    the first spot inside the map that covers no box in `taken` (its box is added there)."""
    spots = [(dx, dy, a) for dy in (0, 14, -14, 28, -28) for dx, a in ((8, "start"), (-8, "end"))]
    for dx, dy, anchor in spots:
        box = _label_box(px + dx, py + 4 + dy, text, anchor)
        inside = box[0] >= 2 and box[1] >= 2 and box[2] <= width - 2 and box[3] <= height - 2
        if inside and not any(_overlap(box, t) for t in taken):
            taken.append(box)
            return px + dx, py + 4 + dy, anchor
    taken.append(_label_box(px + 8, py + 4, text, "start"))
    return px + 8, py + 4, "start"  # crowded everywhere: the usual spot


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _km(a: MapPoint, b: MapPoint, km_lat: float, km_lon: float) -> float:
    return math.hypot((a.lat - b.lat) * km_lat, (a.lon - b.lon) * km_lon)


def stacked_bar(segments: Sequence[tuple[str, float]], total: float) -> str:
    """One idea's stage durations as a stacked horizontal bar (HTML, scaled to `total` seconds)."""
    from api.leadtimes import format_duration

    total = total or 1.0
    return (
        '<div class="bar">'
        + "".join(
            f'<span title="{escape(stage)} {format_duration(sec)}" '
            f'style="width:{100 * sec / total:.2f}%;background:{STAGE_COLOURS.get(stage, "#888")}"></span>'
            for stage, sec in segments
        )
        + "</div>"
    )


@dataclass(frozen=True)
class Route:
    """A consignment on the route map: from an origin to a market (degrees), how far along."""

    origin: MapPoint
    market: MapPoint
    status: str  # planned | booked | in_transit | late | lost | delivered
    along: float  # 0 at the origin, 1 delivered
    label: str


ROUTE_COLOURS = {
    "planned": "#b5bccb", "booked": "#8d99ae", "in_transit": "#2d9cdb", "late": "#f26b38",
    "lost": "#c0392b", "delivered": "#3bb39b",
}  # fmt: skip


def route_map_svg(routes: Sequence[Route], centre_lon: float = 120.0) -> str:
    """Consignments from Yiwu to their markets on a map centred on China (longitude
    `centre_lon` in the middle, so the Pacific lies east and Europe west), fitted to the places
    shown: one curve per leg, a dot where it is, coloured by status."""
    width, height, pad = 720, 240, 40

    def raw(p: MapPoint) -> tuple[float, float]:
        return (p.lon - centre_lon + 180.0) % 360.0 - 180.0, -p.lat

    points = [raw(p) for r in routes for p in (r.origin, r.market)] or [(0.0, 0.0)]
    x0, x1 = min(x for x, _ in points), max(x for x, _ in points)
    y0, y1 = min(y for _, y in points), max(y for _, y in points)
    scale = min((width - 2 * pad) / max(x1 - x0, 1.0), (height - 2 * pad) / max(y1 - y0, 1.0))
    ox = (width - (x1 - x0) * scale) / 2
    oy = (height - (y1 - y0) * scale) / 2 + 10

    def xy(p: MapPoint) -> tuple[float, float]:
        x, y = raw(p)
        return ox + (x - x0) * scale, oy + (y - y0) * scale

    parts = [f'<rect width="{width}" height="{height}" fill="#f3f5f9" rx="6"/>']
    labels: dict[tuple[int, int], list[str]] = {}  # places a few px apart share one label
    for k, r in enumerate(routes):
        (ax, ay), (bx, by) = xy(r.origin), xy(r.market)
        bend = 0.12 * abs(bx - ax) + 6 * (k % 4)  # legs of one market side by side
        cx, cy = (ax + bx) / 2, min(ay, by) - bend
        colour = ROUTE_COLOURS.get(r.status, "#888")
        parts.append(
            f'<path class="route {r.status}" d="M{ax:.1f},{ay:.1f} Q{cx:.1f},{cy:.1f} {bx:.1f},{by:.1f}" '
            f'fill="none" stroke="{colour}" stroke-width="2" opacity=".75"/>'
        )
        t = min(max(r.along, 0.0), 1.0)
        px = (1 - t) ** 2 * ax + 2 * (1 - t) * t * cx + t**2 * bx
        py = (1 - t) ** 2 * ay + 2 * (1 - t) * t * cy + t**2 * by
        parts.append(
            f'<circle class="where" cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{colour}" '
            f'stroke="#fff"><title>{escape(r.label)}</title></circle>'
        )
        for place, (x, y) in ((r.origin, (ax, ay)), (r.market, (bx, by))):
            names = labels.setdefault((round(x / 24), round(y / 24)), [])
            if place.label not in names:
                names.append(place.label)
    for (gx, gy), names in labels.items():
        parts.append(
            f'<text x="{gx * 24}" y="{gy * 24 + 18}" text-anchor="middle" {_FONT} '
            f'fill="#3d4555">{escape(" / ".join(names))}</text>'
        )
    legend = [s for s in ROUTE_COLOURS if any(r.status == s for r in routes)]
    for i, s in enumerate(legend):
        parts.append(
            f'<circle cx="16" cy="{16 + 16 * i}" r="5" fill="{ROUTE_COLOURS[s]}"/>'
            f'<text x="26" y="{20 + 16 * i}" {_FONT}>{s.replace("_", " ")}</text>'
        )
    return (
        f'<svg class="route-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="map of the consignments">{"".join(parts)}</svg>'
    )
