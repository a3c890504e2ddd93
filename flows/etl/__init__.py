"""The `etl` flow: source files -> every warehouse table, one batch per Prefect task.

`python -m flows.etl` (this package's __main__) and `newsetl run` run it with the same flags.

The flow reads the sources' records as a stream (a .txt file is one record; a JSONL line, a WARC
response, an archive member each one), drops those already in the warehouse by doc_id, and cuts the
rest into batches of `batch_size` records: a multi-GB WARC spreads over batches like a folder of files
does, and memory holds the batches in flight, not the file. Each batch runs ingest -> parse ->
validate -> enrich as one task (tasks.pipeline.process_records) on the chosen task runner, so batches
spread over threads, processes or a Dask cluster (whose workers need no access to the sources). The flow
commits the results in batch order, under the warehouse lock, which keeps a parallel run's outcome
identical to a sequential one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import partial
from itertools import chain, islice
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner

from flows import artifacts
from flows.progress import progress_bar
from flows.runners import (
    Runner,
    batched,
    chosen_runner,
    import_in_background,
    in_order,
    task_runner_of,
    then,
    timed,
)
from tasks import pipeline, rebuild, sources
from tasks.ingest import dedup
from tasks.pipeline import stage_timer
from tasks.quality import drift, metrics, suites, validate
from tasks.records import BatchResult, RunContext, RunSummary, SourceRecord
from tasks.reports import dashboard_site, data_docs
from tasks.sources.jsonl import field_mapping
from tasks.warehouse import commit, lock, rows, tables
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, RUNS

OUTSIDE_TIMEOUT_SECONDS = 600  # one commit or report build; generous next to the ~0.1 s they take


def _transient(task: Task[..., Any], task_run: Any, state: Any) -> bool:
    """Retry a batch only for I/O trouble; a failed expectation or a bug fails the same way again."""
    try:
        state.result()
    except (OSError, TimeoutError):
        return True
    except Exception:
        return False
    return False


def _touching_outside(fn: Callable[..., Any], name: str) -> Task[..., Any]:
    """A task that writes the warehouse: retried with backoff, given up on when a stuck filesystem (a
    hung network mount) holds it longer than OUTSIDE_TIMEOUT_SECONDS."""
    return task(
        fn,
        name=name,
        cache_policy=NO_CACHE,
        retries=2,
        retry_delay_seconds=[1, 5],
        retry_jitter_factor=0.5,
        timeout_seconds=OUTSIDE_TIMEOUT_SECONDS,
    )


list_sources = task(sources.list_sources, name="list-sources", cache_policy=NO_CACHE)  # fails at once
recover_warehouse = _touching_outside(commit.recover, "recover")
known_doc_ids = _touching_outside(tables.known_doc_ids, "known-doc-ids")
process_batch = task(
    pipeline.process_records,
    name="batch",
    cache_policy=NO_CACHE,  # inputs are whole batches: hashing them for cache keys costs more than the work
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_jitter_factor=0.5,
    retry_condition_fn=_transient,  # GX and the models read their files: an I/O error may pass
)  # no timeout: in a worker thread Prefect cannot interrupt it, only warn on every batch
rebuild_batch = task(pipeline.process_records, name="rebuild-batch", cache_policy=NO_CACHE)
commit_batch = _touching_outside(commit.commit_batch, "commit")
stage_replacement = _touching_outside(commit.stage_replacement, "stage-rebuilt-rows")
stage_kept_quarantine = _touching_outside(rebuild.stage_kept_quarantine, "stage-kept-quarantine")
replace_tables = _touching_outside(commit.replace_tables, "replace-tables")
save_results = _touching_outside(data_docs.save_results, "save-dq-results")
build_data_docs = _touching_outside(data_docs.build_data_docs, "data-docs")
build_dashboard = _touching_outside(dashboard_site.build_dashboard, "dq-dashboard")
dq_baselines = _touching_outside(drift.recent_baselines, "dq-baselines")


@flow(name="newsetl-etl", validate_parameters=True)
def etl(
    source: str = "seeds",
    warehouse: str = "warehouse",
    batch_size: int = pipeline.DEFAULT_BATCH_SIZE,
    max_file_bytes: int = sources.DEFAULT_MAX_FILE_BYTES,
    lock_timeout: float = lock.DEFAULT_LOCK_TIMEOUT,
    runner: Runner = Runner.auto,
    workers: int = 2,
    dask_address: str | None = None,
    rebuild: bool = False,
    fields: list[str] | None = None,
) -> RunSummary:
    """Ingest, parse, validate and load every record of every file under `source`; returns the run's
    accounts.

    `max_file_bytes` caps one record (a file, a JSON line, a WARC payload, an archive member); `fields`
    names JSON record keys for article fields (`["body=maintext", "title=meta.headline"]`) where the
    common names are not used.

    With `rebuild`, `source` is not read: articles, the enrichment tables and the parse/validate
    quarantine rows are recomputed from raw_documents and replace the old ones atomically.
    One run at a time per warehouse: a second one waits up to `lock_timeout` seconds for the first.
    Every run, completed or failed, leaves one row in `runs`.
    """
    if batch_size < 1 or workers < 1:
        raise ValueError(f"batch_size and workers must be at least 1, got {batch_size} and {workers}")
    options = sources.ReadOptions(max_record_bytes=max_file_bytes, fields=field_mapping(fields or []))
    run = RunContext.new()
    summary = RunSummary(run_id=run.run_id, source=source, warehouse=warehouse)
    started = time.perf_counter()

    def runner_for(documents: int) -> AbstractContextManager[TaskRunner[Any]]:
        chosen = chosen_runner(Runner(runner), workers, documents, batch_size)
        summary.runner = chosen.value
        return task_runner_of(chosen, workers, dask_address)

    with lock.warehouse_lock(warehouse, lock_timeout, holder=f"run {run.run_id}, pid {os.getpid()}"):
        error = None
        try:
            if rebuild:
                _rebuild(run, summary, runner_for, batch_size, 2 * workers)
            else:
                _run_batches(run, summary, runner_for, batch_size, options, 2 * workers)
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            summary.seconds = round(time.perf_counter() - started, 3)
            row = rows.runs_table(summary, run, datetime.now(UTC), _flow_run_id(), error)
            commit_batch(warehouse, f"{run.run_id}-run", {RUNS.name: row})
    get_run_logger().info("%s in %.1f s", summary.counts_line(), summary.seconds)
    return summary


RunnerFor = Callable[[int], AbstractContextManager[TaskRunner[Any]]]  # documents -> the run's task runner


def _run_batches(
    run: RunContext,
    summary: RunSummary,
    runner_for: RunnerFor,
    batch_size: int,
    options: sources.ReadOptions,
    in_flight: int,
) -> None:
    """recover, list, then every batch of new records as they are read; committed in order."""
    logger = get_run_logger()
    source, warehouse = summary.source, summary.warehouse
    timer = stage_timer(summary.stage_seconds)
    with timer("recover"):
        if rolled := recover_warehouse(warehouse):
            logger.warning("rolled forward %d interrupted batch commit(s): %s", len(rolled), rolled)
    with timer("list"):
        listed = list_sources(source)
        known = frozenset(known_doc_ids(warehouse))
        baselines = dq_baselines(warehouse)  # each measure's recent runs, for the drift check
    summary.files_seen = len(listed)
    logger.info(
        "run %s: %d files to read, %d records already in %s", run.run_id, len(listed), len(known), warehouse
    )
    tally = dedup.ReadTally()
    fresh = dedup.skip_known(sources.iter_sources(listed, options), known, tally)
    batches = batched(timed(fresh, timer, "read"), batch_size)
    ahead = list(islice(batches, 2))  # two batches tell `auto` whether more than one will run
    seen: dict[str, str] = {}  # doc_id -> first source_uri with those bytes in this run

    def submit(task_runner: TaskRunner[Any], number: int, batch: list[Any]) -> PrefectFuture[BatchResult]:
        parameters = {"records": batch, "run": run, "batch_id": f"{run.run_id}-{number:05d}"}
        return task_runner.submit(process_batch, parameters=parameters)

    def commit_in_order(result: BatchResult) -> BatchResult:
        result, skipped = dedup.drop_known(result, known)
        result = metrics.measured(dedup.drop_seen(result, seen), baselines)
        save_results(warehouse, run.run_id, run.started_at, result.batch_id, result.results)
        commit_batch(warehouse, result.batch_id, pipeline.commit_tables(result, run))
        for doc_id, uri in result.seen.items():
            seen.setdefault(doc_id, uri)
        summary.skipped += skipped
        return result

    runner = runner_for(sum(map(len, ahead)) + (batch_size if len(ahead) == 2 else 0))
    if summary.runner != Runner.threads:  # for the report, while the last batches run
        batches = then(batches, partial(import_in_background, "great_expectations"))
    try:
        _batches(
            run,
            summary,
            runner,
            chain(ahead, batches),
            submit,
            commit_in_order,
            (None, 0, "newsetl run"),
            in_flight,
        )
    finally:
        summary.add_read(tally.seen, tally.skipped, tally.ignored)


def _rebuild(
    run: RunContext, summary: RunSummary, runner_for: RunnerFor, batch_size: int, in_flight: int
) -> None:
    """raw_documents through ingest, parse, validate and enrich again; the new rows replace the old tables."""
    warehouse = summary.warehouse
    with stage_timer(summary.stage_seconds)("recover"):
        recover_warehouse(warehouse)
    summary.source = f"{warehouse} (rebuild from raw_documents)"
    summary.files_seen = summary.records_seen = len(tables.read_column(warehouse, "raw_documents", "doc_id"))
    if legacy := tables.rows_without_bytes(warehouse):
        get_run_logger().warning(
            "%d raw_documents row(s) were written before newsetl kept original bytes: rebuilt from their "
            "decoded text. A rebuild from bytes needs them ingested again (into a new warehouse).",
            legacy,
        )
    rebuild_id = f"{run.run_id}-rebuild"
    baselines = dq_baselines(warehouse)

    def submit(
        task_runner: TaskRunner[Any], number: int, records: list[SourceRecord]
    ) -> PrefectFuture[BatchResult]:
        parameters = {"records": records, "run": run, "batch_id": f"{run.run_id}-{number:05d}"}
        return task_runner.submit(rebuild_batch, parameters=parameters)

    def stage_in_order(result: BatchResult) -> BatchResult:
        result = metrics.measured(result, baselines)
        save_results(warehouse, run.run_id, run.started_at, result.batch_id, result.results)
        rows_of = pipeline.commit_tables(result, run)
        commit_batch(warehouse, result.batch_id, {n: rows_of[n] for n in (DQ_RESULTS.name, DQ_METRICS.name)})
        stage_replacement(warehouse, rebuild_id, result.batch_id, {n: rows_of[n] for n in rebuild.REBUILT})
        return result

    def swap() -> None:
        stage_kept_quarantine(warehouse, rebuild_id)
        replace_tables(warehouse, rebuild_id, list(rebuild.REBUILT))

    batches = tables.iter_raw_records(warehouse, batch_size)
    progress = (summary.files_seen, 0, "newsetl rebuild")
    runner = runner_for(summary.files_seen)
    _batches(run, summary, runner, batches, submit, stage_in_order, progress, in_flight, finish=swap)


def _batches(
    run: RunContext,
    summary: RunSummary,
    runner: AbstractContextManager[TaskRunner[Any]],
    batches: Iterable[Sequence[Any]],
    submit: Callable[[TaskRunner[Any], int, Any], PrefectFuture[BatchResult]],
    keep: Callable[[BatchResult], BatchResult],
    progress: tuple[int | None, int, str],
    in_flight: int,
    finish: Callable[[], None] | None = None,
) -> None:
    """Every batch on the runner, each result kept (`keep`: committed or staged, returning what it kept)
    and counted in batch order, then `finish`. A failed critical expectation keeps nothing of its batch,
    and its GX results are saved so the Data Docs show why; the DQ report is built once at the end, also
    after a failure."""
    warehouse = summary.warehouse
    timer = stage_timer(summary.stage_seconds)
    total, done, description = progress
    try:
        with runner as task_runner, progress_bar(total, description) as advance:
            advance(done)
            for result, size in in_order(partial(submit, task_runner), batches, in_flight):
                with timer("load"):
                    _count(keep(result), summary)
                advance(size)
        if finish is not None:
            with timer("load"):
                finish()
    except validate.CriticalExpectationError as exc:
        save_results(warehouse, run.run_id, run.started_at, exc.batch_id, exc.results)
        raise
    finally:
        _report(warehouse, summary, timer)


def _count(result: BatchResult, summary: RunSummary) -> None:
    summary.add_batch(result.articles, result.rejected, result.rejected_rows)
    summary.add_checks(result.checks, result.rows_validated(), result.moved)
    summary.add_metrics(result.metrics)
    for stage, seconds in result.seconds.items():  # worker seconds: summed over parallel batches
        summary.stage_seconds[stage] = round(summary.stage_seconds.get(stage, 0.0) + seconds, 3)


def _report(warehouse: str, summary: RunSummary, timer: Callable[[str], Any]) -> None:
    """Once per run, also after a failed batch: rebuild Data Docs and publish the run's artifacts."""
    logger = get_run_logger()
    with timer("report"):
        try:
            if data_docs.data_docs_current(warehouse, suites.SUITES_DIR):
                summary.data_docs = data_docs.data_docs_index(warehouse)
            else:
                summary.data_docs = str(build_data_docs(warehouse, suites.load_suites()))
        except Exception as exc:  # the report must never hide the run's own outcome
            logger.error("Data Docs not built: %s: %s", type(exc).__name__, exc)
        _dashboard(warehouse, summary)
        artifacts.publish(summary)


def _dashboard(warehouse: str, summary: RunSummary) -> None:
    """Rebuild the DQ dashboard from the warehouse's DQ history (this run's included)."""
    try:
        summary.dashboard = str(build_dashboard(warehouse))
    except Exception as exc:  # like the Data Docs: never hides the run's own outcome
        get_run_logger().error("DQ dashboard not built: %s: %s", type(exc).__name__, exc)


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None
