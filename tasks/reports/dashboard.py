"""The DQ dashboard page: DqTrends in, one self-contained HTML page out (charts drawn by plotly.js).

Pure: no I/O. The page loads plotly.js from `vendor/` beside it (tasks/reports/dashboard_site.py copies
the vendored file there), so it renders offline. Each chart is a plotly.js figure (JSON written here,
no Python plotting package): pass rate per suite over runs, quarantined rows per reason over runs, one
chart per coverage measure with its threshold, drift points marked on every series, and the newest
run's worst sources. A chart with nothing to draw is left out and said so.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tasks.reports.dq_trends import DqTrends, Series

PLOTLY_JS = "plotly-4.1.1.min.js"
_RUN_START = re.compile(r"^\d{8}T\d{6}Z")
DRIFT = {"color": "#d62728", "symbol": "x", "size": 11, "line": {"width": 2}}
FAILED = {"color": "#ff7f0e", "symbol": "circle-open", "size": 9, "line": {"width": 2}}


@dataclass(frozen=True)
class Chart:
    """One chart of the page: its element id, title, and plotly.js traces and layout."""

    chart_id: str
    title: str
    data: list[dict[str, Any]]
    layout: dict[str, Any]


def run_time(run_id: str) -> str:
    """A run's start as an ISO time, from its id (`YYYYmmddTHHMMSSZ-...`); the id itself otherwise."""
    if not _RUN_START.match(run_id):
        return run_id
    r = run_id
    return f"{r[:4]}-{r[4:6]}-{r[6:8]}T{r[9:11]}:{r[11:13]}:{r[13:15]}"  # strptime: 60 us a run


def charts(trends: DqTrends) -> list[Chart]:
    """Every chart with something to draw, in page order."""
    found = [pass_rate_chart(trends), quarantine_chart(trends)]
    found += [coverage_chart(trends, n, s) for n, s in enumerate(trends.coverage)]
    found.append(worst_sources_chart(trends))
    return [c for c in found if c is not None]


def pass_rate_chart(trends: DqTrends) -> Chart | None:
    """Share of each suite's expectations that passed, per run (%), drift marked."""
    if not trends.pass_rates:
        return None
    data = [_line(trends, s, s.group, scale=100.0) for s in trends.pass_rates]
    data += _marks(trends, trends.pass_rates, scale=100.0)
    layout = _layout("pass rate (%)")
    return Chart("chart-pass-rate", "Pass rate per suite", data, layout)


def quarantine_chart(trends: DqTrends) -> Chart | None:
    """Rows quarantined per run, stacked by stage:reason."""
    if not any(v for s in trends.quarantined for v in s.values):
        return None
    data = [{**_over_runs(s.values), "type": "bar", "name": s.label} for s in trends.quarantined]
    layout = {**_layout("rows quarantined"), "barmode": "stack"}
    return Chart("chart-quarantine", "Quarantined rows per reason", data, layout)


def coverage_chart(trends: DqTrends, number: int, series: Series) -> Chart | None:
    """One coverage measure over runs, with its threshold as a dashed line; failures and drift marked."""
    if all(v is None for v in series.values):
        return None
    data = [_line(trends, series, series.name)]
    if series.threshold is not None:
        xs = [run_time(trends.runs[0]), run_time(trends.runs[-1])]
        threshold = {"color": "#7f7f7f", "dash": "dash"}
        data.append(
            {"x": xs, "y": [series.threshold] * 2, "mode": "lines", "name": "threshold", "line": threshold}
        )
    data += _marks(trends, [series])
    title = series.label + ("" if series.threshold is None else f" (threshold {series.threshold:g})")
    return Chart(f"chart-coverage-{number}", title, data, _layout(series.name))


def worst_sources_chart(trends: DqTrends) -> Chart | None:
    """The newest run's sources with failed or drifting measures or quarantined records, worst on top."""
    if not trends.worst_sources:
        return None
    ranked = list(reversed(trends.worst_sources))  # plotly draws the first category at the bottom
    names = [s.source for s in ranked]
    data = [
        {
            **_bar(names, [s.failed_measures for s in ranked], "failed measures"),
            "text": [", ".join(s.measures) for s in ranked],
        },
        _bar(names, [s.quarantined for s in ranked], "quarantined records"),
    ]
    layout = {**_layout("", time_axis=False), "barmode": "group", "height": 140 + 36 * len(names)}
    small = max(max(d["x"]) for d in data) <= 10
    layout["xaxis"] = {"rangemode": "tozero", **({"dtick": 1} if small else {})}  # counts: whole ticks
    layout["margin"] = {**layout["margin"], "l": 140}
    return Chart("chart-worst-sources", f"Worst sources of run {trends.current_run}", data, layout)


