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

from flows.artifacts import DATA_DOCS_KEY, RUN_SUMMARY_KEY
from flows.etl import etl
from tasks import parse
from tasks.quality import suites
from tasks.quality.validate import CriticalExpectationError
from tasks.warehouse import commit, views
from tests.conftest import SEEDS

STUB = "A story with a stub\n\nTwo words.\n"
FUTURE = (
    "A story from the future\n\nBy Jane Doe - 17 Nov 2099 10:37\n\n"
    + "The minister said on Tuesday that the talks would continue, officials in Paris added. " * 3
)


def _expectation_count(*tables: str) -> int:
    loaded = suites.load_suites()
    return sum(len(loaded[t]["expectations"]) for t in tables)


def test_failing_rows_are_quarantined_while_the_seeds_load(prefect_api: str, tmp_path: Path) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SEEDS, source)
    (source / "stub.txt").write_text(STUB)
    (source / "future.txt").write_text(FUTURE)
    summary = etl(source=str(source), warehouse=str(warehouse))
    assert (summary.files_seen, summary.articles_written, summary.quarantined) == (4, 2, 2)
    assert summary.accounted
    assert summary.quarantine_reasons == {
        "validate:expect_column_values_to_be_between(published_at)": 1,
        "validate:expect_column_values_to_be_between(word_count)": 1,
    }
    con = views.connect(warehouse)
    rows = con.execute(
        "select source_uri, reason_code, payload from quarantine where stage = 'validate' order by source_uri"
    ).fetchall()
    assert [(Path(u).name, r) for u, r, _ in rows] == [
        ("future.txt", "expect_column_values_to_be_between(published_at)"),
        ("stub.txt", "expect_column_values_to_be_between(word_count)"),
    ]
    assert json.loads(rows[1][2])["body"] == "Two words."
    assert con.execute("select count(*) from articles").fetchone() == (2,)
    assert con.execute("select count(*) from raw_documents").fetchone() == (4,)  # the bytes are kept
    dq = con.execute("select count(*), count_if(not success) from dq_results").fetchone()
    assert dq == (_expectation_count(*suites.load_suites()), 2)  # the seeds fill every enrichment table
    assert summary.dq["articles"].passed == summary.dq["articles"].evaluated - 2
    assert summary.dq["articles"].rows_quarantined == 2
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


@pytest.mark.e2e
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
