"""Enrichment: one extractor per module, each a pure function over a batch's articles (see mentions.py).

`enrich_articles` runs them all: spaCy NER once over the batch (entities), then the rule-based
extractors per article, which reuse the entities (places resolve GPE/LOC mentions; quotes name their
speakers from PERSON mentions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tasks.enrich import counts, entities, mentioned_dates, places, quotes
from tasks.records import Article


def enrich_articles(articles: Sequence[Article], nlp: Any = None) -> dict[str, list[Any]]:
    """Every extracted row of the articles, keyed by warehouse table name."""
    found = entities.extract_entities(articles, nlp)
    by_doc: dict[str, list[Any]] = {}
    for e in found:
        by_doc.setdefault(e.doc_id, []).append(e)
    rows: dict[str, list[Any]] = {
        "entities": found,
        "locations": [],
        "quotes": [],
        "event_counts": [],
        "mentioned_dates": [],
    }
    for a in articles:
        mentions = by_doc.get(a.doc_id, [])
        rows["locations"] += places.extract_places(a.doc_id, a.body, mentions)
        rows["quotes"] += quotes.extract_quotes(a.doc_id, a.body, mentions)
        rows["event_counts"] += counts.extract_counts(a.doc_id, a.body)
        rows["mentioned_dates"] += mentioned_dates.extract_dates(a.doc_id, a.body, a.published_at)
    return rows
