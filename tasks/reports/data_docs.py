"""The GX Data Docs site under `<warehouse>/_reports/`, and the kept validation results it is built from.

It reaches the warehouse only through its Store (a local folder or an object store).

Each batch's GX results are kept as JSON under `validations/<run_id>/`. Once per run, the Data Docs
site is rebuilt from the newest of them only (at most `max_results`, from the last `keep_runs` runs), in
a fresh ephemeral GX context, into a temporary folder that then replaces `data_docs/`. GX re-renders
every stored result on each build (~30 ms apiece here), so a bounded history keeps the build time flat
however many runs the warehouse has seen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from tasks.quality.suites import suite_from_json
from tasks.warehouse.store import open_store

REPORTS = "_reports"
DATA_DOCS = "data_docs"
VALIDATIONS = "validations"
KEEP_RUNS = 10
MAX_RESULTS = 60
VENDOR = Path(__file__).resolve().parent / "data_docs_vendor"
# GX's pages load these from CDNs; each built site gets the vendored copies (see data_docs_vendor/).
CDN_COPIES = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper-1.12.9.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-filter-control-1.19.1.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-filter-control-1.19.1.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker-1.9.0.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker-1.9.0.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "css/fontawesome-6.6.0-all.min.css",
}


# GX's pages load their logo (light and dark) from GX's own web bucket, with a cache-busting query.
GX_LOGO = re.compile(
    r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/"
    r"(?:logo-long|full_logo_dark)\.png[^\"')\s]*"
)
LOGO = "logo-long.png"


def data_docs_index(warehouse: str | os.PathLike[str]) -> str:
    """Where the Data Docs site's entry page is: a local path, or a URL in an object store."""
    return open_store(warehouse).display(REPORTS, DATA_DOCS, "index.html")


def data_docs_built(warehouse: str | os.PathLike[str]) -> bool:
    """Whether a run has built the Data Docs site yet."""
    return open_store(warehouse).is_file(posixpath.join(REPORTS, DATA_DOCS, "index.html"))


def save_results(
    warehouse: str | os.PathLike[str],
    run_id: str,
    run_time: datetime,
    batch_id: str,
    results: Mapping[str, dict[str, Any]],
) -> None:
    """Keep one batch's GX results (table -> result JSON) for the Data Docs."""
    store = open_store(warehouse)
    for table, result in results.items():
        record = {"table": table, "run_id": run_id, "run_time": run_time.isoformat(), "batch_id": batch_id}
        rel = posixpath.join(REPORTS, VALIDATIONS, run_id, f"{batch_id}.{table}.json")
        store.write_bytes(rel, json.dumps({**record, "result": result}, default=str).encode())


def prune_results(warehouse: str | os.PathLike[str], keep_runs: int = KEEP_RUNS) -> list[str]:
    """Drop kept results of all but the newest `keep_runs` runs; returns the run ids dropped."""
    store = open_store(warehouse)
    runs = store.folders(posixpath.join(REPORTS, VALIDATIONS))
    dropped = runs[: max(len(runs) - keep_runs, 0)]
    for run_id in dropped:
        store.delete_dir(posixpath.join(REPORTS, VALIDATIONS, run_id))
    return dropped


