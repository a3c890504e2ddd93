"""No process outlives its run: a worker or a batch's child ends when the process that started it dies.

A run SIGKILLed on its own (the OOM killer, `kill -9 PID`) cannot stop its children. Left alone, a process
pool's worker waits on its queue for ever (it holds both ends of the queue's pipe, so it never sees the
end) and even starts the batches still queued, and a batch's forked child (tasks.watchdog) runs on, with
the run's descriptors, the warehouse lock among them (a fork copies every descriptor), so the next run
waits for it. Neither ever writes the warehouse (only the flow's process commits), but both hold memory and
the lock.

- A forked child asks Linux for the parent-death signal: SIGKILL as soon as the thread that forked it
  ends, and that thread waits for the child all its life (tasks.watchdog).
- A pool worker polls its parent's pid from a daemon thread: the parent-death signal would follow the
  thread that spawned the worker, one of the pool's threads, not the flow's process. A worker forked by
  the run's fork server (flows.workers) polls that server, which has the parent-death signal of the
  run's first thread.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from typing import Any

PARENT_POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def exit_with_parent(parent: int) -> None:
    """In a worker process: exit as soon as `parent` (the pid of the process that started it) is gone."""
    if os.getppid() != parent:
        os._exit(70)  # the parent died while this worker started
    threading.Thread(target=_follow, args=(parent,), name="newsetl-parent", daemon=True).start()


def pool_worker(parent: int) -> None:
    """A process pool worker's initializer: it exits with its parent (`exit_with_parent`) and, once its
    pool ends it, without the interpreter's teardown (`end_without_teardown`)."""
    exit_with_parent(parent)
    end_without_teardown()


def end_without_teardown() -> None:
    """In a multiprocessing child: when its work returns, end the process as Python would, less the
    teardown that frees every object one by one (for a batch worker, GX, pandas and the gazetteer: 2-3
    CPU s, which its run waits for at its end). Last of the process's finalizers (after its queues are
    flushed), it waits for its other threads, runs the exit handlers (logging, temporary folders,
    Prefect's forwarding of logs and events), flushes stdout and stderr, and exits with status 0. When
    the work raised, it does nothing: the process ends the usual way, with its traceback and status."""
    from multiprocessing import util

    util.Finalize(None, _end_now, exitpriority=_LAST)


_LAST = -1_000  # multiprocessing runs finalizers by falling priority; its queues join their feeders at -5


def _end_now() -> None:
    if sys.exc_info()[0] is not None:  # run() raised: the usual exit prints it and sets the status
        return
    threading._shutdown()  # type: ignore[attr-defined]  # what the interpreter does first at exit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def fork_served_worker(run: int) -> None:
    """A worker of the run's fork server: its initializer. It exits with that server
    (`exit_with_fork_server`) and, once its pool ends it, without the interpreter's teardown
    (`end_without_teardown`)."""
    exit_with_fork_server(run)
    end_without_teardown()


def exit_with_fork_server(run: int) -> None:
    """In a worker forked by the run's fork server (flows.workers): exit as soon as that server, its
    parent, is gone (it dies with the run, `run` being the run's pid), or at once when the run is gone
    already (its fork server may have died before this worker looked)."""
    server = os.getppid()
    try:
        os.kill(run, 0)
    except ProcessLookupError:
        os._exit(70)
    threading.Thread(target=_follow, args=(server,), name="newsetl-parent", daemon=True).start()


def die_with_forker(parent: int) -> None:
    """In a child just forked from `parent`: killed by the kernel when the forking thread ends (Linux);
    elsewhere, as a worker is, when `parent` is gone."""
    if not _death_signal(signal.SIGKILL):
        exit_with_parent(parent)
    elif os.getppid() != parent:
        os._exit(70)  # the parent died before the signal was asked for


def _follow(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(70)


def _prctl() -> Any:
    """prctl(2), found once at import: a child forked from a process with threads must not dlopen (another
    thread may have held the loader's lock at the fork). None where there is no prctl."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def _death_signal(signum: int) -> bool:
    """Ask for `signum` when the parent thread ends; False where prctl(2) is not available."""
    return _PRCTL is not None and _PRCTL(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
