"""The DQ dashboard: its charts from trends (pure), its build into a warehouse, and a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.reports import dashboard, dashboard_site, dq_trends
from tasks.reports.dq_trends import DqTrends, Series, SourceScore
from tasks.warehouse.store import open_store
from tests.tasks.reports.test_dq_trends import date_history

NOW = datetime(2026, 3, 2, tzinfo=UTC)
RUNS = ("20260301T000000Z-00000000", "20260301T001500Z-00000001", "20260301T003000Z-00000002")


def _trends() -> DqTrends:
    coverage = Series(
        "articles", "authors_share", (0.9, None, 0.3), 0.6, (False, False, True), (False, False, True)
    )
    return DqTrends(
        runs=RUNS,
        pass_rates=(Series("articles", "pass_rate", (1.0, 0.9, 0.8)),),
        quarantined=(Series("", "parse:no_body", (0.0, 2.0, 1.0)),),
        coverage=(coverage,),
        worst_sources=(SourceScore("site-b", 2, 0), SourceScore("site-a", 0, 5)),
    )


def _payload(page: str) -> dict:
    return json.loads(re.search(r"const DQ = (.*);\n", page).group(1))


def test_every_chart_is_on_the_page_with_its_data() -> None:
    page = dashboard.render_dashboard(_trends(), "/wh", NOW, {"GX Data Docs": "../data_docs/index.html"})
    payload = _payload(page)
    ids = ["chart-pass-rate", "chart-quarantine", "chart-coverage-0", "chart-worst-sources"]
    assert list(payload["figures"]) == ids and all(f'id="{i}"' in page for i in ids)
    assert payload["runs"][0] == "2026-03-01T00:00:00" and payload["run_ids"] == list(RUNS)
    rate = payload["figures"]["chart-pass-rate"]["data"][0]
    assert rate["y"] == [100.0, 90.0, 80.0] and rate["x_runs"]
    coverage = payload["figures"]["chart-coverage-0"]["data"]
    assert [t["name"] for t in coverage] == ["authors_share", "threshold", "below threshold", "drift"]
    assert coverage[1]["y"] == [0.6, 0.6] and coverage[3]["x"] == ["2026-03-01T00:30:00"]
    worst = payload["figures"]["chart-worst-sources"]["data"]
    assert worst[0]["y"] == ["site-a", "site-b"] and worst[1]["x"] == [5, 0]  # the worst drawn on top
    assert 'src="vendor/plotly-4.1.1.min.js"' in page and "../data_docs/index.html" in page
    assert "Drift in the newest run: articles.authors_share" in page


def test_charts_without_data_are_left_out() -> None:
    empty = DqTrends(runs=RUNS, quarantined=(Series("", "ingest:empty", (0.0, 0.0, 0.0)),))
    page = dashboard.render_dashboard(empty, "/wh", NOW, {})
    assert _payload(page)["figures"] == {} and 'class="chart"' not in page
    assert "No data-quality history yet" in page
    assert "No drift in the newest run" in page


def test_names_cannot_break_out_of_the_page() -> None:
    hostile = Series("articles", "</script><script>alert(1)</script>", (0.5, 0.5, 0.5), 0.4)
    page = dashboard.render_dashboard(DqTrends(runs=RUNS, coverage=(hostile,)), "<wh>", NOW, {})
    assert "</script><script>" not in page and "&lt;wh&gt;" in page
    assert _payload(page)["figures"]["chart-coverage-0"]["data"][0]["name"] == hostile.name


@pytest.fixture(params=["local", "s3"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path / "wh") if request.param == "local" else request.getfixturevalue("s3_warehouse")


def test_the_dashboard_is_built_into_the_warehouse_with_its_script(warehouse: str) -> None:
    assert not dashboard_site.dashboard_built(warehouse)
    ids = date_history(warehouse)
    index = dashboard_site.build_dashboard(warehouse, now=NOW)
    assert index == dashboard_site.dashboard_index(warehouse) and index.endswith("_reports/dq/index.html")
    store = open_store(warehouse)
    page = store.read_bytes("_reports/dq/index.html").decode()
    assert _payload(page)["run_ids"] == ids and "chart-coverage-0" in page
    script = store.read_bytes(f"_reports/dq/vendor/{dashboard.PLOTLY_JS}")
    assert script == dashboard_site.vendored(dashboard.PLOTLY_JS) and script.startswith(
        b"/**\n* plotly.js v4.1.1"
    )
    assert store.is_file("_reports/dq/vendor/LICENSE-plotly.txt")
    dashboard_site.build_dashboard(warehouse, max_runs=2, now=NOW)  # rebuilt whole, over fewer runs
    assert _payload(store.read_bytes("_reports/dq/index.html").decode())["run_ids"] == ids[-2:]


_MARKS = re.compile(r'<path[^>]*class="(?:js-line|point)"[^>]*d="M|<g class="point"><path[^>]*d="M')


@pytest.mark.e2e
def test_every_chart_renders_in_a_real_browser(tmp_path: Path) -> None:
    """Headless chromium, offline: each chart is an svg with marks; a screenshot is left in tmp_path."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium not installed: `make test` installs it (apt-get install chromium)"
    date_history(tmp_path / "wh")
    index = Path(dashboard_site.build_dashboard(tmp_path / "wh"))
    ids = list(_payload(index.read_text(encoding="utf-8"))["figures"])
    assert len(ids) == 4  # pass rate, quarantine, date coverage, worst sources
    dom = _chromium(chromium, tmp_path, index, "--dump-dom").stdout
    for chart_id, chunk in zip(ids, re.split(r'<div class="chart[^"]*" id="', dom)[1:], strict=True):
        assert chunk.startswith(chart_id)
        svg = chunk.split("</section>")[0]
        assert "<svg" in svg and _MARKS.search(svg), f"{chart_id}: no svg with marks"
    screenshot = tmp_path / "dq-dashboard.png"
    _chromium(chromium, tmp_path, index, f"--screenshot={screenshot}", "--window-size=1280,2000")
    assert screenshot.stat().st_size > 10_000


def _chromium(chromium: str, tmp_path: Path, index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    offline = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    command = [chromium, "--headless", *offline, "--disable-component-update", "--disable-sync"]
    command += [f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=10000"]
    return subprocess.run(
        [*command, *args, index.as_uri()], capture_output=True, text=True, timeout=120, check=True
    )


def test_trends_of_the_bench_shape_render(tmp_path: Path) -> None:
    """The reader and the page agree on an empty warehouse too."""
    page = dashboard.render_dashboard(dq_trends.read_trends(tmp_path), str(tmp_path), NOW, {})
    assert "No data-quality history yet" in page
