"""One folder mixing every source format through the flow: every record accounted, re-runs idempotent per
record, a rebuild replaying JSON records as they were mapped."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from tasks.warehouse import views
from tests.conftest import BBC, SEED_000
from tests.tasks.sources.builders import tar_bytes, warc_bytes

pytestmark = pytest.mark.e2e


def _story(name: str) -> dict[str, str]:
    """A BBC story as a crawler's JSON record: headline and body apart, under non-default keys."""
    title, _, body = (BBC / "business" / name).read_text(encoding="utf-8").partition("\n")
    return {"headline": title.strip(), "story": {"text": body.strip()}, "link": f"https://example.org/{name}"}


def _mixed_folder(root: Path) -> dict[str, int]:
    """A folder of every format; returns the records of each kind the run must account for."""
    root.mkdir()
    (root / "seed.txt").write_bytes(SEED_000.read_bytes())
    lines = [json.dumps(_story(f"00{i}.txt")) for i in range(1, 4)]
    (root / "feed.jsonl").write_text("\n".join([*lines[:2], "{not json", lines[2]]) + "\n")
    (root / "more.json").write_text(json.dumps([_story("004.txt"), _story("005.txt")]))
    (root / "more.ndjson.gz").write_bytes(gzip.compress((json.dumps(_story("006.txt")) + "\n").encode()))
    html = b"<!DOCTYPE html><html><body><p>" + b"A paragraph of the page. " * 40 + b"</p></body></html>"
    (root / "crawl.warc.gz").write_bytes(warc_bytes([("https://example.org/page", html)]))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("docs/business-007.txt", (BBC / "business" / "007.txt").read_bytes())
        archive.writestr("../../etc/passwd", b"root:x:0:0")
    nested = ("inner.zip", zipped.getvalue())
    (root / "bundle.tar.gz").write_bytes(
        tar_bytes([("feed/008.jsonl", json.dumps(_story("008.txt")).encode()), nested])
    )
    (root / "notes.csv").write_text("not,a,source\n")  # no reader takes it: not listed
    return {"files": 6, "articles": 9, "quarantined": 2, "html": 1, "ignored": 3}


FIELDS = ["title=headline", "body=story.text", "url=link"]


def test_a_folder_of_every_format_is_accounted_per_record(prefect_api: str, tmp_path: Path) -> None:
    from flows.etl import etl

    source, warehouse = tmp_path / "in", str(tmp_path / "wh")
    want = _mixed_folder(source)
    first = etl(source=str(source), warehouse=warehouse, fields=FIELDS)
    records = want["articles"] + want["quarantined"] + want["html"] + want["ignored"]
    assert (first.files_seen, first.records_seen, first.records_ignored) == (
        want["files"],
        records,
        want["ignored"],
    )
    assert first.accounted and first.skipped == 0
    html_article = (
        first.articles_written - want["articles"]
    )  # 1 once tasks.parse.html lands, else quarantined
    assert html_article in (0, 1) and first.quarantined == want["quarantined"] + 1 - html_article
    assert first.ignored_kinds == {"warc:request": 1, "warc:response(image/png)": 1, "warc:warcinfo": 1}
    assert {
        "ingest:malformed_json": 1,
        "ingest:unsafe_member_name": 1,
    }.items() <= first.quarantine_reasons.items()

    con = views.connect(warehouse)
    feed = con.execute(
        "select r.locator, a.title, a.url from raw_documents r join articles a using (doc_id)"
        " where r.source_uri like '%feed.jsonl' order by r.locator"
    ).fetchall()
    assert feed == [
        ("line:1", _story("001.txt")["headline"], "https://example.org/001.txt"),
        ("line:2", _story("002.txt")["headline"], "https://example.org/002.txt"),
        ("line:4", _story("003.txt")["headline"], "https://example.org/003.txt"),
    ]
    nested = con.execute("select source_uri from articles where source_uri like '%inner.zip!%'").fetchall()
    assert [u.split("/in/", 1)[1] for (u,) in nested] == ["bundle.tar.gz!inner.zip!docs/business-007.txt"]
    runs = con.execute("select files_seen, records_seen, records_ignored from runs").fetchall()
    assert runs == [(want["files"], records, want["ignored"])]

    again = etl(source=str(source), warehouse=warehouse, fields=FIELDS)
    assert (again.records_seen, again.skipped, again.articles_written, again.quarantined) == (
        records,
        records - want["ignored"],
        0,
        0,
    )
    with (source / "feed.jsonl").open("a") as feed_file:
        feed_file.write(json.dumps(_story("009.txt")) + "\n")
    third = etl(source=str(source), warehouse=warehouse, fields=FIELDS)
    assert (third.articles_written, third.quarantined, third.skipped) == (1, 0, records - want["ignored"])

    before = con.execute("select doc_id, title, body, url from articles order by doc_id").fetchall()
    rebuilt = etl(
        source=str(source), warehouse=warehouse, rebuild=True
    )  # no --field: the mapping is in the bytes
    assert rebuilt.articles_written == len(before)
    after = views.connect(warehouse).execute("select doc_id, title, body, url from articles order by doc_id")
    assert after.fetchall() == before
