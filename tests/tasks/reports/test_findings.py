from __future__ import annotations

from tasks.records import Measure
from tasks.reports.findings import finding_lines


def _m(batch: str, source: str, value: float, examples: tuple[str, ...] = ()) -> Measure:
    return Measure(batch, "articles", "published_at_share", source, value, 0.5, examples=examples)


def test_a_measure_that_fell_names_its_batches_and_worst_sources_with_an_example() -> None:
    findings = [
        _m("r1-00000", "", 0.1),
        _m("r1-00000", "news.example", 0.0, ("abc 'A title'", "def 'Another'")),
        _m("r1-00000", "/in/wire", 0.3, ("ghi 'Wire story'",)),
        _m("r1-00001", "", 0.2),
        _m("r1-00001", "news.example", 0.05, ("jkl 'Later'",)),
        _m("r1-00001", "/in/ok", 0.9),  # met its threshold: not a finding
    ]
    assert finding_lines([f for f in findings if f.success is False]) == [
        "coverage: articles.published_at_share 0.10 to 0.20, below its minimum 0.5, on 2 batch(es) "
        "r1-00000, r1-00001",
        "  news.example: 0.00, e.g. abc 'A title'",
        "  /in/wire: 0.30, e.g. ghi 'Wire story'",
    ]
    assert finding_lines(findings[:3], max_sources=1)[-1] == "  and 1 more source(s)"


def test_a_drift_is_named_with_its_batch_and_baseline() -> None:
    drifted = Measure(
        "r2-00003", "quotes", "pass_rate", "", 0.5, None, is_drift=True, detail="0.5 vs median 1 ± 0.05"
    )
    assert finding_lines([drifted]) == ["drift: quotes.pass_rate on batch r2-00003: 0.5 vs median 1 ± 0.05"]
    assert finding_lines([]) == []
