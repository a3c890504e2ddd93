"""DuckDB over the warehouse: every table as a view named after it, typed by its schema.

A local warehouse's views read its Parquet files with DuckDB's own `read_parquet` (partition pruning
on the hive folders). An object-store warehouse's views scan Arrow datasets over the same pyarrow
filesystem the pipeline writes with (filters are pushed down to them), so no DuckDB extension has to
be installed, nor fetched at run time.

Besides the tables, DERIVED views hold definitions every reader shares (one pass rate for the reports,
`newsetl report` and `newsetl query` alike). A session can be opened on a few tables, and on the tables
partitioned by run date only some dates (`run_dates`): the reports read a run's DQ rows without opening
every other run's files.

A local view reads its files by name into the columns its query uses. By default it is typed by the union
of the files' own schemas (DuckDB reads every file's footer when the view is bound, and again when a query
reads it), so a file written before a column existed reads it as null. `declared=True` binds it on the
table's declared schema instead: no file is opened before a query reads it, and each file once per query
(each is mapped by column name and cast to the declared type), but a query reading a column that some
file lacks fails (duckdb.InvalidInputException, "schema mismatch"). `read` runs a reader's queries that
way and, when a file lacks a column they read, once more over the union views.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

import duckdb
import pyarrow as pa

from tasks.warehouse import tables
from tasks.warehouse.schemas import TABLES, Table
from tasks.warehouse.store import Store, as_store
from tasks.warehouse.story_views import STORY_VIEWS


class QueryRefused(ValueError):
    """A statement `newsetl query` does not run: the warehouse is read-only there."""


READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA")  # PRAGMA: SHOW TABLES / DESCRIBE; settings are locked
RUN_DATE = "run_date"  # the partition of the tables about runs: dq_results, dq_metrics, quarantine, runs
T = TypeVar("T")

# name -> (the tables it reads, its SELECT). Grain and units are in each view's comment.
DERIVED: dict[str, tuple[tuple[str, ...], str]] = {
    # One row per run and suite: expectations evaluated and passed over all the run's batches, and the
    # suite's pass rate, passed / evaluated (0..1, pooled over batches, not a mean of batch rates).
    "dq_pass_rates": (
        ("dq_results",),
        "SELECT run_id, run_date, table_name, count(*) AS evaluated, count_if(success) AS passed, "
        "count_if(success) / count(*) AS pass_rate, sum(unexpected_count) AS unexpected_count, "
        "count(DISTINCT batch_id) AS batches, min(evaluated_at) AS evaluated_at "
        "FROM dq_results GROUP BY run_id, run_date, table_name",
    ),
    **STORY_VIEWS,
}


def connect(
    warehouse: str | os.PathLike[str] | Store,
    read_only: bool = False,
    only: Sequence[str] | None = None,
    run_dates: Sequence[str] | None = None,
    declared: bool = False,
    run_id: str | None = None,
    within: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session with every table of the warehouse as a view named after it, and the
    DERIVED views over them.

    only: just these tables (and the derived views reading only them). run_dates: `YYYY-MM-DD` dates: the
    tables partitioned by run date hold only those partitions (no other file is opened). run_id: those
    tables hold only that run's rows, read once into the session (for a reader querying them several
    times; a file of another run is passed over on its footer's statistics).
    read_only: files outside the warehouse cannot be read or written, extensions cannot be installed,
    and the configuration is locked; pair it with `check_read_only` for the statements themselves.
    declared: local views bound on the declared schemas (see the module's docstring; `read` uses it).
    within: a DuckDB of `shared()`: the session is a cursor of it, its tables and views its own (TEMP);
    not with read_only, whose settings would lock that DuckDB for every session.
    """
    store = as_store(warehouse)
    con = duckdb.connect(":memory:") if within is None else within.cursor()
    temp = "" if within is None else "TEMP "
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET parquet_metadata_cache = true")  # several queries of a session open the same files
    chosen = [t for t in TABLES.values() if only is None or t.name in only]
    for table in chosen:
        by_run = table.partition_by == RUN_DATE
        partitions = sorted(run_dates) if run_dates is not None and by_run else None
        select = _view(con, table, store, partitions, declared)
        if run_id is not None and by_run:
            con.execute(
                f"CREATE {temp}TABLE {table.name} AS SELECT * FROM ({select}) WHERE run_id = ?", [run_id]
            )
        else:
            con.execute(f"CREATE {temp}VIEW {table.name} AS {select}")
    for name, (reads, select) in DERIVED.items():
        if all(r in {t.name for t in chosen} for r in reads):
            con.execute(f"CREATE {temp}VIEW {name} AS {select}")
    if read_only:
        _lock(con, store)
    return con


