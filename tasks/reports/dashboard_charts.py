"""The DQ dashboard's trend charts: DqTrends in, plotly.js figures (JSON-ready dicts) out. Pure.

Every chart is drawn against the runs: with few runs (CATEGORY_RUNS or fewer) one category per run, named
by its start ("Mar 01 14:05"), so one run is one labelled point rather than a date axis zoomed into a
fraction of a second; with more, a date axis whose ticks never go below the minute. A threshold is a
dashed line across the chart, and the y range is set to hold it and every value, so it is always in view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from tasks.reports.dq_trends import DqTrends, Series

CATEGORY_RUNS = 30
MARKERS_UP_TO = 60  # more runs: lines only, marks on failed and drifting runs
DRIFT = {"color": "#d62728", "symbol": "x", "size": 10, "line": {"width": 2}}
FAILED = {"color": "#ff7f0e", "symbol": "circle-open", "size": 9, "line": {"width": 2}}
THRESHOLD = {"color": "#555", "dash": "dash", "width": 1.5}
# Date ticks no finer than minutes (plotly's default goes to milliseconds for close runs).
TICK_FORMATS = [
    {"dtickrange": [None, 86_400_000], "value": "%b %d %H:%M"},
    {"dtickrange": [86_400_000, None], "value": "%b %d"},
]


@dataclass(frozen=True)
class Chart:
    """One chart of the page: its element id, title, and plotly.js traces and layout."""

    chart_id: str
    title: str
    data: list[dict[str, Any]]
    layout: dict[str, Any]


def run_labels(trends: DqTrends) -> list[str]:
    """Each run's x value: its start as a category ("Mar 01 14:05", numbered when two share a minute)
    while there are few runs, its start as a date-time (UTC) when many; the run id without a start."""
    return list(_labels(trends.runs, trends.run_times))


@lru_cache(maxsize=2)  # the page and every chart's marks label the same runs: once per build
def _labels(runs: tuple[str, ...], run_times: tuple[datetime, ...]) -> tuple[str, ...]:
    if len(run_times) != len(runs):
        return runs
    if len(runs) > CATEGORY_RUNS:
        return tuple(t.strftime("%Y-%m-%d %H:%M:%S") for t in run_times)
    labels: list[str] = []
    for t in run_times:
        label = t.strftime("%b %d %H:%M")
        labels.append(label if label not in labels else f"{label} #{labels.count(label) + 1}")
    return tuple(labels)


def x_axis(trends: DqTrends) -> dict[str, Any]:
    """The runs' axis: categories while few (or without start times), else dates ticked to the minute."""
    if len(trends.run_times) == len(trends.runs) > CATEGORY_RUNS:
        return {"type": "date", "tickformatstops": TICK_FORMATS, "nticks": 8}
    return {"type": "category", "tickangle": 0 if len(trends.runs) <= 6 else -30}


def charts(trends: DqTrends) -> list[Chart]:
    """Every trend chart with something to draw, in page order; none before the second run."""
    if len(trends.runs) < 2:
        return []
    found = [pass_rate_chart(trends), quarantine_chart(trends)]
    found += [coverage_chart(trends, n, s) for n, s in enumerate(trends.coverage)]
    return [c for c in found if c is not None]


def pass_rate_chart(trends: DqTrends) -> Chart | None:
    """Share of each suite's expectations that passed, per run (%), drift marked."""
    if not trends.pass_rates:
        return None
    data = [_line(trends, s, s.group, scale=100.0) for s in trends.pass_rates]
    data += _marks(trends, trends.pass_rates, scale=100.0)
    values = [v * 100.0 for s in trends.pass_rates for v in s.values if v is not None]
    layout = _layout(trends, "% of expectations passed", y_range(values, 100.0))
    return Chart("chart-pass-rate", "Pass rate per suite", data, layout)


