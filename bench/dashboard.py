"""`python -m bench.dashboard`: the DQ dashboard's build time over 1,000 stored runs.

Writes a history of runs into a temporary warehouse through the commit protocol (one commit per run,
as the flow makes: dq_results, dq_metrics, quarantine and runs rows), then times `build_dashboard`
cold (nothing kept from an earlier build) and per run (one new run since the previous build).
The history is synthetic but shaped like real runs: every suite's expectations, six coverage measures
for the batch and for each of a few sources, a few quarantine reasons, and a source whose dates stop
being found for the last runs (drift).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from tasks.quality import suites
from tasks.records import RunContext
from tasks.reports import dashboard_site, dq_history
from tasks.warehouse import commit
from tasks.warehouse.schemas import DQ_METRICS, DQ_RESULTS, QUARANTINE, RUNS

RUNS_STORED = 1000
SOURCES = ("site-a", "site-b", "site-c")
COVERAGE = {  # measure -> (typical value, threshold)
    "published_at_share": (0.95, 0.8),
    "authors_share": (0.85, 0.6),
    "headline_title_share": (0.97, 0.9),
    "min_words_body_share": (0.92, 0.8),
    "entities_per_1000_words": (38.0, 10.0),
    "quotes_with_speaker_share": (0.7, 0.5),
}
REASONS = (
    ("parse", "no_body"),
    ("ingest", "empty"),
    ("validate", "expect_column_values_to_match_regex(text)"),
)


def write_history(warehouse: Path, runs: int = RUNS_STORED, seed: int = 0, first: int = 0) -> list[str]:
    """Runs `first` .. `first + runs - 1` of DQ history, one every 15 minutes, committed one run at a time;
    in the last three, site-c loses its dates. Returns the run ids."""
    rng = random.Random(seed + first)
    expectations = _expectations()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    run_ids = []
    for n in range(first, first + runs):
        at = start + timedelta(minutes=15 * n)
        run = RunContext(f"{at:%Y%m%dT%H%M%SZ}-{n:08x}", at)
        tables = {
            DQ_RESULTS.name: _results(run, expectations, rng),
            DQ_METRICS.name: _metrics(run, rng, drifting=n >= first + runs - 3),
            QUARANTINE.name: _quarantine(run, rng),
            RUNS.name: _run_row(run),
        }
        commit.commit_batch(warehouse, f"{run.run_id}-00000", tables)
        run_ids.append(run.run_id)
    return run_ids


def _expectations() -> list[tuple[str, str, str | None, str]]:
    """(suite, expectation type, column, severity) of every expectation in the real suites."""
    return [
        (name, e["type"], (e.get("kwargs") or {}).get("column"), (e.get("meta") or {}).get("severity", ""))
        for name, suite in suites.load_suites().items()
        for e in suite["expectations"]
    ]


def _common(run: RunContext) -> dict[str, Any]:
    return {"run_id": run.run_id, "run_date": run.started_at.strftime("%Y-%m-%d")}


def _results(
    run: RunContext, expectations: list[tuple[str, str, str | None, str]], rng: random.Random
) -> pa.Table:
    rows = []
    for suite, kind, column, severity in expectations:
        failed = rng.random() < 0.05
        rows.append(
            {
                **_common(run),
                "batch_id": f"{run.run_id}-00000",
                "table_name": suite,
                "expectation": kind,
                "column_name": column,
                "severity": severity,
                "success": not failed,
                "element_count": 250,
                "unexpected_count": rng.randint(1, 5) if failed else 0,
                "unexpected_percent": 1.0 if failed else 0.0,
                "sample_values": None,
                "evaluated_at": run.started_at,
            }
        )
    return pa.Table.from_pylist(rows, schema=DQ_RESULTS.schema)


def _metrics(run: RunContext, rng: random.Random, drifting: bool) -> pa.Table:
    rows = []
    for suite in suites.load_suites():
        rows.append(_metric(run, suite, "pass_rate", "", rng.uniform(0.9, 1.0), None, False))
    for measure, (typical, threshold) in COVERAGE.items():
        for source in ("", *SOURCES):
            lost = drifting and measure == "published_at_share" and source in ("", "site-c")
            value = typical * rng.uniform(0.95, 1.05) * ((0.2 if source else 0.7) if lost else 1.0)
            rows.append(_metric(run, "articles", measure, source, value, threshold, lost))
    return pa.Table.from_pylist(rows, schema=DQ_METRICS.schema)


def _metric(
    run: RunContext, suite: str, measure: str, source: str, value: float, threshold: float | None, drift: bool
) -> dict[str, Any]:
    return {
        **_common(run),
        "batch_id": f"{run.run_id}-00000",
        "table_name": suite,
        "measure": measure,
        "source": source,
        "value": value,
        "threshold": threshold,
        "severity": "warning",
        "success": None if threshold is None else value >= threshold,
        "is_drift": drift,
        "measured_at": run.started_at,
    }


def _quarantine(run: RunContext, rng: random.Random) -> pa.Table:
    rows = []
    for _ in range(rng.randint(0, 6)):
        stage, reason = rng.choice(REASONS)
        source = rng.choice(SOURCES)
        rows.append(
            {
                **_common(run),
                "source_uri": f"file:///data/news/{source}/{rng.randrange(10**6)}.html",
                "doc_id": f"{rng.getrandbits(256):064x}",
                "stage": stage,
                "reason_code": reason,
                "detail": "synthetic",
                "quarantined_at": run.started_at,
                "payload": rng.randbytes(2000),
            }
        )
    return pa.Table.from_pylist(rows, schema=QUARANTINE.schema)


def _run_row(run: RunContext) -> pa.Table:
    seconds = {f.name: 1.0 for f in RUNS.schema if f.name.startswith("seconds_")}
    counts = dict.fromkeys(
        ("files_seen", "articles_written", "quarantined", "skipped", "rows_quarantined"), 0
    )
    row = {**_common(run), "started_at": run.started_at, "finished_at": run.started_at, "status": "completed"}
    return pa.Table.from_pylist(
        [{**row, "source": "/data/news", "batches": 1, **counts, **seconds}], RUNS.schema
    )


def measure(runs: int = RUNS_STORED, repeats: int = 3) -> dict[str, Any]:
    """Seconds to write `runs` runs of history, then the dashboard's build over them: cold (no kept
    aggregates: every file read, as after a rebuild) and per run (one run committed since the previous
    build, as at the end of every run). Each `repeats` times, in this process (imports already paid, as
    at the end of a run)."""
    work = Path(tempfile.mkdtemp(prefix="newsetl-dash-"))
    warehouse = work / "wh"
    try:
        started = time.perf_counter()
        write_history(warehouse, runs)
        written = time.perf_counter() - started
        cold, per_run = [], []
        for _ in range(repeats):
            (warehouse / dq_history.KEPT).unlink(missing_ok=True)
            cold.append(_timed_build(warehouse))
        for n in range(repeats):
            write_history(warehouse, 1, first=runs + n)
            per_run.append(_timed_build(warehouse))
        size = (warehouse / "_reports" / "dq" / "index.html").stat().st_size
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "runs": runs,
        "seconds_write_history": round(written, 2),
        "seconds_build_cold_first": round(cold[0][0], 3),
        "seconds_build_cold": round(min(w for w, _ in cold), 3),
        "seconds_build_per_run": round(max(w for w, _ in per_run), 3),  # the slowest of the per-run builds
        "cpu_seconds_build_cold": round(min(c for _, c in cold), 3),  # this process, all its threads
        "cpu_seconds_build_per_run": round(max(c for _, c in per_run), 3),
        "load_average": round(os.getloadavg()[0], 1),  # a shared machine: the wall figures follow it
        "html_bytes": size,
    }


def _timed_build(warehouse: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one build."""
    started, cpu = time.perf_counter(), time.process_time()
    dashboard_site.build_dashboard(warehouse)
    return time.perf_counter() - started, time.process_time() - cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS_STORED, help="runs of history to store")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    figures = measure(args.runs)
    print(
        f"DQ dashboard over {figures['runs']} stored runs: cold build "
        f"{figures['seconds_build_cold_first']} s (best {figures['seconds_build_cold']} s), "
        f"per-run build {figures['seconds_build_per_run']} s; "
        f"CPU {figures['cpu_seconds_build_cold']} s cold, "
        f"{figures['cpu_seconds_build_per_run']} s per run; load average {figures['load_average']}; "
        f"history written in {figures['seconds_write_history']} s"
    )
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
