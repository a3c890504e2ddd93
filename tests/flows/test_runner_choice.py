"""`auto` picks worker processes only when batches can run in parallel (no Prefect run here)."""

from __future__ import annotations

from flows.runners import Runner, chosen_runner


def test_auto_uses_processes_only_for_more_than_one_batch_and_worker() -> None:
    assert chosen_runner(Runner.auto, workers=2, documents=2225, batch_size=250) is Runner.processes
    assert chosen_runner(Runner.auto, workers=2, documents=250, batch_size=250) is Runner.threads  # one batch
    assert chosen_runner(Runner.auto, workers=1, documents=2225, batch_size=250) is Runner.threads
    assert chosen_runner(Runner.threads, workers=2, documents=2225, batch_size=250) is Runner.threads
    assert chosen_runner(Runner.dask, workers=2, documents=2, batch_size=250) is Runner.dask
