"""The only code that reads sources or touches the warehouse: listing, reading, atomic commits, DuckDB views.

A batch is committed in three steps: its Parquet files are written under `_staging/<batch_id>/`, a
`_COMMIT` manifest naming them is renamed into place, then each file is renamed into its table. A run
that dies before the manifest leaves nothing visible (the staging folder is dropped on the next run);
one that dies after it is rolled forward by `recover()`. Renames stay on one filesystem, so every file a
reader sees is complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tasks.records import RawDocument, SourceFile, doc_id_of_stream
from tasks.schemas import TABLES, Table

STAGING = "_staging"
MANIFEST = "_COMMIT"
REPLACE = "_REPLACE"  # a rebuild's manifest: the tables whose whole contents it replaces
VERSIONS = "_versions"
SOURCE_SUFFIXES = (".txt",)
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_BATCH_SIZE = 250  # files read, parsed and committed together: one Prefect task per stage
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds a run waits for another run on the same warehouse
LOCK = "_lock"
SUITES_DIR = Path(__file__).resolve().parent.parent / "expectations"


class SourceError(ValueError):
    """The SOURCE argument names nothing readable."""


class WarehouseLocked(RuntimeError):
    """Another run holds the warehouse for longer than this run agreed to wait."""


@contextlib.contextmanager
def warehouse_lock(warehouse: str | os.PathLike[str], timeout: float, holder: str) -> Iterator[None]:
    """Hold the warehouse's run lock (flock on `<warehouse>/_lock`, released if the process dies)."""
    root = Path(warehouse)
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                held_by = path.read_text(encoding="utf-8", errors="replace").strip() or "unknown"
                raise WarehouseLocked(
                    f"warehouse {root} is locked by another newsetl run ({held_by}); "
                    f"gave up waiting after {timeout:g} s"
                )
            time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"{holder}, since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


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


def table_path(warehouse: str | os.PathLike[str], table: str) -> Path:
    """The folder holding one table's partitions."""
    if table not in TABLES:
        raise KeyError(f"unknown table {table!r}")
    return Path(warehouse) / table


def table_files(warehouse: str | os.PathLike[str], table: str) -> list[Path]:
    """The committed Parquet files of a table, in a stable order."""
    return sorted(table_path(warehouse, table).glob("*=*/*.parquet"))


def read_column(warehouse: str | os.PathLike[str], table: str, column: str) -> pa.ChunkedArray:
    """One column of a committed table (empty when the table has no files yet)."""
    files = table_files(warehouse, table)
    if not files:
        return pa.chunked_array([], type=TABLES[table].schema.field(column).type)
    return ds.dataset([str(f) for f in files], format="parquet").to_table(columns=[column]).column(column)


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


def commit_batch(warehouse: str | os.PathLike[str], batch_id: str, tables: dict[str, pa.Table]) -> list[str]:
    """Write one batch's rows to every table atomically; returns the committed files (relative paths)."""
    _check_paths(batch_id, tables)
    root = Path(warehouse)
    staging = root / STAGING / batch_id
    shutil.rmtree(staging, ignore_errors=True)
    written: list[str] = []
    for name, rows in tables.items():
        if rows.num_rows:
            written += _stage_table(staging, TABLES[name], rows, batch_id)
    if not written:
        return []
    _write_atomic(staging / MANIFEST, json.dumps(sorted(written)).encode())
    _apply(root, staging)
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


def _stage_table(staging: Path, table: Table, rows: pa.Table, batch_id: str) -> list[str]:
    written: list[str] = []
    ds.write_dataset(
        rows.select(table.columns).cast(table.schema),
        staging / table.name,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([table.schema.field(table.partition_by)]), flavor="hive"),
        basename_template=f"part-{batch_id}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
        file_visitor=lambda f: written.append(Path(f.path).relative_to(staging).as_posix()),
    )
    return written


def recover(warehouse: str | os.PathLike[str]) -> list[str]:
    """Finish batches and rebuilds whose manifest was written, drop the others; returns their ids."""
    root = Path(warehouse)
    done: list[str] = []
    staging_root = root / STAGING
    if not staging_root.is_dir():
        return done
    for staging in sorted(p for p in staging_root.iterdir() if p.is_dir()):
        if (staging / REPLACE).is_file():
            _apply_replace(root, staging)
            done.append(staging.name)
        elif (staging / MANIFEST).is_file():
            _apply(root, staging)
            done.append(staging.name)
        else:
            shutil.rmtree(staging, ignore_errors=True)
    return done


