"""What the CLI prints: the run's summary table, report tables and query results (rich, CSV or JSON).

Tables piped to a file or a log are not wrapped at 80 columns (PIPE_WIDTH).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from enum import StrEnum

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from tasks.records import RunSummary

PIPE_WIDTH = 160
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")  # where Prefect logs a run's or task's failure


class _MessageOnly(logging.Filter):
    """Drops the traceback of a logged failure whose exception's message is the whole story."""

    def __init__(self, exceptions: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.exceptions = exceptions

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.exceptions):
            record.exc_info = record.exc_text = None
        return True


def without_tracebacks(*exceptions: type[BaseException]) -> None:
    """Prefect logs a failed task or flow run with its traceback; for these exceptions (an operational
    state such as a full disk or a held lock, whose message names the path and what to do) one line is
    printed and sent to the API instead of a screenful of frames."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _MessageOnly) for f in logger.filters):
            logger.addFilter(_MessageOnly(exceptions))


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def summary_table(summary: RunSummary) -> RichTable:
    """The run's accounts as a table: counts, quarantine reasons, seconds per stage."""
    table = RichTable(title=f"newsetl run {summary.run_id}", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in (
        ("source", summary.source),
        ("warehouse", summary.warehouse),
        ("files seen", summary.files_seen),
        ("  skipped unread (unchanged since read)", summary.files_unread),
        ("records seen", summary.records_seen),
        ("articles written", summary.articles_written),
        ("quarantined", summary.quarantined),
        ("skipped (already ingested)", summary.skipped),
        ("ignored (not articles)", summary.records_ignored),
        ("batches", summary.batches),
        ("runner", summary.runner),
    ):
        table.add_row(label, str(value))
    if summary.rows_quarantined:
        table.add_row("extracted rows quarantined", str(summary.rows_quarantined))
    for reason, count in summary.quarantine_reasons.items():
        table.add_row(f"  quarantined {reason}", str(count))
    for kind, count in summary.ignored_kinds.items():
        table.add_row(f"  ignored {kind}", str(count))
    for suite, tally in summary.dq.items():
        table.add_row(
            f"  DQ {suite}",
            f"{tally.passed}/{tally.evaluated} expectations passed ({tally.pass_rate:.0%}), "
            f"{tally.rows_quarantined}/{tally.rows} rows quarantined",
        )
    if summary.data_docs:
        table.add_row("Data Docs", summary.data_docs)
    if summary.dashboard:
        table.add_row("DQ dashboard", summary.dashboard)
    add_dq_summary(table, summary)
    for stage, seconds in summary.stage_seconds.items():
        table.add_row(f"  seconds {stage}", f"{seconds:.2f}")
    table.add_row("seconds total", f"{summary.seconds:.2f}")
    return table


def add_dq_summary(table: RichTable, summary: RunSummary) -> None:
    """The coverage warnings and drifts of the run, one table row per line of tasks.reports.findings."""
    from tasks.reports.findings import finding_lines

    lines = finding_lines(summary.findings) or ["no coverage warning, no drift"]
    for number, line in enumerate(lines):  # Text: titles in examples are not rich markup
        table.add_row("DQ summary" if number == 0 else "", Text(line, justify="left"))


def trend_table(title: str, rows: list[dict[str, object]]) -> RichTable:
    """A trend table: names may fold, numbers and the trend column never wrap."""
    table = RichTable(title=title, header_style="bold")
    for n, name in enumerate(rows[0]):
        table.add_column(
            name,
            overflow="fold" if n == 0 else "ellipsis",
            no_wrap=n > 0,
            min_width=20 if n == 0 else None,
        )
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    return table


def rich_table(title: str, rows: list[dict[str, object]]) -> RichTable:
    table = RichTable(*rows[0].keys(), title=title, header_style="bold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    return table


def render(columns: list[str], rows: list[tuple[object, ...]], output: OutputFormat) -> str:
    """Query results as a rich table, CSV or JSON (one object per row)."""
    if output is OutputFormat.json:
        return (
            json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, ensure_ascii=False)
            + "\n"
        )
    buffer = io.StringIO()
    if output is OutputFormat.csv:
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue()
    table = RichTable(*columns, show_lines=False)
    for row in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    width = Console().width if sys.stdout.isatty() else PIPE_WIDTH
    Console(file=buffer, width=width, force_terminal=False).print(table)
    buffer.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return buffer.getvalue()
