"""The `etl` flow: source files -> every warehouse table, one batch per Prefect task. Wiring only.

`python -m flows.etl` (this package's __main__) and `newsetl run` run it with the same flags.

Each Prefect task below wraps one plain function of tasks/; what a run decides (which records are new,
duplicates across batches, DQ measures, what each batch commits) is tasks.run's. The flow lists the
sources, leaves the files unchanged since a run read them unread (tasks.ingest.ledger), reads the
others' records as a stream in batches (tasks.run.record_batches: a multi-GB WARC spreads
over batches like a folder of files does, and memory holds the batches in flight, not the file), runs
each batch (tasks.pipeline.process_batch) on the chosen task runner, so batches spread over threads,
processes or a Dask cluster (whose workers need no access to the sources), and settles and commits the
results in batch order under the warehouse lock, which keeps a parallel run's outcome identical to a
sequential one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import chain, islice
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner

from flows import artifacts
from flows.progress import progress_bar
from flows.runners import import_in_background, task_runner_of
from flows.terminal import without_tracebacks
from tasks import pipeline, rebuild, run, sources, stories, watchdog
from tasks.enrich import ner_cache
from tasks.ingest import dedup, ledger
from tasks.pipeline import stage_timer
from tasks.quality import drift, suites, validate
from tasks.records import BatchResult, RunContext, RunSummary
from tasks.reports import dashboard_site, data_docs
from tasks.run import Runner
from tasks.sources.jsonl import field_mapping
from tasks.warehouse import commit, lock, rows, store, tables
from tasks.warehouse.schemas import RUNS

OUTSIDE_TIMEOUT_SECONDS = 600  # one commit or report build; generous next to the ~0.1 s they take
without_tracebacks(store.WarehouseFull, lock.WarehouseLocked)  # their message says what and where


def _transient(task: Task[..., Any], task_run: Any, state: Any) -> bool:
    """Retry a batch only for I/O trouble; a failed expectation or a bug fails the same way again."""
    try:
        state.result()
    except (OSError, TimeoutError):
        return True
    except Exception:
        return False
    return False


def _not_a_full_disk(task: Task[..., Any], task_run: Any, state: Any) -> bool:
    """Retry a warehouse write, unless the disk is full: it is still full seconds later."""
    try:
        state.result()
    except store.WarehouseFull:
        return False
    except Exception:
        return True
    return True


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
        retry_condition_fn=_not_a_full_disk,
        timeout_seconds=OUTSIDE_TIMEOUT_SECONDS,
    )


list_files = task(sources.list_files, name="list-sources", cache_policy=NO_CACHE)  # fails at once
recover_warehouse = _touching_outside(commit.recover, "recover")
source_ledger = _touching_outside(ledger.load_ledger, "source-ledger")
known_doc_ids = _touching_outside(tables.known_doc_ids, "known-doc-ids")
dq_baselines = _touching_outside(drift.recent_baselines, "dq-baselines")
story_index = _touching_outside(stories.load_index, "story-index")
process_batch = task(
    pipeline.process_batch,
    name="batch",
    cache_policy=NO_CACHE,  # inputs are whole batches: hashing them for cache keys costs more than the work
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_jitter_factor=0.5,
    retry_condition_fn=_transient,  # GX and the models read their files: an I/O error may pass
)  # no Prefect timeout (a worker thread cannot be interrupted): tasks.watchdog bounds each document
rebuild_batch = task(pipeline.process_batch, name="rebuild-batch", cache_policy=NO_CACHE)
commit_batch = _touching_outside(commit.commit_batch, "commit")
stage_replacement = _touching_outside(commit.stage_replacement, "stage-rebuilt-rows")
stage_kept_quarantine = _touching_outside(rebuild.stage_kept_quarantine, "stage-kept-quarantine")
replace_tables = _touching_outside(commit.replace_tables, "replace-tables")
save_results = _touching_outside(data_docs.save_results, "save-dq-results")
build_data_docs = _touching_outside(data_docs.build_data_docs, "data-docs")
build_dashboard = _touching_outside(dashboard_site.build_dashboard, "dq-dashboard")


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
    doc_timeout: float = watchdog.DEFAULT_DOC_TIMEOUT,
    rescan: bool = False,
) -> RunSummary:
    """Ingest, parse, validate and load every record of every file under `source`; returns the run's
    accounts.

    `max_file_bytes` caps one record (a file, a JSON line, a WARC payload, an archive member); `fields`
    names JSON record keys for article fields (`["body=maintext", "title=meta.headline"]`) where the
    common names are not used. A document that holds one stage (parse, an extractor) for `doc_timeout`
    seconds is stopped and quarantined as `timeout`, and its batch goes on (0: no limit; tasks.watchdog).
    A file the ledger of files read (source_files) says is unchanged since a run read it is not opened;
    `rescan` reads every file again (tasks.ingest.ledger).

    With `rebuild`, `source` is not read: articles, the enrichment tables and the parse/validate
    quarantine rows are recomputed from raw_documents and replace the old ones atomically.
    One run at a time per warehouse: a second one waits up to `lock_timeout` seconds for the first.
    Every run, completed or failed, leaves one row in `runs`.
    """
    run.check_sizes(batch_size, workers)
    options = sources.ReadOptions(max_record_bytes=max_file_bytes, fields=field_mapping(fields or []))
    context = RunContext.new()
    summary = RunSummary(run_id=context.run_id, source=source, warehouse=warehouse)
    plan = _Plan(context, summary, Runner(runner), workers, dask_address, batch_size, doc_timeout, rescan)
    started = time.perf_counter()
    with lock.warehouse_lock(warehouse, lock_timeout, holder=f"run {context.run_id}, pid {os.getpid()}"):
        error = None
        try:
            if rebuild:
                _rebuild(plan)
            else:
                _run_batches(plan, options)
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            summary.seconds = round(time.perf_counter() - started, 3)
            row = rows.runs_table(summary, context, datetime.now(UTC), _flow_run_id(), error)
            try:
                commit_batch(warehouse, f"{context.run_id}-run", {RUNS.name: row})
            except Exception as exc:
                if error is None:
                    raise
                get_run_logger().error("the runs row of this failed run was not written: %s", exc)
    get_run_logger().info("%s in %.1f s", summary.counts_line(), summary.seconds)
    return summary


class _Plan:
    """The run's context and accounts, and how its batches run (the flow's parameters, checked)."""

    def __init__(
        self,
        context: RunContext,
        summary: RunSummary,
        runner: Runner,
        workers: int,
        dask_address: str | None,
        batch_size: int,
        doc_timeout: float,
        rescan: bool = False,
    ) -> None:
        self.context, self.summary, self.batch_size = context, summary, batch_size
        self.doc_timeout, self.rescan = doc_timeout, rescan
        self.runner, self.workers, self.dask_address = runner, workers, dask_address
        self.timer = stage_timer(summary.stage_seconds)
        self.model_cache = ner_cache.Source(summary.warehouse)  # a rebuild sets rebuild=True

    def task_runner(self, documents: int) -> TaskRunner[Any]:
        chosen = run.chosen_runner(self.runner, self.workers, documents, self.batch_size)
        self.summary.runner = chosen.value
        return task_runner_of(chosen, self.workers, self.dask_address)


def _run_batches(plan: _Plan, options: sources.ReadOptions) -> None:
    """recover, list, leave unchanged files unread, then every batch of new records as they are read;
    settled and committed in order, each with the ledger rows of the files it ends."""
    context, summary, timer = plan.context, plan.summary, plan.timer
    warehouse = summary.warehouse
    with timer("recover"):
        if rolled := recover_warehouse(warehouse):
            get_run_logger().warning("rolled forward %d interrupted batch commit(s): %s", len(rolled), rolled)
    with timer("list"):
        listed = list_files(summary.source)
        digest = ledger.options_digest(options)
        chosen = ledger.plan(listed, source_ledger(warehouse), digest, plan.rescan)
        settler = run.Settler(context)
        if chosen.to_read:  # a run with nothing to read needs neither the known records nor the index
            known = frozenset(known_doc_ids(warehouse))
            settler = run.Settler(context, known, dq_baselines(warehouse), index=story_index(warehouse))
    summary.files_seen, summary.files_unread = len(listed), len(chosen.unread)
    summary.add_read(*ledger.accounts(chosen.unread))
    get_run_logger().info(
        "run %s: %d files to read, %d unchanged since read (skipped unread), %d records already in %s",
        *(context.run_id, len(chosen.to_read), len(chosen.unread), len(settler.known), warehouse),
    )
    tally, reads = dedup.ReadTally(), ledger.Reads()
    batches = run.record_batches(
        chosen.to_read, options, settler.known, tally, plan.batch_size, timer, reads, plan.workers
    )
    ahead = list(islice(batches, 2))  # two batches tell `auto` whether more than one will run

    def commit_in_order(result: BatchResult) -> BatchResult:
        settled = settler.settle(result)
        save_results(warehouse, context.run_id, context.started_at, settled.batch_id, settled.results)
        files = run.ledger_tables(reads.for_next_commit(), context, digest)
        commit_batch(warehouse, settled.batch_id, {**run.committed_tables(settled, context), **files})
        return settled

    def commit_rest() -> None:  # files read to their end after the last batch: all known, or ignored
        commit_batch(warehouse, f"{context.run_id}-files", run.ledger_tables(reads.rest(), context, digest))

    task_runner = plan.task_runner(sum(map(len, ahead)) + (plan.batch_size if len(ahead) == 2 else 0))
    try:
        _batches(plan, task_runner, chain(ahead, batches), process_batch, commit_in_order, finish=commit_rest)
    finally:
        summary.add_read(tally.seen, tally.skipped + settler.skipped, tally.ignored)


def _rebuild(plan: _Plan) -> None:
    """raw_documents through ingest, parse, validate and enrich again; the new rows replace the old tables."""
    context, summary = plan.context, plan.summary
    warehouse = summary.warehouse
    with plan.timer("recover"):
        recover_warehouse(warehouse)
    summary.source = f"{warehouse} (rebuild from raw_documents)"
    summary.files_seen = summary.records_seen = len(tables.read_column(warehouse, "raw_documents", "doc_id"))
    if legacy := tables.rows_without_bytes(warehouse):
        get_run_logger().warning(
            "%d raw_documents row(s) were written before newsetl kept original bytes: rebuilt from their "
            "decoded text. A rebuild from bytes needs them ingested again (into a new warehouse).",
            legacy,
        )
    rebuild_id = f"{context.run_id}-rebuild"
    plan.model_cache = ner_cache.Source(warehouse, rebuild=True)
    settler = run.Settler(context, baselines=dq_baselines(warehouse))

    def stage_in_order(result: BatchResult) -> BatchResult:
        settled = settler.settle_rebuilt(result)
        save_results(warehouse, context.run_id, context.started_at, settled.batch_id, settled.results)
        appended, replaced = run.rebuild_tables(settled, context)
        commit_batch(warehouse, settled.batch_id, appended)
        stage_replacement(warehouse, rebuild_id, settled.batch_id, replaced)
        return settled

    def swap() -> None:
        stage_kept_quarantine(warehouse, rebuild_id)
        replace_tables(warehouse, rebuild_id, list(rebuild.REBUILT))

    batches = tables.iter_raw_records(warehouse, plan.batch_size)
    task_runner = plan.task_runner(summary.files_seen)
    _batches(
        plan, task_runner, batches, rebuild_batch, stage_in_order, summary.files_seen, swap, "newsetl rebuild"
    )


def _batches(
    plan: _Plan,
    task_runner: TaskRunner[Any],
    batches: Iterable[Sequence[Any]],
    batch_task: Task[..., BatchResult],
    keep: Callable[[BatchResult], BatchResult],
    total: int | None = None,
    finish: Callable[[], None] | None = None,
    description: str = "newsetl run",
) -> None:
    """Every batch on the task runner, each result kept (`keep`: committed or staged, returning what it
    kept) and counted in batch order, then `finish`. A failed critical expectation keeps nothing of its
    batch, and its GX results are saved so the Data Docs show why; the DQ report is built once at the
    end, also after a failure."""
    context, summary, timer = plan.context, plan.summary, plan.timer
    if summary.runner != Runner.threads:  # GX for the report, while the last batches run elsewhere
        batches = run.then(batches, lambda: import_in_background("great_expectations"))

    def submit(number: int, records: Sequence[Any]) -> Any:
        parameters = {
            "records": records,
            "run": context,
            "batch_id": run.batch_id(context, number),
            "doc_timeout": plan.doc_timeout,
            "model_cache": plan.model_cache,
        }
        return runner.submit(batch_task, parameters=parameters)

    try:
        with task_runner as runner, progress_bar(total, description) as advance:
            for result, size in run.in_order(submit, batches, 2 * plan.workers):
                with timer("load"):
                    run.count(keep(result), summary)
                advance(size)
        if finish is not None:
            with timer("load"):
                finish()
    except validate.CriticalExpectationError as exc:
        save_results(summary.warehouse, context.run_id, context.started_at, exc.batch_id, exc.results)
        raise
    finally:
        _report(summary.warehouse, summary, timer)


def _report(warehouse: str, summary: RunSummary, timer: Callable[[str], Any]) -> None:
    """Once per run, also after a failed batch: Data Docs, the DQ dashboard and the Prefect artifacts.
    A report that cannot be built is logged; it never hides the run's own outcome."""
    with timer("report"):
        try:
            if data_docs.data_docs_current(warehouse, suites.SUITES_DIR):
                summary.data_docs = data_docs.data_docs_index(warehouse)
            else:
                summary.data_docs = str(build_data_docs(warehouse, suites.load_suites()))
        except Exception as exc:
            get_run_logger().error("Data Docs not built: %s: %s", type(exc).__name__, exc)
        try:
            summary.dashboard = str(build_dashboard(warehouse, run=summary))
        except Exception as exc:
            get_run_logger().error("DQ dashboard not built: %s: %s", type(exc).__name__, exc)
        artifacts.publish(summary)


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None