def iter_raw_documents(warehouse: str | os.PathLike[str], batch_size: int) -> Iterator[list[RawDocument]]:
    """raw_documents back as RawDocument records, `batch_size` at a time (memory bounded by the batch)."""
    files = table_files(warehouse, "raw_documents")
    if not files:
        return
    columns = ["doc_id", "source_uri", "byte_size", "encoding", "raw_text"]
    scanner = ds.dataset([str(f) for f in files], format="parquet").scanner(
        columns=columns, batch_size=batch_size
    )
    pending: list[RawDocument] = []
    for record_batch in scanner.to_batches():
        for row in record_batch.to_pylist():
            data = row["raw_text"].encode(row["encoding"], errors="replace")  # the payload if it fails now
            pending.append(RawDocument(**row, data=data))
            if len(pending) == batch_size:
                yield pending
                pending = []
    if pending:
        yield pending


def read_table(warehouse: str | os.PathLike[str], table: str) -> pa.Table:
    """A whole committed table, its partition column included, typed by its schema."""
    if not table_files(warehouse, table):
        return TABLES[table].schema.empty_table()
    dataset = ds.dataset(
        str(table_path(warehouse, table)), format="parquet", partitioning="hive", schema=TABLES[table].schema
    )
    return dataset.to_table().select(TABLES[table].columns)


def stage_replacement(
    warehouse: str | os.PathLike[str], rebuild_id: str, part: str, tables: dict[str, pa.Table]
) -> None:
    """Add rows to a rebuild's new table contents, staged under `_staging/<rebuild_id>/` (invisible)."""
    _check_paths(rebuild_id, tables)
    _checked_name("part", part)
    staging = Path(warehouse) / STAGING / rebuild_id
    for name, rows in tables.items():
        (staging / name).mkdir(parents=True, exist_ok=True)
        if rows.num_rows:
            _stage_table(staging, TABLES[name], rows, f"{rebuild_id}-{part}")


def replace_tables(warehouse: str | os.PathLike[str], rebuild_id: str, names: list[str]) -> None:
    """Swap each table's whole contents for the staged ones: each table path is a symlink repointed
    with one rename, so a reader sees the old table or the new one, never a mix."""
    _checked_name("rebuild id", rebuild_id)
    root = Path(warehouse)
    staging = root / STAGING / rebuild_id
    for name in names:
        (staging / name).mkdir(parents=True, exist_ok=True)
    _write_atomic(staging / REPLACE, json.dumps(sorted(names)).encode())
    _apply_replace(root, staging)


def _apply_replace(root: Path, staging: Path) -> None:
    """Move each staged table to `_versions/` and point the table at it (idempotent, for recover)."""
    for name in json.loads((staging / REPLACE).read_bytes()):
        version = root / VERSIONS / f"{name}-{staging.name}"
        if (staging / name).exists():
            version.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, version)
        _point(root, name, version)
    shutil.rmtree(staging, ignore_errors=True)


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


def _apply(root: Path, staging: Path) -> None:
    """Rename every file named by the manifest into its table (idempotent), then drop the staging folder."""
    for rel in json.loads((staging / MANIFEST).read_bytes()):
        src, dst = staging / rel, root / rel
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):
        staging.parent.rmdir()  # only when no other batch is staged


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class QueryRefused(ValueError):
    """A statement `newsetl query` does not run: the warehouse is read-only there."""


READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA")  # PRAGMA: SHOW TABLES / DESCRIBE; settings are locked


def connect(warehouse: str | os.PathLike[str], read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session with every table of the warehouse as a view named after it.

    read_only: files outside the warehouse cannot be read or written, extensions cannot be installed,
    and the configuration is locked; pair it with `check_read_only` for the statements themselves.
    """
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES.values():
        con.execute(f"CREATE VIEW {table.name} AS {view_sql(table, warehouse)}")
    if read_only:
        root = str(Path(warehouse).resolve()).replace("'", "''")
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


def view_sql(table: Table, warehouse: str | os.PathLike[str]) -> str:
    """SELECT over a table's Parquet files, typed by its schema; an empty typed SELECT before any file."""
    if not table_files(warehouse, table.name):
        cols = ", ".join(f"CAST(NULL AS {duckdb_type(f.type)}) AS {f.name}" for f in table.schema)
        return f"SELECT {cols} WHERE false"
    pattern = (table_path(warehouse, table.name) / "*=*" / "*.parquet").as_posix().replace("'", "''")
    part = table.schema.field(table.partition_by)
    return (
        f"SELECT {', '.join(table.columns)} FROM read_parquet('{pattern}', hive_partitioning = true, "
        f"union_by_name = true, hive_types = {{'{part.name}': '{duckdb_type(part.type)}'}})"
    )


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