def quarantine_chart(trends: DqTrends) -> Chart | None:
    """Rows quarantined per run, stacked by stage:reason."""
    if not any(v for s in trends.quarantined for v in s.values):
        return None
    data = [
        {"x_runs": True, "y": list(s.values), "type": "bar", "name": s.label}
        | {"hovertemplate": "%{y} rows<br>run %{customdata}"}
        for s in trends.quarantined
    ]
    layout = {**_layout(trends, "rows quarantined"), "barmode": "stack"}
    most = max(sum(v or 0 for v in run) for run in zip(*(s.values for s in trends.quarantined), strict=True))
    layout["yaxis"] |= {"rangemode": "tozero", "tick0": 0, "dtick": max(1, math.ceil(most / 5))}  # whole rows
    return Chart("chart-quarantine", "Quarantined rows per reason", data, layout)


def coverage_chart(trends: DqTrends, number: int, series: Series) -> Chart | None:
    """One coverage measure over runs, its threshold a dashed line in view; failures and drift marked."""
    if all(v is None for v in series.values):
        return None
    data = [_line(trends, series, series.name), *_marks(trends, [series])]
    known = [v for v in series.values if v is not None]
    layout = _layout(trends, series.name, y_range(known, series.threshold))
    if series.threshold is not None:
        layout["shapes"] = [
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": series.threshold}
            | {"y1": series.threshold, "line": THRESHOLD}
        ]
    title = series.label + ("" if series.threshold is None else f" (threshold {series.threshold:g})")
    return Chart(f"chart-coverage-{number}", title, data, layout)


def y_range(values: Sequence[float], threshold: float | None = None) -> list[float]:
    """A y range holding every value and the threshold, padded by a tenth of the span (or of the value)."""
    points = [*values, *([threshold] if threshold is not None else [])]
    if not points:
        return [0.0, 1.0]
    low, high = min(points), max(points)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 0.1
    bottom = 0.0 if low >= 0 and low - pad < 0 else low - pad  # counts and shares do not go below 0
    return [round(bottom, 6), round(high + pad, 6)]


def _line(trends: DqTrends, series: Series, name: str, scale: float = 1.0) -> dict[str, Any]:
    many = len(trends.runs) > MARKERS_UP_TO
    return {
        "x_runs": True,  # x and customdata are every run's: the page fills them in from RUNS, written once
        "y": [None if v is None else round(v * scale, 4) for v in series.values],
        "hovertemplate": "%{y}<br>run %{customdata}",
        "mode": "lines" if many else "lines+markers",
        "name": name,
        "marker": {"size": 6},
        "line": {"width": 1.2 if many else 2},
        "connectgaps": False,
    }


def _marks(trends: DqTrends, series: Sequence[Series], scale: float = 1.0) -> list[dict[str, Any]]:
    """Markers on the runs where a series fell below its threshold or drifted."""
    xs_of_run = run_labels(trends)
    traces = []
    for kind, marker, flags in (("below threshold", FAILED, "failed"), ("drift", DRIFT, "drift")):
        xs, ys, text = [], [], []
        for s in series:
            for x, run, value, flag in zip(xs_of_run, trends.runs, s.values, getattr(s, flags), strict=False):
                if flag and value is not None:
                    xs.append(x)
                    ys.append(round(value * scale, 4))
                    text.append(f"{s.label}: {kind} in run {run}")
        if xs:
            traces.append(
                {"x": xs, "y": ys, "text": text, "mode": "markers", "name": kind, "marker": marker}
                | {"hoverinfo": "text+y"}
            )
    return traces


def _layout(trends: DqTrends, y_title: str, y: list[float] | None = None) -> dict[str, Any]:
    xaxis = x_axis(trends)
    yaxis: dict[str, Any] = {"title": {"text": y_title}, "zeroline": False}
    if y is not None:
        yaxis |= {"range": y, "autorange": False}
    return {
        "height": 260,
        "margin": {"l": 60, "r": 15, "t": 8, "b": 60},
        "xaxis": {**xaxis, "automargin": True},
        "yaxis": yaxis,
        "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"},
        "hovermode": "closest",
        "showlegend": True,  # also for one trace: the legend names the suite or reason
    }
