"""The DQ dashboard: its charts from trends (pure), its build into a warehouse, and a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.records import RunSummary
from tasks.reports import dashboard, dashboard_charts, dashboard_site, dq_trends
from tasks.reports.dq_trends import DqTrends, Series, SourceScore
from tasks.warehouse.store import open_store
from tests.tasks.reports import dq_fixtures
from tests.tasks.reports.dq_fixtures import date_history

NOW = datetime(2026, 3, 2, tzinfo=UTC)
RUNS = ("20260301T000000Z-00000000", "20260301T001500Z-00000001", "20260301T003000Z-00000002")
TIMES = tuple(datetime(2026, 3, 1, 0, 15 * n, tzinfo=UTC) for n in range(3))


def _trends() -> DqTrends:
    coverage = Series(
        "articles", "authors_share", (0.9, None, 0.3), 0.6, (False, False, True), (False, False, True)
    )
    return DqTrends(
        runs=RUNS,
        run_times=TIMES,
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
    ids = ["chart-pass-rate", "chart-quarantine", "chart-coverage-0"]
    assert list(payload["figures"]) == ids and all(f'id="{i}"' in page for i in ids)
    rate = payload["figures"]["chart-pass-rate"]
    assert rate["data"][0]["y"] == [100.0, 90.0, 80.0] and rate["data"][0]["x_runs"]
    assert payload["runs"][0] == "Mar 01 00:00" and payload["run_ids"] == list(RUNS)
    assert rate["layout"]["xaxis"]["type"] == "category"  # few runs: one category each
    coverage = payload["figures"]["chart-coverage-0"]
    assert [t["name"] for t in coverage["data"]] == ["authors_share", "below threshold", "drift"]
    assert coverage["layout"]["shapes"][0]["y0"] == 0.6 and coverage["data"][2]["x"] == ["Mar 01 00:30"]
    low, high = coverage["layout"]["yaxis"]["range"]
    assert low < 0.3 and high > 0.9  # every value and the threshold in view
    assert 'src="vendor/plotly-4.1.1.min.js"' in page and "../data_docs/index.html" in page
    assert "Drift in the newest run: articles.authors_share" in page
    sources = dashboard.sources_html(_trends().worst_sources)
    assert sources.index("site-b") < sources.index("site-a")  # as ranked: the worst first


def test_many_runs_are_drawn_on_a_date_axis_never_finer_than_minutes() -> None:
    times = tuple(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n) for n in range(100))
    trends = DqTrends(runs=tuple(f"r{n:03d}" for n in range(100)), run_times=times)
    axis = dashboard_charts.x_axis(trends)
    assert axis["type"] == "date" and dashboard_charts.run_labels(trends)[1] == "2026-01-01 00:00:01"
    assert all("%S" not in f["value"] and "%L" not in f["value"] for f in axis["tickformatstops"])
    two = DqTrends(runs=("a", "b"), run_times=(times[0], times[0]))
    assert dashboard_charts.x_axis(two)["type"] == "category"
    assert dashboard_charts.run_labels(two) == ["Jan 01 00:00", "Jan 01 00:00 #2"]  # one category each


def test_the_y_range_holds_every_value_and_the_threshold() -> None:
    assert dashboard_charts.y_range([0.9, 0.95], 0.6) == [pytest.approx(0.565), pytest.approx(0.985)]
    assert dashboard_charts.y_range([31.0], 10.0)[0] < 10.0 < 31.0 < dashboard_charts.y_range([31.0], 10.0)[1]
    assert dashboard_charts.y_range([0.5]) == [0.45, 0.55] and dashboard_charts.y_range([]) == [0.0, 1.0]


def test_one_run_has_no_trend_charts_and_an_empty_warehouse_says_so() -> None:
    one = DqTrends(runs=RUNS[:1], run_times=TIMES[:1], pass_rates=(Series("articles", "pass_rate", (1.0,)),))
    page = dashboard.render_dashboard(one, "/wh", NOW, {})
    assert _payload(page)["figures"] == {} and "appear from the second run" in page
    empty = dashboard.render_dashboard(DqTrends(runs=()), "/wh", NOW, {})
    assert "No data-quality history yet" in empty and 'class="chart"' not in empty


def test_names_cannot_break_out_of_the_page() -> None:
    hostile = Series("articles", "</script><script>alert(1)</script>", (0.5, 0.5, 0.5), 0.4)
    trends = DqTrends(runs=RUNS, run_times=TIMES, coverage=(hostile,))
    page = dashboard.render_dashboard(trends, "<wh>", NOW, {})
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
    assert 'id="failing"' in page and "expect_x(c)" in page  # the newest run's failing expectation
    script = store.read_bytes(f"_reports/dq/vendor/{dashboard.PLOTLY_JS}")
    assert script == dashboard_site.vendored(dashboard.PLOTLY_JS) and script.startswith(
        b"/**\n* plotly.js v4.1.1"
    )
    assert store.is_file("_reports/dq/vendor/LICENSE-plotly.txt")
    dashboard_site.build_dashboard(warehouse, max_runs=2, now=NOW)  # rebuilt whole, over fewer runs
    assert _payload(store.read_bytes("_reports/dq/index.html").decode())["run_ids"] == ids[-2:]


_MARKS = re.compile(r'<path[^>]*class="(?:js-line|point)"[^>]*d="M|<g class="point"><path[^>]*d="M')
_SUB_SECOND = re.compile(r"\d:\d\d\.\d")
_XTICK = re.compile(r'<g class="xtick"><text[^>]*data-unformatted="([^"]*)"')
_PLOT_AREA = re.compile(r'class="nsewdrag drag"[^>]*?y="([\d.]+)"[^>]*?height="([\d.]+)"')
_SHAPE_Y = re.compile(r'<path data-index="\d+" fill-rule="evenodd" d="M[\d.]+,([\d.]+)L')  # a threshold


@pytest.mark.e2e
@pytest.mark.parametrize("runs", [1, 1000])
def test_the_dashboard_reads_well_in_a_real_browser(tmp_path: Path, runs: int) -> None:
    """Headless chromium, offline, after 1 run and after 1,000: the newest run's figures and failures,
    charts with marks on a readable axis, thresholds in view. The screenshot is left in tmp_path."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium not installed: `make test` installs it (apt-get install chromium)"
    dq_fixtures.many_runs(tmp_path / "wh", runs)
    index = Path(dashboard_site.build_dashboard(tmp_path / "wh", now=NOW))
    dom = _chromium(chromium, tmp_path, index, "--dump-dom").stdout
    assert re.search(r'id="fig-records-in"><div class="n">250<', dom)
    assert re.search(r'id="fig-failed"><div class="n">5<', dom)
    failing = dom.split('id="failing"')[1].split("</table>")[0]
    assert failing.count("<tr") == 6  # the header and five failing expectations
    assert dq_fixtures.TITLE_QUARANTINED in failing and dq_fixtures.TITLE_FLAGGED in failing
    assert dom.split('id="sources"')[1].index("site-c") < dom.split('id="sources"')[1].index("site-a")
    charts = re.split(r'<div class="chart[^"]*" id="', dom)[1:]
    assert len(charts) == (0 if runs == 1 else 5)  # pass rate, quarantine, three coverage measures
    for chunk in charts:
        svg = chunk.split("</section>")[0]
        assert _MARKS.search(svg) or '<g class="point">' in svg, f"{chunk[:30]}: no marks"
        ticks = _XTICK.findall(svg)
        assert ticks and not any(_SUB_SECOND.search(t) for t in ticks), ticks
        if threshold := _SHAPE_Y.search(svg):
            top, height = map(float, _PLOT_AREA.search(svg).groups())
            assert top < float(threshold.group(1)) < top + height, f"{chunk[:30]}: threshold out of view"
    screenshot = tmp_path / f"dashboard-{runs}-run{'s' if runs > 1 else ''}.png"
    _chromium(chromium, tmp_path, index, f"--screenshot={screenshot}", "--window-size=1280,2200")
    assert screenshot.stat().st_size > 10_000


