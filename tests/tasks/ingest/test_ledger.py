"""The ledger of files read (source_files), without Prefect: which listed files a run reads, when each
file's row commits (with the batch cut after its last record), and that a run killed mid-file leaves that
file unread in the ledger while every record still lands exactly once."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks import pipeline, run, sources
from tasks.ingest import dedup, ledger
from tasks.records import RunContext
from tasks.sources import ListedFile, ReadOptions
from tasks.warehouse import commit, tables
from tasks.warehouse.schemas import QUARANTINE, SOURCE_FILES
from tests.tasks.sources.builders import warc_bytes

DIGEST = ledger.options_digest(ReadOptions())
T0 = datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=UTC)


def _entry(listed: ListedFile, digest: str = DIGEST) -> ledger.Entry:
    moment = ledger.micros(listed.modified_at) if listed.modified_at else None
    return ledger.Entry(listed.source_uri, listed.byte_size, moment, listed.etag, digest, 1, {})


def test_only_new_changed_or_otherwise_read_files_are_read() -> None:
    same = ListedFile("/in/same.txt", 10, T0)
    touched = ListedFile("/in/touched.txt", 10, T0)
    grown = ListedFile("/in/grown.txt", 10, T0)
    other_options = ListedFile("/in/fields.jsonl", 10, T0)
    book = {f.source_uri: _entry(f) for f in (same, touched, grown)}
    book[other_options.source_uri] = _entry(
        other_options, ledger.options_digest(ReadOptions(fields=(("body", "text"),)))
    )
    listed = [
        same,
        ListedFile("/in/touched.txt", 10, T0.replace(microsecond=123457)),  # rewritten, same size
        ListedFile("/in/grown.txt", 11, T0),
        other_options,
        ListedFile("/in/new.txt", 10, T0),
    ]
    chosen = ledger.plan(listed, book, DIGEST)
    assert [f.path for f in chosen.to_read] == [f.path for f in listed[1:]]
    assert chosen.unread == [book[same.source_uri]]
    assert ledger.plan(listed, book, DIGEST, rescan=True).to_read == listed


def test_an_object_is_known_by_its_etag_and_size() -> None:
    read = ListedFile("s3://b/in/a.warc.gz", 10, T0, '"e1"')
    book = {read.source_uri: _entry(read)}
    relisted = ListedFile("s3://b/in/a.warc.gz?endpoint_override=h:1", 10, T0.replace(second=9), '"e1"')
    assert ledger.is_unchanged(relisted, book[read.source_uri], DIGEST)  # re-uploaded, same bytes
    assert not ledger.is_unchanged(ListedFile(read.path, 10, T0, '"e2"'), book[read.source_uri], DIGEST)
    assert not ledger.is_unchanged(read, None, DIGEST)


def test_unread_files_count_their_records_as_skipped_or_ignored() -> None:
    entries = [
        ledger.Entry("a", 1, 0, None, DIGEST, 5, {"warc:request": 2}),
        ledger.Entry("b", 1, 0, None, DIGEST, 1, {}),
    ]
    assert ledger.accounts(entries) == (6, 4, {"warc:request": 2})


def _lines(folder: Path, name: str, count: int, start: int = 0) -> Path:
    """A JSON Lines file of records without a body: each is quarantined at ingest (no model, no GX)."""
    path = folder / name
    with path.open("a") as out:
        for n in range(start, start + count):
            out.write(json.dumps({"title": f"{name} record {n}"}) + "\n")
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    _lines(folder, "a.jsonl", 5)
    _lines(folder, "b.jsonl", 5)
    return folder


def test_a_files_row_goes_with_the_batch_cut_after_its_last_record(landing: Path) -> None:
    reads, tally = ledger.Reads(), dedup.ReadTally()
    listed = sources.list_files(landing)
    batches = list(run.record_batches(listed, ReadOptions(), frozenset(), tally, 3, reads=reads))
    assert [[r.locator for r in b] for b in batches] == [
        ["line:1", "line:2", "line:3"],
        ["line:4", "line:5", "line:1"],  # a.jsonl ends in this batch, b.jsonl starts
        ["line:2", "line:3", "line:4"],
        ["line:5"],
    ]
    cuts = [[Path(f.listed.path).name for f in reads.for_next_commit()] for _ in batches]
    assert cuts == [[], ["a.jsonl"], [], ["b.jsonl"]] and reads.rest() == []
    a = listed[0]
    assert (a.byte_size, a.modified_at) == (os.path.getsize(a.path), _mtime(a.path))
    assert a.source_uri == sources.source_uri_of(a.path)  # computed once per folder, the same


def test_balanced_last_batches_never_commit_a_file_before_its_last_record(tmp_path: Path) -> None:
    """With two workers the tail is read ahead and cut by weight: a file's row must still go with the
    batch of its last record or a later one (batches commit in order), else a kill between the two
    commits would leave a file marked read whose last records were never committed."""
    for name, count in (("a.jsonl", 7), ("b.jsonl", 2), ("c.jsonl", 9), ("d.jsonl", 1)):
        _lines(tmp_path, name, count)
    reads, tally = ledger.Reads(), dedup.ReadTally()
    listed = sources.list_files(tmp_path)
    batches = list(run.record_batches(listed, ReadOptions(), frozenset(), tally, 3, reads=reads, workers=2))
    assert sum(len(b) for b in batches) == 19 and len(batches) > 19 // 3  # the tail was cut finer
    last_batch = {}
    for number, batch in enumerate(batches):
        for record in batch:
            last_batch[Path(record.source_uri).name] = number
    committed = {}
    for number in range(len(batches)):
        for read in reads.for_next_commit():
            committed[Path(read.listed.path).name] = number
    assert reads.rest() == [] and set(committed) == set(last_batch)
    assert all(committed[name] >= last_batch[name] for name in last_batch), (committed, last_batch)


def _mtime(path: str) -> datetime:
    return datetime.fromtimestamp(os.stat(path).st_mtime_ns // 1000 / 1e6, UTC)


def test_files_with_nothing_new_or_only_ignored_records_close_the_run(landing: Path) -> None:
    (landing / "crawl.warc.gz").write_bytes(warc_bytes([]))  # a warcinfo record only: ignored
    listed = sources.list_files(landing)
    known = frozenset(r.doc_id for r in sources.read_sources([f.path for f in listed]) if r.doc_id)
    reads, tally = ledger.Reads(), dedup.ReadTally()
    assert list(run.record_batches(listed, ReadOptions(), known, tally, 3, reads=reads)) == []
    rest = reads.rest()
    assert [(Path(f.listed.path).name, f.records, f.ignored_kinds) for f in rest] == [
        ("a.jsonl", 5, {}),
        ("b.jsonl", 5, {}),
        ("crawl.warc.gz", 2, {"warc:response(image/png)": 1, "warc:warcinfo": 1}),
    ]


def test_a_file_that_cannot_be_opened_gets_no_row(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    reads = ledger.Reads()
    (listed,) = sources.list_files(tmp_path / "gone.txt")
    items = list(reads.items([listed], ReadOptions()))
    assert items[0].error_code == "vanished" and reads.rest() == []


def _run(warehouse: Path, source: Path, batch_size: int, stop_after: int | None = None, rescan: bool = False):
    """A run as the flow composes it (tasks only, no Prefect), killed after `stop_after` commits."""
    context = RunContext.new()
    chosen = ledger.plan(sources.list_files(source), ledger.load_ledger(warehouse), DIGEST, rescan)
    settler = run.Settler(context, frozenset(tables.known_doc_ids(warehouse)))
    reads, tally = ledger.Reads(), dedup.ReadTally()
    batches = run.record_batches(chosen.to_read, ReadOptions(), settler.known, tally, batch_size, reads=reads)
    for number, batch in enumerate(batches):
        if number == stop_after:
            return chosen, tally
        settled = settler.settle(pipeline.process_batch(batch, context, run.batch_id(context, number)))
        files = run.ledger_tables(reads.for_next_commit(), context, DIGEST)
        commit.commit_batch(warehouse, settled.batch_id, {**run.committed_tables(settled, context), **files})
    commit.commit_batch(
        warehouse, f"{context.run_id}-files", run.ledger_tables(reads.rest(), context, DIGEST)
    )
    return chosen, tally


def test_a_run_killed_mid_file_leaves_it_to_be_read_again_and_each_record_lands_once(
    landing: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh"
    _run(warehouse, landing, 3, stop_after=3)  # b.jsonl's last record was in the batch never committed
    assert tables.read_column(warehouse, SOURCE_FILES.name, "source_uri").to_pylist() == [
        (landing / "a.jsonl").as_uri()
    ]
    chosen, tally = _run(warehouse, landing, 3)
    assert [Path(f.path).name for f in chosen.to_read] == ["b.jsonl"] and chosen.unread[0].records == 5
    assert (tally.seen, tally.skipped) == (5, 4)  # its committed records are skipped by their hashes
    ids = tables.read_column(warehouse, QUARANTINE.name, "doc_id").to_pylist()
    assert len(ids) == len(set(ids)) == 10  # every record once, none lost
    assert sorted(tables.read_column(warehouse, SOURCE_FILES.name, "records").to_pylist()) == [5, 5]

    _lines(landing, "b.jsonl", 1, start=5)  # one record appended
    chosen, tally = _run(warehouse, landing, 3)
    assert [Path(f.path).name for f in chosen.to_read] == ["b.jsonl"] and (tally.seen, tally.skipped) == (
        6,
        5,
    )
    chosen, tally = _run(warehouse, landing, 3, rescan=True)
    assert len(chosen.to_read) == 2 and (tally.seen, tally.skipped) == (11, 11)
    assert len(tables.read_column(warehouse, QUARANTINE.name, "doc_id")) == 11
    assert ledger.load_ledger(warehouse)[(landing / "b.jsonl").as_uri()].records == 6
