"""`--warehouse s3://bucket/prefix`: the whole flow against an S3-compatible server (moto, 127.0.0.1)."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import pytest

from tasks.warehouse import commit, views
from tasks.warehouse.schemas import TABLES
from tasks.warehouse.store import open_store
from tests.conftest import SEEDS
from tests.flows.test_cli import NEWSETL, SEED_TITLES, _run_command

pytestmark = pytest.mark.e2e
RUN_SPECIFIC = ("run_id", "ingested_at", "run_date", "ingest_date")
DATA_TABLES = [t for t in TABLES if t not in ("runs", "dq_results", "dq_metrics")]  # these log every run


def _contents(warehouse: str) -> dict[str, list[tuple]]:
    """Every data table's rows without run ids and timestamps: what two runs on one input share."""
    con = views.connect(warehouse)
    contents = {}
    for name in DATA_TABLES:
        cols = [
            c
            for c in TABLES[name].columns
            if c not in ("run_id", "ingested_at", "run_date", "ingest_date", "read_at")
        ]
        contents[name] = con.execute(f"select {', '.join(cols)} from {name} order by all").fetchall()
    return contents


def test_an_object_store_warehouse_holds_what_a_local_one_does(
    prefect_api: str, s3_warehouse: str, tmp_path: Path
) -> None:
    from flows.etl import etl

    local = etl(source=str(SEEDS), warehouse=str(tmp_path / "local"))
    remote = etl(source=str(SEEDS), warehouse=s3_warehouse)
    assert (remote.files_seen, remote.articles_written, remote.quarantined) == (2, 2, 0)
    expected = _contents(str(tmp_path / "local"))
    assert _contents(s3_warehouse) == expected and expected["entities"] and expected["quotes"]
    assert remote.data_docs == f"{s3_warehouse}/_reports/data_docs/index.html" != local.data_docs
    assert remote.dashboard == f"{s3_warehouse}/_reports/dq/index.html" != local.dashboard
    store = open_store(s3_warehouse)
    assert store.is_file("_reports/data_docs/index.html") and store.files(commit.STAGING) == []
    assert not store.exists("_lock")  # the lease is released at the end of the run

    before = {t: store.files(t) for t in DATA_TABLES}
    again = etl(source=str(SEEDS), warehouse=s3_warehouse)
    assert (again.files_seen, again.skipped, again.articles_written) == (2, 2, 0)
    assert {t: store.files(t) for t in DATA_TABLES} == before  # idempotent: nothing written

    rebuilt = etl(source=str(SEEDS), warehouse=s3_warehouse, rebuild=True)
    assert rebuilt.articles_written == 2
    assert _contents(s3_warehouse) == expected  # the rebuild swapped in the same rows
    runs = views.connect(s3_warehouse).execute("select status from runs").fetchall()
    assert runs == [("completed",)] * 3


def test_the_cli_runs_queries_and_reports_an_object_store_warehouse(
    prefect_api: str, s3_warehouse: str
) -> None:
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "COLUMNS": "200"}
    run = _run_command([sys.executable, "-m", "flows.etl", "seeds", "--warehouse", s3_warehouse], env)
    assert run.returncode == 0, run.stderr
    sql = "select title from articles order by title"
    query = _run_command([NEWSETL, "query", sql, "--warehouse", s3_warehouse, "-f", "csv"], env)
    assert query.returncode == 0, query.stderr
    assert list(csv.reader(query.stdout.splitlines())) == [["title"], *([t] for t in SEED_TITLES)]
    refused = _run_command(
        [NEWSETL, "query", "select * from read_csv('/etc/passwd')", "-w", s3_warehouse], env
    )
    assert refused.returncode == 1 and "passwd" not in refused.stdout
    report = _run_command([NEWSETL, "report", "--warehouse", s3_warehouse], env)
    assert report.returncode == 0, report.stderr
    assert f"Data Docs: {s3_warehouse}/_reports/data_docs/index.html" in report.stdout
    assert f"DQ dashboard: {s3_warehouse}/_reports/dq/index.html" in report.stdout


def test_sources_in_an_object_store_are_listed_and_read_like_local_ones(
    prefect_api: str, s3_warehouse: str, moto_server: tuple[str, Path], tmp_path: Path
) -> None:
    import boto3

    from flows.etl import etl
    from tasks import sources
    from tests.tasks.sources.builders import warc_bytes

    bucket = s3_warehouse.removeprefix("s3://").split("/")[0]
    lines = "".join(
        json.dumps(
            {"title": path.read_text().partition("\n")[0], "text": path.read_text().partition("\n")[2]}
        )
        + "\n"
        for path in sorted(SEEDS.glob("*.txt"))
    )
    page = b"<html><body><p>" + b"Words of a page. " * 30 + b"</p></body></html>"
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key="in/feed.jsonl", Body=lines.encode())
    s3.put_object(
        Bucket=bucket, Key="in/crawl/pages.warc.gz", Body=warc_bytes([("https://example.org/p", page)])
    )
    s3.put_object(Bucket=bucket, Key="in/readme.md", Body=b"not a source")
    prefix = f"s3://{bucket}/in"
    assert sources.list_sources(prefix) == [f"{prefix}/crawl/pages.warc.gz", f"{prefix}/feed.jsonl"]
    assert sources.list_sources(f"{prefix}/*.jsonl") == [f"{prefix}/feed.jsonl"]
    assert sources.list_sources(f"{prefix}/readme.md") == [f"{prefix}/readme.md"]  # named: read as text
    with pytest.raises(sources.SourceError):
        sources.list_sources(f"s3://{bucket}/nothing-here")

    summary = etl(source=prefix, warehouse=s3_warehouse)
    assert (summary.files_seen, summary.records_seen, summary.records_ignored) == (2, 6, 3)
    assert summary.accounted and summary.articles_written >= 2
    uris = views.connect(s3_warehouse).execute("select source_uri, locator from raw_documents order by all")
    assert uris.fetchall()[-2:] == [(f"{prefix}/feed.jsonl", "line:1"), (f"{prefix}/feed.jsonl", "line:2")]
    ledger = views.connect(s3_warehouse).execute("select source_uri, etag, records from source_files")
    etags = {uri: (etag, records) for uri, etag, records in ledger.fetchall()}
    assert etags[f"{prefix}/feed.jsonl"] == (s3.head_object(Bucket=bucket, Key="in/feed.jsonl")["ETag"], 2)

    warc = s3.get_object(Bucket=bucket, Key="in/crawl/pages.warc.gz")["Body"].read()
    s3.put_object(Bucket=bucket, Key="in/crawl/pages.warc.gz", Body=warc)  # same bytes: same ETag
    log, logged = moto_server[1], moto_server[1].stat().st_size
    again = etl(source=prefix, warehouse=s3_warehouse)
    assert (again.skipped, again.articles_written, again.quarantined) == (3, 0, 0)
    assert again.files_unread == 2 and again.records_ignored == 3  # counted as the ledger says
    with log.open() as requests:
        requests.seek(logged)
        read = [
            line for line in requests if f"/{bucket}/in/" in line and ('"GET ' in line or '"HEAD ' in line)
        ]
    assert read == []  # listed, never opened
