"""The only code that reads sources or touches the warehouse: listing, reading, atomic commits.

The warehouse is a local folder or an object-store URL (`s3://bucket/prefix`), reached through one
pyarrow filesystem (tasks.store). A batch is committed in three steps: its Parquet files are written
under `_staging/<batch_id>/`, a `_COMMIT` manifest naming them is written in one piece, then each file
is moved into its table. A run that dies before the manifest leaves nothing visible (the staging folder
is dropped on the next run); one that dies after it is rolled forward by `recover()`. A local move is a
rename and an object-store move a server-side copy: either way every file a reader sees is complete.
DuckDB views over the tables are in tasks.views.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import posixpath
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tasks import lock
from tasks.lock import WarehouseLocked
from tasks.records import RawDocument, SourceFile, doc_id_of_stream
from tasks.schemas import TABLES, Table
from tasks.store import Store, open_store

__all__ = ["WarehouseLocked"]  # raised by warehouse_lock

STAGING = "_staging"
MANIFEST = "_COMMIT"
REPLACE = "_REPLACE"  # a rebuild's manifest: the tables whose whole contents it replaces
VERSIONS = "_versions"
SOURCE_SUFFIXES = (".txt",)
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_BATCH_SIZE = 250  # files read, parsed and committed together: one Prefect task per stage
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds a run waits for another run on the same warehouse
SUITES_DIR = Path(__file__).resolve().parent.parent / "expectations"


class SourceError(ValueError):
    """The SOURCE argument names nothing readable."""


def warehouse_lock(warehouse: str | os.PathLike[str], timeout: float, holder: str) -> Any:
    """Hold the warehouse's run lock (see tasks.lock): a context manager."""
    return lock.warehouse_lock(open_store(warehouse), timeout, holder)


def list_sources(source: str | os.PathLike[str]) -> list[str]:
    """Sorted paths of the input files: a file, a directory (recursive, *.txt) or a glob pattern."""
    text = os.fspath(source)
    path = Path(text)
    if path.is_dir():
        found = []
        for root, dirs, files in os.walk(path):  # followlinks=False: a symlink loop cannot trap us
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [os.path.join(root, f) for f in files if f.lower().endswith(SOURCE_SUFFIXES)]
        return sorted(found)
    if path.is_file() or path.is_symlink():
        return [text]
    if glob.has_magic(text):
        return sorted(p for p in glob.glob(text, recursive=True) if not os.path.isdir(p))
    raise SourceError(f"{text}: no such file, directory or matching glob")


