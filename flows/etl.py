"""The `etl` flow: source files -> every warehouse table, one batch per Prefect task.

Each batch runs read -> ingest -> parse -> validate -> enrich as one task (tasks.pipeline.process_batch)
on the chosen task runner, so batches spread over threads, processes or a Dask cluster. The flow
commits the results in batch order, under the warehouse lock, which keeps a parallel run's outcome
identical to a sequential one.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import pyarrow.compute as pc
from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner

from flows import artifacts
from flows.progress import progress_bar
from flows.runners import Runner, chosen_runner, import_in_background, task_runner_of
from tasks import io, load, pipeline, reports, validate
from tasks.pipeline import BatchResult, stage_timer
from tasks.records import RunContext, RunSummary
from tasks.schemas import RUNS

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


list_sources = task(io.list_sources, name="list-sources", cache_policy=NO_CACHE)  # fails at once
recover_warehouse = _touching_outside(io.recover, "recover")
known_doc_ids = _touching_outside(io.known_doc_ids, "known-doc-ids")
new_sources = task(io.new_sources, name="skip-known", cache_policy=NO_CACHE)  # a file it can't read: kept
process_batch = task(
    pipeline.process_batch,
    name="batch",
    cache_policy=NO_CACHE,  # inputs are whole batches: hashing them for cache keys costs more than the work
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_jitter_factor=0.5,
    retry_condition_fn=_transient,  # reading sources is the only outside-world step in a batch
)  # no timeout: in a worker thread Prefect cannot interrupt it, only warn on every batch
rebuild_batch = task(pipeline.process_documents, name="rebuild-batch", cache_policy=NO_CACHE)
commit_batch = _touching_outside(io.commit_batch, "commit")
stage_replacement = _touching_outside(io.stage_replacement, "stage-rebuilt-rows")
replace_tables = _touching_outside(io.replace_tables, "replace-tables")
save_results = _touching_outside(reports.save_results, "save-dq-results")
build_data_docs = _touching_outside(reports.build_data_docs, "data-docs")


@flow(name="newsetl-etl", validate_parameters=True)
def etl(
    source: str = "seeds",
    warehouse: str = "warehouse",
    batch_size: int = io.DEFAULT_BATCH_SIZE,
    max_file_bytes: int = io.DEFAULT_MAX_FILE_BYTES,
    lock_timeout: float = io.DEFAULT_LOCK_TIMEOUT,
    runner: Runner = Runner.auto,
    workers: int = 2,
    dask_address: str | None = None,
    rebuild: bool = False,
) -> RunSummary:
    """Ingest, parse, validate and load every file under `source`; returns the run's accounts.

    With `rebuild`, `source` is not read: articles, the enrichment tables and the parse/validate
    quarantine rows are recomputed from raw_documents and replace the old ones atomically.
    One run at a time per warehouse: a second one waits up to `lock_timeout` seconds for the first.
    Every run, completed or failed, leaves one row in `runs`.
    """
    if batch_size < 1 or workers < 1:
        raise ValueError(f"batch_size and workers must be at least 1, got {batch_size} and {workers}")
    run = RunContext.new()
    summary = RunSummary(run_id=run.run_id, source=source, warehouse=warehouse)
    started = time.perf_counter()

    def runner_for(documents: int) -> AbstractContextManager[TaskRunner[Any]]:
        chosen = chosen_runner(Runner(runner), workers, documents, batch_size)
        summary.runner = chosen.value
        return task_runner_of(chosen, workers, dask_address)

    with io.warehouse_lock(warehouse, lock_timeout, holder=f"run {run.run_id}, pid {os.getpid()}"):
        error = None
        try:
            if rebuild:
                _rebuild(run, summary, runner_for, batch_size, 2 * workers)
            else:
                _run_batches(run, summary, runner_for, batch_size, max_file_bytes, 2 * workers)
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            summary.seconds = round(time.perf_counter() - started, 3)
            row = load.runs_table(summary, run, datetime.now(UTC), _flow_run_id(), error)
            commit_batch(warehouse, f"{run.run_id}-run", {RUNS.name: row})
    get_run_logger().info(
        "run %s: %d files seen, %d articles written, %d quarantined, %d skipped in %.1f s",
        run.run_id,
        summary.files_seen,
        summary.articles_written,
        summary.quarantined,
        summary.skipped,
        summary.seconds,
    )
    return summary


RunnerFor = Callable[[int], AbstractContextManager[TaskRunner[Any]]]  # documents -> the run's task runner


def _run_batches(
    run: RunContext,
    summary: RunSummary,
    runner_for: RunnerFor,
    batch_size: int,
    max_file_bytes: int,
    in_flight: int,
) -> None:
    """recover, list, then every batch; committed in order, the DQ report built even after a failure."""
    logger = get_run_logger()
    source, warehouse = summary.source, summary.warehouse
    timer = stage_timer(summary.stage_seconds)
    with timer("recover"):
        if rolled := recover_warehouse(warehouse):
            logger.warning("rolled forward %d interrupted batch commit(s): %s", len(rolled), rolled)
    with timer("list"):
        listed = list_sources(source)
        known = frozenset(known_doc_ids(warehouse))
        paths, summary.skipped = new_sources(listed, known)
    summary.files_seen = len(listed)
    logger.info(
        "run %s: %d files, %d of them already in %s", run.run_id, len(listed), summary.skipped, warehouse
    )
    seen: dict[str, str] = {}  # doc_id -> first source_uri with those bytes in this run
    batches = list(_chunks(paths, batch_size))

    def submit(number: int, batch: list[str]) -> PrefectFuture[BatchResult]:
        if number == len(batches) - 1 and summary.runner != Runner.threads:
            import_in_background("great_expectations")  # for the report, while the last batches run
        parameters = {"paths": batch, "known": known, "run": run, "batch_id": f"{run.run_id}-{number:05d}"}
        return task_runner.submit(process_batch, parameters={**parameters, "max_file_bytes": max_file_bytes})

    try:
        with runner_for(len(paths)) as task_runner, progress_bar(len(listed), "newsetl run") as advance:
            advance(summary.skipped)
            for result, size in _in_order(submit, batches, in_flight):
                with timer("load"):
                    _commit(run, warehouse, pipeline.drop_seen(result, seen), seen, summary)
                advance(size)
    except validate.CriticalExpectationError as exc:  # nothing of the batch is committed; the docs show why
        save_results(warehouse, run.run_id, run.started_at, exc.batch_id, exc.results)
        raise
    finally:
        _report(warehouse, summary, timer)


REBUILT = ("articles", "entities", "locations", "quotes", "event_counts", "mentioned_dates", "quarantine")


def _rebuild(
    run: RunContext, summary: RunSummary, runner_for: RunnerFor, batch_size: int, in_flight: int
) -> None:
    """raw_documents through parse, validate and enrich again; the new rows replace the old tables."""
    warehouse = summary.warehouse
    timer = stage_timer(summary.stage_seconds)
    with timer("recover"):
        recover_warehouse(warehouse)
    summary.source = f"{warehouse} (rebuild from raw_documents)"
    summary.files_seen = len(io.read_column(warehouse, "raw_documents", "doc_id"))
    rebuild_id = f"{run.run_id}-rebuild"

    def submit(number: int, documents: list[Any]) -> PrefectFuture[BatchResult]:
        batch_id = f"{run.run_id}-{number:05d}"
        return task_runner.submit(
            rebuild_batch, parameters={"documents": documents, "run": run, "batch_id": batch_id}
        )

    try:
        with (
            runner_for(summary.files_seen) as task_runner,
            progress_bar(summary.files_seen, "newsetl rebuild") as advance,
        ):
            for result, size in _in_order(submit, io.iter_raw_documents(warehouse, batch_size), in_flight):
                with timer("load"):
                    save_results(warehouse, run.run_id, run.started_at, result.batch_id, result.results)
                    tables = pipeline.commit_tables(result, run)
                    commit_batch(warehouse, result.batch_id, {"dq_results": tables["dq_results"]})
                    stage_replacement(warehouse, rebuild_id, result.batch_id, {n: tables[n] for n in REBUILT})
                    _count(result, summary)
                advance(size)
        with timer("load"):
            quarantine = io.read_table(warehouse, "quarantine")
            kept = quarantine.filter(pc.equal(quarantine.column("stage"), "ingest"))  # files never decoded
            stage_replacement(warehouse, rebuild_id, "ingest", {"quarantine": kept})
            replace_tables(warehouse, rebuild_id, list(REBUILT))
    except validate.CriticalExpectationError as exc:  # nothing replaced; the docs show why
        save_results(warehouse, run.run_id, run.started_at, exc.batch_id, exc.results)
        raise
    finally:
        _report(warehouse, summary, timer)


def _count(result: BatchResult, summary: RunSummary) -> None:
    summary.add_batch(result.articles, result.rejected, result.skipped, result.rejected_rows)
    summary.add_checks(result.checks, pipeline.rows_validated(result), result.moved)
    for stage, seconds in result.seconds.items():  # worker seconds: summed over parallel batches
        summary.stage_seconds[stage] = round(summary.stage_seconds.get(stage, 0.0) + seconds, 3)


def _commit(
    run: RunContext, warehouse: str, result: BatchResult, seen: dict[str, str], summary: RunSummary
) -> None:
    save_results(warehouse, run.run_id, run.started_at, result.batch_id, result.results)
    commit_batch(warehouse, result.batch_id, pipeline.commit_tables(result, run))
    for doc_id, uri in result.first_seen.items():
        seen.setdefault(doc_id, uri)
    _count(result, summary)


def _in_order(
    submit: Callable[[int, Any], PrefectFuture[BatchResult]], batches: Iterable[Sequence[Any]], in_flight: int
) -> Iterator[tuple[BatchResult, int]]:
    """Each batch's result in batch order, with at most `in_flight` batches submitted at once (memory
    stays bounded by the batch size, not the corpus)."""
    pending: deque[tuple[PrefectFuture[BatchResult], int]] = deque()
    upcoming = iter(enumerate(batches))
    for number, batch in upcoming:
        pending.append((submit(number, batch), len(batch)))
        if len(pending) >= in_flight:
            break
    while pending:
        future, size = pending.popleft()
        result = future.result()
        if (following := next(upcoming, None)) is not None:
            pending.append((submit(*following), len(following[1])))
        yield result, size


def _report(warehouse: str, summary: RunSummary, timer: Callable[[str], Any]) -> None:
    """Once per run, also after a failed batch: rebuild Data Docs and publish the run's artifacts."""
    logger = get_run_logger()
    with timer("report"):
        try:
            if reports.data_docs_current(warehouse, io.SUITES_DIR):
                summary.data_docs = reports.data_docs_index(warehouse)
            else:
                summary.data_docs = str(build_data_docs(warehouse, io.load_suites()))
        except Exception as exc:  # the report must never hide the run's own outcome
            logger.error("Data Docs not built: %s: %s", type(exc).__name__, exc)
        artifacts.publish(summary)


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


if __name__ == "__main__":
    from flows.cli import main

    main(["run", *sys.argv[1:]])
