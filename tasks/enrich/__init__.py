"""Enrichment: one module per output table, named after it, found here by what it declares.

An extractor module declares `TABLE` (its schema, built with tasks.warehouse.schemas.extracted_table),
`NEEDS` (the tables whose rows it reads, e.g. quotes need entities) and
`extract(articles, found) -> list[record]`, where `found` maps each table extracted before it to its rows,
and may declare `LANGUAGES` (ISO 639-1 codes it reads; absent: any): an article in another language is
kept in articles (flagged by its suite) and skipped by that extractor.
Adding an extractor is that module plus its GX suite `expectations/<table>.json`: the registry below,
the warehouse's table list, the rebuild and the suites all derive from it.

`enrich_articles` runs them in dependency order: spaCy NER once over the batch (entities), then the
rule-based extractors. An article on which an extractor raises is set aside with the exception (see
tasks.isolation); the others keep all their rows.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from tasks.isolation import describe, isolated
from tasks.records import Article
from tasks.warehouse.schemas import Table


def _discovered() -> dict[str, ModuleType]:
    """table name -> extractor module, every module's NEEDS before it (then by name, for a stable order)."""
    modules = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    pending = {m.TABLE.name: m for m in sorted(modules, key=lambda m: m.__name__) if hasattr(m, "TABLE")}
    ordered: dict[str, ModuleType] = {}
    while pending:
        ready = [name for name, m in pending.items() if set(m.NEEDS) <= set(ordered)]
        if not ready:
            raise ImportError(f"extractors with unmet or circular NEEDS: {sorted(pending)}")
        for name in ready:
            ordered[name] = pending.pop(name)
    return ordered


EXTRACTORS: dict[str, ModuleType] = _discovered()
TABLES: tuple[Table, ...] = tuple(m.TABLE for m in EXTRACTORS.values())


@dataclass
class Enriched:
    """A batch's extracted rows per table, and the articles set aside: doc_id -> what failed."""

    rows: dict[str, list[Any]]
    failed: dict[str, str] = field(default_factory=dict)


def reads(module: ModuleType, language: str) -> bool:
    """Whether an extractor reads articles in `language` (one without LANGUAGES reads any)."""
    languages = getattr(module, "LANGUAGES", None)
    return languages is None or language in languages


def enrich_articles(articles: Sequence[Article]) -> Enriched:
    """Every extracted row of the articles, keyed by table name; an article an extractor fails on is
    left out of every table and named in `failed`."""
    found: dict[str, list[Any]] = {}
    failed: dict[str, str] = {}
    for name, module in EXTRACTORS.items():
        live = [a for a in articles if a.doc_id not in failed and reads(module, a.language)]
        found[name], errors = isolated(live, lambda part, m=module: m.extract(part, found))
        for article, exc in errors:
            failed[article.doc_id] = f"{name}: {describe(exc)}"
    rows = {name: [r for r in records if r.doc_id not in failed] for name, records in found.items()}
    return Enriched(rows, failed)
