"""The guard holds: in any test but an e2e one under tests/flows, a flow, a task, a Prefect server and
the CLI are refused before they start (tests/guard.py); the e2e tests under tests/flows show they run
when allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import guard


def test_a_flow_and_a_task_are_refused() -> None:
    from prefect import flow, task

    @flow
    def a_flow() -> int:
        return 1

    @task
    def a_task() -> int:
        return 1

    with pytest.raises(guard.Refused, match="a Prefect flow run in a test not marked e2e"):
        a_flow()
    with pytest.raises(guard.Refused, match="a Prefect task run in a test not marked e2e"):
        a_task()
    assert a_flow.fn() == a_task.fn() == 1  # the functions themselves are fine


def test_a_prefect_server_is_refused() -> None:
    from prefect.testing.utilities import prefect_test_harness

    with pytest.raises(guard.Refused, match="a Prefect API server"), prefect_test_harness():
        pass


def test_the_cli_is_refused_through_typer_and_as_a_subprocess() -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    with pytest.raises(guard.Refused, match="typer's runner"):
        CliRunner().invoke(app, ["--help"])
    newsetl = str(Path(sys.executable).with_name("newsetl"))
    for argv in (
        [newsetl, "--help"],
        [sys.executable, "-m", "flows.etl", "seeds"],
        [sys.executable, "-c", "import runpy; runpy.run_module('flows.etl')"],
        [str(Path(sys.executable).with_name("prefect")), "server", "start"],
        [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app"],
    ):
        with pytest.raises(guard.Refused, match="as a subprocess"):
            subprocess.run(argv, check=False)


def test_other_subprocesses_run() -> None:
    done = subprocess.run([sys.executable, "-c", "print('ok')"], capture_output=True, text=True, check=True)
    assert done.stdout == "ok\n"
    assert not guard.runs_the_cli(["chromium", "--headless", "file:///tmp/prefect-report/index.html"])


@pytest.mark.e2e  # e2e elsewhere only says slow (a browser test): Prefect and the CLI stay refused
def test_an_e2e_mark_outside_tests_flows_does_not_allow_the_cli() -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    with pytest.raises(guard.Refused, match="typer's runner"):
        CliRunner().invoke(app, ["--help"])
