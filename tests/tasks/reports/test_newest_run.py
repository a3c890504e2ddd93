"""The newest run in detail: its figures, its failing expectations with an example each, its sources."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tasks.reports import dq_trends, newest_run
from tasks.warehouse import commit
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS
from tasks.warehouse.store import open_store
from tests.tasks.reports import dq_fixtures
from tests.tasks.reports.dq_fixtures import metric_rows, result_rows, run_at


def test_a_failing_coverage_expectation_takes_its_example_from_its_measure(tmp_path: Path) -> None:
    """expect_column_values_to_not_be_null(published_at) is the measure published_at_share (its suite's
    meta.measure): the example is the one the measure recorded, as "<doc_id prefix> '<title>'"."""
    run = run_at(0)
    batch = f"{run.run_id}-00000"
    metrics = metric_rows(run, batch, [("articles", "published_at_share", "", 0.0, 0.5, False)])
    metrics[0]["examples"] = json.dumps(["aa9b7d8314e9 'A story with a stub'"])
    results = result_rows(run, batch, [("articles", False)], "expect_column_values_to_not_be_null")
    results[0] |= {"column_name": "published_at", "sample_values": json.dumps(["NaT"])}
    tables = {DQ_METRICS.name: metrics, DQ_RESULTS.name: results}
    commit.commit_batch(tmp_path, batch, {n: pa.Table.from_pylist(r, s) for n, r, s in _typed(tables)})
    found = newest_run.read_newest(open_store(tmp_path), run.run_id, run.started_at.strftime("%Y-%m-%d"))
    (failure,) = found.failures
    assert (failure.expectation, failure.doc_id, failure.title) == (
        "expect_column_values_to_not_be_null(published_at)",
        "aa9b7d8314e9",
        "A story with a stub",
    )
    assert failure.samples == ("NaT",) and found.figures.records_in is None  # no runs row yet


def test_examples_from_a_quarantined_row_and_a_flagged_article(tmp_path: Path) -> None:
    ids = dq_fixtures.many_runs(tmp_path, 3)
    found = newest_run.read_newest(open_store(tmp_path), ids[-1], dq_fixtures.START.strftime("%Y-%m-%d"))
    by_code = {f.expectation: f for f in found.failures}
    body = by_code["expect_column_value_lengths_to_be_between(body)"]
    assert (body.doc_id, body.title) == (dq_fixtures.DOC_QUARANTINED, dq_fixtures.TITLE_QUARANTINED)
    label = by_code["expect_column_values_to_be_in_set(label)"]  # an entities rule, flagged on its article
    assert (label.doc_id, label.title) == (dq_fixtures.DOC_FLAGGED, dq_fixtures.TITLE_FLAGGED)
    assert [f.severity for f in found.failures][:2] == ["quarantine", "quarantine"]  # most severe first
    assert (found.figures.records_in, found.figures.articles, found.figures.expectations_failed) == (
        250,
        236,
        5,
    )
    assert found.sources[0].source.endswith("site-c") and found.sources[0].worst_ratio < 1


def test_a_file_written_before_a_column_existed_reads_it_as_null(tmp_path: Path) -> None:
    """A dq_metrics file of the run from before `examples` and `detail` existed: the declared views
    cannot read `examples` from it, so the newest run is read again through the union views."""
    run = run_at(0)
    batch = f"{run.run_id}-00000"
    metrics = metric_rows(run, batch, [("articles", "published_at_share", "", 0.0, 0.5, False)])
    metrics[0]["examples"] = json.dumps(["aa9b7d8314e9 'A story with a stub'"])
    results = result_rows(run, batch, [("articles", False)], "expect_column_values_to_not_be_null")
    results[0]["column_name"] = "published_at"
    tables = {DQ_METRICS.name: metrics, DQ_RESULTS.name: results}
    commit.commit_batch(tmp_path, batch, {n: pa.Table.from_pylist(r, s) for n, r, s in _typed(tables)})
    old = metric_rows(run, f"{run.run_id}-00001", [("articles", "published_at_share", "", 0.2, 0.5, True)])
    legacy = pa.schema([f for f in DQ_METRICS.schema if f.name not in ("examples", "detail", "run_date")])
    folder = tmp_path / DQ_METRICS.name / f"run_date={run.started_at:%Y-%m-%d}"
    pq.write_table(pa.Table.from_pylist(old, legacy), folder / "part-legacy-0.parquet")
    found = newest_run.read_newest(open_store(tmp_path), run.run_id, run.started_at.strftime("%Y-%m-%d"))
    assert [(f.doc_id, f.title) for f in found.failures] == [("aa9b7d8314e9", "A story with a stub")]
    assert found.figures.drifting == ("articles.published_at_share",)  # the legacy file's row counts
    (coverage,) = dq_trends.read_trends(tmp_path).coverage
    assert coverage.values == (0.1,) and coverage.drift == (True,)  # mean over both batches


def _typed(
    tables: dict[str, list[dict[str, object]]],
) -> list[tuple[str, list[dict[str, object]], pa.Schema]]:
    schemas = {DQ_METRICS.name: DQ_METRICS.schema, DQ_RESULTS.name: DQ_RESULTS.schema}
    return [(name, rows, schemas[name]) for name, rows in tables.items()]
