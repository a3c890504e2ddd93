"""The run's Prefect artifacts: a table of counts and pass rates per suite, and links to the Data Docs
and the DQ dashboard."""

from __future__ import annotations

from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.records import RunSummary
from tasks.reports.findings import finding_lines
from tasks.warehouse.store import is_remote

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


def data_docs_uri(index: str) -> str:
    """A link to the Data Docs: a local path as a file:// URI, an object-store URL (s3://...) as it is."""
    return index if is_remote(index) else Path(index).resolve().as_uri()


def report_markdown(summary: RunSummary) -> str | None:
    """The markdown artifact: the run's counts and a link to each report built (None when none was)."""
    reports = {"DQ dashboard": summary.dashboard, "GX Data Docs": summary.data_docs}
    links = [f"- [{name}]({data_docs_uri(i)}) (`{data_docs_uri(i)}`)" for name, i in reports.items() if i]
    if not links:
        return None
    head = "\n".join(["# newsetl data quality", "", summary.counts_line(), "", *links])
    return f"{head}\n\n{dq_markdown(summary)}"


def dq_markdown(summary: RunSummary) -> str:
    """The run's coverage warnings and drifts as a markdown section (tasks.reports.findings' lines)."""
    lines = finding_lines(summary.findings)
    if not lines:
        return "## Coverage and drift\n\nNo coverage warning, no drift.\n"
    items = [f"{'    ' if line.startswith('  ') else ''}- {line.strip()}" for line in lines]
    return "## Coverage and drift\n\n" + "\n".join(items) + "\n"


def publish(summary: RunSummary) -> None:
    """Create both artifacts for the current flow run."""
    counts = summary.counts_line()
    create_table_artifact(key=RUN_SUMMARY_KEY, table=summary_rows(summary), description=counts)
    if markdown := report_markdown(summary):
        description = "DQ dashboard and GX Data Docs of the run"
        create_markdown_artifact(key=DATA_DOCS_KEY, markdown=markdown, description=description)
