"""A stuck document never stalls its batch: tasks.watchdog runs the batch in a forked child, stops the one
document that holds a stage too long (or crashes the worker), and the batch goes on without it.

The hangs here are real: a regular expression that backtracks exponentially on a long run of one letter
(`(a+)+b`), run by the parser or by an extractor, as a careless rule would. Nothing sleeps."""

from __future__ import annotations

import gc
import os
import re
import signal
import time
from datetime import UTC, datetime

import pytest

from tasks import pipeline, watchdog
from tasks.enrich import quotes
from tasks.parse import text
from tasks.records import RunContext
from tests.tasks.test_pipeline import _accounts, _records  # the seeds and extra records, and their outcome

RUN = RunContext("20260101T000000Z-watchdog", datetime(2026, 1, 1, tzinfo=UTC))
CARELESS = re.compile(r"(a+)+b")  # exponential on "aaaa…a" not followed by b: 2**40 ways to fail
CHEER = (
    b"Fans cheer the late winner\n\nThe stadium rose as one when the ball went in, and the cry of "
    b'"Waaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaah!" rolled across the stands for a full minute.\n\n'
    b'"I have never heard a noise like it," said Anne Martin, who has held a season ticket for forty years.\n'
)


def test_the_careless_rule_really_hangs() -> None:
    def alarm(*_):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(TimeoutError):
            CARELESS.search(CHEER.decode())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_extractor_stuck_on_one_article_is_stopped_and_the_batch_goes_on(monkeypatch) -> None:
    real = quotes.extract

    def careless(articles, found):
        for article in articles:  # a rule run over every article, as extractors do
            CARELESS.search(article.body)
        return real(articles, found)

    monkeypatch.setattr(quotes, "extract", careless)
    clean = pipeline.process_batch(_records(), RUN, "b0")
    started = time.monotonic()
    result = pipeline.process_batch(_records(CHEER), RUN, "b1", doc_timeout=3)
    assert time.monotonic() - started < 60  # the warm-up, two children and the 3 s wait, not forever
    assert _accounts(result) == (2, [("file:///extra0.txt", "enrich", "timeout")])
    stopped = result.rejected[0]
    assert stopped.payload == CHEER  # its bytes, so nothing is lost
    assert stopped.detail == "stopped after 3 s in stage enrich/quotes"
    for name, table in clean.tables.items():  # the others' rows are those of a batch without it
        if name == "raw_documents":
            assert result.tables[name].num_rows == 3  # the stopped one's bytes stay: a rebuild retries it
        else:
            assert result.tables[name].drop(["run_id"]).equals(table.drop(["run_id"])), name


def test_a_parser_stuck_on_one_page_is_stopped(monkeypatch) -> None:
    real = text.parse_article

    def careless(raw: str, **kwargs):
        CARELESS.search(raw)
        return real(raw, **kwargs)

    monkeypatch.setitem(pipeline.parse.PARSERS, "text/plain", careless)
    result = pipeline.process_batch(_records(CHEER), RUN, "b2", doc_timeout=3)
    assert _accounts(result) == (2, [("file:///extra0.txt", "parse", "timeout")])
    assert result.rejected[0].detail == "stopped after 3 s in stage parse"


def test_without_a_timeout_the_batch_runs_in_this_process(monkeypatch) -> None:
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked without a timeout"))
    assert pipeline.process_batch(_records(), RUN, "b3").articles == 2


def _marked_work(hang_on: str | None = None, crash_on: str | None = None):
    def work(stuck):
        done = []
        for doc in watchdog.watched(["d1", "d2", "d3"], "step", key=str):
            if doc in stuck:
                continue
            if doc == hang_on:
                CARELESS.search("a" * 40)
            if doc == crash_on:
                os.kill(os.getpid(), signal.SIGKILL)
            done.append(doc)
        return done, sorted((doc, why.reason) for doc, why in stuck.items())

    return work


def test_guarded_returns_the_childs_result_and_names_who_was_stopped() -> None:
    assert watchdog.guarded(_marked_work(), 5) == (["d1", "d2", "d3"], [])
    assert watchdog.guarded(_marked_work(hang_on="d2"), 1) == (["d1", "d3"], [("d2", "timeout")])


def test_a_document_that_kills_the_worker_is_quarantined_as_crashed() -> None:
    assert watchdog.guarded(_marked_work(crash_on="d3"), 5) == (["d1", "d2"], [("d3", "crashed")])


def test_an_exception_in_the_child_is_raised_in_the_parent() -> None:
    def work(stuck):
        raise ValueError("a critical expectation failed")

    with pytest.raises(ValueError, match="a critical expectation failed"):
        watchdog.guarded(work, 5)


def test_a_worker_dying_on_no_one_document_is_an_error() -> None:
    def work(stuck):
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(watchdog.WorkerError, match="signal 9"):
        watchdog.guarded(work, 5)


def test_the_child_collects_garbage_without_walking_what_it_inherited() -> None:
    """What the parent holds is frozen in the child (its full collections skip it, and so do not copy
    every inherited page); the parent's own collector is as it was."""
    held = [[n] for n in range(10_000)]  # objects the parent tracks, as a worker's GX and gazetteer

    def work(stuck):
        return gc.get_freeze_count(), any(o is held for o in gc.get_objects(generation=2))

    frozen, walked = watchdog.guarded(work, 5)
    assert frozen >= len(held) and not walked
    assert gc.get_freeze_count() == 0 and any(o is held for o in gc.get_objects())


def test_marks_outside_a_child_cost_nothing_and_change_nothing() -> None:
    items = watchdog.watched([1, 2, 3], "step", key=str)
    assert list(items) == [1, 2, 3] and items[1:] == [2, 3] and len(items) == 3


def test_a_child_forked_meanwhile_by_another_thread_does_not_hold_up_the_result() -> None:
    """Two batches in two threads: the second one's child, forked while the first waits, inherits the
    first one's pipe. The first result must not wait for that child to end."""
    import threading

    def quick(stuck):
        time.sleep(1.0)
        return "quick"

    def slow(stuck):
        time.sleep(8.0)
        return "slow"

    took: dict[str, float] = {}

    def timed(name, work):
        started = time.monotonic()
        assert watchdog.guarded(work, 30) == name
        took[name] = time.monotonic() - started

    first = threading.Thread(target=timed, args=("quick", quick))
    first.start()
    time.sleep(0.3)
    second = threading.Thread(target=timed, args=("slow", slow))
    second.start()
    first.join()
    second.join()
    assert took["quick"] < 5 < took["slow"]


def test_a_fork_waits_for_a_lock_another_thread_holds_so_the_child_never_inherits_it_locked() -> None:
    """The GX context and the model's loading are guarded by locks other batches' threads take: a child
    forked while one is held would wait for it for ever. The fork waits until it is free."""
    import threading

    lock = watchdog.hold_across_fork(threading.Lock())
    try:
        held = threading.Event()

        def other_batch():
            with lock:
                held.set()
                time.sleep(1.0)

        thread = threading.Thread(target=other_batch)
        thread.start()
        held.wait()

        def work(stuck):
            with lock:  # what validating a table does in the child
                return "validated"

        assert watchdog.guarded(work, 5) == "validated"
        thread.join()
    finally:
        watchdog._FORK_LOCKS.remove(lock)
