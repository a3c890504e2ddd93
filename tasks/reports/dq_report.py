"""Data-quality summaries for `newsetl report`: pass rates and failures, coverage findings and drift
(SQL over dq_results and dq_metrics in DuckDB), and the DQ trends (tasks.reports.dq_trends) as compact
rows with sparklines."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from typing import Any

import duckdb

from tasks.records import Measure
from tasks.reports.dq_trends import Series
from tasks.reports.newest_run import SourceScore

_RECENT = "(select distinct run_id from dq_results order by run_id desc limit ?)"


def pass_rates(con: duckdb.DuckDBPyConnection, runs: int) -> list[dict[str, Any]]:
    """Per recent run and suite: expectations evaluated and passed, pass rate (%), rows failing a check,
    from the `dq_pass_rates` view (the one definition of a pass rate, tasks.warehouse.views)."""
    return _rows(
        con,
        f"""
        select run_id, table_name as suite, evaluated, passed, round(100.0 * pass_rate, 1) as pass_rate_pct,
               unexpected_count as unexpected_values, batches
        from dq_pass_rates where run_id in {_RECENT}
        order by run_id desc, suite
        """,
        [runs],
    )


def top_failures(con: duckdb.DuckDBPyConnection, runs: int, limit: int = 10) -> list[dict[str, Any]]:
    """The expectations that failed most often in the recent runs, with example unexpected values (ties in
    suite, expectation and column order: the same rows whichever files hold them)."""
    return _rows(
        con,
        f"""
        select table_name as suite, expectation, column_name as column, any_value(severity) as severity,
               count(*) as failed_batches, sum(unexpected_count) as unexpected_values,
               arg_max(sample_values, unexpected_count) as examples
        from dq_results where not success and run_id in {_RECENT}
        group by all
        order by unexpected_values desc, failed_batches desc, suite, expectation, column_name limit ?
        """,
        [runs, limit],
    )


def findings(con: duckdb.DuckDBPyConnection, runs: int) -> list[Measure]:
    """The recent runs' measures that fell below their threshold or drifted, as the run summary has them."""
    rows = _rows(
        con,
        """
        select batch_id, table_name, measure, source, value, threshold, severity, is_drift, examples, detail
        from dq_metrics
        where (success = false or is_drift)
          and run_id in (select distinct run_id from dq_metrics order by run_id desc limit ?)
        order by batch_id, table_name, measure, source
        """,
        [runs],
    )
    return [
        Measure(**{**r, "examples": tuple(json.loads(r["examples"] or "[]")), "detail": r["detail"] or ""})
        for r in rows
    ]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


SPARKS = "▁▂▃▄▅▆▇█"
PLAIN_VALUES = 5  # without sparklines, the trend column shows the newest values as numbers


def sparkline(values: Sequence[float | None]) -> str:
    """One block character per value, scaled between the values' min and max; a gap where none."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    top = len(SPARKS) - 1
    return "".join(" " if v is None else SPARKS[round((v - low) / span * top)] for v in values)


def trend_text(values: Sequence[float | None], spark: bool, digits: int = 2) -> str:
    """A series' trend: a sparkline, or (plain text for logs and CI) its newest values."""
    if spark:
        return sparkline(values)
    return " ".join("-" if v is None else f"{v:.{digits}f}" for v in values[-PLAIN_VALUES:])


def series_rows(series: Sequence[Series], spark: bool, scale: float = 1.0) -> list[dict[str, Any]]:
    """One row per series over its runs: newest and median value, threshold, runs below it and runs
    drifting (NOW when the newest run drifted), and the trend."""
    rows = []
    for s in series:
        values = [None if v is None else v * scale for v in s.values]
        known = [v for v in values if v is not None]
        rows.append(
            {
                "measure": s.label,
                "newest": _number(values[-1]),
                "median": _number(statistics.median(known) if known else None),
                "threshold": _number(None if s.threshold is None else s.threshold * scale),
                "below": sum(s.failed),
                "drift": f"{sum(s.drift)}" + (" NOW" if s.drift and s.drift[-1] else ""),
                "trend": trend_text(values, spark, digits=1 if scale != 1.0 else 2),
            }
        )
    return rows


def quarantine_rows(series: Sequence[Series], spark: bool) -> list[dict[str, Any]]:
    """One row per stage:reason: rows quarantined over the runs and in the newest, and the trend."""
    return [
        {
            "reason": s.label,
            "rows": int(sum(v or 0 for v in s.values)),
            "newest run": int(s.values[-1] or 0),
            "trend": trend_text(s.values, spark, digits=0),
        }
        for s in series
    ]


def source_rows(scores: Sequence[SourceScore]) -> list[dict[str, Any]]:
    """The newest run's worst sources as rows."""
    return [
        {
            "source": s.source,
            "measures failed or drifting": s.failed_measures,
            "which": ", ".join(s.measures),
            "records quarantined": s.quarantined,
        }
        for s in scores
    ]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"
