"""Coverage measures of one batch: what share of its rows has what a working extractor finds.

Row rules cannot see an extractor that stopped working on a site: every page of it still passes, only
without a date or an author. Shares over the batch can. Every measure is declared in expectations/ and
nowhere else: a GX expectation with a `mostly` and a `meta.measure` (the share of the table's rows it
holds for), or a suite's `meta.measures` entry for a rate spanning two tables (rows per 1,000 words of
the articles the table's extractor reads). Each is taken for the whole batch (source "") and per source
(tasks.sources.source_of: the page's site, else its folder), so a fall can be pinned on the source that
caused it. GX judges the whole batch's shares (dq_results); the rates are judged here (coverage_checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from tasks import enrich
from tasks.quality import suites
from tasks.records import Check, Measure, SuiteTally
from tasks.sources import source_of

EXAMPLES = 3
Row = dict[str, Any]
Holds = Callable[[Row], bool]
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


@dataclass(frozen=True)
class Declared:
    """A coverage measure as its suite declares it: the share of `table`'s rows an expectation holds
    for (`holds`), or, without `holds`, the table's rows per 1,000 words its extractor reads."""

    table: str
    measure: str
    threshold: float
    severity: str
    holds: Holds | None = None
    column: str = "doc_id"  # the column the expectation reads


def declared_measures(suite_jsons: Mapping[str, dict[str, Any]], given: Mapping[str, Any]) -> list[Declared]:
    """Every coverage measure of the suites, thresholds resolved from the declared parameters."""
    found = []
    for table, suite in suite_jsons.items():
        for e in suite["expectations"]:
            meta, kwargs = e.get("meta") or {}, e["kwargs"]
            if "measure" in meta:
                mostly = float(suites.resolved(kwargs["mostly"], given))
                holds = _holds(e["type"], {k: suites.resolved(v, given) for k, v in kwargs.items()})
                found.append(
                    Declared(table, meta["measure"], mostly, meta["severity"], holds, kwargs["column"])
                )
        for m in (suite.get("meta") or {}).get("measures") or ():
            minimum = float(suites.resolved(m["min_value"], given))
            found.append(Declared(table, m["measure"], minimum, m["severity"]))
    return found


def _holds(kind: str, kwargs: Mapping[str, Any]) -> Holds:
    """Whether a row passes a row-level expectation, as GX's validated frame sees it (lists joined with
    "; "); a null fails. The kinds a coverage measure may use."""
    column, low, high = kwargs["column"], kwargs.get("min_value"), kwargs.get("max_value")

    def value(row: Row) -> Any:
        v = row[column]
        return "; ".join(v) if isinstance(v, list | tuple) else v

    def between(x: float) -> bool:
        return (low is None or x >= low) and (high is None or x <= high)

    if kind == "expect_column_values_to_not_be_null":
        return lambda row: row[column] is not None
    if kind == "expect_column_value_lengths_to_be_between":
        return lambda row: value(row) is not None and between(len(value(row)))
    if kind == "expect_column_values_to_be_between":
        return lambda row: value(row) is not None and between(value(row))
    raise ValueError(f"a coverage measure cannot use {kind}")


def coverage_measures(
    batch_id: str, tables: Mapping[str, pa.Table], measures: Sequence[Declared]
) -> list[Measure]:
    """Every declared measure of a batch's committed tables, for the batch and for each of its sources."""
    articles = _rows(tables.get("articles"), _ARTICLE_COLUMNS)
    if not articles:
        return []
    source = {a["doc_id"]: source_of(a["source_uri"], a["url"]) for a in articles}
    found = []
    for m in measures:
        rows = (
            articles if m.table == "articles" else _rows(tables.get(m.table), ["doc_id", m.column, "quote"])
        )
        for group, in_group in _groups(articles, source):
            if m.holds is None:
                found.append(_rate(batch_id, group, [a for a in articles if in_group(a)], rows, m))
            else:
                found.append(_share(batch_id, group, [r for r in rows if in_group(r)], m))
    return found


def _groups(articles: Sequence[Row], source: Mapping[str, str]) -> Iterator[tuple[str, Holds]]:
    """The whole batch (""), then each source: its name and whether a row (by its doc_id) is in it."""
    yield "", lambda row: True
    for name in dict.fromkeys(source[a["doc_id"]] for a in articles):
        yield name, lambda row, name=name: source.get(row["doc_id"]) == name


def _share(batch_id: str, group: str, rows: Sequence[Row], m: Declared) -> Measure:
    """The share of the group's rows the expectation holds for (None: the group has no such row)."""
    assert m.holds is not None
    lacking = [r for r in rows if not m.holds(r)]
    value = (len(rows) - len(lacking)) / len(rows) if rows else None
    fell = value is not None and value < m.threshold
    examples = tuple(_example(r) for r in lacking[:EXAMPLES]) if fell else ()
    return Measure(batch_id, m.table, m.measure, group, value, m.threshold, m.severity, examples=examples)


def _rate(batch_id: str, group: str, articles: Sequence[Row], rows: Sequence[Row], m: Declared) -> Measure:
    """The table's rows per 1,000 words of the group's articles its extractor reads (None: no words)."""
    read = [a for a in articles if enrich.reads(enrich.EXTRACTORS[m.table], a["language"])]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["doc_id"]] = counts.get(row["doc_id"], 0) + 1
    words = sum(a["word_count"] for a in read)
    value = 1000.0 * sum(counts.get(a["doc_id"], 0) for a in read) / words if words else None
    examples: tuple[str, ...] = ()
    if value is not None and value < m.threshold:
        sparse = sorted(read, key=lambda a: counts.get(a["doc_id"], 0) / max(a["word_count"], 1))
        examples = tuple(_example(a) for a in sparse[:EXAMPLES])
    return Measure(batch_id, m.table, m.measure, group, value, m.threshold, m.severity, examples=examples)


def coverage_checks(measures: Sequence[Measure], declared: Sequence[Declared]) -> list[Check]:
    """dq_results rows for the whole batch's measures no GX expectation judges (the rates)."""
    judged_here = {(d.table, d.measure) for d in declared if d.holds is None}
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
        if m.source == "" and (m.table_name, m.measure) in judged_here and m.value is not None
    ]


def pass_rates(batch_id: str, checks: Sequence[Check]) -> list[Measure]:
    """Per suite: the share of its expectations the batch passed (measure `pass_rate`, SuiteTally's)."""
    tallies: dict[str, SuiteTally] = {}
    for c in checks:
        tally = tallies.setdefault(c.table_name, SuiteTally())
        tally.passed += bool(c.success)
        tally.evaluated += 1
    return [
        Measure(batch_id, suite, "pass_rate", "", tally.pass_rate, None, suites.WARNING)
        for suite, tally in sorted(tallies.items())
    ]


def _rows(table: pa.Table | None, columns: Sequence[str]) -> list[Row]:
    """These columns of a table (those it has), as rows."""
    if table is None or table.num_rows == 0:
        return []
    return table.select([c for c in dict.fromkeys(columns) if c in table.column_names]).to_pylist()


def _example(row: Row) -> str:
    """A few words to find a row by: its doc_id, and the article's title or the quote."""
    if "title" in row:
        return f"{row['doc_id'][:12]} {_short(row['title'], 70)!r}"
    return f"{row['doc_id'][:12]} “{_short(str(row.get('quote') or row.get('text') or ''), 60)}”"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
