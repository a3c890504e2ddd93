from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from tasks.records import Article, RawDocument, Rejected, RunContext
from tasks.warehouse import commit, tables, views
from tasks.warehouse.rows import batch_tables
from tasks.warehouse.schemas import TABLES
from tasks.warehouse.store import Store, WarehouseFull, open_store
from tests.conftest import SmallDisk

RUN = RunContext("20260101T000000Z-00000000", datetime(2026, 1, 1, tzinfo=UTC))


def _batch(n: int, tag: str = "x") -> dict:
    docs = [RawDocument(f"{tag}{i:063d}", f"file:///{tag}{i}.txt", 5, "utf-8", "T\n\nB.") for i in range(n)]
    arts = [
        Article(
            d.doc_id,
            d.source_uri,
            "T",
            (),
            datetime(2015, 11, 17, tzinfo=UTC),
            None,
            None,
            "en",
            "B.",
            1,
            "h",
        )
        for d in docs
    ]
    rej = [Rejected(f"file:///{tag}-bad.txt", None, "ingest", "unreadable", "permission denied", None)]
    return batch_tables(RUN, docs, arts, rej)


def test_commit_batch_writes_hive_partitions_and_views_read_them(tmp_path: Path) -> None:
    written = commit.commit_batch(tmp_path, "b1", _batch(3))
    assert sorted(written) == [
        "articles/published_month=2015-11/part-b1-0.parquet",
        "quarantine/run_date=2026-01-01/part-b1-0.parquet",
        "raw_documents/ingest_date=2026-01-01/part-b1-0.parquet",
    ]
    assert not (tmp_path / commit.STAGING).exists()
    con = views.connect(tmp_path)
    assert con.execute("select count(*), min(published_month) from articles").fetchone() == (3, "2015-11")
    assert con.execute("select typeof(published_at), typeof(authors) from articles limit 1").fetchone() == (
        "TIMESTAMP WITH TIME ZONE",
        "VARCHAR[]",
    )
    assert tables.known_doc_ids(tmp_path) == {f"x{i:063d}" for i in range(3)}


def test_views_exist_and_are_typed_before_any_file(tmp_path: Path) -> None:
    con = views.connect(tmp_path)
    for name, table in TABLES.items():
        cursor = con.execute(f"select * from {name}")
        assert [d[0] for d in cursor.description] == table.columns
        assert cursor.fetchall() == []


def test_crash_before_manifest_leaves_nothing_visible(tmp_path: Path) -> None:
    commit.commit_batch(tmp_path, "b1", _batch(2, "a"))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet"))
    staging = tmp_path / commit.STAGING / "b2"
    (staging / "articles" / "published_month=2015-11").mkdir(parents=True)
    (staging / "articles" / "published_month=2015-11" / "part-b2-0.parquet").write_bytes(b"PAR1 half-writ")
    assert views.connect(tmp_path).execute("select count(*) from articles").fetchone() == (2,)
    assert commit.recover(tmp_path) == []
    assert not staging.exists()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet")) == before


