"""What a run decides, as plain functions: the flow (flows.etl) only reads, calls them and writes.

A run lists its sources, leaves unread the files the ledger of files read says are unchanged
(tasks.ingest.ledger), reads the others' records as a stream and skips those whose doc_id the warehouse
already holds (`record_batches`), cuts the rest into batches that run anywhere (tasks.pipeline
.process_batch), then settles each batch's result in batch order (`Settler.settle`): records an earlier
batch of the run already had become duplicates, the batch's DQ measures are taken against the recent
runs' baselines, and the rows to commit are assembled (`committed_tables`). A rebuild settles its batches
the same way and splits their rows into the tables it replaces and the DQ rows it appends
(`rebuild_tables`). `run_inline` is a whole run in this process, without Prefect or a warehouse: what
`make eval` and `make bench` score is what the flow commits.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import islice, pairwise
from typing import Any, Protocol, TypeVar

import pyarrow as pa

from tasks import pipeline, rebuild, sources, stories
from tasks.enrich import ner_cache
from tasks.ingest import dedup, ledger
from tasks.quality import drift, metrics
from tasks.records import BatchResult, RunContext, RunSummary, SourceRecord
from tasks.warehouse import rows
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, QUARANTINE, SOURCE_FILES

T = TypeVar("T")
Timer = Callable[[str], Any]  # stage name -> a context manager adding its wall seconds (pipeline.stage_timer)


class Runner(StrEnum):
    """Where the batches run: threads or processes of this machine, or a Dask cluster; `auto` is
    processes when there is more than one batch for more than one worker, threads otherwise."""

    auto = "auto"
    threads = "threads"
    processes = "processes"
    dask = "dask"


def check_sizes(batch_size: int, workers: int) -> None:
    """A run needs at least one record per batch and one worker."""
    if batch_size < 1 or workers < 1:
        raise ValueError(f"batch_size and workers must be at least 1, got {batch_size} and {workers}")


def chosen_runner(runner: Runner, workers: int, documents: int, batch_size: int) -> Runner:
    """`auto`: spaCy holds the GIL, so NER in threads uses about one core; worker processes use them
    all, but each pays ~5 s of imports and model load, worth it only when batches can run in parallel."""
    if runner is not Runner.auto:
        return runner
    return Runner.processes if workers > 1 and documents > batch_size else Runner.threads


def batch_id(run: RunContext, number: int) -> str:
    """The id of the run's `number`th batch (0-based); batches commit in this order."""
    return f"{run.run_id}-{number:05d}"


def record_batches(
    listed: Iterable[str],
    options: sources.ReadOptions,
    known: frozenset[str],
    tally: dedup.ReadTally,
    batch_size: int,
    timer: Timer | None = None,
    reads: ledger.Reads | None = None,
    workers: int = 1,
) -> Iterator[list[SourceRecord]]:
    """The records of the listed files that the warehouse does not hold yet, in batches of `batch_size`
    with the last ones balanced over `workers` (`balanced`), read only as the batches are asked for;
    every record met is counted in `tally`. With `reads`, `listed` are ListedFiles and each file read to
    its end is handed to the batch holding the first new record read after it, or to the last batch
    (never an earlier batch than its own last record's, however far `balanced` reads ahead; batches
    commit in order). A batch is handed on once the next is cut."""
    items = reads.items(listed, options) if reads is not None else sources.iter_sources(listed, options)
    fresh: Iterable[SourceRecord] = dedup.skip_known(items, known, tally)
    if timer is not None:
        fresh = timed(fresh, timer, "read")
    if reads is None:
        yield from balanced(fresh, batch_size, workers, record_weight)
        return
    tagged = ((record, reads.take_done()) for record in fresh)
    held: list[tuple[SourceRecord, list[ledger.FileRead]]] | None = None  # one batch held back
    for batch in balanced(tagged, batch_size, workers, lambda pair: record_weight(pair[0])):
        if held is not None:
            reads.cut_with([read for _, done in held for read in done])
            yield [record for record, _ in held]
        held = batch
    if held is not None:  # the last batch also takes the files that end with it
        reads.cut_with([read for _, done in held for read in done] + reads.take_done())
        yield [record for record, _ in held]


def record_weight(record: SourceRecord) -> int:
    """A record's share of a batch's work: its bytes (parsing and NER are linear in the text)."""
    return len(record.data or b"")


