"""Every deduplication decision: known records skipped, repeated bytes quarantined naming the first."""

from __future__ import annotations

from pathlib import Path

from tasks import sources
from tasks.ingest import dedup
from tasks.records import doc_id_of
from tasks.sources import Ignored


def test_skip_known_skips_known_records_counts_ignored_and_keeps_what_it_cannot_read(tmp_path: Path) -> None:
    old, new, gone = tmp_path / "old.txt", tmp_path / "new.txt", tmp_path / "gone.txt"
    old.write_bytes(b"seen before")
    new.write_bytes(b"never seen")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 100)  # over a size limit: known by its streamed hash, as ingest records it
    lines = tmp_path / "lines.jsonl"
    lines.write_text('{"text": "known line"}\n{"text": "new line"}\n')
    options = sources.ReadOptions(max_record_bytes=10)
    first_line = next(sources.iter_records(str(lines)))
    too_big = next(sources.iter_records(str(big), options))
    known = {doc_id_of(b"seen before"), too_big.doc_id, first_line.doc_id}
    paths = [str(old), str(new), str(gone), str(big), str(lines)]
    items = [*sources.iter_sources(paths), Ignored("file:///x.warc", "offset:0", "warc:request")]
    tally = dedup.ReadTally()
    fresh = list(dedup.skip_known(items, known, tally))
    assert [(Path(r.source_uri).name, r.locator) for r in fresh] == [
        ("new.txt", ""),
        ("gone.txt", ""),  # its batch says why
        ("lines.jsonl", "line:2"),  # a container is not skipped whole: its new record goes on
    ]
    assert (tally.seen, tally.skipped, tally.ignored) == (7, 3, {"warc:request": 1})


def test_drop_seen_turns_an_earlier_batchs_bytes_into_duplicates_naming_the_first() -> None:
    import pyarrow as pa

    from tasks.records import BatchResult, Rejected

    again, fresh = doc_id_of(b"again"), doc_id_of(b"fresh")
    table = pa.table({"doc_id": [again, fresh], "title": ["A", "F"]})
    within = dedup.duplicate("file:///again-2.txt", again, "file:///again-1.txt")  # a repeat inside the batch
    result = BatchResult(
        batch_id="b2",
        tables={"articles": table},
        rejected=[within],
        rejected_rows=[Rejected("file:///again-1.txt", again, "validate", "x", "row", None)],
        checks=[],
        results={},
        seen={again: "file:///again-1.txt", fresh: "file:///fresh.txt"},
    )
    dropped = dedup.drop_seen(result, {again: "file:///first.txt"})
    assert dropped.tables["articles"].column("doc_id").to_pylist() == [fresh]
    assert [(r.source_uri, r.detail) for r in dropped.rejected] == [
        ("file:///again-2.txt", "same bytes as file:///first.txt"),
        ("file:///again-1.txt", "same bytes as file:///first.txt"),
    ]
    assert not dropped.rejected_rows
    assert dedup.drop_seen(result, {}) is result  # nothing seen before: unchanged


def test_drop_known_skips_records_already_in_the_warehouse_with_their_repeats() -> None:
    import pyarrow as pa

    from tasks.records import BatchResult

    known, fresh = doc_id_of(b"known"), doc_id_of(b"fresh")
    result = BatchResult(
        batch_id="b1",
        tables={"articles": pa.table({"doc_id": [known, fresh]})},
        rejected=[dedup.duplicate("file:///known-2.txt", known, "file:///known.txt")],
        rejected_rows=[],
        checks=[],
        results={},
        seen={known: "file:///known.txt", fresh: "file:///fresh.txt"},
    )
    kept, skipped = dedup.drop_known(result, {known})
    assert skipped == 2  # the file and its copy: both already ingested
    assert kept.tables["articles"].column("doc_id").to_pylist() == [fresh]
    assert (kept.rejected, kept.seen) == ([], {fresh: "file:///fresh.txt"})
    assert dedup.drop_known(result, set()) == (result, 0)
