"""Data-quality trends over the newest runs: what the DQ dashboard draws and `newsetl report` prints.

Built from the per-run aggregates of tasks.reports.dq_history (dq_metrics' coverage measures and drift
marks; each suite's pass rate from the `dq_pass_rates` view, the one definition; quarantined rows per
stage:reason), plus the newest run in detail (tasks.reports.newest_run: figures, failures, sources).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import pyarrow as pa

from tasks.reports import dq_history, newest_run
from tasks.reports.dq_history import PASS_RATE
from tasks.reports.newest_run import Newest, SourceScore
from tasks.warehouse import views
from tasks.warehouse.store import open_store

DEFAULT_RUNS = 1000


@dataclass(frozen=True)
class Series:
    """One measure over the runs of DqTrends.runs, oldest first: a value per run (None: not measured)."""

    group: str  # the suite, or the quarantine stage
    name: str  # the measure, or the reason code
    values: tuple[float | None, ...]
    threshold: float | None = None
    drift: tuple[bool, ...] = ()  # per run: the measure moved far from its recent runs
    failed: tuple[bool, ...] = ()  # per run: the measure fell below its threshold

    @property
    def label(self) -> str:
        """suite.measure; a suite's pass rate is named by its suite alone."""
        if self.name == PASS_RATE or not self.group:
            return self.group or self.name
        return f"{self.group}.{self.name}"


@dataclass(frozen=True)
class DqTrends:
    """The DQ history of the newest runs (oldest first) and the newest run's worst sources."""

    runs: tuple[str, ...]
    pass_rates: tuple[Series, ...] = ()  # one per suite: share of its expectations passed, 0..1
    quarantined: tuple[Series, ...] = ()  # one per stage:reason: rows quarantined in the run
    coverage: tuple[Series, ...] = ()  # one per suite and measure, with its threshold
    worst_sources: tuple[SourceScore, ...] = ()  # worst first
    run_times: tuple[datetime, ...] = ()  # per run: when its first DQ row was measured (UTC)
    newest: Newest | None = None  # the newest run's figures, failures and sources

    @property
    def current_run(self) -> str | None:
        return self.runs[-1] if self.runs else None

    def drifted(self) -> list[Series]:
        """Series whose newest run is marked as drift."""
        return [s for s in (*self.pass_rates, *self.coverage) if s.drift and s.drift[-1]]


def read_trends(
    warehouse: str | os.PathLike[str], max_runs: int = DEFAULT_RUNS, worst: int = 10, keep: bool = False
) -> DqTrends:
    """The trends of the newest `max_runs` runs of a warehouse (local or object store); `keep` reuses and
    updates the aggregates kept by the previous build (tasks.reports.dq_history)."""
    store = open_store(warehouse)
    within = views.shared()  # one DuckDB for the build's reads
    rows = dq_history.read_history(store, max_runs, keep, within)
    if not rows.num_rows:
        return DqTrends(runs=())
    starts = rows.group_by("run_id", use_threads=False).aggregate([("run_at", "min"), ("run_date", "max")])
    starts = starts.sort_by([("run_at_min", "ascending"), ("run_id", "ascending")])
    runs = tuple(starts["run_id"].to_pylist())
    found = _series(rows, runs)
    metric = {(suite, m): s for (kind, suite, m), s in found.items() if kind == "metric"}
    rates = {suite: s for (kind, suite, _), s in found.items() if kind == "result"}
    newest = newest_run.read_newest(store, runs[-1], starts["run_date_max"][-1].as_py(), within)
    return DqTrends(
        runs=runs,
        run_times=tuple(starts["run_at_min"].to_pylist()),
        pass_rates=tuple(pass_rate(rate, metric.get((suite, PASS_RATE))) for suite, rate in rates.items()),
        quarantined=tuple(s for (kind, _, _), s in found.items() if kind == "quarantine"),
        coverage=tuple(s for (_, m), s in metric.items() if m != PASS_RATE),
        worst_sources=newest.sources[:worst],
        newest=newest,
    )


def with_run_counts(trends: DqTrends, run_id: str, records_in: int, articles: int) -> DqTrends:
    """The trends with the newest run's records in and articles written, when it is `run_id` and the
    warehouse had no `runs` row for it yet."""
    newest = trends.newest
    if newest is None or newest.figures.run_id != run_id or newest.figures.records_in is not None:
        return trends
    figures = replace(newest.figures, records_in=records_in, articles=articles)
    return replace(trends, newest=replace(newest, figures=figures))


def pass_rate(rate: Series, marks: Series | None) -> Series:
    """A suite's pass rate per run (the `dq_pass_rates` view's: passed / evaluated over the run), with the
    drift marks dq_metrics' own pass_rate measure has."""
    if marks is None:
        return rate
    return replace(rate, drift=marks.drift, failed=marks.failed)


def _series(rows: pa.Table, runs: Sequence[str]) -> dict[tuple[str, str, str], Series]:
    """The aggregate rows as one Series per (kind, suite, measure), a value per run (quarantine: 0 where
    none; measures: None), sorted."""
    grouped = rows.group_by(["kind", "table_name", "measure"], use_threads=False).aggregate(
        [("run_id", "list"), ("value", "list"), ("failed", "list"), ("drift", "list"), ("threshold", "max")]
    )
    index = {run: i for i, run in enumerate(runs)}
    found = {}
    for g in grouped.to_pylist():
        values: list[float | None] = [0.0 if g["kind"] == "quarantine" else None] * len(runs)
        failed, drift = [False] * len(runs), [False] * len(runs)
        for run, value, below, drifted in zip(
            g["run_id_list"], g["value_list"], g["failed_list"], g["drift_list"], strict=True
        ):
            at = index[run]
            values[at], failed[at], drift[at] = value, bool(below), bool(drifted)
        series = Series(
            g["table_name"], g["measure"], tuple(values), g["threshold_max"], tuple(drift), tuple(failed)
        )
        found[(g["kind"], g["table_name"], g["measure"])] = series
    return dict(sorted(found.items()))
