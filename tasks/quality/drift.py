"""Drift: a batch-level measure far from its recent runs is a warning of its own.

A measure's baseline is the median of its value over the last WINDOW_RUNS runs that measured it (a run's
value: the mean over its batches) and its spread 1.4826 × MAD, the robust standard deviation. A batch's
value more than ROBUST_Z spreads from the median drifts. Two guards:
- fewer than MIN_RUNS runs of history give no verdict (a new warehouse, a new measure);
- the spread has a floor (ABSOLUTE_FLOOR, or RELATIVE_FLOOR of the median when that is larger): a measure
  constant over history (MAD = 0, e.g. a pass rate of 1.0 run after run) would otherwise make any change
  at all "infinitely" far, and one failed expectation of twenty is not drift.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import pyarrow.dataset as ds

from tasks.records import Check, Measure
from tasks.warehouse import tables
from tasks.warehouse.schemas import DQ_METRICS

WINDOW_RUNS = 20
MIN_RUNS = 5
ROBUST_Z = 3.0
MAD_TO_SD = 1.4826  # MAD × this estimates the standard deviation of normally distributed values
ABSOLUTE_FLOOR = 0.02  # shares and rates run 0..1: two points
RELATIVE_FLOOR = 0.05  # per-1,000-words rates: 5 % of the usual value
Key = tuple[str, str]  # (table_name, measure)


@dataclass(frozen=True)
class Baseline:
    """A measure's recent runs: their median, robust standard deviation (floored) and how many there were."""

    median: float
    spread: float
    runs: int

    def drifts(self, value: float) -> bool:
        return abs(value - self.median) > ROBUST_Z * self.spread

    def describe(self, value: float) -> str:
        return (
            f"{value:.3g} vs median {self.median:.3g} ± {self.spread:.2g} (robust sd) "
            f"over the last {self.runs} runs"
        )


def read_history(
    warehouse: str | os.PathLike[str], window: int = WINDOW_RUNS
) -> list[tuple[str, str, str, float | None]]:
    """Batch-level dq_metrics rows (run_id, table_name, measure, value) of the last `window` runs.

    Cheap however long the history: run_date partitions are opened newest first, reading only run_id,
    until `window` runs are found; then only those partitions' four columns, batch-level rows only.
    """
    dates = tables.partition_values(warehouse, DQ_METRICS.name)
    runs: set[str] = set()
    taken: list[str] = []
    for date in reversed(dates):
        dataset = tables.partitions_dataset(warehouse, DQ_METRICS.name, [date])
        taken.append(date)
        runs.update(dataset.to_table(columns=["run_id"]).column("run_id").to_pylist() if dataset else [])
        if len(runs) >= window:
            break
    dataset = tables.partitions_dataset(warehouse, DQ_METRICS.name, taken)
    if dataset is None:
        return []
    columns = ["run_id", "table_name", "measure", "value"]
    rows = dataset.to_table(columns=columns, filter=ds.field("source") == "").to_pylist()
    recent = set(sorted({r["run_id"] for r in rows})[-window:])
    return [(r["run_id"], r["table_name"], r["measure"], r["value"]) for r in rows if r["run_id"] in recent]


def recent_baselines(warehouse: str | os.PathLike[str]) -> dict[Key, Baseline]:
    """The baselines of every measure from the warehouse's last WINDOW_RUNS runs, read once per run."""
    return baselines(read_history(warehouse))


def baselines(history: Iterable[tuple[str, str, str, float | None]]) -> dict[Key, Baseline]:
    """Per (table_name, measure), the baseline of batch-level history rows (run_id, table, measure, value);
    measures with fewer than MIN_RUNS runs have none."""
    per_run: dict[Key, dict[str, list[float]]] = {}
    for run_id, table, measure, value in history:
        if value is not None:
            per_run.setdefault((table, measure), {}).setdefault(run_id, []).append(value)
    found = {}
    for key, runs in per_run.items():
        recent = [statistics.fmean(runs[r]) for r in sorted(runs)[-WINDOW_RUNS:]]
        if len(recent) >= MIN_RUNS:
            found[key] = _baseline(recent)
    return found


def _baseline(values: Sequence[float]) -> Baseline:
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    spread = max(MAD_TO_SD * mad, ABSOLUTE_FLOOR, RELATIVE_FLOOR * abs(median))
    return Baseline(median, spread, len(values))


def with_drift(
    measures: Sequence[Measure], known: Mapping[Key, Baseline]
) -> tuple[list[Measure], list[Check]]:
    """The measures with is_drift set on the batch-level ones far from their baseline, and one dq_results
    check per batch-level measure that has a baseline (expectation `drift`, column = the measure)."""
    marked, checks = [], []
    for m in measures:
        baseline = known.get((m.table_name, m.measure))
        if m.source != "" or m.value is None or baseline is None:
            marked.append(m)
            continue
        drifts = baseline.drifts(m.value)
        detail = baseline.describe(m.value)
        marked.append(replace(m, is_drift=drifts, detail=detail if drifts else ""))
        checks.append(_check(m, drifts, detail))
    return marked, checks


def _check(m: Measure, drifts: bool, detail: str) -> Check:
    return Check(
        table_name=m.table_name,
        expectation="drift",
        column_name=m.measure,
        severity=m.severity,
        success=not drifts,
        element_count=1,
        unexpected_count=int(drifts),
        unexpected_percent=100.0 * drifts,
        sample_values=(detail, *m.examples) if drifts else (),
        failed_rows=(),
        measure=m.measure,
    )
