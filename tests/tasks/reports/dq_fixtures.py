"""DQ history committed as the flow commits it: one run at a time (commit_run, date_history), or many runs'
rows in one commit (many_runs: 1,000 runs in a second, for the dashboard's screenshots)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from tasks.records import RunContext
from tasks.sources import source_of
from tasks.warehouse import commit
from tasks.warehouse.schemas import ARTICLES, DQ_METRICS, DQ_RESULTS, QUARANTINE, RUNS

START = datetime(2026, 3, 1, tzinfo=UTC)
# suite, measure, source, value, threshold, drift
Metric = tuple[str, str, str, float | None, float | None, bool]
Result = tuple[str, bool]  # suite, success


def run_at(minute: int) -> RunContext:
    return RunContext.new(START + timedelta(minutes=minute))


def metric_rows(run: RunContext, batch: str, metrics: Sequence[Metric]) -> list[dict[str, Any]]:
    keys = ("table_name", "measure", "source", "value", "threshold", "is_drift")
    return [
        {**_common(run), **dict(zip(keys, m, strict=True)), "batch_id": batch, "severity": "warning"}
        | {"success": None if m[4] is None or m[3] is None else m[3] >= m[4], "measured_at": run.started_at}
        for m in metrics
    ]


def result_rows(
    run: RunContext, batch: str, results: Sequence[Result], expectation: str = "expect_x", unexpected: int = 0
) -> list[dict[str, Any]]:
    return [
        {**_common(run), "batch_id": batch, "table_name": suite, "expectation": expectation}
        | {"column_name": "c", "severity": "warning", "success": ok, "element_count": 3}
        | {"unexpected_count": 0 if ok else max(1, unexpected), "unexpected_percent": 0.0}
        | {"evaluated_at": run.started_at}
        for suite, ok in results
    ]


def quarantine_rows(run: RunContext, quarantined: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    return [
        {**_common(run), "source_uri": uri, "stage": stage, "reason_code": reason, "detail": "d"}
        | {"quarantined_at": run.started_at, "payload": b"x"}
        for stage, reason, uri in quarantined
    ]


def commit_run(
    warehouse: str | Path,
    minute: int,
    metrics: Sequence[Metric] = (),
    results: Sequence[Result] = (),
    quarantined: Sequence[tuple[str, str, str]] = (),
    run: RunContext | None = None,
    batch: int = 0,
) -> str:
    """One batch of a run (a new run at START + `minute`, or `run`), committed: dq_metrics, dq_results
    and quarantine rows; returns the run id."""
    run = run or run_at(minute)
    batch_id = f"{run.run_id}-{batch:05d}"
    rows = {
        DQ_METRICS: metric_rows(run, batch_id, metrics),
        DQ_RESULTS: result_rows(run, batch_id, results),
        QUARANTINE: quarantine_rows(run, quarantined),
    }
    tables = {t.name: pa.Table.from_pylist(r, t.schema) for t, r in rows.items()}
    commit.commit_batch(warehouse, batch_id, tables)
    return run.run_id


SITE_A, SITE_B = "file:///in/site-a/{n}.html", "file:///in/site-b/{n}.html"


def date_history(warehouse: str | Path, runs: int = 6, minutes_apart: int = 1) -> list[str]:
    """Runs whose date coverage holds at 0.9 until the last, where site-b loses its dates (drift) and one
    of the ten articles expectations fails (pass rate 0.9, as dq_metrics has it). Each source is named as
    the flow names it: source_of the records' own URIs, for measures and quarantine alike."""
    site_a, site_b = source_of(SITE_A.format(n=0)), source_of(SITE_B.format(n=0))
    ids = []
    for n in range(runs):
        last = n == runs - 1
        metrics: list[Metric] = [
            ("articles", "pass_rate", "", 1.0 - 0.1 * last, None, False),
            ("articles", "published_at_share", "", 0.5 if last else 0.9, 0.8, last),
            ("articles", "published_at_share", site_a, 0.9, 0.8, False),
            ("articles", "published_at_share", site_b, 0.0 if last else 0.9, 0.8, last),
        ]
        results = [("articles", True)] * 9 + [("articles", not last)]
        quarantined = [("parse", "no_body", SITE_A.format(n=k)) for k in range(n % 3)]
        ids.append(commit_run(warehouse, n * minutes_apart, metrics, results, quarantined))
    return ids


def _common(run: RunContext) -> dict[str, Any]:
    return {"run_id": run.run_id, "run_date": run.started_at.strftime("%Y-%m-%d")}


# many_runs: the shape of real runs (tasks.quality's suites), every run's rows in one commit.
EXPECTATIONS = (  # suite, expectation, column, severity
    ("articles", "expect_column_values_to_not_be_null", "title", "critical"),
    ("articles", "expect_column_value_lengths_to_be_between", "body", "quarantine"),
    ("articles", "expect_column_values_to_match_regex", "language", "warning"),
    ("articles", "expect_column_values_to_be_between", "word_count", "warning"),
    ("entities", "expect_column_values_to_be_in_set", "label", "warning"),
    ("quotes", "expect_column_value_lengths_to_be_between", "speaker", "quarantine"),
    *(
        (suite, "expect_column_values_to_not_be_null", column, "critical")
        for suite, columns in {"articles": "doc_id body run_id", "entities": "text", "quotes": "text"}.items()
        for column in columns.split()
    ),
)
COVERAGE = {  # measure -> (typical value, threshold)
    "published_at_share": (0.93, 0.8),
    "authors_share": (0.8, 0.6),
    "entities_per_1000_words": (31, 10),
}
SOURCES = tuple(f"file:///data/news/site-{s}/{{n}}.html" for s in "abc")