def test_crash_after_manifest_is_rolled_forward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_move = Store.move
    moves: list[str] = []

    def dying_move(store, src, dst):  # the process dies after moving one file of the batch
        if moves:
            raise KeyboardInterrupt("killed")
        moves.append(dst)
        return real_move(store, src, dst)

    monkeypatch.setattr(Store, "move", dying_move)
    with pytest.raises(KeyboardInterrupt):
        commit.commit_batch(tmp_path, "b1", _batch(2))
    monkeypatch.setattr(Store, "move", real_move)
    manifest = json.loads((tmp_path / commit.STAGING / "b1" / commit.MANIFEST).read_text())
    assert len(manifest) == 3 and len(list(tmp_path.glob("*/*=*/*.parquet"))) == 1
    assert commit.recover(tmp_path) == ["b1"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/*=*/*.parquet")) == manifest
    con = views.connect(tmp_path)
    assert con.execute("select count(*) from raw_documents").fetchone() == (2,)
    assert con.execute("select count(*) from quarantine").fetchone() == (1,)


def test_a_rebuild_replaces_whole_tables_and_survives_a_crash_before_the_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit.commit_batch(tmp_path, "b1", _batch(3, "a"))
    new = _batch(2, "n")
    commit.stage_replacement(tmp_path, "r1", "p0", {"articles": new["articles"]})
    con = views.connect(tmp_path)
    assert con.execute("select count(*) from articles").fetchone() == (3,)  # staged rows are invisible
    real_point = commit._point
    monkeypatch.setattr(commit, "_point", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt("killed")))
    with pytest.raises(KeyboardInterrupt):
        commit.replace_tables(tmp_path, "r1", ["articles"])
    monkeypatch.setattr(commit, "_point", real_point)
    assert commit.recover(tmp_path) == ["r1"]  # the manifest was written: rolled forward
    con = views.connect(tmp_path)
    assert con.execute("select count(*), min(doc_id) like 'n%' from articles").fetchone() == (2, True)
    assert con.execute("select count(*) from raw_documents").fetchone() == (3,)  # not part of the rebuild
    assert (tmp_path / "articles").is_symlink() and not (tmp_path / commit.STAGING / "r1").exists()
    commit.stage_replacement(tmp_path, "r2", "p0", {"articles": _batch(1, "m")["articles"]})
    commit.replace_tables(tmp_path, "r2", ["articles"])
    assert views.connect(tmp_path).execute("select count(*) from articles").fetchone() == (1,)
    assert [p.name for p in (tmp_path / commit.VERSIONS).iterdir()] == [
        "articles-r2"
    ]  # older versions removed


@pytest.mark.parametrize("value", ["../../etc", "2015-11/../../x", "/abs", "..", "a/b", ""])
def test_partition_values_and_batch_ids_cannot_leave_the_warehouse(tmp_path: Path, value: str) -> None:
    tables = _batch(1)
    articles = tables["articles"]
    index = articles.schema.get_field_index("published_month")
    tables["articles"] = articles.set_column(index, "published_month", pa.array([value] * articles.num_rows))
    with pytest.raises(ValueError, match="unsafe"):
        commit.commit_batch(tmp_path / "wh", "b1", tables)
    with pytest.raises(ValueError, match="unsafe batch id"):
        commit.commit_batch(tmp_path / "wh", f"b1/{value}/..", _batch(1))
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_full_disk_fails_naming_the_path_and_leaves_nothing_visible(small_disk: SmallDisk) -> None:
    warehouse = small_disk.path / "wh"
    commit.commit_batch(warehouse, "b1", _batch(2, "a"))
    small_disk.resize(small_disk.used() + 4096)  # room for one page: not for a batch's files
    staging = warehouse / commit.STAGING / "b2"
    said = rf"^disk full \(ENOSPC: .*\) writing {staging}: nothing of batch b2 is visible"
    with pytest.raises(WarehouseFull, match=said):
        commit.commit_batch(warehouse, "b2", _batch(2, "b"))
    assert not (warehouse / commit.STAGING).exists()  # dropped at once: the space is back
    assert not [p for p in warehouse.rglob("*") if p.name.endswith(".tmp")]
    con = views.connect(warehouse)
    assert con.execute("select count(*) from raw_documents").fetchone() == (2,)  # b1, whole, only
    assert con.execute("select count(*) from articles").fetchone() == (2,)
    small_disk.resize(1 << 20)
    commit.commit_batch(warehouse, "b2", _batch(2, "b"))
    assert views.connect(warehouse).execute("select count(distinct doc_id) from articles").fetchone() == (4,)


def test_a_file_written_on_a_full_disk_keeps_its_old_contents(small_disk: SmallDisk) -> None:
    store = open_store(small_disk.path)
    store.write_bytes("_reports/kept.json", b"old")
    small_disk.resize(small_disk.used())
    with pytest.raises(WarehouseFull, match=f"writing {small_disk.path}/_reports/kept.json: the file is"):
        store.write_bytes("_reports/kept.json", b"new" * 10_000)
    assert store.read_bytes("_reports/kept.json") == b"old"
    assert sorted(p.name for p in (small_disk.path / "_reports").iterdir()) == ["kept.json"]  # no .tmp
