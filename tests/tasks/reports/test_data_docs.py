from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.ingest import ingest_record
from tasks.parse.text import parse_article
from tasks.quality import suites
from tasks.quality.validate import Validator, validate_batch
from tasks.records import RunContext, SourceRecord
from tasks.reports import data_docs
from tasks.warehouse import rows
from tests.conftest import SEED_000


@pytest.fixture(scope="module")
def results() -> dict:
    """One real batch's GX results for the seeds."""
    doc = ingest_record(SourceRecord(SEED_000.as_uri(), SEED_000.read_bytes()))
    article = parse_article(doc.raw_text, doc_id=doc.doc_id, source_uri=doc.source_uri)
    run = RunContext.new()
    tables = rows.batch_tables(run, [doc], [article], [])
    return validate_batch(Validator(suites.load_suites()), tables, run, "b").results


def _save_runs(warehouse: Path, results: dict, count: int) -> list[str]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    run_ids = []
    for n in range(count):
        run = RunContext.new(start + timedelta(minutes=n))
        data_docs.save_results(warehouse, run.run_id, run.started_at, f"{run.run_id}-00000", results)
        run_ids.append(run.run_id)
    return run_ids


def test_data_docs_index_names_every_suite_and_the_latest_run(tmp_path: Path, results: dict) -> None:
    run_ids = _save_runs(tmp_path, results, 2)
    index = Path(data_docs.build_data_docs(tmp_path, suites.load_suites()))
    assert index == Path(data_docs.data_docs_index(tmp_path)) and index.is_file()
    html = index.read_text(encoding="utf-8")
    for suite in suites.load_suites():
        assert (index.parent / "expectations" / f"{suite}.html").is_file()
        assert f"'expectation_suite_name': '{suite}'" in html
    assert run_ids[-1] in html
    assert "https://code.jquery.com" not in html and "static/vendor/jquery-3.7.1.min.js" in html
    assert (index.parent / "static" / "vendor" / "jquery-3.7.1.min.js").is_file()
    for page in index.parent.rglob("*.html"):  # the GX logo: the copy in the site, not GX's web bucket
        text = page.read_text(encoding="utf-8")
        assert "great-expectations-web-assets" not in text, page
        logos = re.findall(r'src="([^"]*logo-long\.png)"', text)
        assert logos and all((page.parent / logo).resolve().is_file() for logo in logos), page


def test_history_is_bounded_in_runs_kept_and_results_rendered(tmp_path: Path, results: dict) -> None:
    run_ids = _save_runs(tmp_path, results, 14)
    data_docs.build_data_docs(tmp_path, suites.load_suites(), keep_runs=10, max_results=6)
    kept = sorted(p.name for p in (tmp_path / "_reports" / "validations").iterdir())
    assert kept == run_ids[-10:]
    pages = list((tmp_path / "_reports" / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 6  # the newest results only: 3 runs x (raw_documents, articles)
    assert all(any(r in str(p) for r in run_ids[-3:]) for p in pages)


def test_rebuilding_replaces_the_site(tmp_path: Path, results: dict) -> None:
    _save_runs(tmp_path, results, 1)
    data_docs.build_data_docs(tmp_path, suites.load_suites())
    stale = tmp_path / "_reports" / "data_docs" / "stale.html"
    stale.write_text("old")
    data_docs.build_data_docs(tmp_path, suites.load_suites())
    assert not stale.exists()
    assert sorted(p.name for p in (tmp_path / "_reports").iterdir()) == ["data_docs", "validations"]


def test_a_relative_warehouse_path_works(
    tmp_path: Path, results: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `make run` passes --warehouse warehouse
    _save_runs(Path("warehouse"), results, 1)
    index = data_docs.build_data_docs("warehouse", suites.load_suites())
    assert index == str(tmp_path / "warehouse" / "_reports" / "data_docs" / "index.html")
    assert Path(index).is_file()


def test_data_docs_current_until_a_newer_result_or_suite(tmp_path: Path) -> None:
    import os

    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "articles.json").write_text("{}")
    assert not data_docs.data_docs_current(tmp_path, suites)  # never built
    result = tmp_path / data_docs.REPORTS / data_docs.VALIDATIONS / "run1" / "b.articles.json"
    result.parent.mkdir(parents=True)
    result.write_text("{}")
    index = Path(data_docs.data_docs_index(tmp_path))
    index.parent.mkdir(parents=True)
    index.write_text("<html/>")
    os.utime(result, (1_000, 1_000))
    os.utime(suites / "articles.json", (1_000, 1_000))
    os.utime(index, (2_000, 2_000))
    assert data_docs.data_docs_current(tmp_path, suites)  # a no-op re-run keeps the site
    os.utime(result, (3_000, 3_000))
    assert not data_docs.data_docs_current(tmp_path, suites)  # a run saved new results
    os.utime(result, (1_000, 1_000))
    os.utime(suites / "articles.json", (3_000, 3_000))
    assert not data_docs.data_docs_current(tmp_path, suites)  # a suite changed
