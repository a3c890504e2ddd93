"""The `etl` flow: source files -> raw_documents, articles, quarantine, one batch at a time."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import artifacts
from flows.progress import progress_bar
from tasks import ingest, io, load, parse, reports, validate
from tasks.records import RunContext, RunSummary
from tasks.schemas import ARTICLES, DQ_RESULTS, QUARANTINE, RAW_DOCUMENTS, RUNS

OUTSIDE_TIMEOUT_SECONDS = 600  # one batch's reads or one commit; generous next to the ~0.1 s they take


def _pure(fn: Callable[..., Any], name: str) -> Task[..., Any]:
    """A stage function as a Prefect task; inputs are whole batches, so no cache-key hashing."""
    return task(fn, name=name, cache_policy=NO_CACHE)


def _touching_outside(fn: Callable[..., Any], name: str) -> Task[..., Any]:
    """A task that reads sources or writes the warehouse: retried with backoff, and given up on when a
    stuck filesystem (a hung network mount) holds it longer than OUTSIDE_TIMEOUT_SECONDS."""
    return task(
        fn,
        name=name,
        cache_policy=NO_CACHE,
        retries=2,
        retry_delay_seconds=[1, 5],
        retry_jitter_factor=0.5,
        timeout_seconds=OUTSIDE_TIMEOUT_SECONDS,
    )


list_sources = _pure(io.list_sources, "list-sources")  # a missing source should fail at once
recover_warehouse = _touching_outside(io.recover, "recover")
known_doc_ids = _touching_outside(io.known_doc_ids, "known-doc-ids")
read_sources = _touching_outside(io.read_sources, "read")
ingest_batch = _pure(ingest.ingest_batch, "ingest")
parse_batch = _pure(parse.parse_batch, "parse")
build_tables = _pure(load.batch_tables, "load")
validate_batch = _pure(validate.validate_batch, "validate")
commit_batch = _touching_outside(io.commit_batch, "commit")
save_results = _touching_outside(reports.save_results, "save-dq-results")
build_data_docs = _touching_outside(reports.build_data_docs, "data-docs")


@flow(name="newsetl-etl", validate_parameters=True)
def etl(
    source: str = "seeds",
    warehouse: str = "warehouse",
    batch_size: int = io.DEFAULT_BATCH_SIZE,
    max_file_bytes: int = io.DEFAULT_MAX_FILE_BYTES,
    lock_timeout: float = io.DEFAULT_LOCK_TIMEOUT,
) -> RunSummary:
    """Ingest, parse, validate and load every file under `source`; returns the run's accounts.

    One run at a time per warehouse: a second one waits up to `lock_timeout` seconds for the first.
    Every run, completed or failed, leaves one row in `runs`.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    run = RunContext.new()
    summary = RunSummary(run_id=run.run_id, source=source, warehouse=warehouse)
    started = time.perf_counter()
    with io.warehouse_lock(warehouse, lock_timeout, holder=f"run {run.run_id}, pid {os.getpid()}"):
        error = None
        try:
            _run_batches(run, summary, batch_size, max_file_bytes)
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            summary.seconds = round(time.perf_counter() - started, 3)
            finished = datetime.now(UTC)
            commit_batch(
                warehouse,
                f"{run.run_id}-run",
                {RUNS.name: load.runs_table(summary, run, finished, _flow_run_id(), error)},
            )
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


