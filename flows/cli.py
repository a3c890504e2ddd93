"""`newsetl` command line: flags map 1:1 onto the flow's parameters."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from flows import api_server
from flows import workers as fork_server
from flows.terminal import PIPE_WIDTH, OutputFormat, render, rich_table, summary_table, trend_table
from tasks import pipeline, sources, watchdog
from tasks.reports import dq_trends
from tasks.sources.jsonl import FIELD_NAMES, field_mapping
from tasks.warehouse import lock, views

if TYPE_CHECKING:
    import duckdb

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="newsetl: raw news text -> Parquet warehouse."
)
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True, soft_wrap=True)
WarehouseOpt = Annotated[str, typer.Option("--warehouse", "-w", help="Warehouse root folder.")]
SOURCE_HELP = "A file, a folder (recursive) or a glob, local or s3://bucket/prefix; formats: " + " ".join(
    sorted(sources.READERS)
)
FieldOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        help="FIELD=KEY: the JSON key (or dotted path) of an article field in JSON records, "
        f"FIELD one of {', '.join(FIELD_NAMES)}; repeat for several.",
    ),
]


@app.command()
def run(
    source: Annotated[str, typer.Argument(help=SOURCE_HELP)] = "seeds",
    warehouse: WarehouseOpt = "warehouse",
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents per Prefect task.")] = (
        pipeline.DEFAULT_BATCH_SIZE
    ),
    max_file_bytes: Annotated[
        int,
        typer.Option(
            "--max-file-bytes", min=1, help="Larger records (files, lines, members) are quarantined."
        ),
    ] = sources.DEFAULT_MAX_FILE_BYTES,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", min=0, help="Seconds to wait for another run on the warehouse.")
    ] = lock.DEFAULT_LOCK_TIMEOUT,
    runner: Annotated[
        str,
        typer.Option(
            "--runner",
            help="auto (processes for more than one batch, else threads), threads, processes, dask.",
        ),
    ] = "auto",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Batches processed at once.")] = 2,
    dask_address: Annotated[
        str | None, typer.Option("--dask-address", help="tcp://HOST:PORT of an existing Dask scheduler.")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Recompute articles and derived tables from raw_documents.")
    ] = False,
    field: FieldOpt = None,
    doc_timeout: Annotated[
        float,
        typer.Option(
            "--doc-timeout",
            min=0,
            help="Seconds one document may hold a stage before it is quarantined as timeout (0: no limit).",
        ),
    ] = watchdog.DEFAULT_DOC_TIMEOUT,
    rescan: Annotated[
        bool,
        typer.Option(
            "--rescan",
            help="Read every file again, also those unchanged since a run read them (content hashes still "
            "decide what is new).",
        ),
    ] = False,
) -> None:
    """Run the ETL flow once over SOURCE and print what it wrote."""
    try:
        field_mapping(field or [])
        if not rebuild:  # fail fast with a clear message, before Prefect starts its server
            sources.check_source(source)  # without listing: a large SOURCE is listed once, by the flow
        server = api_server.start()  # without an API configured: it starts while the flow imports
        fork_server.start(runner, workers, model=not rebuild)  # warming, while the API server starts
        from flows.etl import etl  # Prefect's import is heavy: `newsetl query` does not pay for it

        with api_server.serving(server):
            summary = etl(
                source=source,
                warehouse=warehouse,
                batch_size=batch_size,
                max_file_bytes=max_file_bytes,
                lock_timeout=lock_timeout,
                runner=runner,
                workers=workers,
                dask_address=dask_address,
                rebuild=rebuild,
                fields=field or [],
                doc_timeout=doc_timeout,
                rescan=rescan,
            )
    except (sources.SourceError, ValueError) as exc:
        err.print(f"[red]newsetl run: {exc}[/red]")
        raise typer.Exit(2) from exc
    except Exception as exc:
        err.print(f"[red]newsetl run failed: {type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(summary_table(summary))
    if not summary.accounted:
        err.print(
            "[red]records seen != articles + quarantined + skipped + ignored: "
            "some input is unaccounted for[/red]"
        )
        raise typer.Exit(1)


@app.command()
def serve(
    cron: Annotated[str, typer.Option("--cron", help='Schedule, e.g. "*/15 * * * *" (UTC).')],
    source: Annotated[str, typer.Option("--source", help="What each run reads.")] = "seeds",
    warehouse: WarehouseOpt = "warehouse",
    name: Annotated[str, typer.Option("--name", help="Deployment name.")] = "newsetl",
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = pipeline.DEFAULT_BATCH_SIZE,
    field: FieldOpt = None,
) -> None:
    """Serve the etl flow as a Prefect deployment on a cron schedule (runs until stopped)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType

    from flows.etl import etl

    etl.serve(
        name=name,
        cron=cron,
        parameters={
            "source": source,
            "warehouse": warehouse,
            "batch_size": batch_size,
            **({"fields": [f"{n}={k}" for n, k in field_mapping(field)]} if field else {}),
        },
        description=f"newsetl: {source} -> {warehouse} on '{cron}'",
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        entrypoint_type=EntrypointType.MODULE_PATH,  # runs import flows.etl, wherever the server runs them
    )


