"""One batch through every stage, as one plain function a task runner can ship to any worker.

`process_batch` ingests, parses, validates and enriches a batch of source records (new ones, or those
kept in raw_documents when the warehouse is rebuilt) and returns their rows. Batches run in parallel
(threads, processes or Dask workers), so a record met in an earlier batch of the same run cannot be known
inside a batch: tasks.run.Settler settles that when the flow commits batches in order, which keeps the
outcome identical to a one-batch-at-a-time run.

A document that fails in any stage is quarantined on its own, with the stage and the exception, and
the batch goes on (see tasks.isolation); only a failed critical expectation fails a whole batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import pyarrow as pa

from tasks import enrich, ingest, parse, stories, watchdog
from tasks.enrich import entities, extract_cache, ner_cache
from tasks.quality import suites, validate
from tasks.records import BatchResult, RawDocument, Rejected, RunContext, SourceRecord
from tasks.warehouse import rows
from tasks.warehouse.schemas import ARTICLES, EXTRACT_CACHE, NER_CACHE, QUARANTINE, STORY_INDEX

DEFAULT_BATCH_SIZE = 250  # records read, parsed and committed together: one Prefect task per batch
ENRICH_STAGE = "enrich"


def process_batch(
    records: Sequence[SourceRecord],
    run: RunContext,
    batch_id: str,
    seconds: dict[str, float] | None = None,
    doc_timeout: float | None = None,
    model_cache: ner_cache.Source | None = None,
) -> BatchResult:
    """ingest -> parse -> validate -> enrich -> validate source records (a new batch, or the records of
    raw_documents again when the warehouse is rebuilt); `seconds` gathers each stage's wall seconds.

    With `doc_timeout`, the batch runs in a watched child process (tasks.watchdog): a document that holds
    one stage longer than that many seconds, or crashes the worker, is quarantined (`timeout`, `crashed`)
    with the stage it was in, and the batch goes on without it.

    With `model_cache`, the NER model's output for a text it read before is taken from that warehouse's
    ner_cache table, and the batch's ner_cache rows are returned with its other rows (tasks.enrich.ner_cache);
    when it is a rebuild's, the output of the extractors that read one article alone is taken from its
    extract_cache table for an unchanged article. The batch's extract_cache rows are returned either way
    (tasks.enrich.extract_cache).

    Raises validate.CriticalExpectationError when a critical expectation fails: nothing of it is kept.
    """
    seconds = {} if seconds is None else seconds
    if not doc_timeout:
        return _process_batch(records, run, batch_id, seconds, {}, model_cache)
    warm(model_cache is None or not model_cache.rebuild)  # a rebuild's texts are in ner_cache
    result = watchdog.guarded(
        lambda stuck: _process_batch(records, run, batch_id, {}, stuck, model_cache), doc_timeout
    )
    if ner_cache.read_by_model(result.tables.get(NER_CACHE.name), run):  # its child loaded the model:
        warm(True)  # load it here once, so the next batches' children inherit it
    for stage, spent in result.seconds.items():
        seconds[stage] = round(seconds.get(stage, 0.0) + spent, 3)
    result.seconds = seconds
    return result


def _process_batch(
    records: Sequence[SourceRecord],
    run: RunContext,
    batch_id: str,
    seconds: dict[str, float],
    stuck: dict[str, watchdog.Stuck],
    model_cache: ner_cache.Source | None = None,
    offline: bool = False,
) -> BatchResult:
    timer = stage_timer(seconds)
    with timer("ingest"):
        ingested = ingest.ingest_batch(records)
    documents = ingested.documents  # all kept in raw_documents, the stopped ones too (a rebuild retries them)
    with timer("parse"):
        articles, unparsed = parse.parse_batch(watchdog.without(documents, stuck, lambda d: d.doc_id))
    with timer("load"):
        tables = rows.batch_tables(run, documents, articles, [])
        tables.pop(QUARANTINE.name)
    with timer("validate"):
        checked = _validated(tables, run, batch_id)
    kept_ids = checked.kept_ids(ARTICLES.name)
    kept = [a for a in articles if a.doc_id in kept_ids]
    months = {a.doc_id: rows.published_month(a.published_at) for a in kept}
    memo = ner_cache.Memo(entities.model_key(), model_cache, months, offline=offline)
    with timer("enrich"):
        reuse = extract_cache.Memo(enrich.fingerprint(), model_cache, months)
        enriched = enrich.enrich_articles(kept, memo, reuse)
    if enriched.failed:
        kept = [a for a in kept if a.doc_id not in enriched.failed]
        checked.tables[ARTICLES.name] = rows.without_docs(checked.tables[ARTICLES.name], enriched.failed)
        months = {d: m for d, m in months.items() if d not in enriched.failed}
    with timer("load"):
        extracted = {
            name: rows.extracted_table(name, found, run, months) for name, found in enriched.rows.items()
        }
    with timer("validate"):
        texts = {a.doc_id: {"title": a.title, "dateline": a.dateline or "", "body": a.body} for a in kept}
        derived = _validated(extracted, run, batch_id, texts, {a.doc_id: a.source_uri for a in kept})
        checked.tables[ARTICLES.name] = rows.with_dq_flags(checked.tables[ARTICLES.name], derived.flags)
    with timer(ENRICH_STAGE):  # signatures here, where batches run in parallel; assigned at commit
        signed = stories.signatures_table(kept, enriched.rows, run, months)
    return BatchResult(
        batch_id=batch_id,
        tables={
            **checked.tables,
            **derived.tables,
            STORY_INDEX.name: signed,
            NER_CACHE.name: memo.table(run, months),
            EXTRACT_CACHE.name: reuse.table(run, months),
        },
        rejected=[
            *ingested.rejected,
            *unparsed,
            *checked.rejected,
            *_enrich_failures(documents, enriched.failed),
            *_stopped(documents, stuck),
        ],
        rejected_rows=derived.rejected,
        checks=checked.checks + derived.checks,
        results={**checked.results, **derived.results},
        seen=ingested.seen(),
        moved={**checked.moved, **derived.moved},
        seconds=seconds,
    )


def _enrich_failures(documents: Sequence[RawDocument], failed: dict[str, str]) -> list[Rejected]:
    """Quarantine rows, with their bytes, for the articles an extractor raised on."""
    return [
        Rejected(d.source_uri, d.doc_id, ENRICH_STAGE, "extractor_error", failed[d.doc_id], d.data)
        for d in documents
        if d.doc_id in failed
    ]


_WARM_UP = (  # an invented article: one batch of it loads GX, the gazetteer, the vocabularies, the model,
    # and dateparser (its date line): what a batch's child loads it loads again in every batch
    "Storm closes the harbour for a third day\n\nBy A. Writer\nMonday 3 March 2014\n\n"
    "The harbour in Bergen stayed shut on Monday as the storm turned, the port authority said.\n\n"
    "Ferries to Oslo and Stavanger were cancelled, and two fishing boats were towed in overnight.\n"
)


def warm(model: bool = True) -> None:
    """Run one small batch in this process, so that every process forked from it (a watched batch's
    child, a worker of the run's fork server: flows.workers) inherits what a batch loads instead of
    loading it again (the model with spaCy's import alone takes a second). Without `model`, the model is
    neither loaded nor run (its spans for the invented article are none): a worker whose batches all come
    from the NER cache (a rebuild with no parser change) never loads it. Once per process and value of
    `model`, however it is passed (`warm(False)` after the fork server's `warm(model=False)` ran it)."""
    _warm(bool(model))


@cache
def _warm(model: bool) -> None:
    record = SourceRecord("warm-up.txt", _WARM_UP.encode())
    _process_batch([record], RunContext.new(), "warm-up", {}, {}, offline=not model)


def _stopped(documents: Sequence[RawDocument], stuck: dict[str, watchdog.Stuck]) -> list[Rejected]:
    """Quarantine rows, with their bytes, for the documents the watchdog stopped (tasks.watchdog)."""
    return [
        Rejected(
            d.source_uri, d.doc_id, s.stage.split("/")[0], s.reason, s.detail, d.data or d.raw_text.encode()
        )
        for d in documents
        if (s := stuck.get(d.doc_id)) is not None
    ]


def _validated(
    tables: dict[str, pa.Table],
    run: RunContext,
    batch_id: str,
    texts: validate.Texts | None = None,
    uris: dict[str, str] | None = None,
) -> validate.CheckedBatch:
    """validate.validate_batch, without building GX at all when every table is empty (nothing new)."""
    if not any(t.num_rows for t in tables.values()):
        return validate.CheckedBatch(tables=dict(tables))  # what validate_batch returns for empty tables
    return validate.validate_batch(validator(), tables, run, batch_id, texts, uris)


_VALIDATOR_LOCK = watchdog.hold_across_fork(threading.Lock())


@cache
def _validator() -> validate.Validator:
    return validate.Validator(suites.load_suites())


def validator() -> validate.Validator:
    """One GX context per worker process, built on first use (GX takes seconds to import); the lock
    keeps two threads of the thread runner from each building one."""
    with _VALIDATOR_LOCK:
        return _validator()


def stage_timer(
    totals: dict[str, float], clock: Callable[[], float] = time.perf_counter
) -> Callable[[str], Any]:
    """A context manager factory adding each stage's seconds by `clock` (wall seconds unless told) to
    `totals`."""

    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        start = clock()
        try:
            yield
        finally:
            totals[stage] = round(totals.get(stage, 0.0) + clock() - start, 3)

    return timed
