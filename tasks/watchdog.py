"""A stuck document never stalls its batch: each batch runs in a forked child, watched per document.

The stages mark the document they are working on (`mark`, or `watched` around a list of articles): the
parse loop, the model's pass (as each document comes out of nlp.pipe) and every extractor. The marks go to
a few bytes of memory shared with the parent. `guarded(work, timeout)` forks, runs `work(stuck)` in the
child and waits for its result; when one document has held a stage for `timeout` seconds (a parser that
backtracks forever, an extractor that loops), the child is killed and `work` runs again in a new child,
with that document in `stuck` (so the batch quarantines it as `timeout`, naming the stage, and goes on).
A child that dies while on a document (a segfault in a library, the kernel's OOM killer) is handled the
same way with the reason `crashed`.

Why a process: Python cannot stop a thread, and a signal reaches only the main thread, while batches run in
Prefect's worker threads. Why fork: the child inherits the loaded model, GX context and vocabularies
(tasks.pipeline runs one small batch in the parent first), so a batch costs one fork (milliseconds) and one
pickle of its result, not a start-up. What it inherits is frozen for the garbage collector (`gc.freeze` before
the fork, undone in the parent): the one full collection a batch's allocations set off in the child would
otherwise walk the whole inherited heap (GX, pandas, the gazetteer), writing to, and so copying, nearly every
page of it (0.34 CPU s of a BBC batch's child, 0.04 s frozen). Work between the marks that belongs to no one
document (GX validation, the cross-article pass of the entity rules) is not timed. The model reads its
documents in small groups (nlp.pipe): its time is put on the document awaited, which is sound because spaCy's
work is linear in the text and the text's length is capped (tasks.parse.MAX_TEXT_CHARS).
"""

from __future__ import annotations

import gc
import mmap
import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tasks import orphans

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_DOC_TIMEOUT = 120.0  # seconds: a real article takes well under one; the longest text allowed
# (tasks.parse.MAX_TEXT_CHARS) takes about 30 s of NER on one core here
TIMEOUT, CRASHED = "timeout", "crashed"
_LAYOUT = struct.Struct("<d96s32s")  # when the mark was made (monotonic), doc_id, stage
_SIZE = struct.Struct("<Q")  # the length of the child's message, sent before it
_POLL_SECONDS = 0.05

_slot: mmap.mmap | None = None  # set in a guarded child only: marks elsewhere cost one check
_FORK_LOCKS: list[Any] = []  # held across fork (see hold_across_fork)


def mark(doc_id: str | None, stage: str) -> None:
    """Say that `stage` now works on `doc_id` (None: on the batch as a whole, which is not timed)."""
    if _slot is not None:
        _slot[:] = _LAYOUT.pack(time.monotonic(), (doc_id or "").encode(), stage.encode())


def hold_across_fork(lock: Any) -> Any:
    """Register a lock that the batch's work takes (the model's loading, the GX context): a fork waits
    until no other thread holds it, so a child never inherits it locked by a thread it does not have (it
    would wait for ever) nor the state that lock guards half changed. Returns the lock."""
    _FORK_LOCKS.append(lock)
    return lock


class watched(list[T], Generic[T]):
    """A list of articles (or documents) that marks each one as iteration reaches it, and the batch as a
    whole when iteration ends: extractors that loop over their articles need no change."""

    def __init__(self, items: Iterable[T], stage: str, key: Callable[[T], str] = lambda a: a.doc_id) -> None:
        super().__init__(items)
        self._stage, self._key = stage, key

    def __iter__(self) -> Iterator[T]:
        for item in super().__iter__():
            mark(self._key(item), self._stage)
            yield item
        mark(None, self._stage)


@dataclass(frozen=True)
class Stuck:
    """A document the work was stopped on: in which stage, why (`timeout` or `crashed`), and how."""

    doc_id: str
    stage: str
    reason: str
    detail: str


class WorkerError(RuntimeError):
    """The child died or stalled outside any one document: no document can be blamed."""


def guarded(work: Callable[[dict[str, Stuck]], R], timeout: float | None) -> R:
    """`work(stuck)` in a forked child, again without each document that held a stage for `timeout`
    seconds (or crashed the child); an exception `work` raises is raised here. Without a timeout, or
    where fork is unavailable, `work({})` runs in this process."""
    stuck: dict[str, Stuck] = {}
    if not timeout or not hasattr(os, "fork"):
        return work(stuck)
    while True:
        outcome = _attempt(work, stuck, timeout)
        if isinstance(outcome, Stuck):
            stuck[outcome.doc_id] = outcome
            continue
        ok, value = outcome
        if ok:
            return value
        raise value


