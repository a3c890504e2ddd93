"""Merging run-date partitions' small files at commit: same rows, fewer files, crash-safe, both stores."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.warehouse import commit, compact, tables, views
from tasks.warehouse.store import Store, open_store
from tests.tasks.warehouse.test_commit import _batch

QUARANTINE_DAY = "quarantine/run_date=2026-01-01"


@pytest.fixture(params=["local", "s3"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path / "wh") if request.param == "local" else request.getfixturevalue("s3_warehouse")


def _commit(warehouse: str | Path, batches: int, first: int = 0, payload: bytes = b"x") -> None:
    for n in range(first, first + batches):
        rows = _batch(2, f"t{n:03d}")
        quarantined = rows["quarantine"]
        at = quarantined.schema.get_field_index("payload")
        payloads = pa.array([payload] * quarantined.num_rows, pa.large_binary())
        rows["quarantine"] = quarantined.set_column(at, quarantined.schema.field(at), payloads)
        commit.commit_batch(warehouse, f"b{n:03d}", rows)


def _rows(warehouse: str | Path, table: str) -> list[tuple]:
    return views.connect(warehouse).execute(f"select * from {table} order by all").fetchall()


def test_a_partition_reaching_merge_at_small_files_becomes_one(warehouse: str) -> None:
    _commit(warehouse, compact.MERGE_AT - 1)
    store = open_store(warehouse)
    assert len(store.files(QUARANTINE_DAY)) == compact.MERGE_AT - 1  # not yet
    _commit(warehouse, 1, first=compact.MERGE_AT - 1)
    assert store.files(QUARANTINE_DAY) == [f"{QUARANTINE_DAY}/part-b007-merged.parquet"]
    assert len(tables.table_files(warehouse, "raw_documents")) == compact.MERGE_AT  # not a run-date table
    counted = views.connect(warehouse).execute("select count(*), count(distinct source_uri) from quarantine")
    assert counted.fetchone() == (compact.MERGE_AT, compact.MERGE_AT)
    assert store.files(commit.STAGING) == []
    _commit(warehouse, compact.MERGE_AT - 1, first=compact.MERGE_AT)  # the merged file is small: merged again
    assert store.files(QUARANTINE_DAY) == [f"{QUARANTINE_DAY}/part-b014-merged.parquet"]
    assert len(_rows(warehouse, "quarantine")) == 2 * compact.MERGE_AT - 1


def test_merged_tables_read_as_the_unmerged_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batches = 3 * compact.MERGE_AT
    _commit(tmp_path / "merged", batches)
    monkeypatch.setattr(compact, "MERGE_AT", 10**9)
    _commit(tmp_path / "plain", batches)
    files = [len(tables.table_files(tmp_path / w, "quarantine")) for w in ("merged", "plain")]
    assert files == [3, 24]
    for table in ("quarantine", "articles", "raw_documents"):
        assert _rows(tmp_path / "merged", table) == _rows(tmp_path / "plain", table)


def test_large_files_are_kept_as_they_are(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compact, "SMALL_FILE_BYTES", 50_000)
    _commit(warehouse, 2, payload=os.urandom(100_000))  # two large files
    _commit(warehouse, compact.MERGE_AT, first=2)
    store = open_store(warehouse)
    names = [f.rpartition("/")[2] for f in store.files(QUARANTINE_DAY)]
    assert names == ["part-b000-0.parquet", "part-b001-0.parquet", "part-b009-merged.parquet"]
    assert len(_rows(warehouse, "quarantine")) == compact.MERGE_AT + 2


def test_a_file_without_a_newer_column_is_merged_with_it_null(tmp_path: Path) -> None:
    old = _batch(1, "old")["quarantine"].drop_columns(["payload", "run_date"])  # written before payload
    (tmp_path / QUARANTINE_DAY).mkdir(parents=True)
    pq.write_table(old, tmp_path / QUARANTINE_DAY / "part-old-0.parquet")
    _commit(tmp_path, compact.MERGE_AT - 1)
    assert [p.name for p in (tmp_path / QUARANTINE_DAY).iterdir()] == ["part-b006-merged.parquet"]
    merged = pq.read_schema(tmp_path / QUARANTINE_DAY / "part-b006-merged.parquet")
    assert merged.field("payload").type == pa.large_binary() and "run_date" not in merged.names
    con = views.connect(tmp_path)
    counted = con.execute("select count(*), count(payload) from quarantine").fetchone()
    assert counted == (compact.MERGE_AT, compact.MERGE_AT - 1)


def test_a_damaged_file_in_the_partition_leaves_it_unmerged(tmp_path: Path) -> None:
    _commit(tmp_path, compact.MERGE_AT - 2)
    (tmp_path / QUARANTINE_DAY / "part-damaged-0.parquet").write_bytes(b"PAR1 half a file")
    _commit(tmp_path, 1, first=compact.MERGE_AT - 2)  # would merge: commits unmerged
    assert len(list((tmp_path / QUARANTINE_DAY).iterdir())) == compact.MERGE_AT
    assert len(tables.table_files(tmp_path, "raw_documents")) == compact.MERGE_AT - 1
    assert not (tmp_path / commit.STAGING).exists()


def test_a_crash_after_the_manifest_is_rolled_forward(
    warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _commit(warehouse, compact.MERGE_AT - 1)
    before = _rows(warehouse, "quarantine")
    real = compact.apply_merges
    monkeypatch.setattr(
        compact, "apply_merges", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt("killed"))
    )
    with pytest.raises(KeyboardInterrupt):
        _commit(warehouse, 1, first=compact.MERGE_AT - 1)
    monkeypatch.setattr(compact, "apply_merges", real)  # not undo(): that would drop the S3 variables
    store = open_store(warehouse)
    merges = json.loads(store.read_bytes(f"{commit.STAGING}/b007/{compact.MERGE}"))
    assert list(merges) == [QUARANTINE_DAY] and len(merges[QUARANTINE_DAY]["merged"]) == compact.MERGE_AT - 1
    assert _rows(warehouse, "quarantine") == before  # the partition is not swapped yet
    assert commit.recover(warehouse) == ["b007"]
    assert store.files(QUARANTINE_DAY) == [f"{QUARANTINE_DAY}/part-b007-merged.parquet"]
    assert len(_rows(warehouse, "quarantine")) == compact.MERGE_AT
    assert commit.recover(warehouse) == [] and store.files(commit.STAGING) == []


def test_a_crash_during_the_swap_is_finished_once(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dying after the partition is swapped (locally) or the merged object moved in (S3), before the
    staging folder is dropped: recover finishes without counting a row twice."""
    _commit(warehouse, compact.MERGE_AT - 1)
    real_drop = commit._drop
    monkeypatch.setattr(commit, "_drop", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt("killed")))
    if not open_store(warehouse).is_local:
        real_delete = Store.delete_file
        monkeypatch.setattr(Store, "delete_file", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt("x")))
    with pytest.raises(KeyboardInterrupt):
        _commit(warehouse, 1, first=compact.MERGE_AT - 1)
    monkeypatch.setattr(commit, "_drop", real_drop)
    if not open_store(warehouse).is_local:
        monkeypatch.setattr(Store, "delete_file", real_delete)
    assert commit.recover(warehouse) == ["b007"]
    assert open_store(warehouse).files(QUARANTINE_DAY) == [f"{QUARANTINE_DAY}/part-b007-merged.parquet"]
    assert len(_rows(warehouse, "quarantine")) == compact.MERGE_AT


