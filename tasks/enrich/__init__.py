"""Enrichment: one module per output table, named after it, listed in `EXTRACTORS` in the order they run.

An extractor module declares `NEEDS` (the tables whose rows it reads, e.g. quotes need entities) and
`extract(articles, found) -> list[record]`, where `found` maps each table extracted before it to its rows,
and may declare `LANGUAGES` (ISO 639-1 codes it reads; absent: any): an article in another language is
kept in articles (flagged by its suite) and skipped by that extractor. Its table (columns, grain) is
declared with the others in tasks.warehouse.schemas; its record lists those columns, as a test checks.
Adding an extractor is that module, its table in schemas.EXTRACTED, its line below and its GX suite
`expectations/<table>.json`. An extractor whose rows depend on its article alone (its fields, and rows of
extractors that are ALONE too: not the batch) declares `ALONE = True`, and its table is in
schemas.ALONE_TABLES: a rebuild reuses its rows for an unchanged article (tasks.enrich.extract_cache).

`enrich_articles` runs them in dependency order: spaCy NER once over the batch (entities; the texts the
NER cache knows are not read again, tasks.enrich.ner_cache), then the rule-based extractors; with an
extract cache, the ALONE extractors and the entities' per-article drafts run only on the articles it does
not know. An article on which an extractor raises is set aside with the exception (see
tasks.isolation); the others keep all their rows.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from types import ModuleType
from typing import Any

from tasks.enrich import (
    amounts,
    entities,
    event_counts,
    extract_cache,
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


def alone(module: ModuleType) -> bool:
    """Whether an extractor's rows depend on its article alone (`ALONE`; see the module docstring)."""
    return getattr(module, "ALONE", False)


def fingerprint() -> str:
    """The extract cache's fingerprint of the ALONE extractors and the entities' drafts (code, data,
    packages, model: tasks.enrich.extract_cache.fingerprint)."""
    cached = (entities, *(m for m in EXTRACTORS.values() if alone(m)))
    return extract_cache.fingerprint(tuple(m.__name__ for m in cached), entities.model_key())


@cache
def record_of(module: ModuleType) -> type:
    """The record an extractor returns, read from `extract`'s annotation (list[Record])."""
    (record,) = typing.get_args(typing.get_type_hints(module.extract)["return"])
    return record


def enrich_articles(
    articles: Sequence[Article],
    memo: ner_cache.Memo | None = None,
    reuse: extract_cache.Memo | None = None,
) -> Enriched:
    """Every extracted row of the articles, keyed by table name; an article an extractor fails on is
    left out of every table and named in `failed`. `memo`: the model's output the batch may reuse, and
    where it records what the model read (entities, the one extractor that runs a model). `reuse`: the
    ALONE extractors' rows and the entities' drafts the batch may reuse, and where it records those it
    computes (tasks.enrich.extract_cache)."""
    found: dict[str, list[Any]] = {}
    failed: dict[str, str] = {}
    if reuse is not None:
        reuse.look_up(articles)
    for name, module in EXTRACTORS.items():
        live = [a for a in articles if a.doc_id not in failed and reads(module, a.language)]
        extract = partial(entities.extract, memo=memo, drafts=reuse) if module is entities else module.extract
        run = lambda part, x=extract, n=name: x(watched(part, f"enrich/{n}"), found)  # noqa: E731
        if reuse is not None and alone(module):
            found[name], errors = _reused(name, module, live, run, reuse)
        else:
            found[name], errors = isolated(live, run)
        for article, exc in errors:
            failed[article.doc_id] = f"{name}: {describe(exc)}"
    rows = {name: [r for r in records if r.doc_id not in failed] for name, records in found.items()}
    return Enriched(rows, failed)


def _reused(
    name: str,
    module: ModuleType,
    live: Sequence[Article],
    run: Callable[[Sequence[Article]], list[Any]],
    reuse: extract_cache.Memo,
) -> tuple[list[Any], list[tuple[Article, Exception]]]:
    """An ALONE extractor's rows of `live`, in the order it gives them (article by article): those
    `reuse` found, the others computed (and recorded there)."""
    record = record_of(module)
    known = {a.doc_id: rows for a in live if (rows := reuse.rows(name, a.doc_id)) is not None}
    computed, errors = isolated([a for a in live if a.doc_id not in known], run)
    by_doc: dict[str, list[Any]] = {}
    for r in computed:
        by_doc.setdefault(r.doc_id, []).append(r)
    out: list[Any] = []
    for article in live:
        if (rows := known.get(article.doc_id)) is not None:
            out += [record(doc_id=article.doc_id, **r) for r in rows]
        else:
            out += by_doc.get(article.doc_id, [])
            reuse.keep(name, article.doc_id, by_doc.get(article.doc_id, []))
    return out, errors
