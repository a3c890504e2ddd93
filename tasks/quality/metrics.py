"""A committed batch's data-quality measures: coverage, pass rate per suite, drift against recent runs.

Taken when the flow commits a batch (after duplicates of earlier batches are dropped), so they describe
exactly the rows the batch adds; they become dq_metrics rows, and the coverage and drift verdicts
dq_results rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache

from tasks.quality import coverage, drift, suites
from tasks.records import BatchResult


@cache
def declared() -> list[coverage.Declared]:
    """The coverage measures expectations/ declares, with their thresholds."""
    return coverage.declared_measures(suites.load_suites(), suites.parameters())


def measured(result: BatchResult, baselines: Mapping[drift.Key, drift.Baseline]) -> BatchResult:
    """The batch with its measures in `metrics` and the coverage and drift checks added to `checks`."""
    found = coverage.coverage_measures(result.batch_id, result.tables, declared())
    checks = [*result.checks, *coverage.coverage_checks(found, declared())]
    found += coverage.pass_rates(result.batch_id, checks)
    found, drifted = drift.with_drift(found, baselines)
    return replace(result, metrics=found, checks=[*checks, *drifted])
