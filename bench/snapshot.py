"""Every extracted value on every corpus, as one fingerprint per table: the proof that a move of code
changed no output.

`python -m bench.snapshot OUT.json` runs each corpus of ../shared/corpora through the batch function the
flow runs (tasks.pipeline.process_batch: ingest, parse, validate, enrich, validate), in batches of the
flow's size with one fixed run context, unsettled (no DQ measures, no cross-batch duplicates: what the
extractors wrote), and writes, per corpus and table, the row count and the sha256 of the rows sorted, with the
columns that name the run or the clock left out. `python -m bench.snapshot --compare A.json B.json`
prints the tables that differ (exit 1 when any does). A corpus is a few minutes at most on 2 cores; BBC,
the longest, about three.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa

from tasks import sources
from tasks.records import RunContext, SourceRecord

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SOURCES = {  # name -> folder under CORPORA
    "seeds": "../seeds",
    "bbc": "bbc",
    "pages-html": "pages/html",
    "pages-text": "pages/text",
    "wire": "wire/docs",
    "web-extraction": "web/extraction/html",
    "web-dates-html": "web/dates/html",
    "web-dates-text": "web/dates/text",
}
VOLATILE = {"run_id", "ingested_at", "batch_id", "run_date", "ingest_date", "flow_run_id", "observed_at"}
RUN = RunContext(run_id="snapshot", started_at=datetime(2026, 1, 1, tzinfo=UTC))


def _batches(folder: Path, size: int) -> list[list[SourceRecord]]:
    items = sources.iter_sources(sources.list_sources(str(folder)))
    records = iter([r for r in items if isinstance(r, SourceRecord)])
    out = []
    while batch := list(islice(records, size)):
        out.append(batch)
    return out


def _fingerprint(table: pa.Table) -> dict[str, Any]:
    """Rows count and sha256 of the rows (volatile columns left out, columns by name, rows sorted)."""
    names = sorted(n for n in table.column_names if n not in VOLATILE)
    rows = sorted(
        json.dumps([row[n] for n in names], default=str, sort_keys=True)
        for row in table.select(names).to_pylist()
    )
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return {"rows": table.num_rows, "columns": names, "sha256": digest}


def snapshot(names: list[str], batch_size: int) -> dict[str, Any]:
    from tasks import pipeline, run

    out: dict[str, Any] = {}
    for name in names:
        folder = (CORPORA / SOURCES[name]).resolve()
        started = time.perf_counter()
        tables: dict[str, list[pa.Table]] = {}
        for number, batch in enumerate(_batches(folder, batch_size)):
            result = pipeline.process_batch(batch, RUN, f"snapshot-{number:05d}")
            for table_name, table in run.committed_tables(result, RUN).items():
                tables.setdefault(table_name, []).append(table)
        out[name] = {
            t: _fingerprint(pa.concat_tables(parts, promote_options="default")) for t, parts in tables.items()
        }
        print(f"{name}: {time.perf_counter() - started:.0f} s", {t: v["rows"] for t, v in out[name].items()})
    return out


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The (corpus, table) pairs whose fingerprints differ, or that one side lacks."""
    differ = []
    for corpus in sorted(set(a) | set(b)):
        ta, tb = a.get(corpus, {}), b.get(corpus, {})
        for table in sorted(set(ta) | set(tb)):
            if ta.get(table) != tb.get(table):
                differ.append(f"{corpus}/{table}: {ta.get(table)} != {tb.get(table)}")
    return differ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", help="where to write the fingerprints (JSON)")
    parser.add_argument("--corpus", action="append", choices=sorted(SOURCES), help="default: all")
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        a, b = (json.loads(Path(p).read_text()) for p in args.compare)
        differ = compare(a, b)
        print("\n".join(differ) or f"identical: {sum(len(v) for v in a.values())} tables")
        return 1 if differ else 0
    result = snapshot(args.corpus or list(SOURCES), args.batch_size)
    Path(args.out).write_text(json.dumps(result, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