def _run_batches(run: RunContext, summary: RunSummary, batch_size: int, max_file_bytes: int) -> None:
    """recover, list, then every batch in order; the DQ report is built even when a batch fails."""
    logger = get_run_logger()
    source, warehouse = summary.source, summary.warehouse
    timer = _stage_timer(summary.stage_seconds)
    with timer("recover"):
        if rolled := recover_warehouse(warehouse):
            logger.warning("rolled forward %d interrupted batch commit(s): %s", len(rolled), rolled)
    with timer("list"):
        paths = list_sources(source)
        known = known_doc_ids(warehouse)
    with timer("validate"):
        suites = io.load_suites()
        validator = validate.Validator(suites)
    summary.files_seen = len(paths)
    logger.info(
        "run %s: %d files in %s, %d doc_ids already in %s",
        run.run_id,
        len(paths),
        source,
        len(known),
        warehouse,
    )
    batches = _Batches(run, warehouse, max_file_bytes, known, validator, timer, summary)
    try:
        with progress_bar(len(paths), "newsetl run") as advance:
            for number, batch in enumerate(_chunks(paths, batch_size)):
                batches.process(f"{run.run_id}-{number:05d}", batch)
                advance(len(batch))
    finally:
        _report(warehouse, suites, summary, timer)


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


@dataclass
class _Batches:
    """The per-batch stages of one run, wired in order; holds what the batches share."""

    run: RunContext
    warehouse: str
    max_file_bytes: int
    known: set[str]
    validator: validate.Validator
    timer: Callable[[str], AbstractContextManager[None]]
    summary: RunSummary
    this_run: dict[str, str] = field(default_factory=dict)  # doc_id -> first source_uri with those bytes

    def process(self, batch_id: str, paths: list[str]) -> None:
        """read -> ingest -> parse -> validate -> commit one batch; a critical DQ failure commits nothing."""
        timer, run = self.timer, self.run
        with timer("read"):
            files = read_sources(paths, self.max_file_bytes)
        with timer("ingest"):
            ingested = ingest_batch(files, self.known, self.this_run)
        self.this_run.update(ingested.first_seen())
        with timer("parse"):
            articles, unparsed = parse_batch(ingested.documents)
        with timer("load"):
            tables = build_tables(run, ingested.documents, articles, ingested.rejected + unparsed)
        with timer("validate"):
            checked = self._validate(batch_id, tables)
        rejected = [*ingested.rejected, *unparsed, *checked.rejected]
        with timer("load"):
            tables = {
                **checked.tables,
                QUARANTINE.name: load.quarantine_table(rejected, run),
                DQ_RESULTS.name: load.dq_results_table(checked.checks, run, batch_id),
            }
            commit_batch(self.warehouse, batch_id, tables)
        written = tables[ARTICLES.name].num_rows
        self.summary.add_batch(written, rejected, len(ingested.skipped))
        moved = {ARTICLES.name: len(checked.rejected)}
        validated = {n: t.num_rows for n, t in tables.items() if n in self.validator.definitions}
        self.summary.add_checks(checked.checks, {n: validated[n] + moved.get(n, 0) for n in validated}, moved)

    def _validate(self, batch_id: str, tables: dict[str, pa.Table]) -> validate.CheckedBatch:
        to_check = {n: tables[n] for n in (RAW_DOCUMENTS.name, ARTICLES.name)}
        try:
            checked = validate_batch(self.validator, to_check, self.run, batch_id)
        except validate.CriticalExpectationError as exc:
            save_results(self.warehouse, self.run.run_id, self.run.started_at, batch_id, exc.results)
            raise
        save_results(self.warehouse, self.run.run_id, self.run.started_at, batch_id, checked.results)
        return checked


def _report(
    warehouse: str,
    suites: dict[str, dict[str, Any]],
    summary: RunSummary,
    timer: Callable[[str], AbstractContextManager[None]],
) -> None:
    """Once per run, also after a failed batch: rebuild Data Docs and publish the run's artifacts."""
    logger = get_run_logger()
    with timer("report"):
        try:
            summary.data_docs = str(build_data_docs(warehouse, suites))
        except Exception as exc:  # the report must never hide the run's own outcome
            logger.error("Data Docs not built: %s: %s", type(exc).__name__, exc)
        artifacts.publish(summary)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stage_timer(totals: dict[str, float]) -> Callable[[str], object]:
    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            totals[stage] = round(totals.get(stage, 0.0) + time.perf_counter() - start, 3)

    return timed


if __name__ == "__main__":
    from flows.cli import main

    main(["run", *sys.argv[1:]])
