"""Task runners for the flow's batches: threads, processes or Dask, `auto`'s choice between them, and
batches submitted to one with their results taken back in order."""

from __future__ import annotations

import importlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from prefect.futures import PrefectFuture
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

T = TypeVar("T")


class Runner(StrEnum):
    """Where the batches run: threads or processes of this machine, or a Dask cluster; `auto` is
    processes when there is more than one batch for more than one worker, threads otherwise."""

    auto = "auto"
    threads = "threads"
    processes = "processes"
    dask = "dask"


def chosen_runner(runner: Runner, workers: int, documents: int, batch_size: int) -> Runner:
    """`auto`: spaCy holds the GIL, so NER in threads uses about one core; worker processes use them
    all, but each pays ~5 s of imports and model load, worth it only when batches can run in parallel."""
    if runner is not Runner.auto:
        return runner
    return Runner.processes if workers > 1 and documents > batch_size else Runner.threads


def import_in_background(module: str) -> None:
    """Import `module` in a daemon thread; a later import of it waits for this one to finish."""
    threading.Thread(
        target=importlib.import_module, args=(module,), name=f"import-{module}", daemon=True
    ).start()


def task_runner_of(runner: Runner, workers: int, dask_address: str | None) -> TaskRunner[Any]:
    """The task runner for `runner` (not `auto`: see chosen_runner) with `workers` workers."""
    if runner is Runner.threads:
        return ThreadPoolTaskRunner(max_workers=workers)
    _share_api_with_workers()
    if runner is Runner.processes:
        return ProcessPoolTaskRunner(max_workers=workers)
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})


def _share_api_with_workers() -> None:
    """Worker processes report to this run's API server instead of each starting a temporary one."""
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            os.environ["PREFECT_API_URL"] = str(client.api_url)


def in_order(
    submit: Callable[[int, Any], PrefectFuture[Any]], batches: Iterable[Sequence[Any]], in_flight: int
) -> Iterator[tuple[Any, int]]:
    """Each batch's result in batch order, with at most `in_flight` batches submitted at once (memory
    stays bounded by the batch size, not the corpus)."""
    pending: deque[tuple[PrefectFuture[Any], int]] = deque()
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


def timed(items: Iterable[T], timer: Callable[[str], Any], stage: str) -> Iterator[T]:
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
