"""Real servers for e2e tests, started by the test on 127.0.0.1 and stopped by process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def background(
    command: list[str], log: Path, env: dict[str, str], cwd: Path | None = None
) -> Iterator[subprocess.Popen]:
    """A process in its own session, logging to `log`; SIGTERM (then SIGKILL) to its group on exit."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until(check, timeout: float, what: str, interval: float = 1.0):
    """Poll `check()` until it returns something truthy; AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except OSError:
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@contextmanager
def prefect_server(
    home: Path, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, dict[str, str]]]:
    """`prefect server start` with its own PREFECT_HOME; yields its API URL and the env to reach it."""
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        **(extra_env or {}),
    }
    env.pop("PREFECT_API_URL", None)
    command = [
        str(BIN / "prefect"),
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--analytics-off",
    ]
    home.mkdir(parents=True, exist_ok=True)
    with background(command, home / "server.log", env) as server:
        api = f"http://127.0.0.1:{port}/api"

        def healthy() -> bool:
            assert server.poll() is None, (home / "server.log").read_text()[-3000:]
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                return response.status == 200 and response.read().strip() == b"true"

        wait_until(healthy, 180, f"prefect server health ({home / 'server.log'})")
        yield api, {**env, "PREFECT_API_URL": api}
