"""The parser over the development corpora (shared/corpora/pages and wire): floors a little under what it
reaches, so that a regression fails here before `make eval` shows it."""

from __future__ import annotations

import json
import re

import pytest

from bench import scoring
from tasks.ingest import decode_text
from tasks.parse.text import parse_article
from tests.conftest import ROOT

CORPORA = ROOT.parent / "shared" / "corpora"
pytestmark = pytest.mark.corpus

_WIRE_DATE = re.compile(r"^(?:.*\s)?(\d{4}-\d{2}-\d{2})$")


@pytest.fixture(scope="module")
def pages() -> list[tuple[dict, str]]:
    gold_file = CORPORA / "pages" / "gold.jsonl"
    assert gold_file.is_file(), f"pages corpus not found at {gold_file.parent}"
    rows = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(g, decode_text((CORPORA / "pages" / "text" / f"{g['doc']}.txt").read_bytes())[0]) for g in rows]


def test_every_page_is_an_article_with_the_body_found(pages: list[tuple[dict, str]]) -> None:
    found = {}
    for gold, text in pages:
        a = parse_article(text)
        found[gold["doc"]] = {
            "title": a.title,
            "authors": a.authors,
            "published_at": a.published_at,
            "body": a.body,
        }
    figures = scoring.score(found, [g for g, _ in pages]).figures()
    assert figures["written"] == len(pages) == 192
    assert figures["body_precision"] >= 0.90
    assert figures["body_recall"] >= 0.91
    assert figures["body_f1"] >= 0.91
    assert figures["title"] >= 0.8  # 22 pages with a gold title


def test_every_wire_story_is_an_article_with_its_dateline_date() -> None:
    files = sorted((CORPORA / "wire" / "docs").glob("*.txt"))
    assert len(files) == 216
    for path in files:
        text = path.read_text(encoding="utf-8")
        head = [line.strip() for line in text.splitlines() if line.strip()][:5]
        dates = [m.group(1) for m in map(_WIRE_DATE.match, head) if m]
        a = parse_article(text)
        assert a.language == "en", path.name
        if dates:
            assert a.published_at is not None and a.published_at.date().isoformat() == dates[0], path.name
            assert dates[0] not in a.body.split("\n")[0], path.name
