"""Data-quality reports under `<warehouse>/_reports/`: kept GX validation results and the Data Docs site.

Each batch's GX results are kept as JSON under `validations/<run_id>/`. Once per run, the Data Docs
site is rebuilt from the newest of them only (at most `max_results`, from the last `keep_runs` runs), in
a fresh ephemeral GX context, into a temporary folder that then replaces `data_docs/`. GX re-renders
every stored result on each build (~30 ms apiece here), so a bounded history keeps the build time flat
however many runs the warehouse has seen.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from tasks.validate import suite_from_json

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


def reports_dir(warehouse: str | os.PathLike[str]) -> Path:
    return Path(warehouse) / REPORTS


def data_docs_index(warehouse: str | os.PathLike[str]) -> Path:
    """Where the Data Docs site's entry page is."""
    return reports_dir(warehouse) / DATA_DOCS / "index.html"


def save_results(
    warehouse: str | os.PathLike[str],
    run_id: str,
    run_time: datetime,
    batch_id: str,
    results: Mapping[str, dict[str, Any]],
) -> None:
    """Keep one batch's GX results (table -> result JSON) for the Data Docs."""
    folder = reports_dir(warehouse) / VALIDATIONS / run_id
    folder.mkdir(parents=True, exist_ok=True)
    for table, result in results.items():
        record = {"table": table, "run_id": run_id, "run_time": run_time.isoformat(), "batch_id": batch_id}
        path = folder / f"{batch_id}.{table}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({**record, "result": result}, default=str), encoding="utf-8")
        os.replace(tmp, path)


def prune_results(warehouse: str | os.PathLike[str], keep_runs: int = KEEP_RUNS) -> list[str]:
    """Drop kept results of all but the newest `keep_runs` runs; returns the run ids dropped."""
    root = reports_dir(warehouse) / VALIDATIONS
    runs = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    dropped = runs[: max(len(runs) - keep_runs, 0)]
    for path in dropped:
        shutil.rmtree(path, ignore_errors=True)
    return [p.name for p in dropped]


def newest_results(warehouse: str | os.PathLike[str], max_results: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """The newest kept results, newest run first (run ids sort by start time)."""
    root = reports_dir(warehouse) / VALIDATIONS
    paths = sorted(root.glob("*/*.json"), key=lambda p: (p.parent.name, p.name), reverse=True)
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths[:max_results]]


def data_docs_current(warehouse: str | os.PathLike[str], suites_dir: str | os.PathLike[str]) -> bool:
    """True when the built site is newer than every kept result and every suite file: a run that
    validated nothing new (a no-op re-run) need not pay for GX's import and a rebuild."""
    index = data_docs_index(warehouse)
    if not index.is_file():
        return False
    sources = [*(reports_dir(warehouse) / VALIDATIONS).glob("*/*.json"), *Path(suites_dir).glob("*.json")]
    return all(p.stat().st_mtime < index.stat().st_mtime for p in sources)


def build_data_docs(
    warehouse: str | os.PathLike[str],
    suites: Mapping[str, dict[str, Any]],
    keep_runs: int = KEEP_RUNS,
    max_results: int = MAX_RESULTS,
) -> Path:
    """Rebuild the Data Docs site from the suites and the newest kept results; returns index.html."""
    import great_expectations as gx

    prune_results(warehouse, keep_runs)
    site = reports_dir(warehouse) / DATA_DOCS
    building = site.with_name(f"{DATA_DOCS}.building")
    shutil.rmtree(building, ignore_errors=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    for suite in suites.values():
        context.suites.add(suite_from_json(suite))
    for record in newest_results(warehouse, max_results):
        _store_result(context, record)
    context.add_data_docs_site(
        site_name="newsetl",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(building.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False},
        },
    )
    context.build_data_docs(site_names=["newsetl"])
    use_vendored_assets(building)
    old = site.with_name(f"{DATA_DOCS}.old")
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        os.replace(site, old)
    os.replace(building, site)
    shutil.rmtree(old, ignore_errors=True)
    return site / "index.html"


def use_vendored_assets(site: Path) -> None:
    """Copy the vendored front-end files into the site and point every page at them, not at CDNs."""
    shutil.copytree(VENDOR, site / "static" / "vendor", dirs_exist_ok=True)
    for page in site.rglob("*.html"):
        prefix = "../" * (len(page.relative_to(site).parts) - 1) + "static/vendor/"
        html = page.read_text(encoding="utf-8")
        for url, name in CDN_COPIES.items():
            html = html.replace(url, prefix + name)
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
