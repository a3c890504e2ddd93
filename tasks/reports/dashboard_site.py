"""The DQ dashboard in the warehouse: `<warehouse>/_reports/dq/index.html` and its vendored plotly.js.

It reaches the warehouse only through its Store (a local folder or an object store), as the Data Docs
do. The page is one file, written whole (local: a rename; object store: one PUT); the 4.8 MB script
(kept gzipped in the package, 1.5 MB) is written beside it only when missing or of another size. The
per-run aggregates the page is drawn from are kept beside it (`history.arrow`, see
tasks.reports.dq_history), so a build reads again only the run-date partitions that changed since.
"""

from __future__ import annotations

import gzip
import os
import posixpath
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from tasks.records import RunSummary
from tasks.reports import dq_trends
from tasks.reports.dashboard import PLOTLY_JS, render_dashboard
from tasks.reports.data_docs import DATA_DOCS, REPORTS
from tasks.warehouse.store import Store, open_store

DQ = "dq"
VENDOR = Path(__file__).resolve().parent / "dashboard_vendor"
VENDORED = (PLOTLY_JS, "LICENSE-plotly.txt")


def dashboard_index(warehouse: str | os.PathLike[str]) -> str:
    """Where the dashboard's page is: a local path, or a URL in an object store."""
    return open_store(warehouse).display(REPORTS, DQ, "index.html")


def dashboard_built(warehouse: str | os.PathLike[str]) -> bool:
    """Whether a run has built the dashboard yet."""
    return open_store(warehouse).is_file(posixpath.join(REPORTS, DQ, "index.html"))


def build_dashboard(
    warehouse: str | os.PathLike[str],
    max_runs: int = dq_trends.DEFAULT_RUNS,
    now: datetime | None = None,
    run: RunSummary | None = None,
) -> str:
    """Rebuild the dashboard from the newest `max_runs` runs' DQ history; returns its index.html.

    `run`: the summary of the run building it, whose `runs` row is written after the page; its records
    in and articles written are shown while the warehouse has no row for it."""
    store = open_store(warehouse)
    with ThreadPoolExecutor(1, thread_name_prefix="dq-vendor") as pool:
        vendoring = pool.submit(_vendor, store)  # a first build's 4.8 MB write (and fsync) overlaps the reads
        trends = dq_trends.read_trends(warehouse, max_runs, keep=True)  # each run reads only what is new
        if run is not None:
            trends = dq_trends.with_run_counts(trends, run.run_id, run.records_seen, run.articles_written)
        links = {"GX Data Docs": f"../{DATA_DOCS}/index.html"}
        page = render_dashboard(trends, store.display(), now or datetime.now(UTC), links)
        vendoring.result()  # the page is written last: it never points at a script not there yet
    store.write_bytes(posixpath.join(REPORTS, DQ, "index.html"), page.encode("utf-8"))
    return dashboard_index(warehouse)


def _vendor(store: Store) -> None:
    """Copy the vendored script and its licence beside the page, unless an identical-size copy is there."""
    for name in VENDORED:
        data = vendored(name)
        rel = posixpath.join(REPORTS, DQ, "vendor", name)
        if store.fs.get_file_info(store.path(rel)).size != len(data):
            store.write_bytes(rel, data)


@cache
def vendored(name: str) -> bytes:
    """A vendored file's bytes: stored as it is, or gzipped as `<name>.gz` (the package stays small)."""
    plain = VENDOR / name
    return plain.read_bytes() if plain.is_file() else gzip.decompress((VENDOR / f"{name}.gz").read_bytes())
