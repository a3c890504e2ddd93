"""One run at a time per warehouse.

Local folder: flock on `<warehouse>/_lock`, released by the kernel even if the process is killed.
Object store: a lease object `<warehouse>/_lock` taken with a conditional PUT (If-None-Match: *), renewed
by a background thread with If-Match on its ETag every third of the lease, and deleted with If-Match on
release. A lease not renewed for `LEASE_SECONDS` (its holder died) is taken over with If-Match on the
stale ETag, so of two runs that find it stale only one gets it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from tasks.warehouse.store import Store, as_store, s3_client_options

LOCK = "_lock"
LEASE_SECONDS = 60.0
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds a run waits for another run on the same warehouse


class WarehouseLocked(RuntimeError):
    """Another run holds the warehouse for longer than this run agreed to wait."""


@contextlib.contextmanager
def warehouse_lock(warehouse: str | os.PathLike[str] | Store, timeout: float, holder: str) -> Iterator[None]:
    """Hold the warehouse's run lock for the block; WarehouseLocked after `timeout` seconds of waiting."""
    store = as_store(warehouse)
    lock = _file_lock if store.is_local else _lease_lock
    with lock(store, timeout, holder):
        yield


def _waiting(store: Store, timeout: float, try_once: Callable[[], bool], held_by: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not try_once():
        if time.monotonic() >= deadline:
            raise WarehouseLocked(
                f"warehouse {store.display()} is locked by another newsetl run ({held_by() or 'unknown'}); "
                f"gave up waiting after {timeout:g} s"
            )
        time.sleep(0.2)


def _stamp(holder: str) -> str:
    return f"{holder}, since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"


@contextlib.contextmanager
def _file_lock(store: Store, timeout: float, holder: str) -> Iterator[None]:
    os.makedirs(store.root, exist_ok=True)
    path = store.path(LOCK)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _waiting(store, timeout, lambda: _try_flock(fd), lambda: _read_text(path))
        with contextlib.suppress(OSError):  # the stamp only names the holder: a full disk must not stop
            os.ftruncate(fd, 0)  # a run whose recover may free space (an abandoned staging folder)
            os.write(fd, _stamp(holder).encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read().strip()


@contextlib.contextmanager
def _lease_lock(store: Store, timeout: float, holder: str) -> Iterator[None]:
    lease = Lease(store, _stamp(holder))
    _waiting(store, timeout, lease.acquire, lease.held_by)
    stop = threading.Event()
    renewer = threading.Thread(target=lease.keep, args=(stop,), name="newsetl-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        lease.release()


class Lease:
    """The lease object of an object-store warehouse, with the conditional requests that guard it."""

    def __init__(self, store: Store, holder: str, seconds: float = LEASE_SECONDS) -> None:
        if store.fs.type_name != "s3":
            raise ValueError(f"{store.uri}: a run lock is implemented for local folders and s3:// only")
        try:
            import boto3  # only object-store warehouses need it
        except ImportError as exc:
            needs = "an s3:// warehouse needs boto3: pip install 'newsetl[s3]'"
            raise RuntimeError(f"{store.uri}: {needs}") from exc

        self.holder, self.seconds = holder, seconds
        self.bucket, _, prefix = store.root.partition("/")
        self.key = f"{prefix}/{LOCK}" if prefix else LOCK
        self.client = boto3.client("s3", **s3_client_options(store))
        self.etag: str | None = None

    def _put(self, **condition: str) -> bool:
        body = json.dumps({"holder": self.holder, "expires": time.time() + self.seconds}).encode()
        try:
            response = self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body, **condition)
        except self.client.exceptions.ClientError as exc:
            if _code(exc) in {"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"}:
                return False
            raise
        self.etag = response["ETag"]
        return True

    def _current(self) -> tuple[dict[str, Any], str] | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except self.client.exceptions.NoSuchKey:
            return None
        return json.loads(response["Body"].read()), response["ETag"]

    def acquire(self) -> bool:
        """Take the lease if it is free or its holder stopped renewing it."""
        if self._put(IfNoneMatch="*"):
            return True
        current = self._current()
        if current is None:
            return self._put(IfNoneMatch="*")
        lease, etag = current
        return lease.get("expires", 0) < time.time() and self._put(IfMatch=etag)

    def held_by(self) -> str:
        current = self._current()
        return str(current[0].get("holder", "")) if current else ""

    def keep(self, stop: threading.Event) -> None:
        """Renew the lease until `stop` is set (runs in a thread)."""
        while not stop.wait(self.seconds / 3):
            if self.etag is None or not self._put(IfMatch=self.etag):
                self.etag = None  # taken over: this run was stalled longer than the lease
                return

    def release(self) -> None:
        if self.etag is None:
            return
        with contextlib.suppress(self.client.exceptions.ClientError):
            self.client.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)
        self.etag = None


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
