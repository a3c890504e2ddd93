"""The temporary Prefect API server of a run that has none configured, started before anything else.

Without PREFECT_API_URL, Prefect starts its temporary server (uvicorn serving
`prefect.server.api.server:create_app`, the same app and environment as below) at the first flow run:
after newsetl's imports and Prefect's own import of the whole server stack into this process, and then
waits the ~20 s the server takes to migrate its database. `newsetl run` starts that server as its first
act instead (`python -m flows.etl` and `python -m flows run` even before their imports, from flows/
__init__; stdlib only), goes on importing the flow, Prefect, pandas and
GX while the server starts, and waits for it only where the flow run needs it (`serving`). The run is
recorded as with Prefect's own: flow and task runs in PREFECT_HOME's database; the server stops with the
run, and with its process when that is killed.

Only the environment and the profiles file are read before Prefect is imported: where they might
configure an API (or turn the temporary server off), nothing is started early, and once Prefect's own
settings are read, a configured API wins and the early server is stopped unused.
"""

from __future__ import annotations

import atexit
import functools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from tasks.orphans import die_with_forker

HEALTH_POLL_SECONDS = 0.1
STOP_SECONDS = 5.0  # as Prefect's own: terminate, then kill
_started: TemporaryServer | None = None  # one per process, like Prefect's


class TemporaryServer:
    """A Prefect API server in a child process, on a free local port, with this process's PREFECT_HOME."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.api_url = process, f"http://127.0.0.1:{port}/api"

    def wait_healthy(self, timeout: float) -> None:
        """Block until /health answers; RuntimeError when the server exits or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the temporary Prefect server exited ({self.process.returncode})")
            with suppress(OSError), urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
            time.sleep(HEALTH_POLL_SECONDS)
        raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def is_a_run(argv: Sequence[str]) -> bool:
    """Whether this interpreter's command line (`sys.orig_argv`) runs the flow: `python [options] -m
    flows.etl ...` or `python [options] -m flows run ...`."""
    if "-m" not in argv or "--help" in argv:
        return False
    module = list(argv[argv.index("-m") + 1 :])
    return module[:1] == ["flows.etl"] or module[:2] == ["flows", "run"]


def may_be_configured(environ: Mapping[str, str], cwd: Path) -> bool:
    """Whether Prefect's settings might name an API server or forbid a temporary one, judged without
    importing Prefect: the environment, the profiles file, and the settings files Prefect reads in the
    working directory. False only when none of them could."""
    if any(name in environ for name in ("PREFECT_API_URL", "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE")):
        return True
    if environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "true").lower() in ("0", "false", "no", "off"):
        return True
    home = Path(environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    profiles = Path(environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    if _mentions(profiles, "PREFECT_API_URL", "EPHEMERAL") or _mentions(cwd / ".env", "PREFECT_"):
        return True
    return (cwd / "prefect.toml").exists() or _mentions(cwd / "pyproject.toml", "[tool.prefect")


def start(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> TemporaryServer | None:
    """Start the temporary server now, unless one runs already or an API may be configured (None)."""
    global _started
    environ = os.environ if environ is None else environ
    if _started is None and not may_be_configured(environ, cwd or Path.cwd()):
        _started = TemporaryServer(_launch(environ, port := _free_port()), port)
        if environ is os.environ:  # Prefect, imported after this, reads it: the task runner's threads and
            os.environ["PREFECT_API_URL"] = _started.api_url  # workers too (else each starts its own)
        atexit.register(_started.stop)  # also when the run fails before the flow (a bad SOURCE)
        print(f"newsetl: starting a temporary Prefect server on {_started.api_url}", file=sys.stderr)
    return _started


@contextmanager
def serving(server: TemporaryServer | None) -> Iterator[None]:
    """Within: Prefect's client uses `server` once it is healthy (waiting as long as Prefect would for
    its own), unless Prefect's settings configure an API: then the early server is stopped unused. The
    server stops at exit (atexit, registered before Prefect's log and event workers, so after their
    last flush), as Prefect's own does."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    settings = get_current_settings()
    configured = settings.api.url and settings.api.url != (server and server.api_url)
    if server is None or configured or not settings.server.ephemeral.enabled:
        if server is not None:
            server.stop()
        yield
        return
    server.wait_healthy(settings.server.ephemeral.startup_timeout_seconds)
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


def _launch(environ: Mapping[str, str], port: int) -> subprocess.Popen[bytes]:
    """The command and environment Prefect's SubprocessASGIServer uses (no UI, ephemeral app)."""
    import importlib.util

    spec = importlib.util.find_spec("prefect")  # its folder, without importing it
    assert spec is not None and spec.origin is not None, "prefect is not installed"
    app_dir = str(Path(spec.origin).parent.parent)
    command = [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory"]
    command += ["prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "error", "--lifespan", "on"]
    server_env = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    return subprocess.Popen(  # killed with this process, even when that is SIGKILLed (tasks.orphans)
        command, env={**environ, **server_env}, preexec_fn=functools.partial(die_with_forker, os.getpid())
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _mentions(path: Path, *words: str) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(word in text for word in words)
