"""Per-run DQ aggregates of the newest runs, read from the warehouse and kept between dashboard builds.

One aggregate row per run and suite measure (dq_metrics, batch level), suite pass rate (dq_results, for
runs from before dq_metrics) or quarantine stage:reason. The warehouse holds one Parquet file per table
per batch, so reading history costs a file opening per run and table: only the files of the newest
`max_runs` runs are read, picked by name (a batch's files are named after its batch id, which starts
with its run id), and only the columns aggregated.

With `keep`, the aggregates are kept in `_reports/dq/history.arrow` with the names of the files they
summarise, so the next build reads only new files: the runs those belong to are read again whole. The
summary is derived data: when a file it summarises is gone (a rebuild replaced a table), or a new file
names no run, it is dropped and everything is read again.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from tasks.warehouse import tables, views
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, QUARANTINE, Table
from tasks.warehouse.store import Store

PASS_RATE = "pass_rate"
KEPT = "_reports/dq/history.arrow"
READ = (DQ_METRICS, DQ_RESULTS, QUARANTINE)
_RUN_OF_FILE = re.compile(r"^part-(\d{8}T\d{6}Z-[0-9a-f]{8})-")  # part-<run_id>-<batch>-<i>.parquet
AGGREGATES = pa.schema(
    [
        pa.field("kind", pa.string()),  # metric / result / quarantine
        pa.field("run_id", pa.string()),
        pa.field("table_name", pa.string()),  # the suite ("" for quarantine)
        pa.field("measure", pa.string()),  # the measure, pass_rate, or the stage:reason
        pa.field("value", pa.float64()),  # mean over the run's batches; rows for quarantine
        pa.field("threshold", pa.float64()),
        pa.field("failed", pa.bool_()),  # below its threshold in some batch
        pa.field("drift", pa.bool_()),  # marked as drift in some batch
    ]
)
_AGGREGATE_SQL = {
    DQ_METRICS.name: "select 'metric', run_id, table_name, measure, avg(value), max(threshold), "
    "bool_or(not coalesce(success, true)), bool_or(is_drift) from {t} where source = '' group by all",
    DQ_RESULTS.name: f"select 'result', run_id, table_name, '{PASS_RATE}', avg(success::int), null, false, "
    "false from {t} group by all",
    QUARANTINE.name: "select 'quarantine', run_id, '', stage || ':' || reason_code, count(*), null, false, "
    "false from {t} group by all",
}


@dataclass(frozen=True)
class History:
    """The newest runs' aggregates (AGGREGATES rows), their oldest run, and the newest run's files."""

    rows: pa.Table
    oldest: str
    newest_files: dict[str, list[str]]  # table -> the newest run's files (filesystem paths)


def read_history(store: Store, max_runs: int, keep: bool = False) -> History:
    """The aggregates of the newest `max_runs` runs; with `keep`, reusing and updating the kept ones."""
    listed = {t.name: committed_files(store, t.name) for t in READ}
    wanted, oldest = window(listed, max_runs)
    every_wanted = {f for paths in wanted.values() for f in paths}
    kept, summarised = _load(store) if keep else (None, set())
    fresh = every_wanted - summarised
    gone = summarised - {f for paths in listed.values() for f in paths}
    if kept is None or gone or any(run_of(f) is None for f in fresh):
        kept, to_read = AGGREGATES.empty_table(), wanted  # read the whole window again
    else:
        dirty = {run_of(f) for f in fresh}  # runs with a new file: read again whole
        stale = pc.is_in(kept["run_id"], value_set=pa.array(sorted(dirty), pa.string()))
        kept = kept.filter(pc.invert(stale))
        to_read = {name: [f for f in paths if run_of(f) in dirty] for name, paths in wanted.items()}
    rows = pa.concat_tables([kept, aggregate(store, to_read)])
    rows = rows.filter(pc.greater_equal(rows["run_id"], oldest))  # a rebuild's file holds older runs' rows
    if keep:
        _save(store, rows, every_wanted)
    newest = pc.max(rows["run_id"]).as_py() if rows.num_rows else None
    files = {name: [f for f in paths if run_of(f) in (newest, None)] for name, paths in wanted.items()}
    return History(rows, oldest, files)


def window(listed: dict[str, list[str]], max_runs: int) -> tuple[dict[str, list[str]], str]:
    """The files to read for the newest `max_runs` runs, and the oldest of those runs ("" for none).

    A run's dq_results are read only when it has no dq_metrics (a run from before them): its pass
    rates are in dq_metrics. A file whose name carries no run id is always read."""
    measured = {run_of(f) for f in listed[DQ_METRICS.name]} - {None}
    named = measured | {run_of(f) for f in listed[DQ_RESULTS.name]} - {None}
    runs = sorted(r for r in named if r)[-max_runs:]
    oldest = runs[0] if runs else ""
    wanted = {name: [f for f in paths if (run_of(f) or oldest) >= oldest] for name, paths in listed.items()}
    wanted[DQ_RESULTS.name] = [f for f in wanted[DQ_RESULTS.name] if run_of(f) not in measured]
    return wanted, oldest


def committed_files(store: Store, table: str) -> list[str]:
    """A table's committed Parquet files (filesystem paths), as tables.table_files lists them, without
    turning each path relative and back (thousands of files per table here)."""
    selector = pafs.FileSelector(store.path(tables.table_path(table)), recursive=True, allow_not_found=True)
    return sorted(
        i.path
        for i in store.fs.get_file_info(selector)
        if i.type == pafs.FileType.File
        and i.path.endswith(".parquet")
        and "=" in posixpath.basename(posixpath.dirname(i.path))
    )


@lru_cache(maxsize=65_536)  # each file's name is looked at several times per build
def run_of(path: str) -> str | None:
    """The run id a committed file's name starts with (None for a name without one)."""
    match = _RUN_OF_FILE.match(posixpath.basename(path))
    return match.group(1) if match else None


