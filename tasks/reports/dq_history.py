"""Per-run DQ aggregates of the newest runs, read through the warehouse's DuckDB views.

One aggregate row per run and: suite measure (dq_metrics, batch level, mean over the run's batches), suite
pass rate (the `dq_pass_rates` view: the one definition) or quarantine stage:reason (rows). Every read goes
through tasks.warehouse.views, restricted to the run-date partitions it needs (`since`): nothing here
lists files or reads a run id's format.

dq_metrics and dq_results only grow, so with `keep` their aggregates are kept in `_reports/dq/history.arrow`
and the next build reads again only the newest run date it had read (`through`) and later ones. The kept
rows are derived data: dropped, and everything read again, when a partition they summarise is gone, when
more runs are asked for than they hold, or when they cannot be read. quarantine is replaced whole by a
rebuild, so it is read again every build, over the window's run dates only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from tasks.warehouse import tables, views
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, QUARANTINE, UTC_TS
from tasks.warehouse.store import Store

PASS_RATE = "pass_rate"
KEPT = "_reports/dq/history.arrow"
APPENDED = (DQ_METRICS.name, DQ_RESULTS.name)  # append-only: their aggregates can be kept
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
_APPENDED_SQL = (
    "select 'metric', run_id, run_date, min(measured_at), table_name, measure, avg(value), max(threshold), "
    "bool_or(not coalesce(success, true)), bool_or(is_drift) from dq_metrics where source = '' "
    "group by run_id, run_date, table_name, measure "
    f"union all select 'result', run_id, run_date, evaluated_at, table_name, '{PASS_RATE}', pass_rate, "
    "null, false, false from dq_pass_rates"
)
_QUARANTINE_SQL = (
    "select 'quarantine', run_id, run_date, min(quarantined_at), '', stage || ':' || reason_code, "
    "count(*), null, false, false from quarantine group by run_id, run_date, stage, reason_code"
)


@dataclass(frozen=True)
class Kept:
    """The kept aggregates and what they cover: run dates before `through` are complete in them."""

    rows: pa.Table
    through: str  # the newest run date read; re-read by the next build
    closed: tuple[str, ...]  # `<table>/<run date>` of the older partitions they summarise (still there?)
    max_runs: int


def read_history(store: Store, max_runs: int, keep: bool = False) -> pa.Table:
    """The AGGREGATES rows of the newest `max_runs` runs (those with dq_metrics or dq_results), oldest
    first; with `keep`, reusing and updating the kept aggregates."""
    held = {f"{t}/{d}" for t in APPENDED for d in tables.partition_values(store, t)}  # folders, no files
    dates = sorted({h.partition("/")[2] for h in held})
    kept = _load(store) if keep else None
    if kept and kept.max_runs >= max_runs and set(kept.closed) <= held:
        old = kept.rows.filter(pc.less(kept.rows["run_date"], kept.through))
        rows = pa.concat_tables([old, aggregate(store, _APPENDED_SQL, since=kept.through, only=APPENDED)])
    else:  # each run date holds at least one run: the newest max_runs dates hold the newest runs
        since = dates[-max_runs] if len(dates) > max_runs else None
        rows = aggregate(store, _APPENDED_SQL, since=since, only=APPENDED)
    rows = newest_runs(rows, max_runs)
    if keep and dates:
        summarised = set(rows["run_date"].to_pylist()) - {dates[-1]}
        closed = tuple(sorted(h for h in held if h.partition("/")[2] in summarised))
        _save(store, Kept(rows, dates[-1], closed, max_runs))
    if not rows.num_rows:
        return rows
    oldest = pc.min(rows["run_date"]).as_py()
    quarantined = aggregate(store, _QUARANTINE_SQL, since=oldest, only=(QUARANTINE.name,))
    in_window = pc.is_in(quarantined["run_id"], value_set=pc.unique(rows["run_id"]))
    return pa.concat_tables([rows, quarantined.filter(in_window)])


def newest_runs(rows: pa.Table, max_runs: int) -> pa.Table:
    """The rows of the newest `max_runs` runs among them, by when each was first measured."""
    starts = rows.group_by("run_id", use_threads=False).aggregate([("run_at", "min")])
    order = starts.sort_by([("run_at_min", "ascending"), ("run_id", "ascending")])
    runs = order["run_id"].slice(max(0, order.num_rows - max_runs))
    return rows.filter(pc.is_in(rows["run_id"], value_set=runs.combine_chunks()))


def aggregate(store: Store, sql: str, since: str | None, only: tuple[str, ...]) -> pa.Table:
    """AGGREGATES rows of one query over the views of `only`, from run date `since` on (all if None)."""
    con = views.connect(store, only=only, since=since)
    result = con.sql(sql).to_arrow_table()
    return pa.Table.from_arrays(
        [c.cast(f.type) for c, f in zip(result.columns, AGGREGATES, strict=True)], schema=AGGREGATES
    )


def _load(store: Store) -> Kept | None:
    """The kept aggregates; None when there are none or they cannot be read (derived data)."""
    if not store.is_file(KEPT):
        return None
    try:
        rows = pa.ipc.open_file(store.read_bytes(KEPT)).read_all()
        meta = json.loads((rows.schema.metadata or {})[b"kept"])
        return Kept(rows.cast(AGGREGATES), meta["through"], tuple(meta["closed"]), int(meta["max_runs"]))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None


def _save(store: Store, kept: Kept) -> None:
    meta = {"through": kept.through, "closed": list(kept.closed), "max_runs": kept.max_runs}
    schema = AGGREGATES.with_metadata({"kept": json.dumps(meta)})
    sink = pa.BufferOutputStream()  # Arrow IPC, not Parquet: no `*.parquet` but the tables' own files
    with pa.ipc.new_file(sink, schema) as writer:
        writer.write_table(kept.rows.cast(schema))
    store.write_bytes(KEPT, sink.getvalue().to_pybytes())
