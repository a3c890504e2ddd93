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

import ctypes
import os
import signal
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
