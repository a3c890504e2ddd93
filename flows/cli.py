"""`newsetl` command line: flags map 1:1 onto the flow's parameters."""

from __future__ import annotations

import csv
import io as stdio
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from tasks import io
from tasks.records import RunSummary

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="newsetl: raw news text -> Parquet warehouse."
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

_PIPE_WIDTH = 160  # rows of a query piped to a file or a log are not wrapped at 80 columns
WarehouseOpt = Annotated[str, typer.Option("--warehouse", "-w", help="Warehouse root folder.")]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def run(
    source: Annotated[str, typer.Argument(help="A .txt file, a folder (recursive) or a glob.")] = "seeds",
    warehouse: WarehouseOpt = "warehouse",
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents per Prefect task.")] = (
        io.DEFAULT_BATCH_SIZE
    ),
    max_file_bytes: Annotated[
        int, typer.Option("--max-file-bytes", min=1, help="Larger files are quarantined.")
    ] = (io.DEFAULT_MAX_FILE_BYTES),
) -> None:
    """Run the ETL flow once over SOURCE and print what it wrote."""
    from flows.etl import etl  # Prefect's import is heavy: `newsetl query` does not pay for it

    try:
        io.list_sources(source)  # fail fast with a clear message, before Prefect starts its server
        summary = etl(
            source=source, warehouse=warehouse, batch_size=batch_size, max_file_bytes=max_file_bytes
        )
    except io.SourceError as exc:
        err.print(f"[red]newsetl run: {exc}[/red]")
        raise typer.Exit(2) from exc
    except Exception as exc:
        err.print(f"[red]newsetl run failed: {type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(summary_table(summary))
    if not summary.accounted:
        err.print("[red]files seen != articles + quarantined + skipped: some input is unaccounted for[/red]")
        raise typer.Exit(1)


def summary_table(summary: RunSummary) -> RichTable:
    """The run's accounts as a table: counts, quarantine reasons, seconds per stage."""
    table = RichTable(title=f"newsetl run {summary.run_id}", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in (
        ("source", summary.source),
        ("warehouse", summary.warehouse),
        ("files seen", summary.files_seen),
        ("articles written", summary.articles_written),
        ("quarantined", summary.quarantined),
        ("skipped (already ingested)", summary.skipped),
        ("batches", summary.batches),
    ):
        table.add_row(label, str(value))
    for reason, count in summary.quarantine_reasons.items():
        table.add_row(f"  quarantined {reason}", str(count))
    for stage, seconds in summary.stage_seconds.items():
        table.add_row(f"  seconds {stage}", f"{seconds:.2f}")
    table.add_row("seconds total", f"{summary.seconds:.2f}")
    return table


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="DuckDB SQL; every table is a view named after it.")],
    warehouse: WarehouseOpt = "warehouse",
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """Query the warehouse with DuckDB."""
    import duckdb

    try:
        cursor = io.connect(warehouse).execute(sql)
    except duckdb.Error as exc:
        err.print(f"[red]newsetl query: {exc}[/red]")
        raise typer.Exit(1) from exc
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    sys.stdout.write(render(columns, rows, output))


def render(columns: list[str], rows: list[tuple[object, ...]], output: OutputFormat) -> str:
    """Query results as a rich table, CSV or JSON (one object per row)."""
    if output is OutputFormat.json:
        return (
            json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, ensure_ascii=False)
            + "\n"
        )
    buffer = stdio.StringIO()
    if output is OutputFormat.csv:
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue()
    table = RichTable(*columns, show_lines=False)
    for row in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    width = Console().width if sys.stdout.isatty() else _PIPE_WIDTH
    Console(file=buffer, width=width, force_terminal=False).print(table)
    buffer.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=argv)
