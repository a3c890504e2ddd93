"""End to end: a folder of served HTML pages (gzipped and plain) through the `etl` flow, into `articles`."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from bench.scoring import author_set, day_of, normal
from tasks.warehouse import views
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

PAGES = ROOT.parent / "shared" / "corpora" / "pages"
DOCS = ("FoxNews_2023_04_28", "TheMirror_2026_01_06", "TheGlobeAndMail_2024_08_28")


def _gold() -> dict[str, dict]:
    lines = (PAGES / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return {g["doc"]: g for g in map(json.loads, lines) if g["doc"] in DOCS}


def test_html_pages_become_articles_and_a_truncated_gzip_is_quarantined(
    prefect_api: str, tmp_path: Path
) -> None:
    from flows.etl import etl

    source, warehouse = tmp_path / "pages", tmp_path / "wh"
    source.mkdir()
    for doc in DOCS[:2]:
        shutil.copyfile(PAGES / "html" / f"{doc}.html.gz", source / f"{doc}.html.gz")
    (source / f"{DOCS[2]}.html").write_bytes(
        gzip.decompress((PAGES / "html" / f"{DOCS[2]}.html.gz").read_bytes())
    )
    packed = (PAGES / "html" / f"{DOCS[0]}.html.gz").read_bytes()
    (source / "cut.html.gz").write_bytes(packed[: len(packed) // 2])

    summary = etl(source=str(source), warehouse=str(warehouse))
    assert (summary.files_seen, summary.articles_written, summary.quarantined) == (4, 3, 1)
    assert summary.quarantine_reasons == {"ingest:truncated": 1}
    con = views.connect(warehouse)
    rows = con.execute(
        "select doc_id, title, authors, published_at, url, language, body from articles"
    ).fetchall()
    gold = _gold()
    by_doc = {}
    for doc_id, title, authors, published_at, url, language, body in rows:
        doc = next(d for d in DOCS if normal(gold[d]["title"]) == normal(title))
        by_doc[doc] = doc_id
        assert author_set(authors) == author_set(gold[doc]["authors"])
        assert day_of(published_at) == day_of(gold[doc]["published_at"])
        assert url.startswith("https://") and language == "en" and len(body) > 1000
    assert set(by_doc) == set(DOCS)
    # a gzipped page is addressed by the page's own bytes, as the same page read plain would be
    expanded = gzip.decompress((PAGES / "html" / f"{DOCS[0]}.html.gz").read_bytes())
    assert by_doc[DOCS[0]] == hashlib.sha256(expanded).hexdigest()
    media = con.execute("select media_type, count(*) from raw_documents group by 1").fetchall()
    assert media == [("text/html", 3)]
    (reason, payload) = con.execute("select reason_code, payload from quarantine").fetchone()
    # the bytes decompressed before the cut: a prefix of the page, never mistaken for the whole page
    assert reason == "truncated" and payload and expanded.startswith(payload) and len(payload) < len(expanded)

    again = etl(source=str(source), warehouse=str(warehouse))
    assert (again.files_seen, again.articles_written, again.quarantined, again.skipped) == (4, 0, 0, 4)