def _attempt(work: Callable[[dict[str, Stuck]], R], stuck: dict[str, Stuck], timeout: float) -> Any:
    """One child: (True, result), (False, exception), or the Stuck document it was stopped on."""
    slot = mmap.mmap(-1, _LAYOUT.size)
    read_end, write_end = os.pipe()
    parent = os.getpid()
    for lock in _FORK_LOCKS:  # in registration order, by the only thread that takes more than one
        lock.acquire()
    gc.freeze()  # the child's full collections leave alone what it inherits (the module docstring)
    try:
        pid = os.fork()
    finally:
        if os.getpid() == parent:
            gc.unfreeze()  # this process collects as before
        for lock in reversed(_FORK_LOCKS):  # in the parent and in the child alike
            lock.release()
    if pid == 0:  # the child: never returns
        _child(work, stuck, slot, read_end, write_end, parent)
    os.close(write_end)
    try:
        return _wait(pid, read_end, slot, timeout)
    finally:
        os.close(read_end)
        slot.close()


def _child(
    work: Callable[[dict[str, Stuck]], Any],
    stuck: dict[str, Stuck],
    slot: mmap.mmap,
    r: int,
    w: int,
    parent: int,
) -> None:
    global _slot
    code = 0
    try:
        orphans.die_with_forker(parent)  # a killed run or worker leaves no child (tasks.orphans)
        os.close(r)
        _slot = slot
        mark(None, "start")
        try:
            payload = pickle.dumps((True, work(stuck)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:
            payload = _pickled_error(exc)
        view = memoryview(_SIZE.pack(len(payload)) + payload)
        while view:
            view = view[os.write(w, view) :]
    except BaseException:
        code = 70  # the parent sees an exit without a whole message
    finally:
        os._exit(code)  # no atexit, no flushing the parent's buffers twice


def _pickled_error(exc: BaseException) -> bytes:
    try:
        return pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle still says what it was
        return pickle.dumps((False, WorkerError(f"{type(exc).__name__}: {exc}")))


def _wait(pid: int, fd: int, slot: mmap.mmap, timeout: float) -> Any:
    """The child's message once it is whole (its length comes first). The end of the pipe is never
    waited for: a process forked meanwhile by another thread (a second batch's child, a process pool's
    worker) may hold its write end open for as long as it lives."""
    message = bytearray()
    os.set_blocking(fd, False)
    while True:
        select.select([fd], [], [], _POLL_SECONDS)
        exited = _exited(pid)  # before draining: what it wrote before exiting is then all in the pipe
        message += _drain(fd)
        if _whole(message):
            if exited is None:
                os.waitpid(pid, 0)
            return pickle.loads(memoryview(message)[_SIZE.size :])
        if exited is not None:
            return _died(exited, slot)
        at, doc_id, stage = _read(slot)
        if doc_id and not message and time.monotonic() - at > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return Stuck(doc_id, stage, TIMEOUT, f"stopped after {timeout:g} s in stage {stage}")


def _exited(pid: int) -> int | None:
    """The child's wait status once it has exited (reaped), else None."""
    done, status = os.waitpid(pid, os.WNOHANG)
    return status if done else None


def _drain(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _whole(message: bytearray) -> bool:
    return len(message) >= _SIZE.size and len(message) - _SIZE.size == _SIZE.unpack_from(message)[0]


def _died(status: int, slot: mmap.mmap) -> Any:
    _, doc_id, stage = _read(slot)
    how = (
        f"signal {os.WTERMSIG(status)}"
        if os.WIFSIGNALED(status)
        else f"exit {os.waitstatus_to_exitcode(status)}"
    )
    if doc_id:
        return Stuck(doc_id, stage, CRASHED, f"the worker died ({how}) in stage {stage}")
    return (False, WorkerError(f"the batch worker died ({how}) in stage {stage}, on no one document"))


def _read(slot: mmap.mmap) -> tuple[float, str, str]:
    at, doc_id, stage = _LAYOUT.unpack(slot[:])
    return at, doc_id.rstrip(b"\0").decode(), stage.rstrip(b"\0").decode()


def without(items: Sequence[T], stuck: dict[str, Stuck], key: Callable[[T], str | None]) -> list[T]:
    """The items whose document is not stuck."""
    return [x for x in items if key(x) not in stuck]