@app.command()
def report(
    warehouse: WarehouseOpt = "warehouse",
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="How many recent runs.")] = 5,
    trend_runs: Annotated[
        int, typer.Option("--trend-runs", min=1, help="How many recent runs the trends cover.")
    ] = 30,
) -> None:
    """The last runs' pass rates per suite, the most frequent failing expectations, the DQ trends
    (pass rates, coverage measures, quarantine, drift, worst sources), the dashboard and Data Docs."""
    import duckdb

    from tasks.reports import dashboard_site, data_docs, dq_report, dq_trends

    try:
        con = views.connect(warehouse)
        rates = dq_report.pass_rates(con, runs)
        failing = dq_report.top_failures(con, runs)
        trends = dq_trends.read_trends(warehouse, trend_runs)
    except duckdb.Error as exc:
        err.print(f"[red]newsetl report: {exc}[/red]")
        raise typer.Exit(1) from exc
    if not rates:
        out.print(f"No data-quality results in {warehouse} yet: run `newsetl run` first.")
        raise typer.Exit(0)
    out.print(rich_table(f"Pass rates, last {runs} run(s)", rates))
    out.print(
        rich_table("Most frequent failing expectations", failing) if failing else "No failing expectations."
    )
    _print_trends(trends)
    built = data_docs.data_docs_built(warehouse)
    out.print(f"Data Docs: {data_docs.data_docs_index(warehouse) if built else 'not built yet'}")
    _print_dq_summary(con, runs)
    built = dashboard_site.dashboard_built(warehouse)  # last: where `make run` ends
    out.print(f"DQ dashboard: {dashboard_site.dashboard_index(warehouse) if built else 'not built yet'}")


def _print_trends(trends: dq_trends.DqTrends) -> None:
    """The DQ trends as compact tables; sparklines on a UTF-8 terminal, the newest values elsewhere."""
    from tasks.reports import dq_report

    spark = out.is_terminal and "utf" in out.encoding.lower() and not os.environ.get("CI")
    span = f"last {len(trends.runs)} run(s)"
    for title, rows in (
        (f"Pass rate per suite (%), {span}", dq_report.series_rows(trends.pass_rates, spark, scale=100.0)),
        (f"Coverage measures, {span}", dq_report.series_rows(trends.coverage, spark)),
        (f"Quarantined rows per reason, {span}", dq_report.quarantine_rows(trends.quarantined, spark)),
        (f"Worst sources of run {trends.current_run}", dq_report.source_rows(trends.worst_sources)),
    ):
        if rows:
            out.print(trend_table(title, rows))
    if drifted := trends.drifted():
        out.print(f"[red]Drift in the newest run: {', '.join(s.label for s in drifted)}[/red]")


def _print_dq_summary(con: duckdb.DuckDBPyConnection, runs: int) -> None:
    """The recent runs' coverage warnings and drifts (dq_metrics), as the run summary words them."""
    from tasks.reports import dq_report
    from tasks.reports.findings import finding_lines

    lines = finding_lines(dq_report.findings(con, runs))
    out.print(f"DQ summary, last {runs} run(s):" + ("" if lines else " no coverage warning, no drift"))
    for line in lines:
        out.print(f"  {line}", markup=False, highlight=False)


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
        views.check_read_only(sql)
        cursor = views.connect(warehouse, read_only=True).execute(sql)
    except (duckdb.Error, views.QueryRefused) as exc:
        err.print(f"newsetl query: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    sys.stdout.write(render(columns, rows, output))


export_app = typer.Typer(no_args_is_help=True, help="Write the warehouse in formats other tools read.")
app.add_typer(export_app, name="export")


@export_app.command("gkg")
def export_gkg(
    out_file: Annotated[
        str, typer.Argument(help="The GKG 2.1 file to write (tab-separated, one article a line).")
    ],
    warehouse: WarehouseOpt = "warehouse",
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="Only articles dated on or after DATE."),
    ] = None,
) -> None:
    """Export every article as a GDELT GKG 2.1 record (see the README, GDELT GKG 2.1 export)."""
    import duckdb

    from tasks.export import gkg

    try:
        written = gkg.export_gkg(warehouse, out_file, since.date() if since else None)
    except (duckdb.Error, OSError) as exc:
        err.print(f"newsetl export gkg: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    out.print(f"{written} GKG 2.1 record(s) written to {out_file}", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=argv)
