"""Data-quality summaries over dq_results and dq_metrics, for `newsetl report` (SQL over DuckDB)."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from tasks.records import Measure

_RECENT = "(select distinct run_id from dq_results order by run_id desc limit ?)"


def pass_rates(con: duckdb.DuckDBPyConnection, runs: int) -> list[dict[str, Any]]:
    """Per recent run and suite: expectations evaluated and passed, pass rate, rows failing a check."""
    return _rows(
        con,
        f"""
        select run_id, table_name as suite, count(*) as evaluated, count_if(success) as passed,
               round(100.0 * count_if(success) / count(*), 1) as pass_rate_pct,
               sum(unexpected_count) as unexpected_values, count(distinct batch_id) as batches
        from dq_results where run_id in {_RECENT}
        group by all order by run_id desc, suite
        """,
        [runs],
    )


def top_failures(con: duckdb.DuckDBPyConnection, runs: int, limit: int = 10) -> list[dict[str, Any]]:
    """The expectations that failed most often in the recent runs, with example unexpected values."""
    return _rows(
        con,
        f"""
        select table_name as suite, expectation, column_name as column, any_value(severity) as severity,
               count(*) as failed_batches, sum(unexpected_count) as unexpected_values,
               arg_max(sample_values, unexpected_count) as examples
        from dq_results where not success and run_id in {_RECENT}
        group by all order by unexpected_values desc, failed_batches desc limit ?
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
