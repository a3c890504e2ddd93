from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.quality import drift
from tasks.records import Measure, RunContext
from tasks.warehouse import commit, rows

START = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)


def normal_history(warehouse: Path, runs: int = 20, per_day: int = 2) -> list[RunContext]:
    """`runs` earlier runs' dq_metrics, two batches each, as the flow commits them (several runs a day):
    dates found on 85 to 95 % of articles, pass rates at 1.0 throughout."""
    contexts = []
    for n in range(runs):
        started = START + timedelta(hours=24 * n // per_day)
        run = RunContext(f"{started:%Y%m%dT%H%M%SZ}-{n:08x}", started)
        measures = [
            m
            for b in range(2)
            for m in (
                Measure(
                    f"{run.run_id}-{b:05d}", "articles", "published_at_share", "", 0.85 + 0.01 * (n % 11), 0.5
                ),
                Measure(f"{run.run_id}-{b:05d}", "articles", "published_at_share", "/in/x", 0.0, 0.5),
                Measure(f"{run.run_id}-{b:05d}", "articles", "pass_rate", "", 1.0, None),
            )
        ]
        commit.commit_batch(
            warehouse, f"{run.run_id}-00000", {"dq_metrics": rows.dq_metrics_table(measures, run)}
        )
        contexts.append(run)
    return contexts


def test_a_run_that_drops_dates_after_twenty_normal_ones_drifts(tmp_path: Path) -> None:
    normal_history(tmp_path)
    known = drift.recent_baselines(tmp_path)
    assert known[("articles", "published_at_share")].runs == 20
    dropped = Measure("now-00000", "articles", "published_at_share", "", 0.0, 0.5)
    usual = Measure("now-00000", "articles", "published_at_share", "", 0.88, 0.5)
    at_source = Measure("now-00000", "articles", "published_at_share", "/in/x", 0.0, 0.5)
    marked, checks = drift.with_drift([dropped, usual, at_source], known)
    assert [m.is_drift for m in marked] == [True, False, False]  # per-source rows get no drift verdict
    assert "median 0.895" in marked[0].detail and "last 20 runs" in marked[0].detail
    assert [(c.reason_code, c.success) for c in checks] == [
        ("drift(published_at_share)", False),
        ("drift(published_at_share)", True),
    ]


def test_no_verdict_on_fewer_than_five_runs_and_a_floor_when_history_is_constant() -> None:
    def history(values: list[float]) -> list[tuple[str, str, str, float | None]]:
        return [(f"r{n:02d}", "articles", "pass_rate", v) for n, v in enumerate(values)]

    assert drift.baselines(history([1.0] * 4)) == {}
    constant = drift.baselines(history([1.0] * 6))[("articles", "pass_rate")]
    assert constant.median == 1.0 and constant.spread == pytest.approx(drift.RELATIVE_FLOOR)  # MAD is 0
    assert not constant.drifts(0.95)  # one failed expectation in twenty: not drift
    assert constant.drifts(0.8)
    small = drift.baselines(history([0.01] * 6))[("articles", "pass_rate")]
    assert small.spread == drift.ABSOLUTE_FLOOR  # near zero, the floor is absolute
    window = drift.baselines(history([0.0] * 10 + [0.9] * 20))[("articles", "pass_rate")]
    assert (window.median, window.runs) == (0.9, 20)  # only the last 20 runs count


def test_history_reads_only_the_newest_partitions(tmp_path: Path) -> None:
    runs = normal_history(tmp_path, runs=30)
    oldest = tmp_path / "dq_metrics" / f"run_date={runs[0].started_at:%Y-%m-%d}"
    (oldest / "not-parquet.parquet").write_bytes(b"opening this would fail")
    history = drift.read_history(tmp_path)
    assert {r[0] for r in history} == {r.run_id for r in runs[-20:]}
    assert {r[3] for r in history if r[2] == "pass_rate"} == {1.0}
    assert all(len(r) == 4 for r in history)  # run, table, measure, value: batch-level rows only
    assert len(history) == 20 * 2 * 2
    assert drift.read_history(tmp_path / "empty") == []
