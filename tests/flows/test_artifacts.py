from __future__ import annotations

from pathlib import Path

from flows.artifacts import data_docs_uri, summary_rows
from tasks.records import Check, RunSummary


def test_the_data_docs_link_is_a_file_uri_locally_and_the_url_on_an_object_store(tmp_path: Path) -> None:
    index = tmp_path / "_reports" / "data_docs" / "index.html"
    assert data_docs_uri(str(index)) == index.as_uri()
    s3 = "s3://news-lake/newsetl/_reports/data_docs/index.html"
    assert data_docs_uri(s3) == s3  # was turned into file:///.../s3:/news-lake/...


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
    assert summary_rows(summary) == [
        {
            "suite": "articles",
            "expectations_evaluated": 1,
            "expectations_passed": 0,
            "pass_rate": "0.0%",
            "rows_validated": 3,
            "rows_quarantined": 1,
        }
    ]
