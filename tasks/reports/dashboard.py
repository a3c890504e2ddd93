"""The DQ dashboard page: DqTrends in, one self-contained HTML page out (charts drawn by plotly.js). Pure.

Read top down, as Elementary's or Soda's reports are: the newest run's figures (records in, articles,
quarantined rows by reason, expectations failed, measures drifting), the expectations that failed in it
with an example document each, its sources ranked by their worst measure, then the trend charts over the
runs (tasks.reports.dashboard_charts). The page loads plotly.js from `vendor/` beside it
(tasks.reports.dashboard_site copies the vendored file there), so it renders offline.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime

from tasks.reports.dashboard_charts import Chart, charts, run_labels
from tasks.reports.dq_trends import DqTrends
from tasks.reports.newest_run import Failure, RunFigures, SourceScore

PLOTLY_JS = "plotly-4.1.1.min.js"


def render_dashboard(trends: DqTrends, warehouse: str, generated_at: datetime, links: dict[str, str]) -> str:
    """The whole page: the newest run's figures and failures, its sources, the trend charts, links out."""
    found = charts(trends)
    figures = {c.chart_id: {"data": c.data, "layout": c.layout} for c in found}
    payload = {"runs": run_labels(trends), "run_ids": list(trends.runs), "figures": figures}
    script = json.dumps(payload, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return _PAGE.format(
        warehouse=_e(warehouse),
        generated=_e(generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        links=" · ".join(f'<a href="{_e(u)}">{_e(t)}</a>' for t, u in links.items()),
        summary=_summary(trends),
        body=_body(trends, found),
        plotly=PLOTLY_JS,
        payload=script,
    )


def _body(trends: DqTrends, found: Sequence[Chart]) -> str:
    if trends.newest is None:
        return charts_html(trends, found)
    return "\n".join(
        [
            figures_html(trends.newest.figures),
            "<h2>Failing expectations, newest run</h2>",
            failures_html(trends.newest.failures),
            "<h2>Sources, worst measure first (newest run)</h2>",
            sources_html(trends.worst_sources),
            "<h2>Trends over runs</h2>" if len(trends.runs) > 1 else "",
            charts_html(trends, found),
        ]
    )


def _e(text: object) -> str:
    return html.escape(str(text))


def _summary(trends: DqTrends) -> str:
    if not trends.runs:
        return "No data-quality history yet: run <code>newsetl run</code> first."
    times = trends.run_times
    span = f", {times[0]:%Y-%m-%d} to {times[-1]:%Y-%m-%d}" if len(times) > 1 else ""
    drifted = ", ".join(_e(s.label) for s in trends.drifted())
    drift = f'<span class="bad">Drift in the newest run: {drifted}.</span>' if drifted else ""
    return f"{len(trends.runs)} run(s){span}; newest <code>{_e(trends.current_run)}</code>. {drift}"


def figures_html(f: RunFigures) -> str:
    """The newest run's figures as a row of cards."""
    quarantined = sum(f.quarantined.values())
    reasons = "".join(f"<li>{_e(r)}: {n}</li>" for r, n in f.quarantined.items())
    cards = [
        (
            "records-in",
            "records in",
            _count(f.records_in),
            "" if f.records_in is not None else "no runs row yet",
        ),
        ("articles", "articles written", _count(f.articles), ""),
        ("quarantined", "rows quarantined", str(quarantined), f"<ul>{reasons}</ul>" if reasons else ""),
        ("failed", "expectations failed", str(f.expectations_failed), f"of {f.expectations} evaluated"),
        ("drifting", "measures drifting", str(len(f.drifting)), ", ".join(_e(d) for d in f.drifting)),
    ]
    bad = {"quarantined": quarantined > 0, "failed": f.expectations_failed > 0, "drifting": bool(f.drifting)}
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card{" bad" if bad.get(key) else ""}" id="fig-{key}"><div class="n">{value}</div>'
            f'<div class="what">{label}</div><div class="more">{more}</div></div>'
            for key, label, value, more in cards
        )
        + "</div>"
    )


def _count(n: int | None) -> str:
    return "–" if n is None else f"{n:,}"


