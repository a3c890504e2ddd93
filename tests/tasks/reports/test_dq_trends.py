"""DQ trends read back from history committed as the flow commits it (one commit per run)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tasks.records import RunContext
from tasks.reports import dq_history, dq_trends
from tasks.reports.dq_trends import Series
from tasks.sources import source_of
from tasks.warehouse import commit, tables
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, QUARANTINE

Metric = tuple[
    str, str, str, float | None, float | None, bool
]  # suite, measure, source, value, threshold, drift


def commit_run(
    warehouse: str | Path,
    minute: int,
    metrics: Sequence[Metric] = (),
    results: Sequence[tuple[str, bool]] = (),
    quarantined: Sequence[tuple[str, str, str]] = (),
) -> str:
    """One run's DQ rows committed as one batch: dq_metrics, dq_results and quarantine; returns its id."""
    run = RunContext.new(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=minute))
    common = {"run_id": run.run_id, "run_date": run.started_at.strftime("%Y-%m-%d")}
    batch = f"{run.run_id}-00000"
    metric_rows = [
        {
            **common,
            **dict(
                zip(("table_name", "measure", "source", "value", "threshold", "is_drift"), m, strict=True)
            ),
            "batch_id": batch,
            "severity": "warning",
            "success": None if m[4] is None or m[3] is None else m[3] >= m[4],
            "measured_at": run.started_at,
        }
        for m in metrics
    ]
    result_rows = [
        {**common, "batch_id": batch, "table_name": suite, "expectation": "expect_x", "column_name": "c"}
        | {"severity": "warning", "success": ok, "element_count": 3, "unexpected_count": 0}
        | {"unexpected_percent": 0.0, "evaluated_at": run.started_at}
        for suite, ok in results
    ]
    quarantine_rows = [
        {**common, "source_uri": uri, "stage": stage, "reason_code": reason, "detail": "d"}
        | {"quarantined_at": run.started_at, "payload": b"x"}
        for stage, reason, uri in quarantined
    ]
    tables = {
        DQ_METRICS.name: _table(DQ_METRICS.schema, metric_rows),
        DQ_RESULTS.name: _table(DQ_RESULTS.schema, result_rows),
        QUARANTINE.name: _table(QUARANTINE.schema, quarantine_rows),
    }
    commit.commit_batch(warehouse, batch, tables)
    return run.run_id


