"""The GX suites: one JSON file per table in `expectations/`, named after it, each expectation with a
`meta.severity` (critical fails the batch; warning moves the failing rows to quarantine)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from tasks.catalog import TABLES
from tasks.records import RunContext

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
CRITICAL = "critical"
WARNING = "warning"
SEVERITIES = (CRITICAL, WARNING)
EARLIEST_PUBLISHED = datetime.fromisoformat("1990-01-01T00:00:00+00:00")


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
    """A GX ExpectationSuite from its JSON file; each expectation's GX severity follows meta.severity."""
    import great_expectations as gx

    expectations = []
    for e in suite_json["expectations"]:
        severity = (e.get("meta") or {}).get("severity")
        if severity not in SEVERITIES:
            raise ValueError(f"suite {suite_json['name']}: {e['type']} needs meta.severity in {SEVERITIES}")
        expectations.append({**e, "severity": severity})
    return gx.ExpectationSuite(**{**suite_json, "expectations": expectations})


def suite_parameters(run: RunContext) -> dict[str, Any]:
    """The `$PARAMETER` values the suites refer to, fixed per run."""
    return {
        "min_published_at": pd.Timestamp(EARLIEST_PUBLISHED),
        "max_published_at": pd.Timestamp(run.started_at + timedelta(days=1)),
    }