@pytest.mark.parametrize("manifest_kept", [True, False])
def test_a_retried_commit_counts_each_row_once(
    warehouse: str, monkeypatch: pytest.MonkeyPatch, manifest_kept: bool
) -> None:
    """A commit that merged a partition, then failed (its staging folder not dropped), is retried as the
    flow's task retries it: with the same batch id and rows."""
    _commit(warehouse, compact.MERGE_AT - 1)
    real_drop = commit._drop
    monkeypatch.setattr(commit, "_drop", lambda *a: (_ for _ in ()).throw(OSError("transient")))
    with pytest.raises(OSError):
        _commit(warehouse, 1, first=compact.MERGE_AT - 1)
    monkeypatch.setattr(commit, "_drop", real_drop)
    store = open_store(warehouse)
    assert len(_rows(warehouse, "quarantine")) == compact.MERGE_AT  # swapped in before the failure
    if not manifest_kept:
        store.delete_file(f"{commit.STAGING}/b007/{commit.MANIFEST}")
    _commit(warehouse, 1, first=compact.MERGE_AT - 1)  # the retry
    assert store.files(QUARANTINE_DAY) == [f"{QUARANTINE_DAY}/part-b007-merged.parquet"]
    assert len(_rows(warehouse, "quarantine")) == compact.MERGE_AT
    assert len(_rows(warehouse, "raw_documents")) == 2 * compact.MERGE_AT
    assert store.files(commit.STAGING) == []


def test_no_merge_where_folders_cannot_be_exchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(compact._EXCHANGES, str(tmp_path), False)
    _commit(tmp_path, compact.MERGE_AT + 1)
    assert len(open_store(tmp_path).files(QUARANTINE_DAY)) == compact.MERGE_AT + 1
    assert len(_rows(tmp_path, "quarantine")) == compact.MERGE_AT + 1


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    assert compact.exchange_supported(open_store(tmp_path), "a")  # ext4, tmpfs: yes
    compact.exchange(str(tmp_path / "a"), str(tmp_path / "b"))
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["x"] and not list((tmp_path / "a").iterdir())
    with pytest.raises(OSError):
        compact.exchange(str(tmp_path / "a"), str(tmp_path / "missing"))
