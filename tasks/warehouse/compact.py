"""Merging the small files of the tables about runs, as part of a batch's commit (tasks.warehouse.commit).

A run commits a file per batch into each table partitioned by run date (runs, dq_results, dq_metrics,
quarantine, source_files), a few kB each: after a thousand runs a reader (the DQ dashboard, `newsetl
query`) opens thousands of files to read a few MB. When a commit would bring a run-date partition to
MERGE_AT small files (under SMALL_FILE_BYTES), the batch's rows and the partition's small files are
staged as one file instead, typed by the table's declared schema (a column an older file lacks is null),
and the commit swaps the partition whole:

- locally the staged folder holds the partition's new contents (the merged file, and hard links to its
  files that were not merged) and is exchanged with the partition's folder in one rename
  (`renameat2(RENAME_EXCHANGE)`, Linux): a reader lists the old files or the new ones, never both. Where
  that rename is not available, no partition is merged (the files stay as committed);
- on an object store (no rename, no folders) the merged object is moved in, then the merged-away objects
  are deleted. Crash-safe (the `_MERGE` manifest is written with the batch's `_COMMIT`, and `recover()`
  finishes it), but, as for a rebuild's swap there, a reader between the two steps may count the merged
  rows twice.

A retried commit (the flow retries a failed one with the same batch id and rows) finishes the earlier
attempt when its manifest is there, and leaves out of a partition already holding the batch's merged file
the rows that file holds: no row is counted twice.

The rows and their values are unchanged: every query gives the same answers; only the files holding them
change (and so the partition's version, tasks.warehouse.tables.partition_versions).
"""

from __future__ import annotations

import ctypes
import errno
import os
import posixpath
from functools import cache

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from tasks.warehouse.schemas import TABLES, Table
from tasks.warehouse.store import Store

MERGE = "_MERGE"  # in a batch's staging folder: {partition folder: {"file": merged, "merged": [old files]}}
MERGE_AT = 8  # small files in a run-date partition, the batch's included, that are merged into one
SMALL_FILE_BYTES = 1 << 20  # larger files are left as they are: a merge reads and writes small ones only
MERGED = frozenset(t.name for t in TABLES.values() if t.partition_by == "run_date")  # a file per batch
Merges = dict[str, dict[str, object]]
_UNMERGEABLE = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)  # not a full disk


def stage_merges(store: Store, staging: str, batch_id: str, staged: list[str]) -> tuple[list[str], Merges]:
    """Merge the staged files (paths relative to `staging`) of each run-date partition that would reach
    MERGE_AT small files with the partition's small files; returns the staged files left to move and the
    partitions to swap."""
    if store.is_local and not exchange_supported(store, staging):
        return staged, {}
    by_folder: dict[str, list[str]] = {}
    for rel in staged:
        by_folder.setdefault(posixpath.dirname(rel), []).append(rel)
    moves, merges = [], {}
    for folder, files in sorted(by_folder.items()):
        table = TABLES[folder.partition("/")[0]]
        merge = _merge(store, staging, table, folder, files, batch_id) if table.name in MERGED else None
        if merge is None:
            moves += files
        else:
            merges[folder] = merge
    return moves, merges


def _merge(
    store: Store, staging: str, table: Table, folder: str, files: list[str], batch_id: str
) -> dict[str, object] | None:
    """Stage `folder`'s new contents (one merged file, and locally links to the large files kept), or
    None while the partition has too few small files to merge."""
    live = _parquet_files(store, folder)
    name = f"part-{batch_id}-merged.parquet"
    if any(posixpath.basename(i.path) == name for i in live):  # an earlier attempt of this commit merged it
        for rel in files:
            store.fs.delete_file(store.path(staging, rel))
        return {"file": name, "merged": []}
    small = sorted(i.path for i in live if i.size < SMALL_FILE_BYTES)
    if len(small) + len(files) < MERGE_AT:
        return None
    staged = [store.path(staging, rel) for rel in files]
    schema = pa.schema([f for f in table.schema if f.name != table.partition_by])
    target = store.path(staging, folder, name)
    try:
        rows = ds.dataset([*small, *staged], schema=schema, format="parquet", filesystem=store.fs).to_table()
        pq.write_table(rows, target, filesystem=store.fs, compression="zstd")
    except _UNMERGEABLE:  # a damaged or foreign file there: the batch commits as it is, unmerged
        if store.fs.get_file_info(target).type == pafs.FileType.File:
            store.fs.delete_file(target)  # a part written
        return None
    for path in staged:
        store.fs.delete_file(path)
    if store.is_local:  # the staged folder becomes the partition: it holds the files kept too
        for info in live:
            if info.size >= SMALL_FILE_BYTES:
                os.link(info.path, store.path(staging, folder, posixpath.basename(info.path)))
    return {"file": name, "merged": [posixpath.basename(p) for p in small]}


def _parquet_files(store: Store, folder: str) -> list[pafs.FileInfo]:
    selector = pafs.FileSelector(store.path(folder), allow_not_found=True)
    infos = store.fs.get_file_info(selector)
    return [i for i in infos if i.type == pafs.FileType.File and i.path.endswith(".parquet")]


def apply_merges(store: Store, staging: str, merges: Merges) -> None:
    """Put each merged partition in place (idempotent: `recover` may run it again after a crash)."""
    for folder, merge in sorted(merges.items()):
        name = str(merge["file"])
        if store.is_file(posixpath.join(folder, name)):
            if not store.is_local:
                _delete_merged(store, folder, merge)
            continue  # swapped already
        if store.is_local:
            exchange(store.path(staging, folder), store.path(folder))
        else:
            store.move(posixpath.join(staging, folder, name), posixpath.join(folder, name))
            _delete_merged(store, folder, merge)


def _delete_merged(store: Store, folder: str, merge: dict[str, object]) -> None:
    for old in merge["merged"]:  # type: ignore[attr-defined]
        if old != merge["file"]:
            store.delete_file(posixpath.join(folder, str(old)))


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h


def exchange(a: str, b: str) -> None:
    """Swap two paths on one filesystem in one step (Linux renameat2 with RENAME_EXCHANGE)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", a)
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), a, None, b)


@cache
def _renameat2():  # type: ignore[no-untyped-def]
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None  # not Linux, or a C library before glibc 2.28
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


_EXCHANGES: dict[str, bool] = {}  # warehouse root -> whether its filesystem swaps two folders


def exchange_supported(store: Store, staging: str) -> bool:
    """Whether the local warehouse's filesystem swaps two folders in one rename: probed once per root,
    on two empty folders in the batch's staging folder (dropped with it)."""
    if store.root not in _EXCHANGES:
        probe = store.path(staging, "_exchange-probe")
        first, second = f"{probe}-a", f"{probe}-b"
        try:
            os.makedirs(first)
            os.makedirs(second)
            exchange(first, second)
            _EXCHANGES[store.root] = True
        except OSError:
            _EXCHANGES[store.root] = False
        finally:
            for path in (first, second):
                if os.path.isdir(path):
                    os.rmdir(path)
    return _EXCHANGES[store.root]
