"""The `newsetl` command as a user runs it: console script, exit codes, output formats."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tasks.records import Article, RunContext
from tasks.warehouse import commit
from tasks.warehouse.rows import batch_tables
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e  # the CLI, through typer's runner or as a subprocess

NEWSETL = str(Path(sys.executable).with_name("newsetl"))
SEED_TITLES = (
    "France Requests EU Invoke Mutual Defense Clause in Wake of the Paris Attacks",
    "France, Belgium to step up anti-terror cooperation",
)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    run = RunContext("r1", datetime(2026, 1, 1, tzinfo=UTC))
    articles = [
        Article(
            "a" * 64,
            "file:///a.txt",
            "Alpha, with a comma",
            ("Jane Doe",),
            None,
            None,
            None,
            "en",
            "B.",
            1,
            "h",
        ),
        Article(
            "b" * 64,
            "file:///b.txt",
            "Beta",
            (),
            datetime(2015, 1, 2, tzinfo=UTC),
            None,
            None,
            "en",
            "B.",
            1,
            "i",
        ),
    ]
    commit.commit_batch(tmp_path, "b0", batch_tables(run, [], articles, []))
    return tmp_path


def test_query_formats(warehouse: Path) -> None:
    runner = CliRunner()
    sql = "select title, authors from articles order by title"
    as_csv = runner.invoke(app, ["query", sql, "--warehouse", str(warehouse), "--format", "csv"])
    assert as_csv.exit_code == 0
    assert as_csv.stdout.splitlines() == ["title,authors", "\"Alpha, with a comma\",['Jane Doe']", "Beta,[]"]
    as_json = runner.invoke(app, ["query", sql, "-w", str(warehouse), "-f", "json"])
    assert json.loads(as_json.stdout) == [
        {"title": "Alpha, with a comma", "authors": ["Jane Doe"]},
        {"title": "Beta", "authors": []},
    ]
    as_table = runner.invoke(app, ["query", sql, "-w", str(warehouse)])
    assert "Alpha, with a comma" in as_table.stdout and "(2 rows)" in as_table.stdout


def test_query_error_is_a_message_not_a_traceback(warehouse: Path) -> None:
    result = CliRunner().invoke(app, ["query", "select nope from articles", "-w", str(warehouse)])
    assert result.exit_code == 1
    assert "newsetl query:" in result.stderr and "nope" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("copy articles to '{wh}/out.csv'", "COPY statements are not allowed"),
        ("drop view articles", "DROP statements are not allowed"),
        ("create table t as select 1", "CREATE statements are not allowed"),
        ("insert into articles select * from articles", "INSERT statements are not allowed"),
        ("attach '/tmp/other.db'", "ATTACH statements are not allowed"),
        ("set enable_external_access = true", "SET statements are not allowed"),
        ("install httpfs", "LOAD statements are not allowed"),
        ("select 1; drop view articles", "DROP statements are not allowed"),
        ("select * from read_csv('/etc/passwd')", "Permission Error"),
        ("select * from read_text('{wh}/../outside.txt')", "Permission Error"),
    ],
)
def test_query_is_read_only_and_confined_to_the_warehouse(warehouse: Path, sql: str, refusal: str) -> None:
    (warehouse.parent / "outside.txt").write_text("secret")
    result = CliRunner().invoke(app, ["query", sql.format(wh=warehouse), "-w", str(warehouse)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("newsetl query:") and refusal in result.stderr
    assert "Traceback" not in result.output and "secret" not in result.output
    assert not (warehouse / "out.csv").exists()
    ok = CliRunner().invoke(
        app, ["query", "select count(*) as n from articles", "-w", str(warehouse), "-f", "csv"]
    )
    assert ok.stdout == "n\n2\n"  # the views still work, inside the warehouse


def test_run_on_missing_source_exits_2_before_starting_prefect(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nowhere"), "-w", str(tmp_path / "wh")])
    assert result.exit_code == 2
    assert "no such file, directory or matching glob" in result.stderr


def test_run_with_a_malformed_field_exits_2_before_starting_prefect(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "seeds", "-w", str(tmp_path / "wh"), "--field", "bdy=text"])
    assert result.exit_code == 2
    assert "--field 'bdy=text': expected FIELD=KEY with FIELD one of body, title" in result.stderr
    assert not (tmp_path / "wh").exists()


def test_run_help_names_every_source_format() -> None:
    from tasks.sources import READERS

    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0 and all(suffix in result.stdout for suffix in READERS)
    assert "--field" in result.stdout


_EXECUTIONS_OF_THE_FLOW_MODULE = """
import runpy, sys
ran = []
sys.addaudithook(lambda event, args: event == "exec" and ran.append(getattr(args[0], "co_filename", "")))
sys.argv = ["flows.etl", "/nonexistent/source"]  # imports the flow, then exits 2: no such source
try:
    runpy.run_module("flows.etl", run_name="__main__", alter_sys=True)  # what `python -m` does
except SystemExit:
    pass
print(sum(f.endswith(("flows/etl.py", "flows/etl/__init__.py")) for f in ran))
"""


def test_python_m_flows_etl_runs_the_flow_module_once() -> None:
    """`python -m flows.etl` once ran the flow module as __main__ and imported it again as flows.etl."""
    command = [sys.executable, "-c", _EXECUTIONS_OF_THE_FLOW_MODULE]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "no such file, directory or matching glob" in done.stderr
    assert done.stdout.strip().splitlines()[-1] == "1"


@pytest.mark.parametrize("command", [[NEWSETL, "run"], [sys.executable, "-m", "flows.etl"]])
def test_console_script_runs_seeds_and_queries_them(
    prefect_api: str, tmp_path: Path, command: list[str]
) -> None:
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "COLUMNS": "200"}
    wh = str(tmp_path / "wh")
    run = _run_command([*command, "seeds", "--warehouse", wh], env)
    assert run.returncode == 0, run.stderr
    for label, value in (("files seen", "2"), ("articles written", "2"), ("quarantined", "0")):
        lines = run.stdout.splitlines()
        assert any(label in line and line.rstrip(" │").endswith(value) for line in lines), run.stdout
    sql = "select title, published_at from articles order by title"
    query = _run_command([NEWSETL, "query", sql, "--warehouse", wh, "-f", "csv"], env)
    assert query.returncode == 0, query.stderr
    rows = list(csv.reader(query.stdout.splitlines()))
    assert rows == [
        ["title", "published_at"],
        [SEED_TITLES[0], "2015-11-17 10:37:00+00:00"],
        [SEED_TITLES[1], ""],
    ]


def _run_command(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_run_without_an_api_records_its_flow_run_in_a_temporary_server(tmp_path: Path) -> None:
    """No API configured: `newsetl run` starts Prefect's temporary server itself, at once, records the
    flow run and its task runs in PREFECT_HOME's database, and leaves no server behind."""
    import sqlite3

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "COLUMNS": "200"}
    command = [sys.executable, "-m", "flows", "run", "seeds", "--warehouse", str(tmp_path / "wh")]
    run = _run_command(command, env)
    assert run.returncode == 0, run.stderr[-3000:]
    url = run.stderr.split("starting a temporary Prefect server on ", 1)[1].split()[0]
    with sqlite3.connect(tmp_path / "prefect-home" / "prefect.db") as db:
        assert db.execute("select name, state_type from flow_run").fetchall()[0][1] == "COMPLETED"
        assert db.execute("select count(*) from task_run where state_type = 'COMPLETED'").fetchone()[0] > 5
    with pytest.raises(OSError):  # stopped with the run
        urllib.request.urlopen(f"{url}/health", timeout=5)
