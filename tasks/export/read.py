"""The rows an export needs, read from the warehouse article by article, in chunks (memory bounded by the
chunk, not the warehouse).

Each article comes with `dated_at`, the moment GKG dates it by: its published_at, else when its page was
fetched, else when newsetl ingested it (UTC). `since` keeps the articles dated on or after that day.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from tasks.warehouse import views

ROW_TABLES = (
    "entities", "locations", "quotes", "event_counts", "mentioned_dates", "amounts", "themes", "tone",
)  # fmt: skip
CHUNK = 500  # articles per round of queries

_ARTICLES = """
SELECT a.doc_id, a.source_uri, a.title, a.authors, a.dateline, a.language, a.url, a.site_name,
       coalesce(a.published_at, a.fetched_at, r.ingested_at) AS dated_at
FROM articles a LEFT JOIN raw_documents r USING (doc_id)
WHERE ? IS NULL OR coalesce(a.published_at, a.fetched_at, r.ingested_at) >= ?
ORDER BY dated_at, a.doc_id
"""


def articles_with_rows(
    warehouse: str | os.PathLike[str], since: date | None = None, chunk: int = CHUNK
) -> Iterator[tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]]:
    """(article, its rows per table, each table's rows in offset order) for every article, oldest first."""
    con = views.connect(warehouse, read_only=True, only=("articles", "raw_documents", *ROW_TABLES))
    cursor = con.execute(_ARTICLES, [since, since])
    columns = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(chunk):
        articles = [dict(zip(columns, row, strict=True)) for row in batch]
        found = _rows(con.cursor(), [a["doc_id"] for a in articles])
        for article in articles:
            yield article, {name: rows.get(article["doc_id"], []) for name, rows in found.items()}


def _rows(con: Any, doc_ids: Sequence[str]) -> dict[str, Mapping[str, list[dict[str, Any]]]]:
    """table -> doc_id -> rows, for the given articles."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in ROW_TABLES:
        order = "doc_id, start_char, end_char" if name != "tone" else "doc_id"
        table = con.execute(
            f"SELECT * FROM {name} WHERE list_contains(?, doc_id) ORDER BY {order}", [list(doc_ids)]
        )
        by_doc: dict[str, list[dict[str, Any]]] = {}
        for row in records(table):
            by_doc.setdefault(row["doc_id"], []).append(row)
        found[name] = by_doc
    return found


def records(cursor: Any) -> list[dict[str, Any]]:
    """An executed DuckDB query's rows as dicts by column name."""
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
