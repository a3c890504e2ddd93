"""Operations: the runs log with Prefect's flow_run_id, and one run at a time per warehouse."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.etl import etl
from tasks.rebuild import REBUILT
from tasks.warehouse import commit, lock, views
from tests.conftest import ROOT, SEEDS, SmallDisk
from tests.flows.accounts import assert_each_record_once, assert_no_partial_batch, consistent_counts

pytestmark = pytest.mark.e2e


def test_each_run_is_logged_with_its_prefect_flow_run(prefect_api: str, tmp_path: Path) -> None:
    summary = etl(source=str(SEEDS), warehouse=str(tmp_path))
    again = etl(source=str(SEEDS), warehouse=str(tmp_path))
    rows = (
        views.connect(tmp_path)
        .execute(
            "select run_id, flow_run_id, status, error, files_seen, articles_written, skipped,"
            " seconds_parse, seconds_total, finished_at >= started_at from runs order by started_at"
        )
        .fetchall()
    )
    assert [r[0] for r in rows] == [summary.run_id, again.run_id]
    first = rows[0]
    assert first[2:7] == ("completed", None, 2, 2, 0) and rows[1][4:7] == (2, 0, 2)
    assert first[7] > 0 and first[8] == summary.seconds and first[9]
    flow_run = httpx.get(f"{prefect_api}/flow_runs/{first[1]}", timeout=30).json()
    assert flow_run["id"] == first[1] and flow_run["parameters"]["warehouse"] == str(tmp_path)


def test_a_run_waits_for_the_lock_then_fails_clearly(prefect_api: str, tmp_path: Path) -> None:
    refused = pytest.raises(lock.WarehouseLocked, match=r"locked by another newsetl run \(run test-holder")
    with lock.warehouse_lock(tmp_path, 1, holder="run test-holder, pid 1"), refused:
        etl(source=str(SEEDS), warehouse=str(tmp_path), lock_timeout=1)
    assert not list(tmp_path.rglob("*.parquet"))  # the refused run wrote nothing
    assert etl(source=str(SEEDS), warehouse=str(tmp_path)).articles_written == 2  # lock released


@pytest.mark.parametrize(("backend", "files"), [("local", 300), ("s3", 40)])
def test_two_runs_started_at_once_do_not_corrupt_the_warehouse(
    prefect_api: str, tmp_path: Path, bbc: Path, request: pytest.FixtureRequest, backend: str, files: int
) -> None:
    """Local: the second run waits on the flock; S3: on the lease object (conditional PUTs)."""
    source = tmp_path / "in"
    source.mkdir()
    for path in sorted(bbc.glob("business/*.txt"))[:files]:
        (source / path.name).write_bytes(path.read_bytes())
    warehouse = str(tmp_path / "wh") if backend == "local" else request.getfixturevalue("s3_warehouse")
    env = {**os.environ, "PREFECT_API_URL": prefect_api}  # after s3_warehouse: with its AWS variables
    command = [sys.executable, "-m", "flows.etl", str(source), "--warehouse", warehouse]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=600)[0].decode() for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    con = views.connect(warehouse)
    counts = con.execute(
        "select articles_written + quarantined, skipped from runs order by finished_at"
    ).fetchall()
    assert counts == [(files, 0), (0, files)]  # the second waited, then found everything done
    for table in ("raw_documents", "articles"):
        total, distinct = con.execute(f"select count(*), count(distinct doc_id) from {table}").fetchone()
        assert total == distinct > 0, table
    assert_each_record_once(warehouse, [p.as_uri() for p in source.iterdir()])  # across both runs


def test_a_full_disk_fails_clearly_and_the_next_run_completes(
    prefect_api: str, tmp_path: Path, bbc: Path, small_disk: SmallDisk
) -> None:
    """The warehouse on a tmpfs that fills up in the middle of a run, then is given room again."""
    source, warehouse = tmp_path / "in", small_disk.path / "wh"
    source.mkdir()
    for path in sorted(bbc.glob("tech/*.txt"))[:30]:  # ten batches of ~200 KB each on the disk: 1 MiB
        shutil.copy(path, source)  # holds four or five
    command = [sys.executable, "-m", "flows.etl", str(source), "--warehouse", str(warehouse)]
    command += ["--batch-size", "3", "--runner", "threads"]
    env = {**os.environ, "PREFECT_API_URL": prefect_api}

    def run() -> subprocess.CompletedProcess[str]:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        return subprocess.CompletedProcess(done.args, done.returncode, done.stdout + done.stderr)

    full = run()
    assert full.returncode == 1 and "Traceback" not in full.stdout, full.stdout
    said = [line for line in full.stdout.splitlines() if line.startswith("newsetl run failed")]
    assert said and re.search(rf"disk full \(ENOSPC: .*\) writing {re.escape(str(warehouse))}/", said[0])
    committed = consistent_counts(warehouse)["articles"]
    assert 0 < committed < 30, "the disk was full before or after the run"
    assert_no_partial_batch(warehouse)
    query = ["query", "select count(*) as n from articles", "-w", str(warehouse), "-f", "csv"]
    assert CliRunner().invoke(app, query).stdout == f"n\n{committed}\n"  # newsetl query reads it, full
    small_disk.resize(64 << 20)
    again = run()
    assert again.returncode == 0, again.stdout[-4000:]
    assert_each_record_once(warehouse, [p.as_uri() for p in source.iterdir()])


def test_a_failing_commit_is_retried_and_pure_stages_are_not(
    prefect_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.etl

    real_apply, calls = commit._apply, []

    def flaky_apply(store, staging):
        calls.append(staging)
        if len(calls) == 1:
            raise OSError("simulated: network filesystem went away")
        return real_apply(store, staging)

    monkeypatch.setattr(commit, "_apply", flaky_apply)
    summary = etl(source=str(SEEDS), warehouse=str(tmp_path))
    assert summary.articles_written == 2 and calls[0] == calls[1]  # the same batch, committed on retry
    assert flows.etl.commit_batch.retries == 2 and flows.etl.commit_batch.timeout_seconds
    assert flows.etl.process_batch.retry_condition_fn is flows.etl._transient  # batches: I/O errors only


def _ner_cache_runs(warehouse: Path, table: str = "ner_cache") -> list[str]:
    """The run that ran the NER model on each text of ner_cache (a reused text keeps its run), or that
    computed each article's row of extract_cache."""
    rows = views.connect(warehouse).execute(f"select run_id from {table} order by all").fetchall()
    return [r[0] for r in rows]


