"""End-to-end runs of the `etl` flow through a real (temporary) Prefect API server."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks import sources
from tasks.quality import suites
from tasks.warehouse import views
from tests.conftest import BBC_GLOB, SEED_000, SEED_001, SEEDS

pytestmark = pytest.mark.e2e


def _snapshot(root: Path) -> dict[str, str]:
    """Every data file's hash; each run adds its `runs` row, takes the lock and rebuilds the DQ reports."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in ("_reports", "_lock", "runs")
    }


def _run(source: str | Path, warehouse: Path, **kwargs):
    from flows.etl import etl

    return etl(source=str(source), warehouse=str(warehouse), **kwargs)


def test_seeds_end_to_end(prefect_api: str, tmp_path: Path) -> None:
    summary = _run(SEEDS, tmp_path)
    assert (summary.files_seen, summary.articles_written, summary.quarantined, summary.skipped) == (
        2,
        2,
        0,
        0,
    )
    assert summary.accounted and summary.batches == 1
    assert {"read", "ingest", "parse", "load"} <= set(summary.stage_seconds)
    con = views.connect(tmp_path)
    rows = con.execute(
        "select title, authors, published_at, section, published_month, source_uri"
        " from articles order by title"
    ).fetchall()
    assert rows == [
        (
            "France Requests EU Invoke Mutual Defense Clause in Wake of the Paris Attacks",
            ["Cheri Cheng"],
            datetime(2015, 11, 17, 10, 37, tzinfo=UTC),
            None,
            "2015-11",
            SEED_000.absolute().as_uri(),
        ),
        (
            "France, Belgium to step up anti-terror cooperation",
            [],
            None,
            "FRANCE - BELGIum",
            "unknown",
            SEED_001.absolute().as_uri(),
        ),
    ]
    raw = con.execute(
        "select doc_id, byte_size, encoding, run_id from raw_documents order by byte_size"
    ).fetchall()
    assert raw == [
        (hashlib.sha256(SEED_000.read_bytes()).hexdigest(), 2559, "utf-8", summary.run_id),
        (hashlib.sha256(SEED_001.read_bytes()).hexdigest(), 3330, "utf-8", summary.run_id),
    ]
    assert con.execute("select count(*) from articles a join raw_documents r using (doc_id)").fetchone() == (
        2,
    )


def test_second_run_changes_nothing_and_a_new_file_adds_only_its_rows(
    prefect_api: str, tmp_path: Path
) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SEEDS, source)
    _run(source, warehouse)
    before = _snapshot(warehouse)
    again = _run(source, warehouse)
    assert (again.files_seen, again.articles_written, again.quarantined, again.skipped) == (2, 0, 0, 2)
    assert _snapshot(warehouse) == before  # byte-identical: nothing rewritten, nothing added
    body = "It has a body of its own, long enough to pass the 30-word check. " * 3
    (source / "new.txt").write_text("A third story\n\n" + body)
    third = _run(source, warehouse)
    assert (third.files_seen, third.articles_written, third.skipped) == (3, 1, 2)
    con = views.connect(warehouse)
    assert con.execute("select count(*), count(distinct doc_id) from articles").fetchone() == (3, 3)
    assert con.execute("select count(*) from raw_documents").fetchone() == (3,)


def test_bad_inputs_are_quarantined_with_reason_and_bytes(prefect_api: str, tmp_path: Path) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    shutil.copytree(SEEDS, source)
    bad = {
        "empty.txt": b"",
        "blank.txt": b"  \n\n\t ",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "title-only.txt": b"Just a headline\n",
        "chrome-only.txt": b"Skip to main content\nPage not found\nShare :\n",
    }
    for name, data in bad.items():
        (source / name).write_bytes(data)
    shutil.copy(SEED_000, source / "copy of seed.txt")
    (source / "big.txt").write_bytes(b"Big\n\n" + b"word " * 1000)
    summary = _run(source, warehouse, batch_size=3, max_file_bytes=4000)
    assert summary.files_seen == 9 and summary.accounted
    assert (summary.articles_written, summary.quarantined, summary.skipped) == (2, 7, 0)
    assert summary.batches == 4  # 9 records, batches of 3, 2 workers: 3, then the last 6 in 3 shares
    assert summary.quarantine_reasons == {
        "ingest:binary": 1,
        "ingest:duplicate_content": 1,
        "ingest:empty": 2,
        "ingest:too_large": 1,
        "parse:no_body": 1,
        "parse:no_content": 1,
    }
    rows = (
        views.connect(warehouse)
        .execute("select source_uri, stage, reason_code, detail, payload from quarantine")
        .fetchall()
    )
    by_name = {
        uri.rsplit("/", 1)[-1]: (stage, reason, detail, payload)
        for uri, stage, reason, detail, payload in rows
    }
    assert set(by_name) == {*bad, "big.txt", "copy%20of%20seed.txt"}
    assert by_name["copy%20of%20seed.txt"][:3] == (
        "ingest",
        "duplicate_content",
        f"same bytes as {(source / SEED_000.name).as_uri()}",
    )
    for name, data in bad.items():
        assert by_name[name][3] == data, name  # the bytes are kept, so nothing is lost
    assert (
        by_name["big.txt"][:2] == ("ingest", "too_large")
        and "over the 4000-byte limit" in by_name["big.txt"][2]
        and by_name["big.txt"][3] == (source / "big.txt").read_bytes()  # its first MiB: here all of it
    )
    assert by_name["image.txt"][1] == "binary"
    before = _snapshot(warehouse)
    again = _run(source, warehouse, batch_size=3, max_file_bytes=4000)
    assert (again.articles_written, again.quarantined, again.skipped) == (0, 0, 9)  # quarantined ones too
    assert _snapshot(warehouse) == before


