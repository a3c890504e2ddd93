"""Reading the warehouse's committed tables back: as Arrow datasets, whole, by column, or in batches.

A table is the Parquet files under `<table>/<partition>=<value>/`, typed by its schema in
tasks.warehouse.schemas; files written before a column existed read it as null.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from tasks.records import TEXT_PLAIN, SourceRecord
from tasks.warehouse.schemas import TABLES
from tasks.warehouse.store import Store, as_store


def table_path(table: str) -> str:
    """The warehouse-relative folder holding one table's partitions (the same in every warehouse)."""
    if table not in TABLES:
        raise KeyError(f"unknown table {table!r}")
    return table


def table_files(warehouse: str | os.PathLike[str] | Store, table: str) -> list[str]:
    """The committed Parquet files of a table (filesystem paths of its Store), in a stable order."""
    store = as_store(warehouse)
    folder = table_path(table)
    return [
        store.path(rel)
        for rel in store.files(folder)
        if rel.endswith(".parquet") and "=" in posixpath.dirname(rel).rpartition("/")[2]
    ]


def table_dataset(warehouse: str | os.PathLike[str] | Store, table: str) -> ds.Dataset | None:
    """A table's committed files as one Arrow dataset typed by its schema (its partition column from
    the hive path); None while the table has no file."""
    store = as_store(warehouse)
    files = table_files(store, table)
    if not files:
        return None
    schema = TABLES[table].schema
    partitioning = ds.partitioning(pa.schema([schema.field(TABLES[table].partition_by)]), flavor="hive")
    return ds.dataset(
        files,
        schema=schema,
        format="parquet",
        filesystem=store.fs,
        partitioning=partitioning,
        partition_base_dir=store.path(table_path(table)),
    )


def partition_values(warehouse: str | os.PathLike[str] | Store, table: str) -> list[str]:
    """The values of a table's partition column that have a folder, sorted (e.g. run dates)."""
    prefix = f"{TABLES[table].partition_by}="
    folders = as_store(warehouse).folders(table_path(table))
    return [f.removeprefix(prefix) for f in folders if f.startswith(prefix)]


def partitions_dataset(
    warehouse: str | os.PathLike[str] | Store, table: str, values: list[str]
) -> ds.Dataset | None:
    """Only the given partitions of a table, as one Arrow dataset (no other folder is listed or opened)."""
    store = as_store(warehouse)
    partition = TABLES[table].partition_by
    files = [
        store.path(rel)
        for value in values
        for rel in store.files(posixpath.join(table_path(table), f"{partition}={value}"))
        if rel.endswith(".parquet")
    ]
    if not files:
        return None
    schema = TABLES[table].schema
    return ds.dataset(
        files,
        schema=schema,
        format="parquet",
        filesystem=store.fs,
        partitioning=ds.partitioning(pa.schema([schema.field(partition)]), flavor="hive"),
        partition_base_dir=store.path(table_path(table)),
    )


def read_column(warehouse: str | os.PathLike[str], table: str, column: str) -> pa.ChunkedArray:
    """One column of a committed table (empty when the table has no files yet)."""
    dataset = table_dataset(warehouse, table)
    if dataset is None:
        return pa.chunked_array([], type=TABLES[table].schema.field(column).type)
    return dataset.to_table(columns=[column]).column(column)


def read_table(warehouse: str | os.PathLike[str], table: str) -> pa.Table:
    """A whole committed table, its partition column included, typed by its schema."""
    dataset = table_dataset(warehouse, table)
    if dataset is None:
        return TABLES[table].schema.empty_table()
    return dataset.to_table().select(TABLES[table].columns)


def known_doc_ids(warehouse: str | os.PathLike[str]) -> set[str]:
    """doc_ids already ingested or quarantined: files with these bytes are skipped."""
    ids: set[str] = set()
    for table in ("raw_documents", "quarantine"):
        ids.update(v for v in read_column(warehouse, table, "doc_id").to_pylist() if v)
    return ids


def iter_raw_records(warehouse: str | os.PathLike[str], batch_size: int) -> Iterator[list[SourceRecord]]:
    """raw_documents back as the source records they were ingested from, `batch_size` at a time (memory
    bounded by the batch): a rebuild replays each record's original bytes through ingest and parse.

    A row written before the bytes were kept (raw_bytes null) replays its decoded text, as UTF-8."""
    dataset = table_dataset(warehouse, "raw_documents")
    if dataset is None:
        return
    columns = ["doc_id", "source_uri", "locator", "media_type", "url", "fetched_at", "raw_bytes", "raw_text"]
    for record_batch in dataset.scanner(columns=columns, batch_size=batch_size).to_batches():
        rows = record_batch.to_pylist()
        if rows:
            yield [_replayed(row) for row in rows]


def _replayed(row: dict[str, Any]) -> SourceRecord:
    data = row["raw_bytes"] if row["raw_bytes"] is not None else row["raw_text"].encode("utf-8")
    media_type, locator = row["media_type"] or TEXT_PLAIN, row["locator"] or ""
    return SourceRecord(
        row["source_uri"],
        data,
        doc_id=row["doc_id"],
        media_type=media_type,
        locator=locator,
        url=row["url"],
        fetched_at=row["fetched_at"],
    )


def rows_without_bytes(warehouse: str | os.PathLike[str]) -> int:
    """raw_documents rows written before the original bytes were kept (read from file footers only)."""
    dataset = table_dataset(warehouse, "raw_documents")
    if dataset is None:
        return 0
    return sum(
        f.metadata.num_rows for f in dataset.get_fragments() if "raw_bytes" not in f.physical_schema.names
    )


def partition_versions(warehouse: str | os.PathLike[str] | Store, table: str) -> dict[str, str]:
    """Per partition value of a table, an opaque version: a digest of its files' names and sizes, which
    changes whenever a commit adds, a rebuild replaces, or retention removes a file there. A reader that
    keeps something derived from a partition compares versions instead of reading the files again."""
    store = as_store(warehouse)
    prefix = f"{TABLES[table].partition_by}="
    listed: dict[str, list[str]] = {}
    selector = pafs.FileSelector(store.path(table_path(table)), recursive=True, allow_not_found=True)
    for info in store.fs.get_file_info(selector):
        folder = posixpath.basename(posixpath.dirname(info.path))
        if info.type == pafs.FileType.File and info.path.endswith(".parquet") and folder.startswith(prefix):
            listed.setdefault(folder.removeprefix(prefix), []).append(
                f"{posixpath.basename(info.path)}:{info.size}"
            )
    return {
        value: hashlib.sha256("\n".join(sorted(files)).encode()).hexdigest()[:16]
        for value, files in listed.items()
    }
