from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from tasks import io, views
from tasks.load import batch_tables
from tasks.records import Article, RawDocument, Rejected, RunContext, doc_id_of
from tasks.schemas import TABLES
from tasks.store import Store

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


def test_list_sources_dir_glob_file(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("x")
    (tmp_path / "top.TXT").write_text("x")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.txt").write_text("x")
    assert io.list_sources(tmp_path) == [str(tmp_path / "a" / "b" / "deep.txt"), str(tmp_path / "top.TXT")]
    assert io.list_sources(str(tmp_path / "*" / "*" / "*.txt")) == [str(tmp_path / "a" / "b" / "deep.txt")]
    assert io.list_sources(tmp_path / "notes.md") == [str(tmp_path / "notes.md")]
    with pytest.raises(io.SourceError, match="no such file"):
        io.list_sources(tmp_path / "missing")


def test_read_sources_reports_missing_and_too_large(tmp_path: Path) -> None:
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_bytes(b"hello")
    big.write_bytes(b"x" * 100)
    got = io.read_sources([str(small), str(big), str(tmp_path / "gone.txt")], max_bytes=50)
    assert got[0].data == b"hello" and got[0].source_uri == small.as_uri()
    assert (got[1].data, got[1].error_code) == (None, "too_large")
    assert got[1].doc_id == doc_id_of(b"x" * 100)  # hashed as a stream, so a rerun can skip it
    assert "100 bytes is over the 50-byte limit" in (got[1].error or "")
    assert (got[2].data, got[2].error_code) == (None, "vanished")


def test_commit_batch_writes_hive_partitions_and_views_read_them(tmp_path: Path) -> None:
    written = io.commit_batch(tmp_path, "b1", _batch(3))
    assert sorted(written) == [
        "articles/published_month=2015-11/part-b1-0.parquet",
        "quarantine/run_date=2026-01-01/part-b1-0.parquet",
        "raw_documents/ingest_date=2026-01-01/part-b1-0.parquet",
    ]
    assert not (tmp_path / io.STAGING).exists()
    con = views.connect(tmp_path)
    assert con.execute("select count(*), min(published_month) from articles").fetchone() == (3, "2015-11")
    assert con.execute("select typeof(published_at), typeof(authors) from articles limit 1").fetchone() == (
        "TIMESTAMP WITH TIME ZONE",
        "VARCHAR[]",
    )
    assert io.known_doc_ids(tmp_path) == {f"x{i:063d}" for i in range(3)}


def test_views_exist_and_are_typed_before_any_file(tmp_path: Path) -> None:
    con = views.connect(tmp_path)
    for name, table in TABLES.items():
        cursor = con.execute(f"select * from {name}")
        assert [d[0] for d in cursor.description] == table.columns
        assert cursor.fetchall() == []


def test_crash_before_manifest_leaves_nothing_visible(tmp_path: Path) -> None:
    io.commit_batch(tmp_path, "b1", _batch(2, "a"))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet"))
    staging = tmp_path / io.STAGING / "b2"
    (staging / "articles" / "published_month=2015-11").mkdir(parents=True)
    (staging / "articles" / "published_month=2015-11" / "part-b2-0.parquet").write_bytes(b"PAR1 half-writ")
    assert views.connect(tmp_path).execute("select count(*) from articles").fetchone() == (2,)
    assert io.recover(tmp_path) == []
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
        io.commit_batch(tmp_path, "b1", _batch(2))
    monkeypatch.setattr(Store, "move", real_move)
    manifest = json.loads((tmp_path / io.STAGING / "b1" / io.MANIFEST).read_text())
    assert len(manifest) == 3 and len(list(tmp_path.glob("*/*=*/*.parquet"))) == 1
    assert io.recover(tmp_path) == ["b1"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/*=*/*.parquet")) == manifest
    con = views.connect(tmp_path)
    assert con.execute("select count(*) from raw_documents").fetchone() == (2,)
    assert con.execute("select count(*) from quarantine").fetchone() == (1,)


def test_a_rebuild_replaces_whole_tables_and_survives_a_crash_before_the_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    io.commit_batch(tmp_path, "b1", _batch(3, "a"))
    new = _batch(2, "n")
    io.stage_replacement(tmp_path, "r1", "p0", {"articles": new["articles"]})
    con = views.connect(tmp_path)
    assert con.execute("select count(*) from articles").fetchone() == (3,)  # staged rows are invisible
    real_point = io._point
    monkeypatch.setattr(io, "_point", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt("killed")))
    with pytest.raises(KeyboardInterrupt):
        io.replace_tables(tmp_path, "r1", ["articles"])
    monkeypatch.setattr(io, "_point", real_point)
    assert io.recover(tmp_path) == ["r1"]  # the manifest was written: rolled forward
    con = views.connect(tmp_path)
    assert con.execute("select count(*), min(doc_id) like 'n%' from articles").fetchone() == (2, True)
    assert con.execute("select count(*) from raw_documents").fetchone() == (3,)  # not part of the rebuild
    assert (tmp_path / "articles").is_symlink() and not (tmp_path / io.STAGING / "r1").exists()
    io.stage_replacement(tmp_path, "r2", "p0", {"articles": _batch(1, "m")["articles"]})
    io.replace_tables(tmp_path, "r2", ["articles"])
    assert views.connect(tmp_path).execute("select count(*) from articles").fetchone() == (1,)
    assert [p.name for p in (tmp_path / io.VERSIONS).iterdir()] == ["articles-r2"]  # older versions removed


@pytest.mark.parametrize("value", ["../../etc", "2015-11/../../x", "/abs", "..", "a/b", ""])
def test_partition_values_and_batch_ids_cannot_leave_the_warehouse(tmp_path: Path, value: str) -> None:
    tables = _batch(1)
    articles = tables["articles"]
    index = articles.schema.get_field_index("published_month")
    tables["articles"] = articles.set_column(index, "published_month", pa.array([value] * articles.num_rows))
    with pytest.raises(ValueError, match="unsafe"):
        io.commit_batch(tmp_path / "wh", "b1", tables)
    with pytest.raises(ValueError, match="unsafe batch id"):
        io.commit_batch(tmp_path / "wh", f"b1/{value}/..", _batch(1))
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_file_that_becomes_unreadable_or_vanishes_after_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked, gone = tmp_path / "locked.txt", tmp_path / "gone.txt"
    locked.write_text("Title\n\nBody.")
    gone.write_text("Title\n\nBody.")
    listed = io.list_sources(tmp_path)
    gone.unlink()  # vanishes between listing and reading
    real_open = open

    def denying_open(path, *args, **kwargs):
        if str(path) == str(locked):  # tests run as root, where chmod 000 does not stop a read
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denying_open)
    files = {Path(f.source_uri).name: f for f in io.read_sources(listed)}
    assert (files["locked.txt"].error_code, files["gone.txt"].error_code) == ("unreadable", "vanished")
    assert "locked.txt: Permission denied" in files["locked.txt"].error
    assert all(f.data is None and f.doc_id is None for f in files.values())


def test_new_sources_skips_known_bytes_and_keeps_what_it_cannot_read(tmp_path: Path) -> None:
    old, new, gone = tmp_path / "old.txt", tmp_path / "new.txt", tmp_path / "gone.txt"
    old.write_bytes(b"seen before")
    new.write_bytes(b"never seen")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 100)  # over a size limit: known by its streamed hash, as ingest records it
    known = {doc_id_of(b"seen before"), io.read_sources([str(big)], max_bytes=10)[0].doc_id}
    paths = [str(old), str(new), str(gone), str(big)]
    assert io.new_sources(paths, known) == ([str(new), str(gone)], 2)  # gone: its batch says why