def _lock(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    if store.is_local:
        root = os.path.realpath(store.root).replace("'", "''")
        con.execute(f"SET allowed_directories = ['{root}']")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def shared() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for a reader's several sessions (`connect(within=)`, `read(within=)`): they
    share its start-up and its cache of Parquet footers, each with its own views."""
    db = duckdb.connect(":memory:")
    db.execute("SET GLOBAL parquet_metadata_cache = true")
    return db


def read(
    warehouse: str | os.PathLike[str] | Store,
    queries: Callable[[duckdb.DuckDBPyConnection], T],
    only: Sequence[str] | None = None,
    run_dates: Sequence[str] | None = None,
    run_id: str | None = None,
    within: duckdb.DuckDBPyConnection | None = None,
) -> T:
    """`queries(con)` over a session of `connect(warehouse, only=, run_dates=, run_id=, within=,
    declared=True)`: every file is read once per query (once in all with `run_id`), by the columns it
    uses. When a file lacks one of those columns (written before the column existed), `queries` runs
    again over the union views, which read it as null."""
    chosen = {"only": only, "run_dates": run_dates, "run_id": run_id, "within": within}
    try:
        return queries(connect(warehouse, declared=True, **chosen))
    except duckdb.InvalidInputException:  # a file without a column read; a damaged file fails again below
        return queries(connect(warehouse, **chosen))


def check_read_only(sql: str) -> None:
    """Refuse any statement that is not a query (COPY, CREATE, DROP, INSERT, ATTACH, SET, INSTALL...)."""
    for statement in duckdb.extract_statements(sql):
        kind = statement.type.name
        if kind not in READ_ONLY_STATEMENTS:
            raise QueryRefused(
                f"the warehouse is read-only here: {kind} statements are not allowed "
                f"(only {', '.join(READ_ONLY_STATEMENTS)})"
            )


def _view(
    con: duckdb.DuckDBPyConnection, table: Table, store: Store, partitions: list[str] | None, declared: bool
) -> str:
    if store.is_local:
        return view_sql(table, store, partitions, declared)
    if partitions is None:
        dataset = tables.table_dataset(store, table.name)
    else:
        dataset = tables.partitions_dataset(store, table.name, partitions)
    if dataset is None:
        return _empty_select(table)
    con.register(f"_{table.name}_files", dataset)
    return f"SELECT {', '.join(table.columns)} FROM _{table.name}_files"


def view_sql(
    table: Table,
    warehouse: str | os.PathLike[str] | Store,
    partitions: list[str] | None = None,
    declared: bool = False,
) -> str:
    """SELECT over a local table's Parquet files, typed by its schema (empty before any file); with
    `partitions`, over those partition values' files only; `declared`: bound on the declared schema, not
    on the files' (see the module's docstring)."""
    store = as_store(warehouse)
    folder = store.path(tables.table_path(table.name))
    part = table.schema.field(table.partition_by)
    if partitions is None:
        if not tables.table_files(store, table.name):
            return _empty_select(table)
        patterns = [f"{folder}/*=*/*.parquet"]
    else:
        found = [p for p in partitions if store.files(f"{tables.table_path(table.name)}/{part.name}={p}")]
        patterns = [f"{folder}/{part.name}={p}/*.parquet" for p in found]
        if not patterns:
            return _empty_select(table)
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in patterns)
    if declared:  # DuckDB then needs every hive type given, and uses it as is
        types = ", ".join(f"'{f.name}': '{duckdb_type(f.type)}'" for f in table.schema)
        schema = f"hive_types_autocast = false, bound_schema = {{{types}}}"
    else:
        schema = "union_by_name = true"
    return (
        f"SELECT {', '.join(table.columns)} FROM read_parquet([{listed}], hive_partitioning = true, "
        f"{schema}, hive_types = {{'{part.name}': '{duckdb_type(part.type)}'}})"
    )


def _empty_select(table: Table) -> str:
    cols = ", ".join(f"CAST(NULL AS {duckdb_type(f.type)}) AS {f.name}" for f in table.schema)
    return f"SELECT {cols} WHERE false"


_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.uint32(): "UINTEGER",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.large_binary(): "BLOB",
    pa.binary(): "BLOB",
    pa.date32(): "DATE",
}


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type a column of this Arrow type is read as."""
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"{duckdb_type(arrow_type.value_type)}[]"
    if pa.types.is_map(arrow_type):
        return f"MAP({duckdb_type(arrow_type.key_type)}, {duckdb_type(arrow_type.item_type)})"
    if pa.types.is_struct(arrow_type):
        return f"STRUCT({', '.join(f'{f.name} {duckdb_type(f.type)}' for f in arrow_type)})"
    return _DUCK_TYPES[arrow_type]
