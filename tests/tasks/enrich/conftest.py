"""The seeds parsed and enriched once per session (the spaCy model loads once)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tasks.enrich import enrich_articles
from tasks.parse.text import parse_article
from tasks.records import Article
from tests.conftest import SEED_000, SEED_001


@pytest.fixture(scope="session")
def seeds() -> dict[str, Article]:
    return {
        name: parse_article(path.read_text(encoding="utf-8"), doc_id=name, source_uri=path.as_uri())
        for name, path in (("000", SEED_000), ("001", SEED_001))
    }


@pytest.fixture(scope="session")
def enriched(seeds: dict[str, Article]) -> dict[str, list]:
    return enrich_articles(list(seeds.values())).rows


def article(
    doc_id: str, title: str, body: str, dateline: str | None = None, published_at: datetime | None = None
) -> Article:
    """An article as parsing makes it, from its title, body and dateline."""
    return Article(
        doc_id=doc_id,
        source_uri=f"file:///{doc_id}.txt",
        title=title,
        authors=(),
        published_at=published_at,
        dateline=dateline,
        section=None,
        language="en",
        body=body,
        word_count=len(body.split()),
        content_hash=doc_id,
    )


def rows_of(enriched: dict[str, list], table: str, doc_id: str) -> list:
    return [r for r in enriched[table] if r.doc_id == doc_id]