def test_missing_source_fails_the_flow_clearly(prefect_api: str, tmp_path: Path) -> None:
    with pytest.raises(sources.SourceError, match="no such file"):
        _run(tmp_path / "nowhere", tmp_path / "wh")


def test_bbc_corpus_every_file_accounted_then_skipped(prefect_api: str, tmp_path: Path, bbc: Path) -> None:
    first = _run(BBC_GLOB, tmp_path, runner="processes", workers=2)
    assert first.files_seen == 2225 and first.accounted
    assert first.articles_written + first.quarantined == 2225  # nothing skipped on a first run
    # The corpus holds 98 byte-identical copies under other names: quarantined, naming the first copy.
    assert first.quarantine_reasons == {"ingest:duplicate_content": 98}
    # 250 documents per batch, not one task per document: 6 full batches, then the last 725 in 4 shares
    # so that both workers finish together (tasks.run.balanced)
    assert first.batches == 10
    con = views.connect(tmp_path)
    titles = dict(con.execute("select source_uri, title from articles").fetchall())
    assert len(titles) == first.articles_written
    duplicates = {u for (u,) in con.execute("select source_uri from quarantine").fetchall()}
    paths = sorted(bbc.glob("*/*.txt"))
    assert {p.as_uri() for p in paths} == set(titles) | duplicates  # every file accounted for, once
    for path in paths:
        if path.as_uri() in titles:
            first_line = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", errors="replace").strip()
            assert titles[path.as_uri()] == first_line, path
    sport_199 = (bbc / "sport" / "199.txt").as_uri()
    encoding, body = con.execute(
        "select r.encoding, a.body from raw_documents r join articles a using (doc_id)"
        " where a.source_uri = ?",
        [sport_199],
    ).fetchone()
    assert encoding == "cp1252" and "a £15.8m signing" in body
    assert con.execute("select count(*) from raw_documents").fetchone() == (2127,)
    # Every GX expectation of every suite evaluated once on every batch (besides coverage and drift).
    loaded = suites.load_suites()
    evaluated = con.execute(
        "select table_name, count(distinct batch_id), count(*) from dq_results"
        " where expectation like 'expect_%' group by all order by 1"
    ).fetchall()
    assert evaluated == [(t, 10, 10 * len(loaded[t]["expectations"])) for t in sorted(loaded)]
    # Enrichment: every article enriched, at least one entity for >= 95 % of them, offsets exact.
    with_entities = con.execute("select count(distinct doc_id) from entities").fetchone()[0]
    assert with_entities >= 0.95 * first.articles_written
    for table, text in (
        ("entities", "text"),
        ("locations", "text"),
        ("quotes", "quote"),
        ("event_counts", "text"),
        ("mentioned_dates", "text"),
        ("amounts", "text"),
        ("themes", "text"),
    ):
        # entities, locations, amounts and themes index the field the row names (title, dateline or body)
        field = "t.field" if table in ("entities", "locations", "amounts", "themes") else "'body'"
        source = f"case {field} when 'title' then a.title when 'dateline' then a.dateline else a.body end"
        rows, exact = con.execute(
            f"select count(*), count_if(substr({source}, t.start_char + 1, t.end_char - t.start_char)"
            f" = t.{text}) from {table} t join articles a using (doc_id)"
        ).fetchone()
        assert rows > 0 and rows == exact, table
    fields = dict(con.execute("select field, count(*) from entities group by field").fetchall())
    assert fields["title"] > 0 and fields["body"] > fields["title"], fields
    before = _snapshot(tmp_path)
    second = _run(BBC_GLOB, tmp_path)
    assert (second.files_seen, second.articles_written, second.quarantined, second.skipped) == (
        2225,
        0,
        0,
        2225,
    )
    assert second.runner == "threads"  # nothing new: no worker processes started for an empty run
    assert "parse" not in second.stage_seconds and "enrich" not in second.stage_seconds
    assert _snapshot(tmp_path) == before
