"""Scale-out: threads, processes (spawned, or forked by the CLI's fork server) and a Dask cluster give
exactly the same warehouse."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.etl import etl
from tasks.warehouse import views
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

CONTENT = {
    "raw_documents": "select doc_id, source_uri from raw_documents",
    "articles": "select doc_id, title, word_count from articles",
    "quarantine": "select source_uri, doc_id, stage, reason_code, detail from quarantine",
    "dq_results": "select table_name, expectation, column_name, success, unexpected_count from dq_results",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, bbc: Path) -> Path:
    """240 BBC files in 5 batches of 50, with byte-identical copies in later batches than their first."""
    source = tmp_path_factory.mktemp("corpus")
    for path in sorted(bbc.glob("business/*.txt"))[:230]:
        shutil.copy(path, source / f"a-{path.name}")
    for path in sorted(bbc.glob("business/*.txt"))[:10]:
        shutil.copy(path, source / f"z-copy-{path.name}")  # sorted last: the fifth batch
    return source


def _warehouse_content(warehouse: Path) -> dict[str, list[tuple]]:
    con = views.connect(warehouse)
    return {table: sorted(con.execute(sql).fetchall(), key=str) for table, sql in CONTENT.items()}


def test_processes_and_dask_match_threads(
    prefect_api: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    monkeypatch.setenv("PREFECT_API_URL", prefect_api)  # the Dask workers report to the same API
    baseline = etl(source=str(corpus), warehouse=str(tmp_path / "threads"), batch_size=50, runner="threads")
    assert (
        baseline.quarantine_reasons["ingest:duplicate_content"] >= 10 and baseline.batches == 6
    )  # 4 x 50, the last 40 in 2
    expected = _warehouse_content(tmp_path / "threads")
    processes = etl(
        source=str(corpus), warehouse=str(tmp_path / "processes"), batch_size=50, runner="processes"
    )
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = etl(
            source=str(corpus),
            warehouse=str(tmp_path / "dask"),
            batch_size=50,
            runner="dask",
            dask_address=cluster.scheduler_address,
        )
    command = [sys.executable, "-m", "flows.etl", str(corpus), "--warehouse", str(tmp_path / "forked")]
    command += ["--batch-size", "50", "--runner", "processes"]  # the CLI: workers forked (flows.workers)
    forked = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)  # its API: ours
    assert forked.returncode == 0, forked.stderr[-3000:]
    assert "warming the worker processes failed" not in forked.stderr
    assert _warehouse_content(tmp_path / "forked") == expected
    for name, summary in (("processes", processes), ("dask", dask)):
        counts = (summary.files_seen, summary.articles_written, summary.quarantined, summary.skipped)
        assert counts == (
            baseline.files_seen,
            baseline.articles_written,
            baseline.quarantined,
            baseline.skipped,
        )
        assert summary.quarantine_reasons == baseline.quarantine_reasons
        assert _warehouse_content(tmp_path / name) == expected, name
