"""What a run decides, without Prefect: which records are new, duplicates across batches, the batch's DQ
measures and what it commits, the runner `auto` picks, and the run's accounts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tasks import run, sources
from tasks.ingest import dedup
from tasks.records import RunContext, RunSummary, SourceRecord
from tasks.run import Runner, chosen_runner
from tasks.warehouse.schemas import ARTICLES, DQ_METRICS, DQ_RESULTS, QUARANTINE, RAW_DOCUMENTS
from tests.conftest import SEEDS

CONTEXT = RunContext.new()


def test_auto_uses_processes_only_for_more_than_one_batch_and_worker() -> None:
    assert chosen_runner(Runner.auto, workers=2, documents=2225, batch_size=250) is Runner.processes
    assert chosen_runner(Runner.auto, workers=2, documents=250, batch_size=250) is Runner.threads  # one batch
    assert chosen_runner(Runner.auto, workers=1, documents=2225, batch_size=250) is Runner.threads
    assert chosen_runner(Runner.threads, workers=2, documents=2225, batch_size=250) is Runner.threads
    assert chosen_runner(Runner.dask, workers=2, documents=2, batch_size=250) is Runner.dask


def test_sizes_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        run.check_sizes(0, 2)
    run.check_sizes(1, 1)


def test_full_batches_then_a_tail_cut_so_the_workers_finish_together() -> None:
    weights = [100 + (i * 37) % 900 for i in range(2225)]  # bytes of records of uneven length
    batches = list(run.balanced(range(2225), 250, 2, weights.__getitem__))
    assert [i for b in batches for i in b] == list(range(2225))  # every record once, in order
    assert [len(b) for b in batches[:6]] == [250] * 6  # three rounds of two full batches
    tail = [sum(map(weights.__getitem__, b)) for b in batches[6:]]  # 725 records left: four lists
    assert len(tail) == 4 and max(tail) - min(tail) <= 900  # equal weight, within one record
    assert len(list(run.balanced(range(2225), 250, 1, weights.__getitem__))) == 9  # one worker: plain


def test_balancing_never_cuts_one_batch_nor_exceeds_the_batch_size() -> None:
    assert [len(b) for b in run.balanced(range(250), 250, 2, lambda i: 1)] == [250]  # one batch stays one
    assert [len(b) for b in run.balanced(range(300), 250, 2, lambda i: 1)] == [150, 150]
    heavy_first = [len(b) for b in run.balanced(range(600), 250, 2, lambda i: 10**6 if i == 0 else 1)]
    assert heavy_first == [150, 150, 150, 150]  # a cut by weight would put 599 records in one list


def test_balanced_reads_ahead_at_most_two_rounds() -> None:
    read = []
    source = (read.append(i) or i for i in range(10_000))
    first = next(run.balanced(source, 10, 2, lambda i: 1))
    assert first == list(range(10)) and len(read) == 41  # 2 rounds of 2 batches of 10, and one more


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two seeds, then a byte-identical copy of the first, sorted last."""
    folder = tmp_path_factory.mktemp("in")
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, folder / seed.name)
    shutil.copy(seeds[0], folder / "zz-copy.txt")
    return folder


def test_records_the_warehouse_holds_are_skipped_as_they_are_read_and_counted(folder: Path) -> None:
    listed = sources.list_sources(str(folder))
    first = SourceRecord(Path(listed[0]).as_uri(), Path(listed[0]).read_bytes())
    tally = dedup.ReadTally()
    batches = list(run.record_batches(listed, sources.ReadOptions(), frozenset({first.doc_id}), tally, 1))
    assert [len(b) for b in batches] == [1]  # the first seed and its copy are known: one record is new
    assert (tally.seen, tally.skipped) == (3, 2)


def test_a_record_an_earlier_batch_had_is_quarantined_as_a_duplicate_of_the_first(folder: Path) -> None:
    listed = sources.list_sources(str(folder))
    results = list(run.run_inline(listed, batch_size=1, run=CONTEXT))
    assert [r.articles for r in results] == [1, 1, 0]
    (duplicate,) = results[2].rejected
    assert duplicate.reason_code == dedup.DUPLICATE and duplicate.detail.endswith(Path(listed[0]).name)
    committed = run.committed_tables(results[2], CONTEXT)
    assert committed[QUARANTINE.name].num_rows == 1 and committed[RAW_DOCUMENTS.name].num_rows == 0
    measured = {m.measure for m in results[0].metrics}
    assert {"pass_rate", "published_at_share"} <= measured  # settled batches carry their DQ measures
    assert run.committed_tables(results[0], CONTEXT)[DQ_METRICS.name].num_rows == len(results[0].metrics)


def test_one_batch_or_many_commit_the_same_articles(folder: Path) -> None:
    listed = sources.list_sources(str(folder))
    one = [r.tables[ARTICLES.name] for r in run.run_inline(listed, batch_size=10, run=CONTEXT)]
    many = [r.tables[ARTICLES.name] for r in run.run_inline(listed, batch_size=1, run=CONTEXT)]
    ids = sorted(d for t in one for d in t.column("doc_id").to_pylist())
    assert ids == sorted(d for t in many for d in t.column("doc_id").to_pylist()) and len(ids) == 2


def test_a_rebuilt_batch_appends_its_dq_rows_and_replaces_the_rebuilt_tables(folder: Path) -> None:
    (result,) = run.run_inline(sources.list_sources(str(folder)), batch_size=10, run=CONTEXT)
    appended, replaced = run.rebuild_tables(run.Settler(CONTEXT).settle_rebuilt(result), CONTEXT)
    assert set(appended) == {DQ_RESULTS.name, DQ_METRICS.name}
    assert ARTICLES.name in replaced and RAW_DOCUMENTS.name not in replaced


def test_the_accounts_add_up_over_settled_batches(folder: Path) -> None:
    listed = sources.list_sources(str(folder))
    summary = RunSummary(run_id=CONTEXT.run_id, source=str(folder), warehouse="")
    for result in run.run_inline(listed, batch_size=1, run=CONTEXT):
        run.count(result, summary)
    summary.add_read(3, 0, {})
    assert (summary.articles_written, summary.quarantined, summary.batches) == (2, 1, 3)
    assert summary.accounted and summary.dq["articles"].evaluated > 0


class _Done:
    def __init__(self, value: int, log: list[str]) -> None:
        self.value, self.log = value, log

    def result(self) -> int:
        self.log.append(f"result {self.value}")
        return self.value


def test_results_come_back_in_batch_order_with_a_bounded_number_in_flight() -> None:
    log: list[str] = []

    def submit(number: int, batch: list[int]) -> _Done:
        log.append(f"submit {number}")
        return _Done(number, log)

    out = list(run.in_order(submit, [[1, 2], [3], [4, 5, 6]], in_flight=2))
    assert out == [(0, 2), (1, 1), (2, 3)]
    assert log[:3] == ["submit 0", "submit 1", "result 0"]  # the third waits for the first's result
