"""The warehouse on either filesystem: a local folder and an S3-compatible server (moto, on 127.0.0.1).

Every test runs on both and asserts the same outcome: commits, crash recovery, rebuild swaps, DuckDB
views and the DQ reports go through one Store, so an object store behaves like the local folder.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.quality import suites
from tasks.reports import data_docs
from tasks.warehouse import commit, lock, tables, views
from tasks.warehouse.store import Store, is_remote, open_store
from tests.tasks.warehouse.test_commit import _batch


@pytest.fixture(params=["local", "s3"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path / "wh") if request.param == "local" else request.getfixturevalue("s3_warehouse")


def _at(second: int) -> datetime:
    return datetime(2026, 1, 1, 0, 0, second, tzinfo=UTC)


def _count(warehouse: str, table: str) -> int:
    return views.connect(warehouse).execute(f"select count(*) from {table}").fetchone()[0]


def test_open_store_tells_local_folders_from_object_stores(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    local = open_store("warehouse")
    assert local.is_local and local.root == str(tmp_path / "warehouse")
    assert open_store(f"file://{tmp_path}/w").root == f"{tmp_path}/w"
    assert [is_remote(w) for w in ("warehouse", "/abs/w", "file:///w", "s3://b/p", "gs://b")] == [
        False,
        False,
        False,
        True,
        True,
    ]


def test_commit_is_visible_to_every_reader(warehouse: str) -> None:
    written = commit.commit_batch(warehouse, "b1", _batch(3, "a"))
    assert len(written) == 3 and all(
        f.startswith(("articles/", "raw_documents/", "quarantine/")) for f in written
    )
    con = views.connect(warehouse, read_only=True)
    row = con.execute("select count(*), min(published_month), typeof(min(published_month)) from articles")
    assert row.fetchone() == (3, "2015-11", "VARCHAR")
    assert con.execute("select count(*) from entities").fetchone() == (0,)  # a table with no file yet
    assert tables.known_doc_ids(warehouse) == {f"a{i:063d}" for i in range(3)}
    assert tables.read_table(warehouse, "articles").num_rows == 3
    assert [len(b) for b in tables.iter_raw_records(warehouse, 2)] == [2, 1]
    store = open_store(warehouse)
    assert not store.folders(commit.STAGING)  # nothing left staged


def test_crash_before_manifest_leaves_nothing_visible(warehouse: str) -> None:
    commit.commit_batch(warehouse, "b1", _batch(2, "a"))
    store = open_store(warehouse)
    store.write_bytes(f"{commit.STAGING}/b2/articles/published_month=2015-11/part-b2-0.parquet", b"PAR1 half")
    assert _count(warehouse, "articles") == 2
    assert commit.recover(warehouse) == []
    assert store.files(commit.STAGING) == []
    assert len(tables.table_files(warehouse, "articles")) == 1


def test_crash_after_manifest_is_rolled_forward(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_move, moves = Store.move, []

    def dying_move(store: Store, src: str, dst: str) -> None:  # dies after moving one file of the batch
        if moves:
            raise KeyboardInterrupt("killed")
        moves.append(dst)
        real_move(store, src, dst)

    monkeypatch.setattr(Store, "move", dying_move)
    with pytest.raises(KeyboardInterrupt):
        commit.commit_batch(warehouse, "b1", _batch(2))
    monkeypatch.setattr(Store, "move", real_move)
    store = open_store(warehouse)
    manifest = json.loads(store.read_bytes(f"{commit.STAGING}/b1/{commit.MANIFEST}"))
    in_place = [f for t in ("articles", "raw_documents", "quarantine") for f in store.files(t)]
    assert len(manifest) == 3 and in_place == moves
    assert commit.recover(warehouse) == ["b1"]
    assert sorted(f for t in ("articles", "raw_documents", "quarantine") for f in store.files(t)) == manifest
    assert (_count(warehouse, "raw_documents"), _count(warehouse, "quarantine")) == (2, 1)
    assert store.files(commit.STAGING) == []


def test_rebuild_swap_finished_by_recover(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> None:
    commit.commit_batch(warehouse, "b1", _batch(3, "a"))
    commit.stage_replacement(warehouse, "r1", "p0", {"articles": _batch(2, "n")["articles"]})
    assert _count(warehouse, "articles") == 3  # staged rows are invisible
    real_apply = commit._apply_replace
    monkeypatch.setattr(
        commit, "_apply_replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt("killed"))
    )
    with pytest.raises(KeyboardInterrupt):
        commit.replace_tables(warehouse, "r1", ["articles", "entities"])
    monkeypatch.setattr(commit, "_apply_replace", real_apply)  # not undo(): that would drop the S3 variables
    assert _count(warehouse, "articles") == 3  # the swap has not started
    assert commit.recover(warehouse) == ["r1"]  # its manifest was written: rolled forward
    con = views.connect(warehouse)
    assert con.execute("select count(*), min(doc_id) like 'n%' from articles").fetchone() == (2, True)
    assert _count(warehouse, "raw_documents") == 3  # not part of the rebuild
    commit.stage_replacement(warehouse, "r2", "p0", {"articles": _batch(1, "m")["articles"]})
    commit.replace_tables(warehouse, "r2", ["articles"])
    assert _count(warehouse, "articles") == 1
    assert open_store(warehouse).files(commit.STAGING) == []


def test_reports_kept_and_data_docs_built_in_the_warehouse(warehouse: str) -> None:
    result = {"success": True, "results": [], "statistics": {}, "meta": {}, "suite_name": "raw_documents"}
    for n in range(3):
        run_id = f"20260101T00000{n}Z-0000000{n}"
        data_docs.save_results(warehouse, run_id, _at(n), f"{run_id}-00000", {"raw_documents": result})
    assert data_docs.prune_results(warehouse, keep_runs=2) == ["20260101T000000Z-00000000"]
    assert [r["run_id"] for r in data_docs.newest_results(warehouse)] == [
        "20260101T000002Z-00000002",
        "20260101T000001Z-00000001",
    ]
    assert not data_docs.data_docs_built(warehouse)
    time.sleep(1.1)  # S3 keeps modification times in whole seconds
    index = data_docs.build_data_docs(warehouse, suites.load_suites())
    assert data_docs.data_docs_built(warehouse) and data_docs.data_docs_current(warehouse, suites.SUITES_DIR)
    assert index.startswith("s3://" if is_remote(warehouse) else "/") and index.endswith("index.html")
    html = open_store(warehouse).read_bytes("_reports/data_docs/index.html").decode()
    assert "20260101T000002Z-00000002" in html and "static/vendor/jquery-3.7.1.min.js" in html
    data_docs.save_results(warehouse, "20260101T000003Z-00000003", _at(3), "b", {"articles": result})
    assert not data_docs.data_docs_current(warehouse, suites.SUITES_DIR)  # a newer result: rebuild


def test_a_second_run_waits_for_the_lock_then_fails_naming_the_holder(warehouse: str) -> None:
    store = open_store(warehouse)
    with lock.warehouse_lock(store, 5, "run first"):
        started = time.monotonic()
        with (
            pytest.raises(lock.WarehouseLocked, match=r"locked by another newsetl run \(run first, since"),
            lock.warehouse_lock(store, 1, "run second"),
        ):
            pass
        assert 1 <= time.monotonic() - started < 5
    with lock.warehouse_lock(store, 1, "run third"):  # released on exit
        pass


def test_the_lock_is_handed_over_when_released(warehouse: str) -> None:
    store, order = open_store(warehouse), []
    release = threading.Event()

    def first() -> None:
        with lock.warehouse_lock(store, 5, "first"):
            order.append("first in")
            release.wait(5)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    while not order:
        time.sleep(0.05)
    threading.Timer(0.5, release.set).start()
    with lock.warehouse_lock(store, 10, "second"):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]


def test_a_dead_holders_lease_expires_and_only_one_taker_wins(s3_warehouse: str) -> None:
    store = open_store(s3_warehouse)
    dead = lock.Lease(store, "dead run", seconds=0.5)
    assert dead.acquire()  # never renewed nor released: its process was killed
    live = lock.Lease(store, "live run")
    assert not live.acquire() and live.held_by() == "dead run"
    time.sleep(0.6)
    takers = [lock.Lease(store, f"taker {n}") for n in range(2)]
    assert [t.acquire() for t in takers] == [True, False]  # the stale ETag matches once
    assert takers[1].held_by() == "taker 0"
    dead.release()  # a late release by the dead holder does not remove the new lease
    assert takers[1].held_by() == "taker 0"
    takers[0].release()
    assert live.acquire()
    live.release()


def test_a_lease_is_renewed_while_held(s3_warehouse: str) -> None:
    store = open_store(s3_warehouse)
    held = lock.Lease(store, "long run", seconds=0.6)
    assert held.acquire()
    stop = threading.Event()
    renewer = threading.Thread(target=held.keep, args=(stop,))
    renewer.start()
    time.sleep(1.5)  # over twice the lease: only renewals keep it
    assert not lock.Lease(store, "other").acquire()
    stop.set()
    renewer.join()
    held.release()
