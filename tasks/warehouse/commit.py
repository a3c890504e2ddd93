"""The commit protocol: a batch's rows land in every table atomically, and a rebuild swaps tables whole.

The warehouse is a local folder or an object-store URL (`s3://bucket/prefix`), reached through one
pyarrow filesystem (tasks.warehouse.store). A batch is committed in three steps: its Parquet files are written
under `_staging/<batch_id>/`, a `_COMMIT` manifest naming them is written in one piece, then each file
is moved into its table. A run that dies before the manifest leaves nothing visible (the staging folder
is dropped on the next run); one that dies after it is rolled forward by `recover()`. A local move is a
rename and an object-store move a server-side copy: either way every file a reader sees is complete.
A commit that would bring a run-date partition to many small files merges them with the batch's rows
into one file, and swaps the partition whole (tasks.warehouse.compact, its `_MERGE` manifest written
before `_COMMIT`). Reading the tables back is tasks.warehouse.tables; DuckDB views over them are
tasks.warehouse.views.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tasks.warehouse import compact
from tasks.warehouse.schemas import TABLES, Table
from tasks.warehouse.store import Store, open_store

STAGING = "_staging"
MANIFEST = "_COMMIT"
REPLACE = "_REPLACE"  # a rebuild's manifest: the tables whose whole contents it replaces
VERSIONS = "_versions"


def commit_batch(warehouse: str | os.PathLike[str], batch_id: str, tables: dict[str, pa.Table]) -> list[str]:
    """Write one batch's rows to every table atomically; returns the committed files (relative paths).

    A retry of a commit whose manifest an earlier attempt wrote finishes that attempt (as `recover` would):
    the partitions it merged hold the batch's rows already."""
    _check_paths(batch_id, tables)
    store = open_store(warehouse)
    staging = posixpath.join(STAGING, batch_id)
    if store.is_file(posixpath.join(staging, MANIFEST)):
        _apply(store, staging)
    store.delete_dir(staging)
    written = _staged(store, staging, batch_id, tables)
    if written:
        _apply(store, staging)
    return written


def _staged(store: Store, staging: str, batch_id: str, tables: dict[str, pa.Table]) -> list[str]:
    """Stage a batch and write its manifest; on a full disk the staging folder is dropped at once (it
    was never visible; the space goes back) and WarehouseFull names it."""
    try:
        with store.full_disk(staging, f"nothing of batch {batch_id} is visible"):
            staged: list[str] = []
            for name, rows in tables.items():
                if rows.num_rows:
                    staged += _stage_table(store, staging, TABLES[name], rows, batch_id)
            moved, merges = compact.stage_merges(store, staging, batch_id, staged) if staged else ([], {})
            if merges:
                store.write_bytes(posixpath.join(staging, compact.MERGE), json.dumps(merges).encode())
            if staged:
                store.write_bytes(posixpath.join(staging, MANIFEST), json.dumps(sorted(moved)).encode())
    except BaseException:
        _drop(store, staging)
        raise
    return sorted([*moved, *(posixpath.join(folder, str(m["file"])) for folder, m in merges.items())])


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
    with store.full_disk(staging, "the tables are unchanged; the next run drops the rebuild's rows"):
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
    """Move every file named by the manifest into its table, swap in the merged partitions (idempotent),
    then drop the staging folder. Folders first: on a full disk a new partition's folder is what fails,
    before any file is visible."""
    files = json.loads(store.read_bytes(posixpath.join(staging, MANIFEST)))
    merged = posixpath.join(staging, compact.MERGE)
    merges = json.loads(store.read_bytes(merged)) if store.is_file(merged) else {}
    kept = f"its manifest is written; the next run (recover) finishes the commit of {staging}"
    with store.full_disk(staging, kept):
        if store.is_local:
            for folder in sorted({posixpath.dirname(rel) for rel in files}):
                os.makedirs(store.path(folder), exist_ok=True)
        for rel in files:
            if store.is_file(posixpath.join(staging, rel)):
                store.move(posixpath.join(staging, rel), rel)
        compact.apply_merges(store, staging, merges)
    _drop(store, staging)


def _drop(store: Store, staging: str) -> None:
    """Delete a batch's staging folder, and `_staging` with it when no other batch is staged."""
    store.delete_dir(staging)
    if store.is_local:
        with contextlib.suppress(OSError):
            os.rmdir(store.path(STAGING))
