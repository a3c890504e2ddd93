"""The GX suites: one JSON file per table in `expectations/`, named after it, each expectation with a
`meta.severity`: critical fails the batch, quarantine moves the failing rows to quarantine, warning keeps
them and names the expectation in the article's `dq_flags`. An expectation with a `meta.measure` is a
batch-level coverage check (GX `mostly`): it flags no row, its measure goes to dq_metrics."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from tasks.warehouse.schemas import TABLES
from tasks.records import RunContext

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
CRITICAL = "critical"
QUARANTINE = "quarantine"
WARNING = "warning"
SEVERITIES = (CRITICAL, QUARANTINE, WARNING)
# GX knows critical, warning and info: ours map onto them in order of consequence (Data Docs show them)
GX_SEVERITY = {CRITICAL: "critical", QUARANTINE: "warning", WARNING: "info"}
EARLIEST_PUBLISHED = datetime.fromisoformat("1990-01-01T00:00:00+00:00")
# Coverage thresholds per batch (shares are 0..1). A batch below one is a warning, never a failure: they
# are set where a working extractor on real news sits well above them (briefs, undated wire copy and
# quote-free reports included), so that only an extractor that stopped working on a source falls below.
COVERAGE_PARAMETERS: dict[str, float] = {
    "min_published_at_share": 0.5,
    "min_authors_share": 0.3,
    "headline_min_chars": 10,
    "headline_max_chars": 200,
    "min_headline_title_share": 0.8,
    "min_body_words": 50,
    "min_body_words_share": 0.5,
    "min_entities_per_1000_words": 20.0,
    "min_quotes_with_speaker_share": 0.3,
}


def load_suites(directory: str | os.PathLike[str] = SUITES_DIR) -> dict[str, dict[str, Any]]:
    """Every table's GX suite as JSON, from `<directory>/<table>.json`; suite name must be the table name."""
    suites: dict[str, dict[str, Any]] = {}
    for name in TABLES:
        path = Path(directory) / f"{name}.json"
        if not path.is_file():
            continue
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a readable suite: {exc}") from exc
        if suite.get("name") != name:
            raise ValueError(f"{path}: suite name {suite.get('name')!r} must be {name!r}")
        suites[name] = suite
    return suites


def suite_from_json(suite_json: dict[str, Any]) -> Any:
    """A GX ExpectationSuite from its JSON file; each expectation's GX severity follows meta.severity
    (GX_SEVERITY); meta.severity stays the one newsetl acts on."""
    import great_expectations as gx

    expectations = []
    for e in suite_json["expectations"]:
        severity = (e.get("meta") or {}).get("severity")
        if severity not in SEVERITIES:
            raise ValueError(f"suite {suite_json['name']}: {e['type']} needs meta.severity in {SEVERITIES}")
        expectations.append({**e, "severity": GX_SEVERITY[severity]})
    return gx.ExpectationSuite(**{**suite_json, "expectations": expectations})


def suite_parameters(run: RunContext) -> dict[str, Any]:
    """The `$PARAMETER` values the suites refer to, fixed per run (coverage thresholds included)."""
    return {
        "min_published_at": pd.Timestamp(EARLIEST_PUBLISHED),
        "max_published_at": pd.Timestamp(run.started_at + timedelta(days=1)),
        **COVERAGE_PARAMETERS,
    }