def _table(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


SITE_A, SITE_B = "file:///in/site-a/{n}.html", "file:///in/site-b/{n}.html"


def date_history(warehouse: str | Path, runs: int = 6) -> list[str]:
    """Runs whose date coverage holds at 0.9 until the last, where site-b loses its dates (drift).
    Each source is named as the flow names it: source_of the records' own URIs, for measures and
    quarantine alike."""
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
        quarantined = [("parse", "no_body", SITE_A.format(n=k)) for k in range(n % 3)]
        ids.append(commit_run(warehouse, n, metrics, [("articles", True)], quarantined))
    return ids


def test_each_measure_is_a_series_over_the_runs_with_threshold_failures_and_drift(tmp_path: Path) -> None:
    ids = date_history(tmp_path)
    trends = dq_trends.read_trends(tmp_path)
    assert trends.runs == tuple(ids) and trends.current_run == ids[-1]
    (coverage,) = trends.coverage
    assert (coverage.label, coverage.threshold) == ("articles.published_at_share", 0.8)
    assert coverage.values == (0.9,) * 5 + (0.5,)  # the batch's own value ("" source), not a site's
    assert coverage.failed == (False,) * 5 + (True,) and coverage.drift == coverage.failed
    assert [s.label for s in trends.drifted()] == ["articles.published_at_share"]
    (rate,) = trends.pass_rates
    assert rate.label == "articles" and rate.values[-1] == pytest.approx(0.9)  # dq_metrics' own pass rate
    (reason,) = trends.quarantined
    assert (reason.label, reason.values) == ("parse:no_body", (0.0, 1.0, 2.0, 0.0, 1.0, 2.0))


def test_worst_sources_of_the_newest_run_rank_failed_measures_then_quarantine(tmp_path: Path) -> None:
    date_history(tmp_path)
    trends = dq_trends.read_trends(tmp_path)
    assert [(s.source, s.failed_measures, s.quarantined, s.measures) for s in trends.worst_sources] == [
        ("/in/site-b", 1, 0, ("published_at_share",)),
        ("/in/site-a", 0, 2, ()),  # one row for site-a: its measures and its quarantine name it alike
    ]


def test_runs_without_dq_metrics_take_their_pass_rates_from_dq_results(tmp_path: Path) -> None:
    old = commit_run(tmp_path, 0, results=[("articles", True), ("articles", False), ("quotes", True)])
    new = commit_run(tmp_path, 1, [("articles", "pass_rate", "", 0.25, None, False)], [("articles", True)])
    trends = dq_trends.read_trends(tmp_path)
    assert trends.runs == (old, new)
    rates = {s.label: s.values for s in trends.pass_rates}
    assert rates == {"articles": (0.5, 0.25), "quotes": (1.0, None)}
    listed = {t: tables.table_files(tmp_path, t) for t in ("dq_metrics", "dq_results", "quarantine")}
    assert dq_history.window(listed, 10)[0]["dq_results"] == [
        f for f in map(str, sorted(tmp_path.glob("dq_results/*/*.parquet"))) if old in f
    ]  # the newer run's dq_results are not even opened


def test_only_the_newest_runs_are_read(tmp_path: Path) -> None:
    ids = date_history(tmp_path, runs=5)
    kept = {"run_id": ids[0], "run_date": "2026-03-01", "source_uri": "file:///in/a/1.txt", "stage": "ingest"}
    kept |= {"reason_code": "empty", "detail": "", "quarantined_at": datetime(2026, 3, 1, tzinfo=UTC)}
    commit.commit_batch(
        tmp_path, f"{ids[-1]}-rebuild-00000", {"quarantine": _table(QUARANTINE.schema, [kept])}
    )
    trends = dq_trends.read_trends(tmp_path, max_runs=2)  # the rebuild's file holds an old run's row
    assert trends.runs == tuple(ids[-2:])
    assert all(len(s.values) == 2 for s in (*trends.coverage, *trends.pass_rates, *trends.quarantined))
    listed = {t: tables.table_files(tmp_path, t) for t in ("dq_metrics", "dq_results", "quarantine")}
    files, oldest = dq_history.window(listed, 2)
    assert len(files["dq_metrics"]) == 2 and oldest == ids[-2]


def test_an_empty_warehouse_has_no_runs(tmp_path: Path) -> None:
    trends = dq_trends.read_trends(tmp_path / "nothing")
    assert trends.runs == () and trends.current_run is None and not trends.coverage


def _garble(path: Path) -> None:
    path.write_bytes(b"not parquet")


def test_a_kept_build_reads_only_the_files_committed_since(tmp_path: Path) -> None:
    ids = date_history(tmp_path, runs=4)
    first = dq_trends.read_trends(tmp_path, keep=True)
    assert (tmp_path / dq_history.KEPT).is_file() and first.runs == tuple(ids)
    for old in tmp_path.glob("dq_metrics/*/*.parquet"):
        _garble(old)  # a build that opened a summarised file again would fail on it
    ids.append(commit_run(tmp_path, 10, [("articles", "published_at_share", "", 0.4, 0.8, True)]))
    again = dq_trends.read_trends(tmp_path, keep=True)
    assert again.runs == tuple(ids)
    (coverage,) = again.coverage
    assert coverage.values == (*first.coverage[0].values, 0.4)
    assert again.pass_rates == tuple(
        Series(s.group, s.name, (*s.values, None), s.threshold, (*s.drift, False), (*s.failed, False))
        for s in first.pass_rates
    )


def test_the_kept_aggregates_are_dropped_when_a_summarised_file_is_gone(tmp_path: Path) -> None:
    date_history(tmp_path, runs=3)
    dq_trends.read_trends(tmp_path, keep=True)
    for old in tmp_path.glob("quarantine/*/*.parquet"):
        old.unlink()  # as a rebuild replacing the quarantine table
    rebuilt = dq_trends.read_trends(tmp_path, keep=True)
    assert rebuilt == dq_trends.read_trends(tmp_path) and not rebuilt.quarantined
    (tmp_path / dq_history.KEPT).write_bytes(b"garbled")  # derived data: read everything again
    assert dq_trends.read_trends(tmp_path, keep=True) == rebuilt
