"""Enrichment: one module per output table, named after it, listed in `EXTRACTORS` in the order they run.

An extractor module declares `NEEDS` (the tables whose rows it reads, e.g. quotes need entities) and
`extract(articles, found) -> list[record]`, where `found` maps each table extracted before it to its rows,
and may declare `LANGUAGES` (ISO 639-1 codes it reads; absent: any): an article in another language is
kept in articles (flagged by its suite) and skipped by that extractor. Its table (columns, grain) is
declared with the others in tasks.warehouse.schemas; its record lists those columns, as a test checks.
Adding an extractor is that module, its table in schemas.EXTRACTED, its line below and its GX suite
`expectations/<table>.json`.

`enrich_articles` runs them in dependency order: spaCy NER once over the batch (entities; the texts the
NER cache knows are not read again, tasks.enrich.ner_cache), then the rule-based extractors. An article
on which an extractor raises is set aside with the exception (see tasks.isolation); the others keep all
their rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any

from tasks.enrich import (
    amounts,
    entities,
    event_counts,
    locations,
    mentioned_dates,
    ner_cache,
    quotes,
    themes,
    tone,
)
from tasks.isolation import describe, isolated
from tasks.records import Article
from tasks.watchdog import watched

# table name -> the module that extracts its rows, in the order of schemas.EXTRACTED (each after its NEEDS)
EXTRACTORS: dict[str, ModuleType] = {
    "entities": entities,
    "event_counts": event_counts,
    "mentioned_dates": mentioned_dates,
    "locations": locations,
    "quotes": quotes,
    # GDELT parity (issue 25)
    "amounts": amounts,
    "themes": themes,
    "tone": tone,
}


@dataclass
class Enriched:
    """A batch's extracted rows per table, and the articles set aside: doc_id -> what failed."""

    rows: dict[str, list[Any]]
    failed: dict[str, str] = field(default_factory=dict)


def reads(module: ModuleType, language: str) -> bool:
    """Whether an extractor reads articles in `language` (one without LANGUAGES reads any)."""
    languages = getattr(module, "LANGUAGES", None)
    return languages is None or language in languages


def enrich_articles(articles: Sequence[Article], memo: ner_cache.Memo | None = None) -> Enriched:
    """Every extracted row of the articles, keyed by table name; an article an extractor fails on is
    left out of every table and named in `failed`. `memo`: the model's output the batch may reuse, and
    where it records what the model read (entities, the one extractor that runs a model)."""
    found: dict[str, list[Any]] = {}
    failed: dict[str, str] = {}
    for name, module in EXTRACTORS.items():
        live = [a for a in articles if a.doc_id not in failed and reads(module, a.language)]
        extract = partial(entities.extract, memo=memo) if module is entities else module.extract
        found[name], errors = isolated(
            live, lambda part, x=extract, n=name: x(watched(part, f"enrich/{n}"), found)
        )
        for article, exc in errors:
            failed[article.doc_id] = f"{name}: {describe(exc)}"
    rows = {name: [r for r in records if r.doc_id not in failed] for name, records in found.items()}
    return Enriched(rows, failed)