def failures_html(failures: Sequence[Failure]) -> str:
    """The expectations that failed in the newest run, most severe first, with an example each."""
    if not failures:
        return '<p class="good">Every expectation passed in the newest run.</p>'
    head = "severity suite expectation rows&nbsp;affected batches example&nbsp;doc_id example&nbsp;title"
    head += " values"
    rows = "".join(
        f'<tr class="sev-{_e(f.severity)}"><td>{_e(f.severity)}</td><td>{_e(f.suite)}</td>'
        f"<td><code>{_e(f.expectation)}</code></td><td class=num>{f.rows_affected:,}</td>"
        f"<td class=num>{f.batches}</td><td>{_doc(f.doc_id)}</td><td>{_e(f.title or '–')}</td>"
        f"<td class=samples>{_e(', '.join(json.dumps(v) for v in f.samples[:3]) or '–')}</td></tr>"
        for f in failures
    )
    return _table("failing", head, rows)


def _doc(doc_id: str | None) -> str:
    if not doc_id:
        return "–"
    shown = doc_id[:12] + ("…" if len(doc_id) > 12 else "")
    return f'<code title="{_e(doc_id)}">{_e(shown)}</code>'


def sources_html(sources: Sequence[SourceScore]) -> str:
    """The newest run's sources, worst measure first (value / threshold lowest)."""
    if not sources:
        return "<p>No measure per source in the newest run.</p>"
    head = "source worst&nbsp;measure value threshold failing&nbsp;or&nbsp;drifting rows&nbsp;quarantined"
    rows = "".join(
        f"<tr{' class=bad' if s.worst_ratio < 1 else ''}><td>{_e(s.source)}</td>"
        f"<td>{_e(s.worst_measure or '–')}</td><td class=num>{_num(s.worst_value)}</td>"
        f"<td class=num>{_num(s.worst_threshold)}</td><td>{_e(', '.join(s.measures) or '–')}</td>"
        f"<td class=num>{s.quarantined}</td></tr>"
        for s in sources
    )
    return _table("sources", head, rows)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


def _table(table_id: str, head: str, rows: str) -> str:
    header = "".join(f"<th>{h}</th>" for h in head.split())
    return f'<table id="{table_id}"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>'


def charts_html(trends: DqTrends, found: Sequence[Chart]) -> str:
    """The trend charts' sections; a note instead while there is only one run."""
    if len(trends.runs) < 2:
        return "<p>Trends over runs appear from the second run on.</p>" if trends.runs else ""
    if not found:
        return "<p>Nothing measured over the runs yet.</p>"
    return (
        '<div class="grid">'
        + "".join(
            f'<section><h3>{_e(c.title)}</h3><div class="chart" id="{c.chart_id}"></div></section>'
            for c in found
        )
        + "</div>"
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newsetl data quality</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.2em auto; max-width: 1200px; color: #222; }}
body {{ padding: 0 1em; }} h1 {{ margin: 0 0 .2em; }} h2 {{ font-size: 1.15em; margin: 1.4em 0 .5em; }}
h3 {{ font-size: .95em; margin: .2em 0; }}
header p {{ margin: .25em 0; color: #444; }} .bad {{ color: #b3261e; }} .good {{ color: #1e7b34; }}
.cards {{ display: grid; grid-template-columns: repeat(5, 1fr); gap: .8em; margin-top: 1em; }}
.card {{ border: 1px solid #ddd; border-radius: 8px; padding: .6em .8em; }}
.card .n {{ font-size: 2em; font-weight: 600; }} .card.bad .n {{ color: #b3261e; }}
.card .what {{ color: #555; }} .card .more {{ font-size: .85em; color: #666; }}
.card ul {{ margin: .2em 0 0; padding-left: 1.1em; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9em; }}
th, td {{ text-align: left; padding: .35em .5em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }}
th {{ background: #f6f6f6; }} td.num {{ text-align: right; }} td.samples {{ color: #555; max-width: 18em; }}
tr.sev-critical td:first-child, tr.sev-quarantine td:first-child {{ color: #b3261e; font-weight: 600; }}
tr.sev-warning td:first-child {{ color: #a15c00; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: .8em; }}
section {{ border: 1px solid #ddd; border-radius: 6px; padding: .4em .6em; }}
</style></head>
<body><header><h1>newsetl data quality</h1>
<p>Warehouse <code>{warehouse}</code>, page built {generated}. {links}</p><p>{summary}</p></header>
{body}
<script src="vendor/{plotly}"></script>
<script>
const DQ = {payload};
for (const [id, fig] of Object.entries(DQ.figures)) {{
  for (const trace of fig.data) {{
    if (trace.x_runs) {{ trace.x = DQ.runs; trace.customdata = DQ.run_ids; delete trace.x_runs; }}
  }}
  Plotly.newPlot(id, fig.data, fig.layout, {{responsive: true, displayModeBar: false}});
}}
</script>
</body></html>
"""
