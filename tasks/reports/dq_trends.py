"""Data-quality trends over the newest runs: what the DQ dashboard draws and `newsetl report` prints.

Built from the per-run aggregates of tasks.reports.dq_history (dq_metrics' coverage measures, suite
pass rates and drift marks; dq_results' pass rates for runs from before dq_metrics; quarantined rows
per stage:reason), plus the newest run's worst sources, read from that run's own files only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tasks.reports import dq_history
from tasks.reports.dq_history import PASS_RATE
from tasks.sources import source_of
from tasks.warehouse.schemas import DQ_METRICS, QUARANTINE, Table
from tasks.warehouse.store import Store, open_store

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
class SourceScore:
    """One source folder or site in the current run: measures that failed or drifted, records quarantined."""

    source: str
    failed_measures: int
    quarantined: int
    measures: tuple[str, ...] = ()  # the measures that failed or drifted


@dataclass(frozen=True)
class DqTrends:
    """The DQ history of the newest runs (oldest first) and the newest run's worst sources."""

    runs: tuple[str, ...]
    pass_rates: tuple[Series, ...] = ()  # one per suite: share of its expectations passed, 0..1
    quarantined: tuple[Series, ...] = ()  # one per stage:reason: rows quarantined in the run
    coverage: tuple[Series, ...] = ()  # one per suite and measure, with its threshold
    worst_sources: tuple[SourceScore, ...] = ()  # worst first

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
    history = dq_history.read_history(store, max_runs, keep)
    runs = tuple(sorted(pc.unique(history.rows["run_id"]).to_pylist()))
    if not runs:
        return DqTrends(runs=())
    found = _series(history.rows, runs)
    metric = {(suite, m): s for (kind, suite, m), s in found.items() if kind == "metric"}
    derived = {suite: s for (kind, suite, _), s in found.items() if kind == "result"}
    suites = sorted({suite for suite, m in metric if m == PASS_RATE} | set(derived))
    return DqTrends(
        runs=runs,
        pass_rates=tuple(pass_rate(metric.get((suite, PASS_RATE)), derived.get(suite)) for suite in suites),
        quarantined=tuple(s for (kind, _, _), s in found.items() if kind == "quarantine"),
        coverage=tuple(s for (_, m), s in metric.items() if m != PASS_RATE),
        worst_sources=tuple(worst_sources(store, history.newest_files, runs[-1])[:worst]),
    )


def pass_rate(measured: Series | None, derived: Series | None) -> Series:
    """A suite's pass rate per run: dq_metrics' own, or for runs without it dq_results' share of the
    suite's expectations that passed."""
    if measured is None or derived is None:
        found = measured or derived
        assert found is not None
        return found
    values = tuple(d if m is None else m for m, d in zip(measured.values, derived.values, strict=True))
    return replace(measured, values=values)


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


def worst_sources(store: Store, files: dict[str, list[str]], run_id: str) -> list[SourceScore]:
    """The run's sources by measures failed or drifted (in any batch), then records quarantined, worst
    first (`files`: the run's own few files of dq_metrics and quarantine, read with pyarrow)."""
    metric_columns = ["run_id", "source", "measure", "success", "is_drift"]
    measures: dict[str, set[str]] = {}
    for row in _read(store, DQ_METRICS, files, metric_columns):
        if row["run_id"] == run_id and row["source"] and (row["success"] is False or row["is_drift"]):
            measures.setdefault(row["source"], set()).add(row["measure"])
    counts: dict[str, int] = {}
    for row in _read(store, QUARANTINE, files, ["run_id", "source_uri"]):
        if row["run_id"] == run_id:
            counts[source_of(row["source_uri"])] = counts.get(source_of(row["source_uri"]), 0) + 1
    scores = [
        SourceScore(s, len(measures.get(s, ())), counts.get(s, 0), tuple(sorted(measures.get(s, ()))))
        for s in {*measures, *counts}
    ]
    return sorted(scores, key=lambda s: (-s.failed_measures, -s.quarantined, s.source))


def _read(
    store: Store, table: Table, files: dict[str, list[str]], columns: list[str]
) -> list[dict[str, Any]]:
    """These columns of a table's listed files, as rows."""
    if not files.get(table.name):
        return []
    dataset = ds.dataset(files[table.name], schema=table.schema, format="parquet", filesystem=store.fs)
    return dataset.to_table(columns=columns).to_pylist()