def many_runs(warehouse: str | Path, runs: int, hours_apart: float = 6.0, seed: int = 0) -> list[str]:
    """`runs` runs of DQ history in one commit; the newest has failures with examples (a quarantined
    article, a flagged one), site-c losing its dates (drift), and its `runs` row. Returns the run ids."""
    rng = random.Random(seed)
    contexts = [RunContext.new(START + timedelta(hours=hours_apart * n)) for n in range(runs)]
    tables: dict[str, list[dict[str, Any]]] = {t.name: [] for t in (DQ_METRICS, DQ_RESULTS, QUARANTINE)}
    for n, run in enumerate(contexts):
        newest = n == runs - 1
        batch = f"{run.run_id}-00000"
        tables[DQ_METRICS.name] += metric_rows(run, batch, _measures(rng, drifting=newest))
        for suite, kind, column, severity in EXPECTATIONS:
            ok = (not newest and rng.random() > 0.02) or (newest and severity == "critical")
            row = result_rows(run, batch, [(suite, ok)], kind, rng.randint(1, 6))[0]
            samples = None if ok else json.dumps(["xx", "", "n/a"][: rng.randint(1, 3)])
            row |= {"column_name": column, "severity": severity, "sample_values": samples}
            tables[DQ_RESULTS.name].append(row)
        reasons = [("parse", "no_body"), ("ingest", "empty")] * (rng.random() < 0.3)
        tables[QUARANTINE.name] += quarantine_rows(run, [(s, r, SOURCES[0].format(n=n)) for s, r in reasons])
    newest = contexts[-1]
    tables[QUARANTINE.name] += _examples(newest)
    tables[ARTICLES.name] = _articles(newest)
    tables[RUNS.name] = [_runs_row(newest)]
    data = {name: pa.Table.from_pylist(rows, TABLES_BY_NAME[name].schema) for name, rows in tables.items()}
    commit.commit_batch(warehouse, f"{newest.run_id}-history", data)
    return [r.run_id for r in contexts]


TABLES_BY_NAME = {t.name: t for t in (DQ_METRICS, DQ_RESULTS, QUARANTINE, ARTICLES, RUNS)}
TITLE_QUARANTINED = "Storm closes the harbour for a third day"
TITLE_FLAGGED = "Council votes on the new tram line"
DOC_QUARANTINED, DOC_FLAGGED = "a" * 64, "b" * 64


def _measures(rng: random.Random, drifting: bool) -> list[Metric]:
    found: list[Metric] = [("articles", "pass_rate", "", rng.uniform(0.8, 1.0), None, False)]
    for measure, (typical, threshold) in COVERAGE.items():
        for uri in ("", *SOURCES):
            source = source_of(uri.format(n=0)) if uri else ""
            lost = drifting and measure == "published_at_share" and ("site-c" in source or not source)
            value = typical * rng.uniform(0.93, 1.05) * ((0.25 if source else 0.8) if lost else 1.0)
            found.append(("articles", measure, source, value, threshold, lost))
    return found


def _examples(run: RunContext) -> list[dict[str, Any]]:
    """The newest run's quarantined article: failed body length, its row (and title) as the payload."""
    row = {"doc_id": DOC_QUARANTINED, "title": TITLE_QUARANTINED, "body": "Too short."}
    detail = "articles row failed: expect_column_value_lengths_to_be_between(body)"
    return [
        {**_common(run), "source_uri": SOURCES[1].format(n=7), "doc_id": DOC_QUARANTINED, "stage": "validate"}
        | {"reason_code": "expect_column_value_lengths_to_be_between(body)", "detail": detail}
        | {"quarantined_at": run.started_at, "payload": json.dumps(row).encode()}
    ]


def _articles(run: RunContext) -> list[dict[str, Any]]:
    flags = [
        "expect_column_values_to_match_regex(language)",
        "entities.expect_column_values_to_be_in_set(label)",
    ]
    return [
        {"doc_id": DOC_FLAGGED, "source_uri": SOURCES[2].format(n=3), "title": TITLE_FLAGGED, "authors": []}
        | {"language": "xx", "body": "Body.", "word_count": 1, "content_hash": "c" * 64, "dq_flags": flags}
        | {"run_id": run.run_id, "published_month": "unknown"}
    ]


def _runs_row(run: RunContext) -> dict[str, Any]:
    seconds = {f.name: 1.0 for f in RUNS.schema if f.name.startswith("seconds_")}
    counts = {"files_seen": 240, "records_seen": 250, "articles_written": 236, "quarantined": 14}
    return {
        **_common(run),
        "started_at": run.started_at,
        "finished_at": run.started_at,
        "status": "completed",
    } | {"source": "/data/news", "batches": 1, "skipped": 0, "rows_quarantined": 3, **counts, **seconds}
