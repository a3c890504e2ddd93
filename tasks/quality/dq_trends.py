"""Data-quality trends over the recent runs: what the DQ dashboard draws and `newsetl report` prints.

Read from dq_metrics (coverage measures, suite pass rates, drift), dq_results (pass rates of runs from
before dq_metrics) and quarantine, through DuckDB, only the columns needed. A warehouse holds one
Parquet file per table per batch, so the cost is in opening files: only the files of the newest
`max_runs` runs are read, picked by name from the listing (a batch's files are named after its
batch id, which starts with its run id), and the current run's rows by their run_date partition.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from tasks.warehouse import tables, views
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, QUARANTINE, Table
from tasks.warehouse.store import Store, open_store

DEFAULT_RUNS = 1000
PASS_RATE = "pass_rate"
_RUN_OF_FILE = re.compile(r"^part-(\d{8}T\d{6}Z-[0-9a-f]{8})-")  # part-<run_id>-<batch>-<i>.parquet


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


def read_trends(warehouse: str | os.PathLike[str], max_runs: int = DEFAULT_RUNS, worst: int = 10) -> DqTrends:
    """The trends of the newest `max_runs` runs of a warehouse (local or object store)."""
    store = open_store(warehouse)
    files, oldest = recent_files(store, max_runs)
    con = duckdb.connect(":memory:")
    metrics = _rows(con, _METRICS_SQL.format(t=_select(con, store, DQ_METRICS, files[DQ_METRICS.name])))
    results = _rows(con, _RESULTS_SQL.format(t=_select(con, store, DQ_RESULTS, files[DQ_RESULTS.name])))
    quarantine = _rows(con, _QUARANTINE_SQL.format(t=_select(con, store, QUARANTINE, files[QUARANTINE.name])))
    # >= oldest: a rebuild's file keeps older runs' quarantine rows, under the rebuild's name
    runs = tuple(sorted({r["run_id"] for r in (*metrics, *results, *quarantine) if r["run_id"] >= oldest}))
    if not runs:
        return DqTrends(runs=())
    newest = {name: [f for f in paths if _run_of(f) in (runs[-1], None)] for name, paths in files.items()}
    coverage = [r for r in metrics if r["measure"] != PASS_RATE]
    return DqTrends(
        runs=runs,
        pass_rates=tuple(_series(runs, pass_rates(metrics, results), "table_name", "measure")),
        quarantined=tuple(_series(runs, quarantine, "stage", "reason", zero=True)),
        coverage=tuple(_series(runs, coverage, "table_name", "measure")),
        worst_sources=tuple(worst_sources(con, store, newest, runs[-1])[:worst]),
    )


def recent_files(store: Store, max_runs: int) -> tuple[dict[str, list[str]], str]:
    """The files of dq_metrics, dq_results and quarantine to read for the newest `max_runs` runs, and
    the oldest of those runs ("" when there is none).

    A run's dq_results are read only when it has no dq_metrics (a run from before them): its pass
    rates are in dq_metrics. A file whose name carries no run id is always read."""
    files = {t.name: tables.table_files(store, t.name) for t in (DQ_METRICS, DQ_RESULTS, QUARANTINE)}
    measured = {_run_of(f) for f in files[DQ_METRICS.name]}
    runs = sorted({r for r in measured | {_run_of(f) for f in files[DQ_RESULTS.name]} if r})[-max_runs:]
    oldest = runs[0] if runs else ""
    keep = {name: [f for f in paths if (_run_of(f) or oldest) >= oldest] for name, paths in files.items()}
    keep[DQ_RESULTS.name] = [f for f in keep[DQ_RESULTS.name] if _run_of(f) not in measured - {None}]
    return keep, oldest


def _run_of(path: str) -> str | None:
    match = _RUN_OF_FILE.match(posixpath.basename(path))
    return match.group(1) if match else None


def _select(con: duckdb.DuckDBPyConnection, store: Store, table: Table, files: list[str]) -> str:
    """A FROM clause over these files of a table (DuckDB's reader for local files, an Arrow dataset over
    the store's filesystem otherwise). Only columns every file has are read: no union by name."""
    if not files:
        nulls = ", ".join(f"CAST(NULL AS {views.duckdb_type(f.type)}) AS {f.name}" for f in table.schema)
        return f"(SELECT {nulls} WHERE false)"
    part = table.schema.field(table.partition_by)
    if store.is_local:
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        return (
            f"read_parquet([{listed}], hive_partitioning = true, "
            f"hive_types = {{'{part.name}': '{views.duckdb_type(part.type)}'}})"
        )
    dataset = ds.dataset(
        files,
        schema=table.schema,
        format="parquet",
        filesystem=store.fs,
        partitioning=ds.partitioning(pa.schema([part]), flavor="hive"),
        partition_base_dir=store.path(tables.table_path(table.name)),
    )
    con.register(f"_{table.name}_files", dataset)
    return f"_{table.name}_files"


_METRICS_SQL = """
    select run_id, table_name, measure, avg(value) as value, max(threshold) as threshold,
           bool_or(not coalesce(success, true)) as failed, bool_or(is_drift) as drift
    from {t} where source = '' group by all
"""
_RESULTS_SQL = "select run_id, table_name, avg(success::int) as value from {t} group by all"
_QUARANTINE_SQL = (  # one series per stage:reason, as the run summary names them
    "select run_id, '' as stage, stage || ':' || reason_code as reason, count(*) as value "
    "from {t} group by all"
)


def pass_rates(metrics: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each suite's pass rate per run: dq_metrics' pass_rate, or from dq_results for runs without it."""
    measured = [r for r in metrics if r["measure"] == PASS_RATE]
    have = {(r["run_id"], r["table_name"]) for r in measured}
    derived = [
        {**r, "measure": PASS_RATE, "threshold": None, "failed": False, "drift": False}
        for r in results
        if (r["run_id"], r["table_name"]) not in have
    ]
    return measured + derived


def _series(
    runs: Sequence[str], rows: Iterable[dict[str, Any]], group: str, name: str, zero: bool = False
) -> list[Series]:
    """Rows (run_id, group, name, value, [threshold, failed, drift]) as one Series per (group, name)."""
    index = {run: i for i, run in enumerate(runs)}
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        if row["run_id"] in index:
            found.setdefault((row[group], row[name]), []).append(row)
    series = []
    for (grp, nm), points in sorted(found.items()):
        values: list[float | None] = [0.0 if zero else None] * len(runs)
        drift, failed = [False] * len(runs), [False] * len(runs)
        for p in points:
            at = index[p["run_id"]]
            values[at] = None if p["value"] is None else float(p["value"])
            drift[at], failed[at] = bool(p.get("drift")), bool(p.get("failed"))
        thresholds = [p["threshold"] for p in points if p.get("threshold") is not None]
        threshold = float(thresholds[-1]) if thresholds else None
        series.append(Series(grp, nm, tuple(values), threshold, tuple(drift), tuple(failed)))
    return series


def worst_sources(
    con: duckdb.DuckDBPyConnection, store: Store, files: dict[str, list[str]], run_id: str
) -> list[SourceScore]:
    """The run's sources by measures failed or drifted (in any batch), then records quarantined, worst
    first (`files`: the run's own files of dq_metrics and quarantine)."""
    metrics = _select(con, store, DQ_METRICS, files[DQ_METRICS.name])
    failed = _rows(
        con,
        f"select source, list(distinct measure order by measure) as measures from {metrics} "
        "where run_id = ? and source <> '' and (not coalesce(success, true) or is_drift) group by all",
        [run_id],
    )
    quarantine = _select(con, store, QUARANTINE, files[QUARANTINE.name])
    uris = _rows(
        con, f"select source_uri, count(*) as n from {quarantine} where run_id = ? group by all", [run_id]
    )
    counts: dict[str, int] = {}
    for row in uris:
        counts[source_of(row["source_uri"])] = counts.get(source_of(row["source_uri"]), 0) + row["n"]
    measures = {r["source"]: tuple(r["measures"]) for r in failed}
    scores = [
        SourceScore(s, len(measures.get(s, ())), counts.get(s, 0), measures.get(s, ()))
        for s in {*measures, *counts}
    ]
    return sorted(scores, key=lambda s: (-s.failed_measures, -s.quarantined, s.source))


def source_of(source_uri: str) -> str:
    """The source a quarantined record came from: a page's site, or a file's folder."""
    parts = urlsplit(source_uri)
    if parts.scheme in ("http", "https"):
        return parts.netloc
    path = parts.path if parts.scheme == "file" else source_uri
    return posixpath.basename(posixpath.dirname(path)) or path


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
