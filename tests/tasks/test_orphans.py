"""A process started by the run ends when the run's process is SIGKILLed, and a pool worker ends without
the interpreter's teardown (tasks.orphans)."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tasks import orphans
from tests.conftest import ROOT

FORKED = """
import os, sys, time
from tasks import orphans
parent = os.getpid()
pid = os.fork()
if pid == 0:
    orphans.die_with_forker(parent)
    time.sleep(60)
    os._exit(0)
print(pid, flush=True)
time.sleep(60)
"""

SPAWNED = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
time.sleep(60)
"""
WORKER = "import os, time; from tasks import orphans; orphans.exit_with_parent(os.getppid()); time.sleep(60)"
FORK_SERVED = """
import os, time
from tasks import orphans
run = os.getpid()
if os.fork() == 0:  # the fork server, killed with the run (its death signal): here on its own
    worker = os.fork()
    if worker == 0:
        orphans.exit_with_fork_server(run)
        time.sleep(60)
        os._exit(0)
    print(worker, os.getpid(), flush=True)
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    """Running, not a zombie nobody reaped (a reparented child's reaper may be slow)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@pytest.mark.parametrize(
    ("script", "argv"),
    [(FORKED, []), (SPAWNED, [WORKER]), (FORK_SERVED, [])],
    ids=["forked", "spawned", "fork-served"],
)
def test_a_child_ends_when_its_parent_is_killed(script: str, argv: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", script, *argv]
    parent = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        child, *killed = map(int, parent.stdout.readline().split())  # the parent, unless it names another
        time.sleep(0.3)  # the child is past its set-up
        assert _alive(child)
        os.kill(killed[0] if killed else parent.pid, signal.SIGKILL)  # that one only, as the OOM killer would
        if not killed:
            parent.wait()
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the child outlived its killed parent"
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.stdout.close()


class _Marker:
    """Freed one by one at the interpreter's teardown: its __del__ leaves a file saying the teardown ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __del__(self) -> None:
        Path(self.path).touch()


def _pool_work(folder: str) -> str:
    """In a pool worker: an object for the teardown to free, a temporary folder an exit handler removes,
    and an exit handler of its own."""
    global _KEPT, _TEMPORARY
    _KEPT = _Marker(f"{folder}/teardown")
    _TEMPORARY = tempfile.TemporaryDirectory(dir=folder)
    atexit.register(Path(f"{folder}/exit-handler").touch)
    return _TEMPORARY.name


@pytest.mark.parametrize("fast", [True, False], ids=["without-teardown", "as-shipped"])
def test_a_pool_worker_ends_without_the_teardown_but_runs_its_exit_handlers(
    tmp_path: Path, fast: bool
) -> None:
    context = multiprocessing.get_context("spawn")
    initializer = orphans.end_without_teardown if fast else None
    with ProcessPoolExecutor(1, mp_context=context, initializer=initializer) as pool:
        temporary = pool.submit(_pool_work, str(tmp_path)).result()
        (worker,) = pool._processes.values()
    assert worker.exitcode == 0
    assert (tmp_path / "exit-handler").exists() and not Path(temporary).exists()
    assert (tmp_path / "teardown").exists() is not fast


def _failing_work() -> None:
    orphans.end_without_teardown()
    raise RuntimeError("the work failed")


def test_a_child_whose_work_raised_ends_the_usual_way_with_its_status() -> None:
    child = multiprocessing.get_context("spawn").Process(target=_failing_work)
    child.start()
    child.join(60)
    assert child.exitcode == 1


def test_a_worker_whose_run_is_gone_exits_at_once() -> None:
    """A worker the fork server forked after the run died (and so the server) does not wait for work."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    code = f"from tasks import orphans; orphans.exit_with_fork_server({gone.pid}); print('lived')"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (70, "")
