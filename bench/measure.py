"""Run a command as a child process tree and measure its wall time and peak summed RSS."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Measured:
    """One command's wall seconds, peak RSS of its whole process tree (summed, MiB), exit code."""

    seconds: float
    peak_rss_mib: float
    returncode: int


def tree_rss(process: psutil.Process) -> int:
    """Bytes of RSS summed over a process and all its descendants (shared pages count once per process)."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with suppress(psutil.NoSuchProcess, psutil.AccessDenied):  # a worker that just ended
            total += p.memory_info().rss
    return total


def run_measured(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Measured:
    """Run `command` to completion, polling its tree's summed RSS every POLL_SECONDS."""
    peak = 0
    with log.open("w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        process = psutil.Process(child.pid)
        done = threading.Event()

        def poll() -> None:
            nonlocal peak
            while not done.is_set():
                try:
                    peak = max(peak, tree_rss(process))
                except psutil.NoSuchProcess:
                    return
                done.wait(POLL_SECONDS)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        returncode = child.wait()
        seconds = time.perf_counter() - start
        done.set()
        poller.join()
    return Measured(round(seconds, 2), round(peak / 2**20, 1), returncode)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prefect_server(prefect: Path, home: Path, env: dict[str, str]) -> Iterator[tuple[str, float]]:
    """`prefect server start` on 127.0.0.1 with its own PREFECT_HOME; yields (API URL, seconds until
    healthy). Stopped at the end by its process group (its own session, started here)."""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    server_env = {**env, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    server_env.pop("PREFECT_API_URL", None)
    command = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--analytics-off"]
    api = f"http://127.0.0.1:{port}/api"
    with (home / "server.log").open("w") as out:
        start = time.perf_counter()
        server = subprocess.Popen(
            command, env=server_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_healthy(server, api, home / "server.log")
            yield api, round(time.perf_counter() - start, 2)
        finally:
            _stop(server)


def _wait_healthy(server: subprocess.Popen, api: str, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"prefect server not healthy after {timeout} s (see {log})")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
