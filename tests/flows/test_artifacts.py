"""The run's artifacts as text: links, the table of suites and the DQ summary (no Prefect run here,
so not e2e: tests/guard.py refuses one)."""

from __future__ import annotations

from pathlib import Path

from flows.artifacts import data_docs_uri, dq_markdown, report_markdown, summary_rows
from tasks.records import Check, Measure, RunSummary


def test_the_data_docs_link_is_a_file_uri_locally_and_the_url_on_an_object_store(tmp_path: Path) -> None:
    index = tmp_path / "_reports" / "data_docs" / "index.html"
    assert data_docs_uri(str(index)) == index.as_uri()
    s3 = "s3://news-lake/newsetl/_reports/data_docs/index.html"
    assert data_docs_uri(s3) == s3  # was turned into file:///.../s3:/news-lake/...


def test_one_row_per_suite_in_the_summary_table() -> None:
    summary = RunSummary(run_id="r1", source="s", warehouse="w", files_seen=5)
    summary.add_read(seen=5, skipped=1, ignored={})
    summary.add_batch(3, [])
    check = Check("articles", "expect_x", "title", "warning", False, 3, 1, 33.3, ("a",), ())
    summary.add_checks([check], {"articles": 3}, {"articles": 1})
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


def test_the_markdown_artifact_links_the_dashboard_and_the_data_docs(tmp_path: Path) -> None:
    summary = RunSummary(run_id="r1", source="s", warehouse="w")
    assert report_markdown(summary) is None  # nothing built, nothing to link
    summary.dashboard = str(tmp_path / "_reports" / "dq" / "index.html")
    summary.data_docs = "s3://lake/wh/_reports/data_docs/index.html"
    markdown = report_markdown(summary)
    assert f"[DQ dashboard]({Path(summary.dashboard).as_uri()})" in markdown
    assert f"[GX Data Docs]({summary.data_docs})" in markdown and summary.counts_line() in markdown


def test_the_markdown_artifact_ends_with_the_dq_summary() -> None:
    summary = RunSummary(run_id="r1", source="s", warehouse="w")
    assert dq_markdown(summary) == "## Coverage and drift\n\nNo coverage warning, no drift.\n"
    summary.add_metrics(
        [
            Measure("r1-00000", "articles", "authors_share", "", 0.1, 0.3),
            Measure("r1-00000", "articles", "authors_share", "news.example", 0.0, 0.3, examples=("abc 'T'",)),
            Measure("r1-00000", "articles", "published_at_share", "", 0.9, 0.5),  # met: not a finding
        ]
    )
    assert dq_markdown(summary).splitlines()[2:] == [
        "- coverage: articles.authors_share 0.10, below its minimum 0.3, on 1 batch(es) r1-00000",
        "    - news.example: 0.00, e.g. abc 'T'",
    ]
