"""The lead-time dashboard page: server-rendered HTML, refreshes itself, no build step."""

from __future__ import annotations

from html import escape

from sqlalchemy.engine import Engine

from api.leadtimes import StageStats, compute_leadtimes, format_duration
from models.contracts import STAGE_SPANS

COLOURS = {
    "design": "#5b8def",
    "selection": "#f2a541",
    "prototype": "#9b6bd3",
    "sourcing": "#3bb39b",
    "planning": "#e0607e",
    "approval": "#f26b38",
    "production": "#6c8a2b",
    "shipment": "#2d9cdb",
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2330;background:#f7f8fb}
h1{margin:0 0 .2rem} .sub{color:#667;margin-bottom:1.5rem}
table{border-collapse:collapse;background:#fff;margin-bottom:2rem;box-shadow:0 1px 3px #0001}
th,td{padding:.45rem .8rem;border-bottom:1px solid #eef;text-align:left;font-size:.92rem}
th{background:#eef1f7} .num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;height:18px;width:520px;background:#eef1f7;border-radius:3px;overflow:hidden}
.bar span{display:block;height:100%} .legend span{display:inline-block;margin-right:1rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:2px}
.stage{font-size:.8rem;padding:.1rem .45rem;border-radius:9px;background:#eef1f7}
.bottleneck{color:#c0392b;font-weight:600}
.spread{position:relative;width:320px;height:12px;background:#eef1f7;border-radius:3px}
.spread i{position:absolute;top:0;height:12px;border-radius:3px}
"""


def _spread(stats: StageStats, longest_s: float) -> str:
    """A bar: solid to the stage's p50, light from p50 to p90 (scaled to the slowest p90)."""
    if stats.p50_s is None or stats.p90_s is None:
        return ""
    colour = COLOURS.get(stats.stage, "#888")
    p50 = 100 * stats.p50_s / longest_s
    p90 = 100 * stats.p90_s / longest_s
    return (
        f'<div class=spread><i style="left:0;width:{p90:.1f}%;background:{colour};opacity:.35"></i>'
        f'<i style="left:0;width:{p50:.1f}%;background:{colour}"></i></div>'
    )


def render_dashboard(engine: Engine, temporal_ui_url: str | None = None) -> str:
    """The whole page: stage p50/p90 table, bottleneck, and a stacked timeline bar per idea."""
    lt = compute_leadtimes(engine)
    slowest = max((s.p90_s or 0.0 for s in lt.stages if s.stage != "total"), default=0.0) or 1.0
    stage_rows = "".join(
        f"<tr><td>{escape(s.stage)}{' <span class=bottleneck>bottleneck</span>' if s.stage == lt.bottleneck else ''}</td>"
        f"<td class=num>{s.count}</td><td class=num>{format_duration(s.p50_s)}</td>"
        f"<td class=num>{format_duration(s.p90_s)}</td><td>{_spread(s, slowest)}</td></tr>"
        for s in lt.stages
        if s.stage != "total"
    )
    total = next(s for s in lt.stages if s.stage == "total")
    longest = max((i.total_s or sum(i.stages_s.values()) for i in lt.ideas), default=0.0) or 1.0
    idea_rows = []
    for idea in lt.ideas:
        segments = "".join(
            f'<span title="{stage} {format_duration(idea.stages_s[stage])}" '
            f'style="width:{100 * idea.stages_s[stage] / longest:.2f}%;background:{COLOURS[stage]}"></span>'
            for stage in STAGE_SPANS
            if stage in idea.stages_s
        )
        idea_rows.append(
            f"<tr><td class=num>{idea.trend_id}</td><td>{escape(idea.text[:60])}</td>"
            f"<td><span class=stage>{escape(idea.stage)}</span></td>"
            f"<td class=num>{format_duration(idea.total_s)}</td><td><div class=bar>{segments}</div></td></tr>"
        )
    legend = "".join(f'<span><i style="background:{c}"></i>{s}</span>' for s, c in COLOURS.items())
    ui = f' · <a href="{escape(temporal_ui_url)}">Temporal UI</a>' if temporal_ui_url else ""
    return f"""<!doctype html><html><head><meta charset=utf-8>
<meta http-equiv=refresh content=5><title>TrendForge lead times</title><style>{STYLE}</style></head>
<body><h1>TrendForge — trend-to-shipment lead time</h1>
<div class=sub>{len(lt.ideas)} ideas · trend→ship p50 <b>{format_duration(total.p50_s)}</b>,
p90 <b>{format_duration(total.p90_s)}</b> over {total.count} shipped · refreshes every 5 s ·
<a href="/docs">API</a>{ui}</div>
<h2>Per idea</h2><div class=legend>{legend}</div><br>
<table><tr><th>#</th><th>idea</th><th>stage</th><th>trend→ship</th><th>timeline</th></tr>
{"".join(idea_rows) or "<tr><td colspan=5>no ideas yet: POST /ideas</td></tr>"}</table>
<h2>Per stage</h2><table><tr><th>stage</th><th>ideas</th><th>p50</th><th>p90</th>
<th>spread (solid to p50, light to p90)</th></tr>{stage_rows}</table>
</body></html>"""
