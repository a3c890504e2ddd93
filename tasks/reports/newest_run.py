"""The newest run in detail, for the top of the DQ dashboard: its figures, what failed, its worst sources.

Read through the warehouse's DuckDB views: the newest run's rows of its run date only (dq_results,
dq_metrics, quarantine and runs are partitioned by it), read once and queried in memory. Examples for a
failing expectation: a quarantined row's doc_id and title (validation quarantines a row under the first
expectation it failed), else the "doc_id title" examples a coverage measure records (the expectation's
`meta.measure` in its suite names it; a doc_id there is its first 12 characters), else an article of the
run whose dq_flags name the expectation (a warning keeps the row). Titles of quarantined rows come from
the row itself (its payload), else articles.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import duckdb

from tasks.quality import suites
from tasks.sources import source_of
from tasks.warehouse import views
from tasks.warehouse.store import Store

SEVERITY_ORDER = ("critical", "quarantine", "warning")  # most severe first
MAX_FAILURES = 50
_NEWEST = ("dq_results", "dq_metrics", "quarantine", "runs")
_EXAMPLE = re.compile(r"^([0-9a-f]{12,64}) (.+)$")  # "doc_id title", as measures record their examples


@dataclass(frozen=True)
class RunFigures:
    """The newest run's counts (records and articles from its `runs` row: None while it has none)."""

    run_id: str
    records_in: int | None
    articles: int | None
    quarantined: dict[str, int]  # stage:reason -> rows, most first
    expectations: int  # evaluated, over the run's batches
    expectations_failed: int
    drifting: tuple[str, ...]  # suite.measure marked as drift in some batch


@dataclass(frozen=True)
class Failure:
    """One expectation that failed in the newest run (summed over its batches), with an example row."""

    suite: str
    expectation: str  # its reason code: `<expectation type>(<column>)`
    severity: str
    batches: int
    rows_affected: int
    samples: tuple[str, ...]  # unexpected values GX reported
    doc_id: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class SourceScore:
    """One source folder or site in the newest run: its worst measure (lowest value / threshold), the
    measures that failed or drifted, records quarantined."""

    source: str
    failed_measures: int
    quarantined: int
    measures: tuple[str, ...] = ()  # the measures that failed or drifted
    worst_measure: str = ""
    worst_value: float | None = None
    worst_threshold: float | None = None

    @property
    def worst_ratio(self) -> float:
        """value / threshold of its worst measure (below 1: below threshold); inf without one."""
        if self.worst_value is None or not self.worst_threshold:
            return float("inf")
        return self.worst_value / self.worst_threshold


@dataclass(frozen=True)
class Newest:
    figures: RunFigures
    failures: tuple[Failure, ...]
    sources: tuple[SourceScore, ...]  # worst first


def read_newest(
    store: Store, run_id: str, run_date: str, within: duckdb.DuckDBPyConnection | None = None
) -> Newest:
    """The newest run's figures, failing expectations with examples, and sources ranked worst first.
    `within`: the DuckDB (views.shared) to read in."""
    newest = views.read(store, lambda con: _newest(con, run_id), _NEWEST, [run_date], run_id, within)
    missing = {f.doc_id for f in newest.failures if f.doc_id and not f.title}
    warned = [f for f in newest.failures if not f.doc_id and f.severity == "warning"]
    if missing or warned:
        failures = _from_articles(store, run_id, list(newest.failures), within)
        return replace(newest, failures=tuple(failures))
    return newest


def _newest(con: duckdb.DuckDBPyConnection, run_id: str) -> Newest:
    """The run's figures, failures with the examples its own DQ rows hold, and sources."""
    measured = _measure_examples(con, run_id)
    failures = [_with_example(f, ex, measured) for f, ex in zip(*_failures(con, run_id), strict=True)]
    return Newest(figures(con, run_id), tuple(failures), tuple(sources(con, run_id)))


def figures(con: duckdb.DuckDBPyConnection, run_id: str) -> RunFigures:
    """The run's counts: records in and articles written (its runs row), quarantined rows per reason,
    expectations evaluated and failed, measures drifting."""
    ran = con.execute("select records_seen, articles_written from runs where run_id = ?", [run_id]).fetchone()
    reasons = con.execute(
        "select stage || ':' || reason_code, count(*) from quarantine where run_id = ? "
        "group by all order by 2 desc, 1",
        [run_id],
    ).fetchall()
    evaluated, failed = con.execute(
        "select count(*), count_if(not success) from dq_results where run_id = ?", [run_id]
    ).fetchone() or (0, 0)
    drifting = con.execute(
        "select distinct table_name || '.' || measure from dq_metrics "
        "where run_id = ? and source = '' and is_drift order by 1",
        [run_id],
    ).fetchall()
    records, articles = ran if ran else (None, None)
    return RunFigures(
        run_id, records, articles, dict(reasons), evaluated, failed or 0, tuple(d for (d,) in drifting)
    )


