from __future__ import annotations

from tasks.records import Check, Rejected, RunSummary


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


def test_one_count_line_for_the_log_the_artifacts_and_the_cli() -> None:
    summary = RunSummary(run_id="r1", source="s", warehouse="w", files_seen=5)
    summary.add_read(seen=5, skipped=1, ignored={})
    summary.add_batch(3, [])
    check = Check("articles", "expect_x", "title", "warning", False, 3, 1, 33.3, ("a",), ())
    summary.add_checks([check], {"articles": 3}, {"articles": 1})
    line = "run r1: 5 files and 5 records seen, 3 articles written, 0 quarantined, 1 skipped"
    assert summary.counts_line() == line
    summary.add_read(seen=2, skipped=0, ignored={"warc:request": 2})
    assert summary.counts_line().endswith("1 skipped, 2 ignored")
