"""flows.api_server without a run: when `newsetl run` may start its temporary Prefect server early, and
how a server that dies is reported. (The run with it: tests/flows/test_cli.py, e2e.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows import api_server


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "home").mkdir()
    (tmp_path / "cwd").mkdir()
    return {"PREFECT_HOME": str(tmp_path / "home")}


def test_nothing_configured_starts_early(home: dict[str, str], tmp_path: Path) -> None:
    (Path(home["PREFECT_HOME"]) / "profiles.toml").write_text('active = "local"\n[profiles.local]\n')
    assert not api_server.may_be_configured(home, tmp_path / "cwd")


@pytest.mark.parametrize(
    ("env", "file", "text"),
    [
        ({"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, None, ""),
        ({"PREFECT_SERVER_EPHEMERAL_ENABLED": "false"}, None, ""),
        ({"PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "true"}, None, ""),
        ({}, "home/profiles.toml", '[profiles.local]\nPREFECT_API_URL = "http://h:4200/api"\n'),
        ({}, "cwd/.env", "PREFECT_API_URL=http://h:4200/api\n"),
        ({}, "cwd/prefect.toml", "[api]\n"),
        ({}, "cwd/pyproject.toml", "[tool.prefect.api]\nurl = 'http://h:4200/api'\n"),
    ],
)
def test_a_setting_that_may_name_an_api_leaves_the_start_to_prefect(
    home: dict[str, str], tmp_path: Path, env: dict[str, str], file: str | None, text: str
) -> None:
    if file:
        (tmp_path / file).write_text(text)
    assert api_server.may_be_configured({**home, **env}, tmp_path / "cwd")


def test_a_server_that_exits_is_reported_not_waited_for() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    server = api_server.TemporaryServer(process, 9)
    with pytest.raises(RuntimeError, match=r"exited \(3\)"):
        server.wait_healthy(timeout=60)
    server.stop()  # already gone: nothing to do


@pytest.mark.parametrize(
    ("argv", "run"),
    [
        (["python", "-m", "flows.etl", "seeds"], True),
        (["python", "-X", "importtime", "-m", "flows", "run", "seeds"], True),
        (["python", "-m", "flows", "query", "select 1"], False),
        (["python", "-m", "flows.etl", "--help"], False),
        (["python", "-m", "pytest", "tests/flows"], False),
        (["newsetl", "run"], False),  # the console script: flows.cli.run starts it
    ],
)
def test_a_run_is_told_by_its_command_line(argv: list[str], run: bool) -> None:
    assert api_server.is_a_run(argv) is run


@pytest.mark.e2e
def test_prefect_imported_after_the_early_start_reads_its_server(tmp_path: Path) -> None:
    """Prefect's own settings, as any thread or spawned worker of the run reads them, name the early
    server: none of them starts Prefect's temporary server beside it (a BBC run with 2 workers did)."""
    code = (
        "from flows import api_server\n"
        "server = api_server.start()\n"
        "from prefect.settings import get_current_settings\n"
        "print(get_current_settings().api.url == server.api_url)\n"
        "server.stop()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True"]