def _chromium(chromium: str, tmp_path: Path, index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    offline = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    offline += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    command = [chromium, "--headless", *offline]
    command += [f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=10000"]
    return subprocess.run(
        [*command, *args, index.as_uri()], capture_output=True, text=True, timeout=120, check=True
    )


def test_trends_of_the_bench_shape_render(tmp_path: Path) -> None:
    """The reader and the page agree on an empty warehouse too."""
    page = dashboard.render_dashboard(dq_trends.read_trends(tmp_path), str(tmp_path), NOW, {})
    assert "No data-quality history yet" in page


def test_the_running_run_gives_its_own_counts_until_its_runs_row_is_written(tmp_path: Path) -> None:
    ids = date_history(tmp_path, runs=2)
    summary = RunSummary(run_id=ids[-1], source="in", warehouse=str(tmp_path))
    summary.records_seen, summary.articles_written = 12, 9
    page = Path(dashboard_site.build_dashboard(tmp_path, now=NOW, run=summary)).read_text(encoding="utf-8")
    assert 'id="fig-records-in"><div class="n">12<' in page and 'id="fig-articles"><div class="n">9<' in page
    other = RunSummary(run_id=ids[0], source="in", warehouse=str(tmp_path))
    page = Path(dashboard_site.build_dashboard(tmp_path, now=NOW, run=other)).read_text(encoding="utf-8")
    assert 'id="fig-records-in"><div class="n">–<' in page  # not the newest run: not its figures