def aggregate(store: Store, files: dict[str, list[str]]) -> pa.Table:
    """The AGGREGATES rows of these files of dq_metrics, dq_results and quarantine."""
    if not any(files.values()):
        return AGGREGATES.empty_table()  # nothing new: not even a DuckDB connection
    con = duckdb.connect(":memory:")
    parts = [
        _AGGREGATE_SQL[t.name].format(t=source(con, store, t, files[t.name]))
        for t in READ
        if files.get(t.name)
    ]
    if not parts:
        return AGGREGATES.empty_table()
    result = con.sql(" union all ".join(parts)).to_arrow_table()
    return pa.Table.from_arrays(
        [c.cast(f.type) for c, f in zip(result.columns, AGGREGATES, strict=True)], schema=AGGREGATES
    )


def source(con: duckdb.DuckDBPyConnection, store: Store, table: Table, files: list[str]) -> str:
    """A FROM clause over these files of a table: DuckDB's reader for local files, an Arrow dataset over
    the store's filesystem otherwise. Only columns every file has are read: no union by name."""
    part = table.schema.field(table.partition_by)
    if store.is_local:
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        hive = f"{{'{part.name}': '{views.duckdb_type(part.type)}'}}"
        return f"read_parquet([{listed}], hive_partitioning = true, hive_types = {hive})"
    dataset = ds.dataset(
        files,
        schema=table.schema,
        format="parquet",
        filesystem=store.fs,
        partitioning=ds.partitioning(pa.schema([part]), flavor="hive"),
        partition_base_dir=store.path(tables.table_path(table.name)),
    )
    name = f"_{table.name}_{len(files)}_{id(dataset)}"
    con.register(name, dataset)
    return name


def _load(store: Store) -> tuple[pa.Table | None, set[str]]:
    """The kept aggregates and the files they summarise (filesystem paths); None when none are readable."""
    if not store.is_file(KEPT):
        return None, set()
    try:
        kept = pa.ipc.open_file(store.read_bytes(KEPT)).read_all()
        names = json.loads((kept.schema.metadata or {})[b"files"])
        return kept.cast(AGGREGATES), {store.path(n) for n in names}
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None, set()  # derived data: read everything again


def _save(store: Store, rows: pa.Table, files: set[str]) -> None:
    names = json.dumps(sorted(store.relative(f) for f in files))
    sink = pa.BufferOutputStream()  # Arrow IPC, not Parquet: no `*.parquet` but the tables' own files
    schema = AGGREGATES.with_metadata({"files": names})
    with pa.ipc.new_file(sink, schema) as writer:
        writer.write_table(rows.cast(schema))
    store.write_bytes(KEPT, sink.getvalue().to_pybytes())
