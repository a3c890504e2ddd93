"""Prefect task runners for the flow's batches: threads, processes or Dask (which one `auto` picks is
tasks.run.chosen_runner's decision)."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Self

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows import workers as fork_server
from tasks import orphans
from tasks.run import Runner


class ForkServerTaskRunner(ProcessPoolTaskRunner):
    """Prefect's process pool, its workers forked from the run's warm fork server (flows.workers)
    instead of spawned: the same worker set-up (Prefect's log and event forwarding, then ours), the same
    task calls."""

    def __enter__(self) -> Self:
        super().__enter__()
        spawning = self._executor  # built by Prefect with the spawn method; no process started yet
        assert spawning is not None
        self._executor = ProcessPoolExecutor(
            max_workers=self._max_workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=spawning._initializer,  # type: ignore[attr-defined]
            initargs=spawning._initargs,  # type: ignore[attr-defined]
        )
        spawning.shutdown(wait=False)
        return self


def import_in_background(module: str) -> None:
    """Import `module` in a daemon thread; a later import of it waits for this one to finish."""
    threading.Thread(
        target=importlib.import_module, args=(module,), name=f"import-{module}", daemon=True
    ).start()


def task_runner_of(runner: Runner, workers: int, dask_address: str | None) -> TaskRunner[Any]:
    """The task runner for `runner` (not `auto`: see tasks.run.chosen_runner) with `workers` workers."""
    if runner is Runner.threads:
        return ThreadPoolTaskRunner(max_workers=workers)
    _share_api_with_workers()
    if runner is Runner.processes and fork_server.started():  # forked warm; exits with the run, killed too
        return ForkServerTaskRunner(
            max_workers=workers, initializer=orphans.fork_served_worker, initargs=(os.getpid(),)
        )
    if runner is Runner.processes:  # a worker exits with the flow's process, even when that is killed
        return ProcessPoolTaskRunner(
            max_workers=workers, initializer=orphans.pool_worker, initargs=(os.getpid(),)
        )
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
