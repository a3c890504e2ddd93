"""A scheduled deployment on a real Prefect server: `newsetl serve --cron`, then a run through the API."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tasks.warehouse import views
from tests.conftest import ROOT, SEEDS
from tests.flows.servers import BIN, background, prefect_server, wait_until

pytestmark = pytest.mark.e2e

CRON = "*/15 * * * *"
TRIGGER = """
import sys, time
from prefect.deployments import run_deployment
started = time.monotonic()
flow_run = run_deployment("newsetl-etl/newsetl-test", timeout=600)
print(flow_run.id, flow_run.state.type.value, round(time.monotonic() - started, 1))
"""


def _post(api: str, path: str, body: dict) -> list[dict]:
    response = httpx.post(f"{api}{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def test_served_deployment_is_scheduled_and_runs_on_trigger(tmp_path: Path) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SEEDS, source)
    scheduler = {"PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"}
    with prefect_server(tmp_path / "prefect-home", scheduler) as (api, env):
        serve = [str(BIN / "newsetl"), "serve", "--cron", CRON, "--name", "newsetl-test"]
        serve += ["--source", str(source), "--warehouse", str(warehouse)]
        with background(serve, tmp_path / "serve.log", env, cwd=ROOT):
            deployment = wait_until(
                lambda: _post(
                    api, "/deployments/filter", {"deployments": {"name": {"any_": ["newsetl-test"]}}}
                ),
                120,
                f"the served deployment ({tmp_path / 'serve.log'})",
            )[0]
            assert [s["schedule"]["cron"] for s in deployment["schedules"]] == [CRON]
            assert deployment["parameters"] == {
                "source": str(source),
                "warehouse": str(warehouse),
                "batch_size": 250,
            }
            upcoming = {
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                "deployments": {"id": {"any_": [deployment["id"]]}},
            }
            wait_until(lambda: _post(api, "/flow_runs/filter", upcoming), 120, "upcoming scheduled runs")
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-c", TRIGGER],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=660,
            )
            seconds = time.monotonic() - started
            _deploy_from_prefect_yaml(api, env)
    assert done.returncode == 0, done.stderr[-3000:]
    flow_run_id, state, _ = done.stdout.split()
    assert state == "COMPLETED", (tmp_path / "serve.log").read_text()[-3000:]
    con = views.connect(warehouse)
    assert con.execute("select count(*) from articles").fetchone() == (2,)
    assert con.execute("select flow_run_id, status from runs").fetchall() == [(flow_run_id, "completed")]
    print(f"scheduled deployment: trigger to completion {seconds:.1f} s")


def _deploy_from_prefect_yaml(api: str, env: dict[str, str]) -> None:
    """prefect.yaml registers the same schedule on a process work pool."""
    prefect = str(BIN / "prefect")
    env = {**env, "PWD": str(ROOT)}
    for command in (
        [prefect, "work-pool", "create", "newsetl-process", "--type", "process"],
        [prefect, "--no-prompt", "deploy", "--all"],
    ):
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    deployment = _post(api, "/deployments/filter", {"deployments": {"name": {"any_": ["newsetl"]}}})[0]
    assert [s["schedule"]["cron"] for s in deployment["schedules"]] == [CRON]
    assert deployment["work_pool_name"] == "newsetl-process"
    assert deployment["entrypoint"] == "flows/etl/__init__.py:etl"
    assert deployment["pull_steps"][0]["prefect.deployments.steps.set_working_directory"]["directory"] == str(
        ROOT
    )
