"""Every report and query gives the same answers over a history whose small files were merged at commit
(tasks.warehouse.compact) as over the same history committed a file per run and table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import dashboard
from tasks.reports import dashboard_site, dq_report, dq_trends
from tasks.reports.dashboard import render_dashboard
from tasks.warehouse import compact, tables, views
from tasks.warehouse.schemas import TABLES

HISTORY = [t for t in TABLES.values() if t.partition_by == "run_date"]
NOW = datetime(2026, 1, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same 30 runs over two run dates (drift in the last three), merged and not."""
    merged, plain = (tmp_path_factory.mktemp(name) for name in ("merged", "plain"))
    dashboard.write_history(merged, runs=30, first=80)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compact, "MERGE_AT", 10**9)
        dashboard.write_history(plain, runs=30, first=80)
    return merged, plain


def test_the_merged_history_has_a_few_files_per_partition(warehouses: tuple[Path, Path]) -> None:
    merged, plain = warehouses
    for table in ("dq_results", "dq_metrics", "runs"):
        assert len(tables.table_files(plain, table)) == 30
        assert len(tables.table_files(merged, table)) < 2 * compact.MERGE_AT  # two run dates


def test_queries_read_the_same_rows(warehouses: tuple[Path, Path]) -> None:
    merged, plain = (views.connect(w) for w in warehouses)
    for table in HISTORY:
        query = f"select * from {table.name} order by all"
        assert merged.execute(query).fetchall() == plain.execute(query).fetchall(), table.name
    query = "select * from dq_pass_rates order by all"
    assert merged.execute(query).fetchall() == plain.execute(query).fetchall()


def test_reports_give_the_same_answers(warehouses: tuple[Path, Path]) -> None:
    merged, plain = warehouses
    for runs in (1, 5, 30):
        con_merged, con_plain = views.connect(merged), views.connect(plain)
        assert dq_report.pass_rates(con_merged, runs) == dq_report.pass_rates(con_plain, runs)
        assert dq_report.top_failures(con_merged, runs) == dq_report.top_failures(con_plain, runs)
        assert dq_report.findings(con_merged, runs) == dq_report.findings(con_plain, runs)
    for runs in (1, 7, 1000):
        trends = dq_trends.read_trends(merged, runs)
        assert trends == dq_trends.read_trends(plain, runs) and len(trends.runs) == min(runs, 30)
    trends = dq_trends.read_trends(merged)
    assert [s.label for s in trends.drifted()] == ["articles.published_at_share"]
    page = render_dashboard(trends, "wh", NOW, {})
    assert page == render_dashboard(dq_trends.read_trends(plain), "wh", NOW, {})


def test_the_dashboard_kept_aggregates_follow_a_merge(warehouses: tuple[Path, Path]) -> None:
    """A commit that merges a partition changes its version: the kept aggregates of it are read again."""
    merged, plain = warehouses
    for warehouse in warehouses:
        dashboard_site.build_dashboard(warehouse, now=NOW)
    before, runs = tables.table_files(merged, "dq_metrics"), compact.MERGE_AT
    for warehouse, merge_at in ((merged, compact.MERGE_AT), (plain, 10**9)):
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(compact, "MERGE_AT", merge_at)
            dashboard.write_history(warehouse, runs=runs, first=110)
    assert set(tables.table_files(merged, "dq_metrics")).isdisjoint(before[-1:])  # merged again
    kept = [dq_trends.read_trends(w, keep=True) for w in warehouses]
    assert kept[0] == kept[1] == dq_trends.read_trends(plain) and len(kept[0].runs) == 30 + runs
