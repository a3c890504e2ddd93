"""DQ trends read back from history committed as the flow commits it (one commit per run)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from tasks.records import SuiteTally
from tasks.reports import dq_history, dq_trends
from tasks.reports.dq_trends import Series
from tasks.warehouse import commit, views
from tasks.warehouse.schemas import QUARANTINE
from tests.tasks.reports.dq_fixtures import commit_run, date_history, run_at

DAY = 24 * 60


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
    assert rate.label == "articles" and rate.values == (1.0,) * 5 + (pytest.approx(0.9),)
    assert [t.minute for t in trends.run_times] == list(range(6))  # when each run was measured
    (reason,) = trends.quarantined
    assert (reason.label, reason.values) == ("parse:no_body", (0.0, 1.0, 2.0, 0.0, 1.0, 2.0))


def test_worst_sources_of_the_newest_run_rank_failed_measures_then_quarantine(tmp_path: Path) -> None:
    date_history(tmp_path)
    trends = dq_trends.read_trends(tmp_path)
    assert [(s.source, s.failed_measures, s.quarantined, s.measures) for s in trends.worst_sources] == [
        ("/in/site-b", 1, 0, ("published_at_share",)),
        ("/in/site-a", 0, 2, ()),  # one row for site-a: its measures and its quarantine name it alike
    ]


def test_a_suite_pass_rate_is_passed_over_evaluated_pooled_over_the_run_batches(tmp_path: Path) -> None:
    """One definition (the dq_pass_rates view): 3 of 4 expectations over two batches is 0.75, not the
    mean of the batches' rates (1.0 and 2/3), and not what dq_metrics' own pass_rate row says."""
    run = run_at(0)
    commit_run(tmp_path, 0, [("articles", "pass_rate", "", 0.25, None, True)], [("articles", True)], run=run)
    three = [("articles", True), ("articles", True), ("articles", False)]
    commit_run(tmp_path, 0, results=three, run=run, batch=1)
    commit_run(tmp_path, 1, results=[("quotes", True)])
    trends = dq_trends.read_trends(tmp_path)
    rates = {s.label: s.values for s in trends.pass_rates}
    assert rates == {"articles": (0.75, None), "quotes": (None, 1.0)}
    assert trends.pass_rates[0].drift == (True, False)  # the drift marks are dq_metrics'
    assert SuiteTally(evaluated=4, passed=3).pass_rate == 0.75  # the run summary's tally agrees
    con = views.connect(tmp_path)
    assert con.execute("select pass_rate from dq_pass_rates where table_name = 'articles'").fetchall() == [
        (0.75,)
    ]


def test_only_the_newest_runs_are_read(tmp_path: Path) -> None:
    ids = date_history(tmp_path, runs=5, minutes_apart=DAY)
    kept = {"run_id": ids[0], "run_date": "2026-03-01", "source_uri": "file:///in/a/1.txt", "stage": "ingest"}
    kept |= {"reason_code": "empty", "detail": "", "quarantined_at": datetime(2026, 3, 1, tzinfo=UTC)}
    commit.commit_batch(tmp_path, f"{ids[-1]}-rebuild-00000", {"quarantine": _table([kept])})
    for old in tmp_path.glob("*/run_date=2026-03-0[1-3]/*.parquet"):
        _garble(old)  # the three oldest run dates are not even opened
    trends = dq_trends.read_trends(tmp_path, max_runs=2)
    assert trends.runs == tuple(ids[-2:])
    assert all(len(s.values) == 2 for s in (*trends.coverage, *trends.pass_rates, *trends.quarantined))


def _table(rows: list[dict[str, object]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=QUARANTINE.schema)


def test_an_empty_warehouse_has_no_runs(tmp_path: Path) -> None:
    trends = dq_trends.read_trends(tmp_path / "nothing")
    assert trends.runs == () and trends.current_run is None and not trends.coverage


def _garble(path: Path) -> None:
    """Not Parquet any more, at the same name and size: a build that opens it fails."""
    path.write_bytes(b"x" * path.stat().st_size)


def test_a_kept_build_reads_only_the_partitions_that_changed(tmp_path: Path) -> None:
    ids = date_history(tmp_path, runs=4, minutes_apart=DAY)
    first = dq_trends.read_trends(tmp_path, keep=True)
    assert (tmp_path / dq_history.KEPT).is_file() and first.runs == tuple(ids)
    for old in tmp_path.glob("*/run_date=2026-03-0[1-4]/*.parquet"):
        _garble(old)  # a build that opened a summarised partition again would fail on it
    ids.append(commit_run(tmp_path, 10 * DAY, [("articles", "published_at_share", "", 0.4, 0.8, True)]))
    again = dq_trends.read_trends(tmp_path, keep=True)
    assert again.runs == tuple(ids)
    (coverage,) = again.coverage
    assert coverage.values == (*first.coverage[0].values, 0.4)
    assert again.pass_rates == tuple(
        Series(s.group, s.name, (*s.values, None), s.threshold, (*s.drift, False), (*s.failed, False))
        for s in first.pass_rates
    )
    assert dq_trends.read_trends(tmp_path, max_runs=2, keep=True).runs == tuple(ids[-2:])


def test_the_kept_aggregates_are_dropped_when_what_they_summarise_is_gone(tmp_path: Path) -> None:
    date_history(tmp_path, runs=3, minutes_apart=DAY)
    dq_trends.read_trends(tmp_path, keep=True)
    for old in tmp_path.glob("quarantine/*/*.parquet"):
        old.unlink()  # as a rebuild replacing the quarantine table
    rebuilt = dq_trends.read_trends(tmp_path, keep=True)
    assert rebuilt == dq_trends.read_trends(tmp_path) and not rebuilt.quarantined
    (tmp_path / dq_history.KEPT).write_bytes(b"garbled")  # derived data: read everything again
    assert dq_trends.read_trends(tmp_path, keep=True) == rebuilt
    oldest = tmp_path / "dq_metrics" / "run_date=2026-03-01"
    for f in oldest.iterdir():
        f.unlink()
    oldest.rmdir()  # a run date gone (as by retention): the kept rows of it go too
    after = dq_trends.read_trends(tmp_path, keep=True)
    assert after == dq_trends.read_trends(tmp_path) and after.coverage[0].values[0] is None
