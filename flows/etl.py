"""The `etl` flow: source files -> raw_documents, articles, quarantine, one batch at a time."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.progress import progress_bar
from tasks import ingest, io, load, parse
from tasks.records import RunContext, RunSummary


def _pure(fn: Callable[..., Any], name: str) -> Task[..., Any]:
    """A stage function as a Prefect task; inputs are whole batches, so no cache-key hashing."""
    return task(fn, name=name, cache_policy=NO_CACHE)


def _touching_outside(fn: Callable[..., Any], name: str) -> Task[..., Any]:
    """A task that reads sources or writes the warehouse: retried with backoff."""
    return task(fn, name=name, cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])


list_sources = _pure(io.list_sources, "list-sources")  # a missing source should fail at once
recover_warehouse = _touching_outside(io.recover, "recover")
known_doc_ids = _touching_outside(io.known_doc_ids, "known-doc-ids")
read_sources = _touching_outside(io.read_sources, "read")
ingest_batch = _pure(ingest.ingest_batch, "ingest")
parse_batch = _pure(parse.parse_batch, "parse")
build_tables = _pure(load.batch_tables, "load")
commit_batch = _touching_outside(io.commit_batch, "commit")


@flow(name="newsetl-etl", validate_parameters=True)
def etl(
    source: str = "seeds",
    warehouse: str = "warehouse",
    batch_size: int = io.DEFAULT_BATCH_SIZE,
    max_file_bytes: int = io.DEFAULT_MAX_FILE_BYTES,
) -> RunSummary:
    """Ingest, parse and load every file under `source` into the warehouse; returns the run's accounts."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    logger = get_run_logger()
    run = RunContext.new()
    summary = RunSummary(run_id=run.run_id, source=source, warehouse=warehouse)
    started = time.perf_counter()
    timer = _stage_timer(summary.stage_seconds)
    with timer("recover"):
        if rolled := recover_warehouse(warehouse):
            logger.warning("rolled forward %d interrupted batch commit(s): %s", len(rolled), rolled)
    with timer("list"):
        paths = list_sources(source)
        known = known_doc_ids(warehouse)
    this_run: dict[str, str] = {}  # doc_id -> the first source_uri with those bytes in this run
    summary.files_seen = len(paths)
    logger.info(
        "run %s: %d files in %s, %d doc_ids already in %s",
        run.run_id,
        len(paths),
        source,
        len(known),
        warehouse,
    )
    with progress_bar(len(paths), "newsetl run") as advance:
        for number, batch in enumerate(_chunks(paths, batch_size)):
            with timer("read"):
                files = read_sources(batch, max_file_bytes)
            with timer("ingest"):
                ingested = ingest_batch(files, known, this_run)
            this_run.update(ingested.first_seen())
            with timer("parse"):
                articles, unparsed = parse_batch(ingested.documents)
            rejected = ingested.rejected + unparsed
            with timer("load"):
                tables = build_tables(run, ingested.documents, articles, rejected)
                commit_batch(warehouse, f"{run.run_id}-{number:05d}", tables)
            summary.add_batch(len(articles), rejected, len(ingested.skipped))
            advance(len(batch))
    summary.seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "run %s: %d files seen, %d articles written, %d quarantined, %d skipped in %.1f s",
        run.run_id,
        summary.files_seen,
        summary.articles_written,
        summary.quarantined,
        summary.skipped,
        summary.seconds,
    )
    return summary


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
