"""Data-quality summaries over dq_results, for `newsetl report` (pure SQL over a DuckDB connection)."""

from __future__ import annotations

from typing import Any

import duckdb

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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