def newest_results(warehouse: str | os.PathLike[str], max_results: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """The newest kept results, newest run first (run ids sort by start time)."""
    store = open_store(warehouse)
    folder = posixpath.join(REPORTS, VALIDATIONS)
    in_runs = (p for p in store.files(folder) if posixpath.dirname(posixpath.dirname(p)) == folder)
    paths = [p for p in in_runs if p.endswith(".json")]  # validations/<run_id>/<batch>.<table>.json
    paths.sort(key=lambda p: tuple(p.rsplit("/", 2)[-2:]), reverse=True)
    return [json.loads(store.read_bytes(p)) for p in paths[:max_results]]


def data_docs_current(warehouse: str | os.PathLike[str], suites_dir: str | os.PathLike[str]) -> bool:
    """True when the built site is newer than every kept result and every suite file: a run that
    validated nothing new (a no-op re-run) need not pay for GX's import and a rebuild."""
    store = open_store(warehouse)
    index = store.fs.get_file_info(store.path(REPORTS, DATA_DOCS, "index.html"))
    if index.type != pafs.FileType.File:
        return False
    selector = pafs.FileSelector(store.path(REPORTS, VALIDATIONS), recursive=True, allow_not_found=True)
    results = [i.mtime_ns for i in store.fs.get_file_info(selector) if i.path.endswith(".json")]
    suites = [p.stat().st_mtime_ns for p in Path(suites_dir).glob("*.json")]
    return all(mtime < index.mtime_ns for mtime in results + suites)


def build_data_docs(
    warehouse: str | os.PathLike[str],
    suites: Mapping[str, dict[str, Any]],
    keep_runs: int = KEEP_RUNS,
    max_results: int = MAX_RESULTS,
) -> str:
    """Rebuild the Data Docs site from the suites and the newest kept results; returns index.html.

    The site is built in a local folder (GX writes local files), then replaces the old one: locally by
    renames, in an object store by deleting the old site and uploading the new one.
    """
    store = open_store(warehouse)
    prune_results(warehouse, keep_runs)
    records = newest_results(warehouse, max_results)
    if store.is_local:
        site = Path(store.path(REPORTS, DATA_DOCS))
        building = site.with_name(f"{DATA_DOCS}.building")
        try:
            with store.full_disk(posixpath.join(REPORTS, building.name), "the previous Data Docs are kept"):
                _build_site(building, suites, records)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)  # half a site takes space and serves nothing
            raise
        old = site.with_name(f"{DATA_DOCS}.old")
        shutil.rmtree(old, ignore_errors=True)
        if site.exists():
            os.replace(site, old)
        os.replace(building, site)
        shutil.rmtree(old, ignore_errors=True)
    else:
        with tempfile.TemporaryDirectory(prefix="newsetl-docs-") as local:
            _build_site(Path(local) / DATA_DOCS, suites, records)
            store.delete_dir(posixpath.join(REPORTS, DATA_DOCS))
            pafs.copy_files(
                str(Path(local) / DATA_DOCS),
                store.path(REPORTS, DATA_DOCS),
                source_filesystem=pafs.LocalFileSystem(),
                destination_filesystem=store.fs,
            )
    return data_docs_index(warehouse)


def _build_site(folder: Path, suites: Mapping[str, dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """GX's Data Docs site for these suites and results, written into `folder` with vendored assets."""
    import great_expectations as gx

    shutil.rmtree(folder, ignore_errors=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    for suite in suites.values():
        context.suites.add(suite_from_json(suite))
    for record in records:
        _store_result(context, record)
    context.add_data_docs_site(
        site_name="newsetl",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(folder.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False},
        },
    )
    with _page_errors_raised():
        context.build_data_docs(site_names=["newsetl"])
    use_vendored_assets(folder)


@contextlib.contextmanager
def _page_errors_raised() -> Iterator[None]:
    """GX logs a page it could not render or write (with a traceback inside the message) and goes on; a
    site missing pages must not replace a whole one, so the first such error is raised instead: an OS
    error as itself (a full disk becomes WarehouseFull), anything else as a RuntimeError."""
    caught: list[str] = []
    builder = logging.getLogger("great_expectations.render.renderer.site_builder")

    def catch(record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        caught.append(record.getMessage())
        return False

    builder.addFilter(catch)
    try:
        yield
    finally:
        builder.removeFilter(catch)
    if caught:
        if code := re.search(r"\[Errno (\d+)\]", caught[0]):
            raise OSError(int(code[1]), os.strerror(int(code[1])))
        said = re.search(r"Detailed information follows:\s*(.{0,300}?)\.\s+Traceback", caught[0], re.S)
        raise RuntimeError(f"GX could not build a Data Docs page: {said[1] if said else caught[0][:300]}")


def use_vendored_assets(site: Path) -> None:
    """Copy the vendored front-end files into the site and point every page at them, not at CDNs; the
    GX logo at the copy GX writes into the site itself (static/images, from its package, Apache-2.0)."""
    shutil.copytree(VENDOR, site / "static" / "vendor", dirs_exist_ok=True)
    for page in site.rglob("*.html"):
        up = "../" * (len(page.relative_to(site).parts) - 1)
        html = page.read_text(encoding="utf-8")
        for url, name in CDN_COPIES.items():
            html = html.replace(url, f"{up}static/vendor/{name}")
        html = GX_LOGO.sub(f"{up}static/images/{LOGO}", html)
        page.write_text(html, encoding="utf-8")


def _store_result(context: Any, record: dict[str, Any]) -> None:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=record["table"]),
        run_id=RunIdentifier(run_name=record["run_id"], run_time=datetime.fromisoformat(record["run_time"])),
        batch_identifier=record["batch_id"],
    )
    context.validation_results_store.set(key, ExpectationSuiteValidationResultSchema().load(record["result"]))
