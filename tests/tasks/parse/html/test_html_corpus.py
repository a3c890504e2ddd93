"""The HTML parser on ../shared/corpora/pages/html (192 served news pages) against their gold.

Floors a little under what `make eval` measured when they were set (title 0.955, authors 1.0, date 1.0
on the 22 pages with that gold; body token F1 0.969 on all 192; every page an article), so a change
that loses a page's field fails here before it shows in the figures. The product is judged on other
pages: these floors guard against regressions, they are not what the rules were fitted to.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from bench import scoring
from tasks import ingest, parse, sources
from tests.conftest import ROOT

PAGES = ROOT.parent / "shared" / "corpora" / "pages"

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def scored() -> scoring.Score:
    assert (PAGES / "gold.jsonl").is_file(), f"pages corpus not found at {PAGES}"
    gold = [json.loads(line) for line in (PAGES / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    paths = [str(PAGES / "html" / f"{g['doc']}.html.gz") for g in gold]
    documents = ingest.ingest_batch(sources.read_sources(paths)).documents
    articles, rejected = parse.parse_batch(documents)
    assert [r.detail for r in rejected] == []
    found = {Path(a.source_uri).name.removesuffix(".html.gz"): asdict(a) for a in articles}
    return scoring.score(found, gold)


def test_every_page_is_an_article(scored: scoring.Score) -> None:
    assert scored.written == scored.pages == 192


def test_fields_stay_above_their_floors(scored: scoring.Score) -> None:
    figures = scored.figures()
    assert figures["title"] >= 0.95
    assert figures["authors"] >= 0.95
    assert figures["date"] >= 0.95
    assert figures["body_f1"] >= 0.96
    assert figures["body_precision"] >= 0.95 and figures["body_recall"] >= 0.97
