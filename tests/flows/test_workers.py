"""flows.workers: which runs fork their workers from a warm fork server, and that its workers are warm
before their first batch (the run through it: test_crash, test_cli, e2e)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flows import workers
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("runner", "count", "platform", "wanted"),
    [
        ("auto", 2, "linux", True),
        ("processes", 4, "linux", True),
        ("auto", 1, "linux", False),  # one worker: threads
        ("threads", 2, "linux", False),
        ("dask", 2, "linux", False),  # the cluster's own workers
        ("processes", 2, "darwin", False),  # no parent-death signal: spawned, as Prefect does
        ("processes", 2, "win32", False),
    ],
)
def test_which_runs_fork_their_workers(runner: str, count: int, platform: str, wanted: bool) -> None:
    assert workers.wanted(runner, count, platform) is wanted


@pytest.mark.e2e  # a subprocess that names Prefect (tests/guard)
def test_the_fork_server_is_started_without_prefect() -> None:
    code = "import sys, flows.workers; print(any(m.split('.')[0] == 'prefect' for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]


PROBE = """
import multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
from flows import workers
assert workers.start(sys.argv[1], 2, model=sys.argv[2] == "model") is (sys.argv[1] == "processes")
context = multiprocessing.get_context("forkserver" if workers.started() else "spawn")
with ProcessPoolExecutor(1, mp_context=context) as pool:
    warmed = pool.submit(eval, "__import__('tasks.pipeline').pipeline._warm.cache_info().currsize").result()
    loaded = pool.submit(eval, "'spacy' in __import__('sys').modules").result()
print(warmed, loaded, "spacy" in sys.modules)
"""


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server runs on Linux only")
@pytest.mark.parametrize(
    ("runner", "model", "expected"),
    [
        ("processes", "model", ["1", "True", "False"]),
        ("processes", "rebuild", ["1", "False", "False"]),  # warm, without the model (nor spaCy)
        ("threads", "model", ["0", "False", "False"]),
    ],
)
def test_a_forked_worker_is_warm_before_its_first_batch(runner: str, model: str, expected: list[str]) -> None:
    """A worker forked by the run's fork server has run the warm-up batch (its model, GX, vocabularies
    loaded; a rebuild's without the model) without running it itself; a spawned one has not, and neither
    has the run's own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(workers.WITHOUT_MODEL, None)
    command = [sys.executable, "-c", PROBE, runner, model]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == expected