def _failures(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[list[Failure], list[dict[str, Any]]]:
    """The run's failing expectations, most severe then most rows first, and a quarantined example each."""
    rows = con.execute(
        """
        select table_name, expectation || coalesce('(' || column_name || ')', '') as code,
               any_value(severity) as level, count(distinct batch_id) as batches,
               sum(unexpected_count) as affected, arg_max(sample_values, unexpected_count) as samples
        from dq_results where run_id = ? and not success
        group by table_name, code
        order by list_position(?, level) nulls last, affected desc, table_name, code limit ?
        """,
        [run_id, list(SEVERITY_ORDER), MAX_FAILURES],
    ).fetchall()
    quarantined = con.execute(
        "select reason_code, detail, doc_id, payload from quarantine "
        "where run_id = ? and stage = 'validate' and doc_id is not null order by doc_id",
        [run_id],
    ).fetchall()
    failures, examples = [], []
    for suite, code, severity, batches, affected, samples in rows:
        failures.append(Failure(suite, code, severity, batches, int(affected or 0), _samples(samples)))
        example = next(
            (q for q in quarantined if q[0] == code and (q[1] or "").startswith(f"{suite} row")), None
        )
        examples.append({"doc_id": example[2], "payload": example[3]} if example else {})
    return failures, examples


def _samples(text: str | None) -> tuple[str, ...]:
    try:
        values = json.loads(text) if text else []
    except ValueError:
        return (text or "",)
    return tuple(str(v) for v in values) if isinstance(values, list) else (str(values),)


def _with_example(
    failure: Failure, example: dict[str, Any], measured: dict[tuple[str, str], list[str]]
) -> Failure:
    """The failure with its quarantined row's doc_id and title, else its measure's first example."""
    if example:
        return _replace(failure, example["doc_id"], _title_of(example["payload"]))
    measure = measures_of_expectations().get((failure.suite, failure.expectation))
    for text in (*failure.samples, *measured.get((failure.suite, measure or ""), ())):
        if found := _EXAMPLE.match(text):
            return _replace(failure, found.group(1), found.group(2).strip("'\""))
    return failure


@cache
def measures_of_expectations() -> dict[tuple[str, str], str]:
    """(suite, reason code) -> the coverage measure an expectation is (its `meta.measure`)."""
    found = {}
    for name, suite in suites.load_suites().items():
        for e in suite["expectations"]:
            column = (e.get("kwargs") or {}).get("column")
            if measure := (e.get("meta") or {}).get("measure"):
                found[(name, f"{e['type']}({column})" if column else e["type"])] = measure
    return found


def _measure_examples(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[tuple[str, str], list[str]]:
    """(suite, measure) -> the examples the run's batches recorded for it (batch level)."""
    rows = con.execute(
        "select table_name, measure, examples from dq_metrics "
        "where run_id = ? and source = '' and examples is not null order by batch_id",
        [run_id],
    ).fetchall()
    found: dict[tuple[str, str], list[str]] = {}
    for suite, measure, examples in rows:
        found.setdefault((suite, measure), []).extend(_samples(examples))
    return found


def _title_of(payload: bytes | None) -> str | None:
    try:
        row = json.loads(payload or b"{}")
    except ValueError:
        return None
    return row.get("title") if isinstance(row, dict) and isinstance(row.get("title"), str) else None


def _replace(failure: Failure, doc_id: str | None, title: str | None) -> Failure:
    return Failure(**{**failure.__dict__, "doc_id": doc_id, "title": title})


def _from_articles(
    store: Store, run_id: str, failures: list[Failure], within: duckdb.DuckDBPyConnection | None
) -> list[Failure]:
    """Titles of example doc_ids, and a flagged article of the run for warnings without an example."""
    wanted = [f.doc_id for f in failures if f.doc_id]
    rows = views.read(
        store,
        lambda con: con.execute(
            "select doc_id, title, dq_flags from articles "
            "where run_id = ? and (len(dq_flags) > 0 or list_contains(?, doc_id)) order by doc_id",
            [run_id, wanted],
        ).fetchall(),
        ("articles",),
        within=within,
    )
    titles = {doc_id: title for doc_id, title, _ in rows}
    found = []
    for f in failures:
        if f.doc_id:
            found.append(_replace(f, f.doc_id, f.title or titles.get(f.doc_id)))
            continue
        flag = f.expectation if f.suite == "articles" else f"{f.suite}.{f.expectation}"
        flagged = next(((d, t) for d, t, flags in rows if flag in (flags or ())), None)
        found.append(_replace(f, *flagged) if flagged else f)
    return found


def sources(con: duckdb.DuckDBPyConnection, run_id: str) -> list[SourceScore]:
    """The run's sources ranked by their worst measure (lowest value / threshold), then by measures
    failed or drifting, then by records quarantined."""
    measured = con.execute(
        "select source, measure, min(value), max(threshold), bool_or(not coalesce(success, true)), "
        "bool_or(is_drift) from dq_metrics where run_id = ? and source != '' group by all order by all",
        [run_id],
    ).fetchall()
    counts: dict[str, int] = {}
    for (uri,) in con.execute("select source_uri from quarantine where run_id = ?", [run_id]).fetchall():
        counts[source_of(uri)] = counts.get(source_of(uri), 0) + 1
    names = sorted({m[0] for m in measured} | set(counts))
    scores = [_score(s, [m for m in measured if m[0] == s], counts.get(s, 0)) for s in names]
    return sorted(scores, key=lambda s: (s.worst_ratio, -s.failed_measures, -s.quarantined, s.source))


def _score(source: str, measured: list[tuple[Any, ...]], quarantined: int) -> SourceScore:
    flagged = tuple(sorted({m[1] for m in measured if m[4] or m[5]}))
    held = [m for m in measured if m[2] is not None and m[3]]
    worst = min(held, key=lambda m: m[2] / m[3], default=None)
    if worst is None:
        return SourceScore(source, len(flagged), quarantined, flagged)
    return SourceScore(source, len(flagged), quarantined, flagged, worst[1], worst[2], worst[3])
