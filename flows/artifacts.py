"""The run's Prefect artifacts: a table of counts and pass rates per suite, and a link to the Data Docs."""

from __future__ import annotations

from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.records import RunSummary

RUN_SUMMARY_KEY = "newsetl-run-summary"
DATA_DOCS_KEY = "newsetl-data-docs"


def summary_rows(summary: RunSummary) -> list[dict[str, object]]:
    """One row per suite: expectations evaluated and passed, pass rate, rows validated and quarantined."""
    return [
        {
            "suite": table,
            "expectations_evaluated": tally.evaluated,
            "expectations_passed": tally.passed,
            "pass_rate": f"{tally.pass_rate:.1%}",
            "rows_validated": tally.rows,
            "rows_quarantined": tally.rows_quarantined,
        }
        for table, tally in summary.dq.items()
    ]


def counts_line(summary: RunSummary) -> str:
    return (
        f"run {summary.run_id}: {summary.files_seen} files seen, "
        f"{summary.articles_written} articles written, {summary.quarantined} quarantined, "
        f"{summary.skipped} skipped"
    )


def publish(summary: RunSummary) -> None:
    """Create both artifacts for the current flow run."""
    create_table_artifact(key=RUN_SUMMARY_KEY, table=summary_rows(summary), description=counts_line(summary))
    if summary.data_docs:
        uri = Path(summary.data_docs).resolve().as_uri()
        markdown = f"# newsetl data quality\n\n{counts_line(summary)}\n\n[GX Data Docs]({uri}) (`{uri}`)\n"
        create_markdown_artifact(key=DATA_DOCS_KEY, markdown=markdown, description="GX Data Docs of the run")