@dataclass
class Settler:
    """A run's batches settled in batch order: what the warehouse held when the run started (`known`),
    the records of earlier batches (`seen`: doc_id -> first source_uri) and the DQ baselines."""

    run: RunContext
    known: frozenset[str] = frozenset()
    baselines: Mapping[drift.Key, drift.Baseline] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)
    skipped: int = 0  # records a batch found already in the warehouse
    index: stories.Index = field(default_factory=stories.Index)  # near-duplicates and stories so far
    cached: set[str] = field(default_factory=set)  # texts whose ner_cache row the run committed

    def settle(self, result: BatchResult) -> BatchResult:
        """The batch as it commits: without records the warehouse or an earlier batch had (those are
        skips and duplicates), with its DQ measures. Batches must be settled in order."""
        result, skipped = dedup.drop_known(result, self.known)
        result = metrics.measured(dedup.drop_seen(result, self.seen), self.baselines)
        result = replace(result, tables=self._assigned(result.tables))
        for doc_id, uri in result.seen.items():
            self.seen.setdefault(doc_id, uri)
        self.skipped += skipped
        return result

    def settle_rebuilt(self, result: BatchResult) -> BatchResult:
        """A rebuilt batch, whose records all come from the warehouse: its DQ measures are added and its
        articles assigned against the rebuilt index (`index` starts empty)."""
        result = replace(result, tables=self._assigned(result.tables))
        return metrics.measured(result, self.baselines)

    def _assigned(self, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        """The batch's stories assigned, and its ner_cache rows each text's first in the run."""
        return ner_cache.first_of_run(stories.assign_batch(self.index, tables), self.cached)


def committed_tables(result: BatchResult, run: RunContext) -> dict[str, pa.Table]:
    """Every table's rows of a settled batch as committed: its data plus quarantine and DQ rows."""
    return {
        **result.tables,
        QUARANTINE.name: rows.quarantine_table([*result.rejected, *result.rejected_rows], run),
        DQ_RESULTS.name: rows.dq_results_table(result.checks, run, result.batch_id),
        DQ_METRICS.name: rows.dq_metrics_table(result.metrics, run),
    }


def ledger_tables(
    files: Sequence[ledger.FileRead], run: RunContext, read_options: str
) -> dict[str, pa.Table]:
    """The ledger rows (source_files) of files read to their end, committed with the batch cut after them."""
    return {SOURCE_FILES.name: rows.source_files_table(files, run, read_options)}


def rebuild_tables(result: BatchResult, run: RunContext) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """A rebuilt batch's rows: the DQ rows it appends now, and the rows of the tables it replaces."""
    tables = committed_tables(result, run)
    appended = {name: tables[name] for name in (DQ_RESULTS.name, DQ_METRICS.name)}
    return appended, {name: tables[name] for name in rebuild.REBUILT}


def count(result: BatchResult, summary: RunSummary) -> None:
    """Add a settled batch to the run's accounts: articles, quarantine, checks, measures, worker seconds
    (summed over parallel batches)."""
    summary.add_batch(result.articles, result.rejected, result.rejected_rows)
    summary.add_checks(result.checks, result.rows_validated(), result.moved)
    summary.add_metrics(result.metrics)
    for stage, seconds in result.seconds.items():
        summary.stage_seconds[stage] = round(summary.stage_seconds.get(stage, 0.0) + seconds, 3)


def run_inline(
    listed: Sequence[str],
    options: sources.ReadOptions | None = None,
    batch_size: int = pipeline.DEFAULT_BATCH_SIZE,
    run: RunContext | None = None,
) -> Iterator[BatchResult]:
    """A run over `listed` files in this process, into no warehouse: each batch read, processed and
    settled exactly as the flow does it, yielded as it would commit."""
    run = run or RunContext.new()
    settler = Settler(run)
    tally = dedup.ReadTally()
    batches = record_batches(listed, options or sources.ReadOptions(), settler.known, tally, batch_size)
    for number, batch in enumerate(batches):
        yield settler.settle(pipeline.process_batch(batch, run, batch_id(run, number)))


class Future(Protocol[T]):
    def result(self) -> T: ...


def in_order(
    submit: Callable[[int, Any], Future[T]], batches: Iterable[Sequence[Any]], in_flight: int
) -> Iterator[tuple[T, int]]:
    """Each batch's result in batch order, with its size, at most `in_flight` batches submitted at once
    (memory stays bounded by the batch size, not the corpus)."""
    pending: deque[tuple[Future[T], int]] = deque()
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


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter), taken from the iterable only as they are asked
    for: a stream of records is never held whole."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def balanced(items: Iterable[T], size: int, parts: int, weight: Callable[[T], int]) -> Iterator[list[T]]:
    """`items` in lists of `size`, but the last ones cut so that `parts` workers finish together: what
    is left once at most two rounds of `parts` full batches remain is cut into `2 * parts` lists of
    about equal weight (`parts` lists when at most one round remains; one list when at most one batch
    does). Batches go to whichever worker is free, in order: with a plain cut, 9 batches on 2 workers
    leave the last one alone on one core for a whole batch.

    Read ahead by at most two rounds (2 * parts * size items), only as the lists are asked for; one
    worker gets plain batches (`batched`)."""
    if parts <= 1:
        yield from batched(items, size)
        return
    iterator = iter(items)
    ahead = 2 * parts * size
    buffer = deque(islice(iterator, ahead + 1))
    while len(buffer) > ahead:
        for _ in range(parts):
            yield [buffer.popleft() for _ in range(size)]
        buffer.extend(islice(iterator, parts * size))
    rest = list(buffer)
    if len(rest) <= size:
        if rest:
            yield rest
        return
    yield from weighed_cut(rest, 2 * parts if len(rest) > parts * size else parts, size, weight)


def weighed_cut(items: Sequence[T], count: int, size: int, weight: Callable[[T], int]) -> list[list[T]]:
    """`items` cut in order into `count` non-empty lists of about equal total weight, none longer than
    `size` (an even cut by number when weights would make one longer)."""
    weights = [max(weight(x), 1) for x in items]
    total, cuts, running = sum(weights), [0], 0
    for i, w in enumerate(weights):
        running += w
        if len(cuts) < count and running * count >= total * len(cuts) and i + 1 < len(items):
            cuts.append(i + 1)
    parts = [list(items[a:b]) for a, b in zip(cuts, [*cuts[1:], len(items)], strict=True)]
    if len(parts) == count and all(len(p) <= size for p in parts):
        return parts
    step, extra = divmod(len(items), count)
    bounds = [i * step + min(i, extra) for i in range(count + 1)]
    return [list(items[a:b]) for a, b in pairwise(bounds) if b > a]


def timed(items: Iterable[T], timer: Timer, stage: str) -> Iterator[T]:
    """The items, with the time spent producing each one (reading the sources) added to `stage`."""
    iterator = iter(items)
    while True:
        with timer(stage):
            item = next(iterator, None)
        if item is None:
            return
        yield item


def then(items: Iterable[T], done: Callable[[], None]) -> Iterator[T]:
    """The items, then `done()` once they run out."""
    yield from items
    done()