def test_rebuild_recomputes_from_raw_documents_without_reading_sources(
    prefect_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from tasks import parse

    source, warehouse, clean = tmp_path / "in", tmp_path / "wh", tmp_path / "clean"
    shutil.copytree(SEEDS, source)
    (source / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (source / "stub.txt").write_text("A headline\n\n* * *\n")  # no body: quarantined at validate
    body = "The minister said on Tuesday that the talks would continue, officials in Paris added. " * 4
    windows = ("\u201cSmart\u201d quotes in a headline\n\n" + body).encode("cp1252")  # replayed from bytes
    (source / "cp1252.txt").write_bytes(windows)
    etl(source=str(source), warehouse=str(clean))
    real_parse_batch = parse.parse_batch

    def older_parser(documents):
        articles, rejected = real_parse_batch(documents)
        return [replace(a, title=a.title.upper() + " | Site Name") for a in articles], rejected

    monkeypatch.setattr(parse, "parse_batch", older_parser)
    etl(source=str(source), warehouse=str(warehouse))
    monkeypatch.undo()
    shutil.rmtree(source)  # a rebuild never reads sources
    summary = etl(source=str(source), warehouse=str(warehouse), rebuild=True)
    assert (summary.files_seen, summary.articles_written, summary.quarantined) == (4, 3, 1)

    def content(root: Path) -> dict[str, list]:
        con = views.connect(root)
        return {
            "articles": con.execute("select doc_id, title, body from articles order by 1").fetchall(),
            "entities": con.execute(
                "select doc_id, canonical, start_char from entities order by all"
            ).fetchall(),
            "quotes": con.execute("select doc_id, speaker, start_char from quotes order by all").fetchall(),
            "quarantine": con.execute(
                "select doc_id, stage, reason_code from quarantine order by all"
            ).fetchall(),
            "raw": con.execute("select doc_id, raw_text from raw_documents order by 1").fetchall(),
        }

    assert content(warehouse) == content(clean)  # as if the improved code had run from the start
    assert _ner_cache_runs(warehouse) == [summary.run_id] * 3  # every title changed: the model read all
    assert _ner_cache_runs(warehouse, "extract_cache") == [summary.run_id] * 3  # and the rules ran on all
    kept = views.connect(warehouse).execute(
        "select raw_bytes, encoding, media_type from raw_documents where source_uri like '%cp1252.txt'"
    )
    assert kept.fetchone() == (windows, "cp1252", "text/plain")  # the original bytes, not re-encoded text
    assert (warehouse / "articles").is_symlink()  # swapped in whole, with one rename
    again = etl(source=str(warehouse), warehouse=str(warehouse), rebuild=True)
    assert again.articles_written == 3 and content(warehouse) == content(clean)
    assert _ner_cache_runs(warehouse) == [summary.run_id] * 3  # nothing changed: the model read nothing
    assert _ner_cache_runs(warehouse, "extract_cache") == [summary.run_id] * 3  # nor did the rules
    assert len(list((warehouse / commit.VERSIONS).iterdir())) == len(REBUILT)  # old versions removed