def _bar(names: list[str], counts: list[int], name: str) -> dict[str, Any]:
    return {"type": "bar", "orientation": "h", "y": names, "x": counts, "name": name}


def _over_runs(values: Sequence[float | None]) -> dict[str, Any]:
    """A trace over every run: x is filled in by the page from RUNS (written once, not per trace)."""
    return {
        "y": [None if v is None else round(v, 4) for v in values],
        "x_runs": True,
        "hovertemplate": "%{y}<br>run %{customdata}",
    }


def _line(trends: DqTrends, series: Series, name: str, scale: float = 1.0) -> dict[str, Any]:
    values = [None if v is None else v * scale for v in series.values]
    return {
        **_over_runs(values),
        "mode": "lines+markers",
        "name": name,
        "marker": {"size": 4},
        "connectgaps": False,
    }


def _marks(trends: DqTrends, series: Sequence[Series], scale: float = 1.0) -> list[dict[str, Any]]:
    """Markers on the runs where a series fell below its threshold or drifted."""
    traces = []
    for kind, marker, flags in (("below threshold", FAILED, "failed"), ("drift", DRIFT, "drift")):
        xs, ys, text = [], [], []
        for s in series:
            for run, value, flag in zip(trends.runs, s.values, getattr(s, flags), strict=False):
                if flag and value is not None:
                    xs.append(run_time(run))
                    ys.append(round(value * scale, 4))
                    text.append(f"{s.label}: {kind} in run {run}")
        if xs:
            traces.append({"x": xs, "y": ys, "text": text, "mode": "markers", "name": kind, "marker": marker})
    return traces


def _layout(y_title: str, time_axis: bool = True) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": 330,
        "margin": {"l": 60, "r": 20, "t": 10, "b": 30},
        "yaxis": {"title": {"text": y_title}},
        "legend": {"orientation": "h", "y": -0.15, "yanchor": "top"},
        "hovermode": "closest",
        "showlegend": True,  # also for one trace: the legend names the suite or reason
    }
    if time_axis:
        layout["xaxis"] = {"type": "date"}  # each run at its start time (UTC)
    return layout


def render_dashboard(trends: DqTrends, warehouse: str, generated_at: datetime, links: dict[str, str]) -> str:
    """The whole page: a header (warehouse, newest run, drift named), the charts, and links out."""
    found = charts(trends)
    figures = {c.chart_id: {"data": c.data, "layout": c.layout} for c in found}
    payload = {"runs": [run_time(r) for r in trends.runs], "run_ids": list(trends.runs), "figures": figures}
    script = json.dumps(payload, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    sections = "\n".join(
        f'<section><h2>{html.escape(c.title)}</h2><div class="chart" id="{c.chart_id}"></div></section>'
        for c in found
    )
    return _PAGE.format(
        warehouse=html.escape(warehouse),
        generated=html.escape(generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
        summary=_summary(trends),
        links=" · ".join(f'<a href="{html.escape(u)}">{html.escape(t)}</a>' for t, u in links.items()),
        sections=sections or "<p>No data-quality history yet: run <code>newsetl run</code> first.</p>",
        plotly=PLOTLY_JS,
        payload=script,
    )


def _summary(trends: DqTrends) -> str:
    if not trends.runs:
        return "No runs yet."
    drifted = ", ".join(html.escape(s.label) for s in trends.drifted())
    lines = [
        f"{len(trends.runs)} run(s), newest <code>{html.escape(trends.current_run or '')}</code>.",
        f'<span class="drift">Drift in the newest run: {drifted}.</span>'
        if drifted
        else "No drift in the newest run.",
    ]
    return " ".join(lines)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newsetl data quality</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222; }}
header p {{ margin: 0.3em 0; }} .drift {{ color: #d62728; font-weight: 600; }}
main {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1em; }}
section {{ border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 0.8em; }}
h2 {{ font-size: 1em; margin: 0.2em 0; }}
</style></head>
<body><header><h1>newsetl data quality</h1>
<p>Warehouse <code>{warehouse}</code>, built {generated}.</p><p>{summary}</p><p>{links}</p></header>
<main>
{sections}
</main>
<script src="vendor/{plotly}"></script>
<script>
const DQ = {payload};
for (const [id, fig] of Object.entries(DQ.figures)) {{
  for (const trace of fig.data) {{
    if (trace.x_runs) {{ trace.x = DQ.runs; trace.customdata = DQ.run_ids; delete trace.x_runs; }}
  }}
  Plotly.newPlot(id, fig.data, fig.layout, {{responsive: true, displayModeBar: false}});
}}
</script>
</body></html>
"""