def read_sources(paths: Iterable[str], max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[SourceFile]:
    """Each file's bytes, or why it could not be read (never raises for a single bad file)."""
    return [_read_one(p, max_bytes) for p in paths]


def _read_one(path: str, max_bytes: int) -> SourceFile:
    uri = Path(path).absolute().as_uri()
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:  # hashed in chunks, so a rerun knows it without holding it whole
                detail = f"{path}: {size} bytes is over the {max_bytes}-byte limit"
                return SourceFile(uri, None, "too_large", detail, doc_id_of_stream(handle))
            return SourceFile(uri, handle.read())
    except FileNotFoundError as exc:
        return SourceFile(uri, None, "vanished", f"{path}: gone before it could be read ({exc.strerror})")
    except OSError as exc:
        return SourceFile(uri, None, "unreadable", f"{path}: {exc.strerror or exc}")


def new_sources(paths: Sequence[str], known: frozenset[str] | set[str]) -> tuple[list[str], int]:
    """The paths whose bytes are not in the warehouse yet, and how many were skipped as known.

    Each file is hashed as a stream (memory stays flat), before any batch is built: a re-run with
    nothing new starts no worker, GX or model. A file that cannot be read now is kept, so that its batch
    quarantines it with the reason.
    """
    fresh: list[str] = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                doc_id = doc_id_of_stream(handle)
        except OSError:
            doc_id = None
        if doc_id not in known:
            fresh.append(path)
    return fresh, len(paths) - len(fresh)


def table_path(table: str) -> str:
    """The warehouse-relative folder holding one table's partitions (the same in every warehouse)."""
    if table not in TABLES:
        raise KeyError(f"unknown table {table!r}")
    return table


def table_files(warehouse: str | os.PathLike[str] | Store, table: str) -> list[str]:
    """The committed Parquet files of a table (filesystem paths of its Store), in a stable order."""
    store = _store(warehouse)
    folder = table_path(table)
    return [
        store.path(rel)
        for rel in store.files(folder)
        if rel.endswith(".parquet") and "=" in posixpath.dirname(rel).rpartition("/")[2]
    ]


def table_dataset(warehouse: str | os.PathLike[str] | Store, table: str) -> ds.Dataset | None:
    """A table's committed files as one Arrow dataset typed by its schema (its partition column from
    the hive path); None while the table has no file."""
    store = _store(warehouse)
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


def load_suites(directory: str | os.PathLike[str] = SUITES_DIR) -> dict[str, dict[str, Any]]:
    """Every table's GX suite as JSON, from `<directory>/<table>.json`; suite name must be the table name."""
    suites: dict[str, dict[str, Any]] = {}
    for name in TABLES:
        path = Path(directory) / f"{name}.json"
        if not path.is_file():
            continue
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a readable suite: {exc}") from exc
        if suite.get("name") != name:
            raise ValueError(f"{path}: suite name {suite.get('name')!r} must be {name!r}")
        suites[name] = suite
    return suites


def known_doc_ids(warehouse: str | os.PathLike[str]) -> set[str]:
    """doc_ids already ingested or quarantined: files with these bytes are skipped."""
    ids: set[str] = set()
    for table in ("raw_documents", "quarantine"):
        ids.update(v for v in read_column(warehouse, table, "doc_id").to_pylist() if v)
    return ids


def iter_raw_documents(warehouse: str | os.PathLike[str], batch_size: int) -> Iterator[list[RawDocument]]:
    """raw_documents back as RawDocument records, `batch_size` at a time (memory bounded by the batch)."""
    dataset = table_dataset(warehouse, "raw_documents")
    if dataset is None:
        return
    columns = ["doc_id", "source_uri", "byte_size", "encoding", "raw_text"]
    pending: list[RawDocument] = []
    for record_batch in dataset.scanner(columns=columns, batch_size=batch_size).to_batches():
        for row in record_batch.to_pylist():
            data = row["raw_text"].encode(row["encoding"], errors="replace")  # the payload if it fails now
            pending.append(RawDocument(**row, data=data))
            if len(pending) == batch_size:
                yield pending
                pending = []
    if pending:
        yield pending


def commit_batch(warehouse: str | os.PathLike[str], batch_id: str, tables: dict[str, pa.Table]) -> list[str]:
    """Write one batch's rows to every table atomically; returns the committed files (relative paths)."""
    _check_paths(batch_id, tables)
    store = open_store(warehouse)
    staging = posixpath.join(STAGING, batch_id)
    store.delete_dir(staging)
    written: list[str] = []
    for name, rows in tables.items():
        if rows.num_rows:
            written += _stage_table(store, staging, TABLES[name], rows, batch_id)
    if not written:
        return []
    store.write_bytes(posixpath.join(staging, MANIFEST), json.dumps(sorted(written)).encode())
    _apply(store, staging)
    return sorted(written)


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.:]{0,127}$")


def _checked_name(kind: str, value: str) -> str:
    """A path component the warehouse writes: refuses separators, "..", and anything but plain names."""
    if not _SAFE_NAME.match(value) or ".." in value:
        raise ValueError(
            f"unsafe {kind} {value!r}: it would not name a plain folder or file in the warehouse"
        )
    return value


def _check_paths(batch_id: str, tables: dict[str, pa.Table]) -> None:
    """Every path component a write would create, checked before anything is written."""
    _checked_name("batch id", batch_id)
    for name, rows in tables.items():
        table = TABLES[name]
        for value in pc.unique(rows.column(table.partition_by)).to_pylist():
            _checked_name(f"{name}.{table.partition_by} value", str(value))


def _stage_table(store: Store, staging: str, table: Table, rows: pa.Table, batch_id: str) -> list[str]:
    """Write a table's rows as hive-partitioned Parquet under `staging`; returns paths relative to it."""
    written: list[str] = []
    base = store.path(staging)
    ds.write_dataset(
        rows.select(table.columns).cast(table.schema),
        posixpath.join(base, table.name),
        filesystem=store.fs,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([table.schema.field(table.partition_by)]), flavor="hive"),
        basename_template=f"part-{batch_id}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
        file_visitor=lambda f: written.append(posixpath.relpath(f.path, base)),
        create_dir=store.is_local,  # an object store has no folders to make
    )
    return written


def recover(warehouse: str | os.PathLike[str]) -> list[str]:
    """Finish batches and rebuilds whose manifest was written, drop the others; returns their ids."""
    store = open_store(warehouse)
    done: list[str] = []
    for name in store.folders(STAGING):
        staging = posixpath.join(STAGING, name)
        if store.is_file(posixpath.join(staging, REPLACE)):
            _apply_replace(store, staging)
            done.append(name)
        elif store.is_file(posixpath.join(staging, MANIFEST)):
            _apply(store, staging)
            done.append(name)
        else:
            store.delete_dir(staging)
    return done


