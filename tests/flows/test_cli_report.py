"""`newsetl report`: the DQ trends as compact tables, sparklines on a terminal, plain values elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tasks.reports import dashboard_site
from tasks.reports.dq_report import SPARKS
from tests.tasks.reports.dq_fixtures import date_history

pytestmark = pytest.mark.e2e

pytestmark = pytest.mark.e2e  # the CLI through typer's runner


def test_report_prints_the_trends_drift_worst_sources_and_the_dashboard(tmp_path: Path) -> None:
    date_history(tmp_path)
    before = CliRunner().invoke(app, ["report", "--warehouse", str(tmp_path), "--trend-runs", "4"])
    assert before.exit_code == 0, before.output
    assert "DQ dashboard: not built yet" in before.output
    index = dashboard_site.build_dashboard(tmp_path)
    result = CliRunner().invoke(app, ["report", "--warehouse", str(tmp_path), "--trend-runs", "4"])
    assert result.exit_code == 0, result.output
    out = result.output
    for title in ("Pass rate per suite (%), last 4 run(s)", "Coverage measures, last 4 run(s)"):
        assert title in out
    assert "Quarantined rows per reason" in out and "parse:no_body" in out
    assert "Drift in the newest run: articles.published_at_share" in out
    coverage = next(line for line in out.splitlines() if "published_at_share" in line)
    assert "1 NOW" in coverage and "0.90 0.90 0.90 0.50" in coverage  # not a terminal: plain values
    assert not any(spark in out for spark in SPARKS)
    source = next(line for line in out.splitlines() if "site-b" in line)
    assert source.split("│")[2].strip() == "1"  # one measure failed or drifting
    assert f"DQ dashboard: {index}" in out.replace("\n", "")
