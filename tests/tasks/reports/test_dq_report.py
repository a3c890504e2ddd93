"""The report's trend rows: sparklines, plain values, and the figures of each series."""

from __future__ import annotations

from tasks.reports import dq_report
from tasks.reports.dq_trends import Series, SourceScore


def test_a_sparkline_spans_the_lowest_to_the_highest_value_with_gaps() -> None:
    assert dq_report.sparkline([0.0, 0.5, None, 1.0]) == "▁▅ █"
    assert dq_report.sparkline([3.0, 3.0]) == "▁▁"  # flat: no division by zero
    assert dq_report.sparkline([None, None]) == "  "


def test_plain_trend_text_shows_the_newest_values() -> None:
    values = [0.1, 0.2, None, 0.4, 0.5, 0.6]
    assert dq_report.trend_text(values, spark=False) == "0.20 - 0.40 0.50 0.60"
    assert dq_report.trend_text(values, spark=True) == dq_report.sparkline(values)


def test_series_rows_give_newest_median_threshold_failures_and_drift() -> None:
    series = Series(
        "articles", "authors_share", (0.9, 0.8, 0.2), 0.5, (False, False, True), (False, False, True)
    )
    (row,) = dq_report.series_rows([series], spark=False)
    assert row == {
        "measure": "articles.authors_share",
        "newest": "0.2",
        "median": "0.8",
        "threshold": "0.5",
        "below": 1,
        "drift": "1 NOW",
        "trend": "0.90 0.80 0.20",
    }
    (rate,) = dq_report.series_rows([Series("quotes", "pass_rate", (1.0, 0.5))], spark=False, scale=100.0)
    assert (rate["measure"], rate["newest"], rate["threshold"], rate["drift"]) == ("quotes", "50", "", "0")


def test_quarantine_and_source_rows() -> None:
    (row,) = dq_report.quarantine_rows([Series("", "parse:no_body", (0.0, 2.0, 1.0))], spark=False)
    assert row == {"reason": "parse:no_body", "rows": 3, "newest run": 1, "trend": "0 2 1"}
    assert dq_report.source_rows([SourceScore("site-a", 2, 1, ("a_share", "b_share"))]) == [
        {
            "source": "site-a",
            "measures failed or drifting": 2,
            "which": "a_share, b_share",
            "records quarantined": 1,
        }
    ]
