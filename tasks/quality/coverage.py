"""Coverage measures of one batch: what share of its articles has what a working extractor finds.

Row rules cannot see an extractor that stopped working on a site: every page of it still passes, only
without a date or an author. Shares over the batch can. Each measure is taken for the whole batch
(source "") and per source (the page's site when the record has a url, else its source folder), so a
fall can be pinned on the site that caused it. The thresholds are the suites' parameters
(tasks.quality.suites.COVERAGE_PARAMETERS); the article shares and the quotes' speaker share are also GX
`mostly` expectations in the suites (the verdict in dq_results and the Data Docs), entities per 1,000
words is checked here (it spans two tables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from tasks import enrich
from tasks.quality.suites import WARNING
from tasks.records import Check, Measure
from tasks.sources import source_of

EXAMPLES = 3
Row = dict[str, Any]


@dataclass(frozen=True)
class ArticleMeasure:
    """A share of articles: the measure's name, its suite parameter, and what an article must have."""

    name: str
    threshold: str  # the suite parameter holding its minimum
    has: Callable[[Row, Mapping[str, Any]], bool]


ARTICLE_MEASURES = (
    ArticleMeasure(
        "published_at_share", "min_published_at_share", lambda a, p: a["published_at"] is not None
    ),
    ArticleMeasure("authors_share", "min_authors_share", lambda a, p: bool(a["authors"])),
    ArticleMeasure(
        "headline_title_share",
        "min_headline_title_share",
        lambda a, p: p["headline_min_chars"] <= len(a["title"]) <= p["headline_max_chars"],
    ),
    ArticleMeasure(
        "body_words_share", "min_body_words_share", lambda a, p: a["word_count"] >= p["min_body_words"]
    ),
)
ENTITIES_PER_1000_WORDS = "entities_per_1000_words"
QUOTES_WITH_SPEAKER_SHARE = "quotes_with_speaker_share"
_ARTICLE_COLUMNS = [
    "doc_id",
    "source_uri",
    "url",
    "title",
    "authors",
    "published_at",
    "word_count",
    "language",
]


def coverage_measures(
    batch_id: str, tables: Mapping[str, pa.Table], parameters: Mapping[str, Any]
) -> list[Measure]:
    """Every coverage measure of a batch's committed tables, for the batch and for each of its sources."""
    articles = _rows(tables.get("articles"), _ARTICLE_COLUMNS)
    if not articles:
        return []
    entities = _count_by_doc(_rows(tables.get("entities"), ["doc_id"]))
    quotes = _rows(tables.get("quotes"), ["doc_id", "quote", "speaker"])
    groups: dict[str, list[Row]] = {"": articles}
    for a in articles:
        groups.setdefault(source_of(a["source_uri"], a["url"]), []).append(a)
    measured = []
    for source, group in groups.items():
        for m in ARTICLE_MEASURES:
            measured.append(_share(batch_id, source, group, m, parameters))
        measured.append(_entity_rate(batch_id, source, group, entities, parameters))
        measured.append(_speaker_share(batch_id, source, group, quotes, parameters))
    return measured


def _share(
    batch_id: str, source: str, group: Sequence[Row], m: ArticleMeasure, parameters: Mapping[str, Any]
) -> Measure:
    lacking = [a for a in group if not m.has(a, parameters)]
    value = (len(group) - len(lacking)) / len(group)
    threshold = float(parameters[m.threshold])
    examples = tuple(_example(a) for a in lacking[:EXAMPLES]) if value < threshold else ()
    return Measure(batch_id, "articles", m.name, source, value, threshold, WARNING, examples=examples)


def _entity_rate(
    batch_id: str,
    source: str,
    group: Sequence[Row],
    entities: Mapping[str, int],
    parameters: Mapping[str, Any],
) -> Measure:
    """Entity mentions per 1,000 words of the articles the entity extractor reads (None: no such words)."""
    read = [a for a in group if enrich.reads(enrich.EXTRACTORS["entities"], a["language"])]
    words = sum(a["word_count"] for a in read)
    value = 1000.0 * sum(entities.get(a["doc_id"], 0) for a in read) / words if words else None
    threshold = float(parameters["min_entities_per_1000_words"])
    examples = ()
    if value is not None and value < threshold:
        sparse = sorted(read, key=lambda a: entities.get(a["doc_id"], 0) / max(a["word_count"], 1))
        examples = tuple(_example(a) for a in sparse[:EXAMPLES])
    return Measure(
        batch_id, "entities", ENTITIES_PER_1000_WORDS, source, value, threshold, WARNING, examples=examples
    )


def _speaker_share(
    batch_id: str, source: str, group: Sequence[Row], quotes: Sequence[Row], parameters: Mapping[str, Any]
) -> Measure:
    """Share of the group's quotes with a speaker (None: the group has no quote)."""
    docs = {a["doc_id"] for a in group}
    found = [q for q in quotes if q["doc_id"] in docs]
    unattributed = [q for q in found if q["speaker"] is None]
    value = (len(found) - len(unattributed)) / len(found) if found else None
    threshold = float(parameters["min_quotes_with_speaker_share"])
    examples = ()
    if value is not None and value < threshold:
        examples = tuple(f"{q['doc_id'][:12]} “{_short(q['quote'], 60)}”" for q in unattributed[:EXAMPLES])
    return Measure(
        batch_id, "quotes", QUOTES_WITH_SPEAKER_SHARE, source, value, threshold, WARNING, examples=examples
    )


def coverage_checks(measures: Sequence[Measure]) -> list[Check]:
    """dq_results rows for the batch-level measures no GX expectation judges (entities per 1,000 words)."""
    return [
        Check(
            table_name=m.table_name,
            expectation="coverage",
            column_name=m.measure,
            severity=m.severity,
            success=bool(m.success),
            element_count=1,
            unexpected_count=0 if m.success else 1,
            unexpected_percent=0.0 if m.success else 100.0,
            sample_values=(f"{m.value:.1f} < {m.threshold:g}", *m.examples) if not m.success else (),
            failed_rows=(),
            measure=m.measure,
        )
        for m in measures
        if m.source == "" and m.measure == ENTITIES_PER_1000_WORDS and m.value is not None
    ]


def pass_rates(batch_id: str, checks: Sequence[Check]) -> list[Measure]:
    """Per suite: the share of its expectations the batch passed (measure `pass_rate`)."""
    tallies: dict[str, list[int]] = {}
    for c in checks:
        tally = tallies.setdefault(c.table_name, [0, 0])
        tally[0] += bool(c.success)
        tally[1] += 1
    return [
        Measure(batch_id, suite, "pass_rate", "", passed / evaluated, None, WARNING)
        for suite, (passed, evaluated) in sorted(tallies.items())
    ]


def _rows(table: pa.Table | None, columns: list[str]) -> list[Row]:
    if table is None or table.num_rows == 0:
        return []
    present = [c for c in columns if c in table.column_names]
    return [{**dict.fromkeys(columns), **row} for row in table.select(present).to_pylist()]


def _count_by_doc(rows: Sequence[Row]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["doc_id"]] = counts.get(row["doc_id"], 0) + 1
    return counts


def _example(article: Row) -> str:
    return f"{article['doc_id'][:12]} {_short(article['title'], 70)!r}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
