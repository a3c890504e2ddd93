"""The GX suites: one JSON file per table in `expectations/`, named after it, each expectation with a
`meta.severity`: critical fails the batch, quarantine moves the failing rows to quarantine, warning keeps
them and names the expectation in the article's `dq_flags`. An expectation with a `meta.measure` is a
batch-level coverage check (GX `mostly`): it flags no row, its measure goes to dq_metrics. A suite's
`meta.parameters` holds the `$PARAMETER` values its expectations refer to (every threshold, with
`meta.parameters_notes` saying why), and `meta.measures` the coverage measures that span two tables, which
GX cannot judge (tasks.quality.coverage takes and judges them). Nothing else holds a data rule."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from tasks.records import RunContext
from tasks.warehouse.schemas import TABLES

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
CRITICAL = "critical"
QUARANTINE = "quarantine"
WARNING = "warning"
SEVERITIES = (CRITICAL, QUARANTINE, WARNING)
# GX knows critical, warning and info: ours map onto them in order of consequence (Data Docs show them)
GX_SEVERITY = {CRITICAL: "critical", QUARANTINE: "warning", WARNING: "info"}


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


@cache
def parameters() -> dict[str, Any]:
    """Every suite's declared `$PARAMETER` values (`meta.parameters`): the one home of the thresholds."""
    found: dict[str, Any] = {}
    for name, suite in load_suites().items():
        for key, value in ((suite.get("meta") or {}).get("parameters") or {}).items():
            if key in found:
                raise ValueError(f"suite {name}: parameter {key!r} is declared by another suite too")
            found[key] = value
    return found


def suite_parameters(run: RunContext) -> dict[str, Any]:
    """The `$PARAMETER` values the suites refer to, fixed per run: the declared ones, with the plausible
    publication dates as timestamps (the latest one relative to the run's start)."""
    declared = dict(parameters())
    days = declared.pop("max_published_at_days_after_run")
    return {
        **declared,
        "min_published_at": pd.Timestamp(declared["min_published_at"]),
        "max_published_at": pd.Timestamp(run.started_at + timedelta(days=days)),
    }


def resolved(value: Any, given: Mapping[str, Any]) -> Any:
    """An expectation argument with its `{"$PARAMETER": name}` looked up in `given`."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        return given[value["$PARAMETER"]]
    return value
