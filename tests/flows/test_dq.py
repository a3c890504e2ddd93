"""Data quality in the flow: GX validation per batch, quarantine, dq_results, Data Docs, artifacts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from html import unescape
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from flows import cli
from flows.artifacts import DATA_DOCS_KEY, RUN_SUMMARY_KEY, dq_markdown
from flows.cli import app, summary_table
from flows.etl import etl
from tasks import parse
from tasks.quality import suites
from tasks.quality.validate import CriticalExpectationError
from tasks.reports.findings import finding_lines
from tasks.warehouse import commit, views
from tests.conftest import SEEDS
from tests.tasks.quality.test_coverage import dateless_pages
from tests.tasks.quality.test_drift import normal_history

STUB = "A story with a stub\n\nTwo words.\n"
NO_BODY = "A headline over nothing\n\n* * *\n"  # parses, but not one word of body: unusable
SHOUTING = "SOCCER - ENGLISH FIRST DIVISION RESULTS\n\nLONDON 1996-08-24\n\nResults of matches on Saturday.\n"
FUTURE = (
    "A story from the future\n\nBy Jane Doe - 17 Nov 2099 10:37\n\n"
    + "The minister said on Tuesday that the talks would continue, officials in Paris added. " * 3
)
PUBLISHED_AT = "expect_column_values_to_be_between(published_at)"
ALL_CAPS = "expect_column_values_to_not_match_regex(title)"
SHORT_TONE = "tone.expect_column_values_to_be_between(word_count)"  # under 20 words, a tone is unreliable

pytestmark = pytest.mark.e2e


def _expectation_count(*tables: str) -> int:
    loaded = suites.load_suites()
    return sum(len(loaded[t]["expectations"]) for t in tables)


def test_warnings_keep_articles_flagged_and_unusable_rows_are_quarantined(
    prefect_api: str, tmp_path: Path
) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SEEDS, source)
    for name, text in (("stub", STUB), ("future", FUTURE), ("shouting", SHOUTING), ("nobody", NO_BODY)):
        (source / f"{name}.txt").write_text(text)
    summary = etl(source=str(source), warehouse=str(warehouse))
    assert (summary.files_seen, summary.articles_written, summary.quarantined) == (6, 5, 1)
    assert summary.accounted
    assert summary.quarantine_reasons == {"validate:expect_column_values_to_match_regex(body)": 1}
    con = views.connect(warehouse)
    uri, payload = con.execute("select source_uri, payload from quarantine").fetchone()
    assert Path(uri).name == "nobody.txt" and json.loads(payload)["body"] == "* * *"
    flags = dict(
        con.execute("select regexp_extract(source_uri, '[^/]+$'), dq_flags from articles").fetchall()
    )
    assert {name: flags[name] for name in ("stub.txt", "future.txt", "shouting.txt")} == {
        "stub.txt": [SHORT_TONE],  # a stub is real news too: kept, its tone flagged as unreliable
        "future.txt": [PUBLISHED_AT],
        "shouting.txt": [ALL_CAPS, SHORT_TONE],
    }
    assert sum(len(f) for f in flags.values()) == 4  # the seeds carry no flag
    severities = dict(
        con.execute("select expectation || '(' || column_name || ')', severity from dq_results").fetchall()
    )
    assert severities[PUBLISHED_AT] == "warning" and severities[ALL_CAPS] == "warning"
    assert severities["expect_column_values_to_match_regex(body)"] == "quarantine"
    gx_checks = con.execute("select count(*) from dq_results where expectation like 'expect_%'").fetchone()
    assert gx_checks == (_expectation_count(*suites.load_suites()),)  # the seeds fill every enrichment table
    assert summary.dq["articles"].rows_quarantined == 1
    measures = con.execute("select count(distinct measure), count_if(source = '') from dq_metrics").fetchone()
    assert measures[0] == 6 + 1  # the six coverage measures and pass_rate (one per suite)
    _assert_artifacts(prefect_api, summary.run_id)
    index = Path(summary.data_docs)
    assert index == (warehouse / "_reports" / "data_docs" / "index.html") and index.is_file()


def _assert_artifacts(api: str, run_id: str) -> None:
    body = {
        "artifacts": {"key": {"any_": [RUN_SUMMARY_KEY, DATA_DOCS_KEY]}},
        "limit": 50,
        "sort": "CREATED_DESC",
    }
    response = httpx.post(f"{api}/artifacts/filter", json=body, timeout=30)
    response.raise_for_status()
    ours = {a["key"]: a for a in response.json() if run_id in (a["description"] or "") + str(a["data"])}
    assert set(ours) == {RUN_SUMMARY_KEY, DATA_DOCS_KEY}
    table = ours[RUN_SUMMARY_KEY]["data"]
    rows = json.loads(table) if isinstance(table, str) else table
    assert {r["suite"] for r in rows} == set(suites.load_suites())
    assert "index.html" in ours[DATA_DOCS_KEY]["data"]


def test_a_critical_failure_fails_the_run_and_commits_nothing(
    prefect_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_parse_batch = parse.parse_batch

    def parse_with_a_repeated_doc_id(documents):
        articles, rejected = real_parse_batch(documents)
        return [*articles, replace(articles[0], title="The same doc_id again")], rejected

    monkeypatch.setattr(parse, "parse_batch", parse_with_a_repeated_doc_id)
    warehouse = tmp_path / "wh"
    with pytest.raises(CriticalExpectationError, match=r"expect_column_values_to_be_unique\(doc_id\)"):
        etl(source=str(SEEDS), warehouse=str(warehouse))
    tables = {p.relative_to(warehouse).parts[0] for p in warehouse.rglob("*.parquet")}
    assert tables == {"runs"}  # nothing of the batch in any table; only the run's own log row
    status, error = views.connect(warehouse).execute("select status, error from runs").fetchone()
    assert status == "failed" and "expect_column_values_to_be_unique(doc_id)" in error
    assert not (warehouse / commit.STAGING).exists() or not any((warehouse / commit.STAGING).iterdir())
    index = warehouse / "_reports" / "data_docs" / "index.html"
    assert index.is_file() and "Failed" in index.read_text(encoding="utf-8")


def test_data_docs_render_in_a_real_browser(prefect_api: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "chromium not installed: `make test` installs it (apt-get install chromium)"
    warehouse = tmp_path / "wh"
    summary = etl(source=str(SEEDS), warehouse=str(warehouse))
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            Path(summary.data_docs).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    cells = [unescape(c).strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", dom)]
    for suite in suites.load_suites():
        assert suite in cells, f"suite {suite} not rendered in the Data Docs index"
    assert summary.run_id in cells  # the validation results table is rendered too


def test_a_run_that_drops_dates_after_twenty_normal_ones_warns_of_coverage_and_drift(
    prefect_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real pages whose dates the parser missed, into a warehouse whose last 20 runs found dates on ~90 %
    of articles (their dq_metrics written directly, not by 20 flow runs)."""
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    source.mkdir()
    for page in dateless_pages(6):
        shutil.copy(page, source / page.name)
    normal_history(warehouse)
    summary = etl(source=str(source), warehouse=str(warehouse))
    assert summary.articles_written == 6
    batch = f"{summary.run_id}-00000"
    lines = finding_lines(summary.findings)
    at = lines.index(
        f"coverage: articles.published_at_share 0.00, below its minimum 0.5, on 1 batch(es) {batch}"
    )
    assert lines[at + 1].startswith(f"  {source}: 0.00, e.g. ")  # the source folder, with an example
    drifts = [line for line in lines if line.startswith("drift:")]
    assert f"drift: articles.published_at_share on batch {batch}: 0 vs median 0.895" in "\n".join(drifts)
    # (whether the articles suite's pass rate drifts too depends on how many other article rules these
    # pages fail, that is on the parser: tests/tasks/quality/test_drift.py covers pass-rate drift)
    con = views.connect(warehouse)
    drifted = con.execute(
        "select table_name, measure, value, detail from dq_metrics where is_drift and run_id = ?",
        [summary.run_id],
    ).fetchall()
    assert ("articles", "published_at_share", 0.0) in [(t, m, v) for t, m, v, _ in drifted]
    assert con.execute(
        "select severity, success from dq_results"
        " where expectation = 'drift' and column_name = 'published_at_share' and run_id = ?",
        [summary.run_id],
    ).fetchall() == [("warning", False)]
    assert "drift: articles.published_at_share" in dq_markdown(summary)
    rendered = _text(summary_table(summary))
    assert "DQ summary" in rendered and "published_at_share" in rendered
    # the CLI wraps its output at a fixed width when not on a terminal: wide enough here that a long
    # temporary path (TMPDIR) is not wrapped into two lines
    monkeypatch.setattr(cli.out, "width", 1000)
    report = CliRunner().invoke(app, ["report", "-w", str(warehouse), "--runs", "1"])
    assert report.exit_code == 0, report.output
    tail = report.stdout[report.stdout.index("DQ summary, last 1 run(s):") :].splitlines()
    assert tail[-1].startswith("DQ dashboard: ")  # the report ends with the dashboard's path
    assert [line.strip() for line in tail[1:-1]] == [line.strip() for line in lines]
    assert f"{source}: 0.00, e.g. " in report.stdout  # the source folder the pages came from


def _text(renderable: object) -> str:
    from rich.console import Console

    console = Console(width=400, record=True)
    console.print(renderable)
    return console.export_text()
