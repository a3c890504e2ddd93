"""DuckDB over the warehouse: every table as a view named after it, typed by its schema.

A local warehouse's views read its Parquet files with DuckDB's own `read_parquet` (partition pruning
on the hive folders). An object-store warehouse's views scan Arrow datasets over the same pyarrow
filesystem the pipeline writes with (filters are pushed down to them), so no DuckDB extension has to
be installed, nor fetched at run time.
"""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa

from tasks.warehouse import tables
from tasks.warehouse.schemas import TABLES, Table
from tasks.warehouse.store import Store, as_store, open_store


class QueryRefused(ValueError):
    """A statement `newsetl query` does not run: the warehouse is read-only there."""


READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA")  # PRAGMA: SHOW TABLES / DESCRIBE; settings are locked


def connect(warehouse: str | os.PathLike[str], read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session with every table of the warehouse as a view named after it.

    read_only: files outside the warehouse cannot be read or written, extensions cannot be installed,
    and the configuration is locked; pair it with `check_read_only` for the statements themselves.
    """
    store = open_store(warehouse)
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES.values():
        con.execute(f"CREATE VIEW {table.name} AS {_view(con, table, store)}")
    if read_only:
        if store.is_local:
            root = os.path.realpath(store.root).replace("'", "''")
            con.execute(f"SET allowed_directories = ['{root}']")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    return con


def check_read_only(sql: str) -> None:
    """Refuse any statement that is not a query (COPY, CREATE, DROP, INSERT, ATTACH, SET, INSTALL...)."""
    for statement in duckdb.extract_statements(sql):
        kind = statement.type.name
        if kind not in READ_ONLY_STATEMENTS:
            raise QueryRefused(
                f"the warehouse is read-only here: {kind} statements are not allowed "
                f"(only {', '.join(READ_ONLY_STATEMENTS)})"
            )


def _view(con: duckdb.DuckDBPyConnection, table: Table, store: Store) -> str:
    if store.is_local:
        return view_sql(table, store)
    dataset = tables.table_dataset(store, table.name)
    if dataset is None:
        return _empty_select(table)
    con.register(f"_{table.name}_files", dataset)
    return f"SELECT {', '.join(table.columns)} FROM _{table.name}_files"


def view_sql(table: Table, warehouse: str | os.PathLike[str] | Store) -> str:
    """SELECT over a local table's Parquet files, typed by its schema (empty before any file)."""
    store = as_store(warehouse)
    if not tables.table_files(store, table.name):
        return _empty_select(table)
    folder = store.path(tables.table_path(table.name))
    pattern = f"{folder}/*=*/*.parquet".replace("'", "''")
    part = table.schema.field(table.partition_by)
    return (
        f"SELECT {', '.join(table.columns)} FROM read_parquet('{pattern}', hive_partitioning = true, "
        f"union_by_name = true, hive_types = {{'{part.name}': '{duckdb_type(part.type)}'}})"
    )


def _empty_select(table: Table) -> str:
    cols = ", ".join(f"CAST(NULL AS {duckdb_type(f.type)}) AS {f.name}" for f in table.schema)
    return f"SELECT {cols} WHERE false"


_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
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
    return _DUCK_TYPES[arrow_type]
