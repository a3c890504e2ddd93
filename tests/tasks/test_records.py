from __future__ import annotations

from tasks.records import Rejected, RunSummary


def test_run_summary_adds_batches_and_checks_the_accounts() -> None:
    summary = RunSummary(run_id="r", source="s", warehouse="w", files_seen=3)
    summary.add_read(seen=8, skipped=1, ignored={"warc:request": 2})  # a WARC among the files
    dup = Rejected("file:///b.txt", "x", "ingest", "duplicate_content", "same bytes as file:///a.txt", None)
    summary.add_batch(articles=2, rejected=[dup])
    assert not summary.accounted  # 2 + 1 + 1 + 2 of 8 records so far
    empty = Rejected("file:///c.txt", "y", "ingest", "empty", "empty file", b"")
    summary.add_batch(articles=1, rejected=[empty])
    assert (summary.batches, summary.articles_written, summary.quarantined, summary.skipped) == (2, 3, 2, 1)
    assert summary.quarantine_reasons == {"ingest:duplicate_content": 1, "ingest:empty": 1}
    assert summary.accounted and (summary.records_ignored, summary.ignored_kinds) == (2, {"warc:request": 2})
    summary.add_read(seen=1, skipped=0, ignored={})
    assert not summary.accounted  # one record read and never landed anywhere
