"""The dashboard bench's history: shaped like real runs, drifting at the end, readable by the dashboard."""

from __future__ import annotations

from pathlib import Path

from bench import dashboard
from tasks.reports import dq_trends


def test_history_ends_with_a_source_losing_its_dates(tmp_path: Path) -> None:
    ids = dashboard.write_history(tmp_path, runs=12)
    trends = dq_trends.read_trends(tmp_path)
    assert trends.runs == tuple(ids) and len(trends.coverage) == len(dashboard.COVERAGE)
    assert [s.label for s in trends.drifted()] == ["articles.published_at_share"]
    assert trends.worst_sources[0].source == "site-c" and trends.worst_sources[0].failed_measures == 1


def test_measure_times_cold_and_per_run_builds_over_the_stored_runs() -> None:
    figures = dashboard.measure(runs=5, repeats=2)
    assert figures["runs"] == 5 and 0 < figures["seconds_build_cold"] <= figures["seconds_build_cold_first"]
    assert figures["seconds_build_per_run"] > 0 and figures["html_bytes"] > 1000


def test_appended_runs_continue_the_history(tmp_path: Path) -> None:
    ids = dashboard.write_history(tmp_path, runs=3) + dashboard.write_history(tmp_path, runs=1, first=3)
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert dq_trends.read_trends(tmp_path).runs == tuple(ids)
