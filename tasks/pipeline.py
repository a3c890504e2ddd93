"""One batch through every stage, as one plain function a task runner can ship to any worker.

`process_batch` reads, ingests, parses, validates and enriches a batch and returns its rows, ready to
commit. Batches run in parallel (threads, processes or Dask workers), so a file met earlier in the same
run cannot be known inside a batch: `drop_seen` settles that when the flow commits batches in order,
which keeps the outcome identical to a one-batch-at-a-time run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tasks import enrich, ingest, io, load, parse, validate
from tasks.records import RawDocument, Rejected, RunContext
from tasks.schemas import ARTICLES, DQ_RESULTS, QUARANTINE


@dataclass
class BatchResult:
    """A processed batch: its rows per table, what was quarantined, its DQ checks and timings."""

    batch_id: str
    tables: dict[str, pa.Table]  # raw_documents, articles and the enrichment tables
    rejected: list[Rejected]  # whole input files: ingest, parse and validate(articles) rejects
    rejected_rows: list[Rejected]  # extracted rows that failed validation
    skipped: int
    checks: list[validate.Check]
    results: dict[str, dict[str, Any]]  # table -> GX result JSON, for the Data Docs
    first_seen: dict[str, str]  # doc_id -> source_uri of every file with a doc_id in this batch
    moved: dict[str, int] = field(default_factory=dict)  # table -> rows validation moved to quarantine
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def articles(self) -> int:
        return self.tables[ARTICLES.name].num_rows


def process_batch(
    paths: list[str],
    known: frozenset[str],
    run: RunContext,
    batch_id: str,
    max_file_bytes: int = io.DEFAULT_MAX_FILE_BYTES,
) -> BatchResult:
    """read -> ingest -> parse -> validate -> enrich -> validate one batch of source files.

    Raises validate.CriticalExpectationError when a critical expectation fails: nothing of it is kept.
    """
    seconds: dict[str, float] = {}
    timer = stage_timer(seconds)
    with timer("read"):
        files = io.read_sources(paths, max_file_bytes)
    with timer("ingest"):
        ingested = ingest.ingest_batch(files, known)
    result = process_documents(ingested.documents, run, batch_id, seconds)
    return replace(
        result,
        rejected=[*ingested.rejected, *result.rejected],
        skipped=len(ingested.skipped),
        first_seen=ingested.first_seen(),
    )


def process_documents(
    documents: list[RawDocument], run: RunContext, batch_id: str, seconds: dict[str, float] | None = None
) -> BatchResult:
    """parse -> validate -> enrich -> validate decoded documents (a new batch, or raw_documents again
    when the warehouse is rebuilt)."""
    seconds = {} if seconds is None else seconds
    timer = stage_timer(seconds)
    with timer("parse"):
        articles, unparsed = parse.parse_batch(documents)
    with timer("load"):
        tables = load.batch_tables(run, documents, articles, [])
        tables.pop(QUARANTINE.name)
    with timer("validate"):
        checked = _validated(tables, run, batch_id)
    kept = [a for a in articles if a.doc_id in checked.kept_ids(ARTICLES.name)]
    with timer("enrich"):
        extracted = enrich.enrich_articles(kept)
    with timer("load"):
        months = {a.doc_id: load.published_month(a.published_at) for a in kept}
        rows = {name: load.extracted_table(name, records, run, months) for name, records in extracted.items()}
    with timer("validate"):
        bodies, uris = {a.doc_id: a.body for a in kept}, {a.doc_id: a.source_uri for a in kept}
        derived = _validated(rows, run, batch_id, bodies, uris)
    return BatchResult(
        batch_id=batch_id,
        tables={**checked.tables, **derived.tables},
        rejected=[*unparsed, *checked.rejected],
        rejected_rows=derived.rejected,
        skipped=0,
        checks=checked.checks + derived.checks,
        results={**checked.results, **derived.results},
        first_seen={d.doc_id: d.source_uri for d in documents},
        moved={**checked.moved, **derived.moved},
        seconds=seconds,
    )


def _validated(
    tables: dict[str, pa.Table],
    run: RunContext,
    batch_id: str,
    bodies: Mapping[str, str] | None = None,
    uris: Mapping[str, str] | None = None,
) -> validate.CheckedBatch:
    """validate.validate_batch, without building GX at all when every table is empty (nothing new)."""
    if not any(t.num_rows for t in tables.values()):
        return validate.CheckedBatch(tables=dict(tables))  # what validate_batch returns for empty tables
    return validate.validate_batch(validator(), tables, run, batch_id, bodies, uris)


_VALIDATOR_LOCK = threading.Lock()


@cache
def _validator() -> validate.Validator:
    return validate.Validator(io.load_suites())


def validator() -> validate.Validator:
    """One GX context per worker process, built on first use (GX takes seconds to import); the lock
    keeps two threads of the thread runner from each building one."""
    with _VALIDATOR_LOCK:
        return _validator()


def drop_seen(result: BatchResult, seen: Mapping[str, str]) -> BatchResult:
    """The batch without files whose bytes an earlier batch of the run already had (`seen`: doc_id ->
    first source_uri): those become `duplicate_content` rejects naming that first file."""
    again = {d: u for d, u in result.first_seen.items() if d in seen}
    if not again:
        return result
    keep = pa.array(list(set(result.first_seen) - set(again)) or [""], type=pa.string())
    tables = {n: t.filter(pc.is_in(t.column("doc_id"), value_set=keep)) for n, t in result.tables.items()}
    duplicates = [
        Rejected(uri, doc_id, ingest.STAGE, "duplicate_content", f"same bytes as {seen[doc_id]}", None)
        for doc_id, uri in again.items()
    ]
    rejected = [_renamed_duplicate(r, seen) for r in result.rejected if r.doc_id not in again or _is_dup(r)]
    rows = [r for r in result.rejected_rows if r.doc_id not in again]
    return replace(result, tables=tables, rejected=[*rejected, *duplicates], rejected_rows=rows)


def _is_dup(rejected: Rejected) -> bool:
    return rejected.reason_code == "duplicate_content"


def _renamed_duplicate(rejected: Rejected, seen: Mapping[str, str]) -> Rejected:
    """A within-batch duplicate of a file an earlier batch had names that earlier, first file."""
    if _is_dup(rejected) and rejected.doc_id in seen:
        return replace(rejected, detail=f"same bytes as {seen[rejected.doc_id]}")
    return rejected


def commit_tables(result: BatchResult, run: RunContext) -> dict[str, pa.Table]:
    """Every table's rows of the batch as committed: its data plus quarantine and dq_results rows."""
    return {
        **result.tables,
        QUARANTINE.name: load.quarantine_table([*result.rejected, *result.rejected_rows], run),
        DQ_RESULTS.name: load.dq_results_table(result.checks, run, result.batch_id),
    }


def rows_validated(result: BatchResult) -> dict[str, int]:
    """Rows each suite saw in this batch (GX's element_count)."""
    rows: dict[str, int] = {}
    for check in result.checks:
        rows[check.table_name] = max(rows.get(check.table_name, 0), check.element_count)
    return rows


def stage_timer(totals: dict[str, float]) -> Callable[[str], Any]:
    """A context manager factory adding each stage's wall seconds to `totals`."""

    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            totals[stage] = round(totals.get(stage, 0.0) + time.perf_counter() - start, 3)

    return timed