def stage_replacement(
    warehouse: str | os.PathLike[str], rebuild_id: str, part: str, tables: dict[str, pa.Table]
) -> None:
    """Add rows to a rebuild's new table contents, staged under `_staging/<rebuild_id>/` (invisible)."""
    _check_paths(rebuild_id, tables)
    _checked_name("part", part)
    store = open_store(warehouse)
    staging = posixpath.join(STAGING, rebuild_id)
    for name, rows in tables.items():
        if rows.num_rows:
            _stage_table(store, staging, TABLES[name], rows, f"{rebuild_id}-{part}")


def replace_tables(warehouse: str | os.PathLike[str], rebuild_id: str, names: list[str]) -> None:
    """Swap each table's whole contents for the staged ones.

    Locally each table path is a symlink repointed with one rename, so a reader sees the old table or the
    new one, never a mix. On an object store (no symlinks, no renames) the old files are deleted and the
    staged ones moved in: crash-safe (the manifest lists the new files, `recover()` finishes the swap) but
    a reader during the swap may see part of each.
    """
    _checked_name("rebuild id", rebuild_id)
    store = open_store(warehouse)
    staging = posixpath.join(STAGING, rebuild_id)
    files = [posixpath.relpath(f, staging) for f in store.files(staging)]
    manifest = {name: [f for f in files if f.startswith(f"{name}/")] for name in sorted(names)}
    store.write_bytes(posixpath.join(staging, REPLACE), json.dumps(manifest).encode())
    _apply_replace(store, staging)


def _apply_replace(store: Store, staging: str) -> None:
    """Put each staged table in place of the old one (idempotent, for recover); drop the staging folder."""
    manifest: dict[str, list[str]] = json.loads(store.read_bytes(posixpath.join(staging, REPLACE)))
    for name, files in manifest.items():
        if store.is_local:
            _swap_local(store, staging, name)
        else:
            _replace_objects(store, staging, name, files)
    store.delete_dir(staging)


def _replace_objects(store: Store, staging: str, name: str, files: list[str]) -> None:
    """Object store: delete the table's files that are not the new ones, then move the new ones in."""
    keep = set(files)
    for rel in store.files(name):
        if rel not in keep:
            store.delete_file(rel)
    for rel in files:
        if store.is_file(posixpath.join(staging, rel)):
            store.move(posixpath.join(staging, rel), rel)


def _swap_local(store: Store, staging: str, name: str) -> None:
    """Local: move the staged table to `_versions/` and point the table's symlink at it."""
    root = Path(store.root)
    version = root / VERSIONS / f"{name}-{posixpath.basename(staging)}"
    staged = root / staging / name
    if staged.exists() or not version.exists():
        version.parent.mkdir(parents=True, exist_ok=True)
        staged.mkdir(parents=True, exist_ok=True)  # a table rebuilt to no rows is an empty folder
        os.replace(staged, version)
    _point(root, name, version)


def _point(root: Path, name: str, version: Path) -> None:
    link, swap = root / name, root / f".{name}.swap"
    if link.is_symlink() and link.resolve() == version.resolve():
        return
    swap.unlink(missing_ok=True)
    os.symlink(os.path.relpath(version, root), swap)
    old = link.resolve() if link.is_symlink() else None
    if link.is_dir() and not link.is_symlink():  # a table never rebuilt: a plain folder becomes a version
        old = root / VERSIONS / f"{name}-before-{version.name}"
        os.replace(link, old)  # the one moment a reader may find the table missing, once per table
    os.replace(swap, link)
    if old is not None and old.exists():
        shutil.rmtree(old)


def _apply(store: Store, staging: str) -> None:
    """Move every file named by the manifest into its table (idempotent), then drop the staging folder."""
    for rel in json.loads(store.read_bytes(posixpath.join(staging, MANIFEST))):
        if store.is_file(posixpath.join(staging, rel)):
            store.move(posixpath.join(staging, rel), rel)
    store.delete_dir(staging)
    if store.is_local:
        with contextlib.suppress(OSError):
            os.rmdir(store.path(STAGING))  # only when no other batch is staged


def _store(warehouse: str | os.PathLike[str] | Store) -> Store:
    return warehouse if isinstance(warehouse, Store) else open_store(warehouse)
