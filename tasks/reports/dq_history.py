"""Per-run DQ aggregates of the newest runs, read through the warehouse's DuckDB views.

One aggregate row per run and: suite measure (dq_metrics, batch level, mean over the run's batches), suite
pass rate (the `dq_pass_rates` view: the one definition) or quarantine stage:reason (rows). Every read goes
through tasks.warehouse.views, restricted to the run-date partitions it needs: nothing here opens a file
or reads a run id's format.

With `keep`, the aggregates are kept in `_reports/dq/history.arrow` with the version of each run-date
partition they summarise (tasks.warehouse.tables.partition_versions: it changes when a commit adds, a
rebuild replaces or retention removes a file), so the next build reads again only the partitions whose
version changed: the newest run's, or every quarantine partition after a rebuild. The kept rows are
derived data: dropped, and everything read again, when they cannot be read.
"""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tasks.warehouse import tables, views
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, QUARANTINE, UTC_TS
from tasks.warehouse.store import Store

PASS_RATE = "pass_rate"
KEPT = "_reports/dq/history.arrow"
KINDS = {"metric": DQ_METRICS.name, "result": DQ_RESULTS.name, "quarantine": QUARANTINE.name}
AGGREGATES = pa.schema(
    [
        pa.field("kind", pa.string()),  # metric / result / quarantine
        pa.field("run_id", pa.string()),
        pa.field("run_date", pa.string()),  # YYYY-MM-DD (UTC), the rows' partition
        pa.field("run_at", UTC_TS),  # when the run's first row was measured
        pa.field("table_name", pa.string()),  # the suite ("" for quarantine)
        pa.field("measure", pa.string()),  # the measure, pass_rate, or the stage:reason
        pa.field("value", pa.float64()),  # metric: mean over the run's batches; result 0..1; quarantine rows
        pa.field("threshold", pa.float64()),
        pa.field("failed", pa.bool_()),  # below its threshold in some batch
        pa.field("drift", pa.bool_()),  # marked as drift in some batch
    ]
)
_SQL = {
    "metric": "select 'metric', run_id, run_date, min(measured_at), table_name, measure, avg(value), "
    "max(threshold), bool_or(not coalesce(success, true)), bool_or(is_drift) from dq_metrics "
    "where source = '' group by run_id, run_date, table_name, measure",
    "result": f"select 'result', run_id, run_date, evaluated_at, table_name, '{PASS_RATE}', pass_rate, "
    "null, false, false from dq_pass_rates",
    "quarantine": "select 'quarantine', run_id, run_date, min(quarantined_at), '', "
    "stage || ':' || reason_code, count(*), null, false, false from quarantine "
    "group by run_id, run_date, stage, reason_code",
}
Versions = dict[str, str]  # "<table>/<run date>" -> the partition's version


def read_history(
    store: Store, max_runs: int, keep: bool = False, within: duckdb.DuckDBPyConnection | None = None
) -> pa.Table:
    """The AGGREGATES rows of the newest `max_runs` runs (those with dq_metrics or dq_results), oldest
    first; with `keep`, reusing the kept aggregates of every partition whose version is unchanged.
    `within`: the DuckDB (views.shared) to read in."""
    versions, every = window_versions(store, max_runs)
    kept_rows, kept_versions = _load(store) if keep else (AGGREGATES.empty_table(), {})
    reused = {key for key, version in versions.items() if kept_versions.get(key) == version}
    parts = [
        kept_rows.filter(pc.is_in(partition_keys(kept_rows), value_set=pa.array(sorted(reused), pa.string())))
    ]
    for kind, table in KINDS.items():
        dates = [k.partition("/")[2] for k in versions if k.startswith(f"{table}/") and k not in reused]
        if dates:  # all of a table's partitions: one view over the whole table, no list of folders
            parts.append(aggregate(store, kind, None if len(dates) == every[table] else dates, within))
    rows = pa.concat_tables([AGGREGATES.empty_table(), *parts])
    if keep:
        _save(store, rows, versions)  # whole partitions, also runs outside the window
    appended = rows.filter(pc.not_equal(rows["kind"], "quarantine"))
    in_window = pc.is_in(rows["run_id"], value_set=pc.unique(newest_runs(appended, max_runs)["run_id"]))
    return rows.filter(in_window)


def window_versions(store: Store, max_runs: int) -> tuple[Versions, dict[str, int]]:
    """The versions of the run-date partitions that can hold the newest `max_runs` runs (each run date of
    dq_metrics or dq_results holds at least one run, so the newest `max_runs` of those dates, and the
    quarantine partitions from the oldest of them on), and how many partitions each table has in all."""
    found = {t: tables.partition_versions(store, t) for t in KINDS.values()}
    dates = sorted(set(found[DQ_METRICS.name]) | set(found[DQ_RESULTS.name]))[-max_runs:]
    oldest = dates[0] if dates else "~"
    versions = {f"{t}/{d}": v for t, by_date in found.items() for d, v in by_date.items() if d >= oldest}
    return versions, {t: len(by_date) for t, by_date in found.items()}


def partition_keys(rows: pa.Table) -> pa.Array:
    """Each aggregate row's `<table>/<run date>`: the partition it summarises."""
    kinds = pa.array(list(KINDS), pa.string())
    table = pc.take(pa.array(list(KINDS.values()), pa.string()), pc.index_in(rows["kind"], value_set=kinds))
    return pc.binary_join_element_wise(table, rows["run_date"], "/")


def newest_runs(rows: pa.Table, max_runs: int) -> pa.Table:
    """The rows of the newest `max_runs` runs among them, by when each was first measured."""
    starts = rows.group_by("run_id", use_threads=False).aggregate([("run_at", "min")])
    order = starts.sort_by([("run_at_min", "ascending"), ("run_id", "ascending")])
    runs = order["run_id"].slice(max(0, order.num_rows - max_runs))
    return rows.filter(pc.is_in(rows["run_id"], value_set=runs.combine_chunks()))


def aggregate(
    store: Store, kind: str, run_dates: list[str] | None, within: duckdb.DuckDBPyConnection | None = None
) -> pa.Table:
    """AGGREGATES rows of one kind, over these run-date partitions of its table (None: all), through its
    view."""
    result = views.read(store, lambda con: _aggregated(con, kind), (KINDS[kind],), run_dates, within=within)
    return pa.Table.from_arrays(
        [c.cast(f.type) for c, f in zip(result.columns, AGGREGATES, strict=True)], schema=AGGREGATES
    )


def _aggregated(con: duckdb.DuckDBPyConnection, kind: str) -> pa.Table:
    return con.sql(_SQL[kind]).to_arrow_table()


def _load(store: Store) -> tuple[pa.Table, Versions]:
    """The kept aggregates and the partition versions they summarise; none when they cannot be read."""
    if not store.is_file(KEPT):
        return AGGREGATES.empty_table(), {}
    try:
        rows = pa.ipc.open_file(store.read_bytes(KEPT)).read_all()
        versions = json.loads((rows.schema.metadata or {})[b"versions"])
        return rows.cast(AGGREGATES), {str(k): str(v) for k, v in versions.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return AGGREGATES.empty_table(), {}  # derived data: read everything again


def _save(store: Store, rows: pa.Table, versions: Versions) -> None:
    schema = AGGREGATES.with_metadata({"versions": json.dumps(versions, sort_keys=True)})
    sink = pa.BufferOutputStream()  # Arrow IPC, not Parquet: no `*.parquet` but the tables' own files
    with pa.ipc.new_file(sink, schema) as writer:
        writer.write_table(rows.cast(schema))
    store.write_bytes(KEPT, sink.getvalue().to_pybytes())
