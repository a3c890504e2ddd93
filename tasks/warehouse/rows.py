"""Rows builders: a batch's records -> one Arrow table per warehouse table, typed by its schema.

Each builder names every column of its table (tasks.warehouse.schemas), no more and no fewer: a row
that does not is refused, rather than written with a column silently null.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from tasks.records import Article, Check, Measure, RawDocument, Rejected, RunContext, RunSummary
from tasks.warehouse.schemas import (
    ARTICLES,
    DQ_METRICS,
    DQ_RESULTS,
    QUARANTINE,
    RAW_DOCUMENTS,
    RUN_STAGES,
    RUNS,
    SOURCE_FILES,
    TABLES,
    Table,
)

if TYPE_CHECKING:
    from tasks.ingest.ledger import FileRead

UNKNOWN_MONTH = "unknown"
DQ_FLAGS = "dq_flags"


def published_month(published_at: datetime | None) -> str:
    """The articles partition value: YYYY-MM of the publication date, or "unknown"."""
    return published_at.strftime("%Y-%m") if published_at else UNKNOWN_MONTH


def raw_documents_table(documents: Sequence[RawDocument], run: RunContext) -> pa.Table:
    """One row per decoded source record, with its original bytes."""
    return _table(
        RAW_DOCUMENTS,
        [
            {
                "doc_id": d.doc_id,
                "source_uri": d.source_uri,
                "locator": d.locator,
                "media_type": d.media_type,
                "url": d.url,
                "fetched_at": d.fetched_at,
                "raw_bytes": d.data,
                "byte_size": d.byte_size,
                "encoding": d.encoding,
                "ingested_at": run.started_at,
                "run_id": run.run_id,
                "raw_text": d.raw_text,
                "ingest_date": run.started_at.strftime("%Y-%m-%d"),
            }
            for d in documents
        ],
    )


def articles_table(articles: Sequence[Article], run: RunContext) -> pa.Table:
    """One row per parsed article, partitioned by publication month."""
    return _table(
        ARTICLES,
        [
            {
                **{name: getattr(a, name) for name in Article.__dataclass_fields__},
                "authors": list(a.authors),
                "dq_flags": [],
                "run_id": run.run_id,
                "duplicate_of": None,  # assigned at commit (tasks.stories)
                "story_id": None,
                "published_month": published_month(a.published_at),
            }
            for a in articles
        ],
    )


def quarantine_table(rejected: Sequence[Rejected], run: RunContext) -> pa.Table:
    """One row per rejected input or row, with its bytes so nothing is lost."""
    return _table(
        QUARANTINE,
        [
            {
                **{name: getattr(r, name) for name in Rejected.__dataclass_fields__},
                "run_id": run.run_id,
                "quarantined_at": run.started_at,
                "run_date": run.started_at.strftime("%Y-%m-%d"),
            }
            for r in rejected
        ],
    )


def batch_tables(
    run: RunContext,
    documents: Sequence[RawDocument],
    articles: Sequence[Article],
    rejected: Sequence[Rejected],
) -> dict[str, pa.Table]:
    """Every table's rows for one batch, keyed by table name."""
    return {
        RAW_DOCUMENTS.name: raw_documents_table(documents, run),
        ARTICLES.name: articles_table(articles, run),
        QUARANTINE.name: quarantine_table(rejected, run),
    }


def extracted_table(
    name: str, records: Sequence[Any], run: RunContext, months: Mapping[str, str]
) -> pa.Table:
    """One enrichment table from its extractor's records; months maps doc_id -> partition."""
    return _table(
        TABLES[name],
        [
            {
                **{f: getattr(r, f) for f in r.__dataclass_fields__},
                "run_id": run.run_id,
                "published_month": months[r.doc_id],
            }
            for r in records
        ],
    )


def dq_results_table(checks: Sequence[Check], run: RunContext, batch_id: str) -> pa.Table:
    """One dq_results row per evaluated expectation of the batch."""
    return _table(
        DQ_RESULTS,
        [
            {
                "run_id": run.run_id,
                "batch_id": batch_id,
                "table_name": c.table_name,
                "expectation": c.expectation,
                "column_name": c.column_name,
                "severity": c.severity,
                "success": c.success,
                "element_count": c.element_count,
                "unexpected_count": c.unexpected_count,
                "unexpected_percent": c.unexpected_percent,
                "sample_values": _json_list(c.sample_values),
                "evaluated_at": run.started_at,
                "run_date": run.started_at.strftime("%Y-%m-%d"),
            }
            for c in checks
        ],
    )


def dq_metrics_table(measures: Sequence[Measure], run: RunContext) -> pa.Table:
    """One dq_metrics row per measure of the batch (per source, and for the batch with source "")."""
    return _table(
        DQ_METRICS,
        [
            {
                "run_id": run.run_id,
                "batch_id": m.batch_id,
                "table_name": m.table_name,
                "measure": m.measure,
                "source": m.source,
                "value": m.value,
                "threshold": m.threshold,
                "severity": m.severity,
                "success": m.success,
                "is_drift": m.is_drift,
                "measured_at": run.started_at,
                "examples": _json_list(m.examples),
                "detail": m.detail or None,
                "run_date": run.started_at.strftime("%Y-%m-%d"),
            }
            for m in measures
        ],
    )


def runs_table(
    summary: RunSummary,
    run: RunContext,
    finished_at: datetime,
    flow_run_id: str | None,
    error: str | None = None,
) -> pa.Table:
    """The run's one `runs` row: its accounts, seconds per stage, and how it ended."""
    row = {
        "run_id": run.run_id,
        "flow_run_id": flow_run_id,
        "started_at": run.started_at,
        "finished_at": finished_at,
        "status": "failed" if error else "completed",
        "error": error,
        "source": summary.source,
        **{
            name: getattr(summary, name)
            for name in (
                "files_seen",
                "records_seen",
                "records_ignored",
                "articles_written",
                "quarantined",
                "skipped",
                "files_unread",
                "rows_quarantined",
                "batches",
            )
        },
        **{f"seconds_{stage}": summary.stage_seconds.get(stage, 0.0) for stage in RUN_STAGES},
        "seconds_total": summary.seconds,
        "run_date": run.started_at.strftime("%Y-%m-%d"),
    }
    return _table(RUNS, [row])


def source_files_table(reads: Sequence[FileRead], run: RunContext, read_options: str) -> pa.Table:
    """The ledger rows of files this run read to their end (tasks.ingest.ledger), one per file."""
    rows = [
        {
            "source_uri": r.listed.source_uri,
            "byte_size": r.listed.byte_size,
            "modified_at": r.listed.modified_at,
            "etag": r.listed.etag,
            "read_options": read_options,
            "records": r.records,
            "ignored_kinds": sorted(r.ignored_kinds.items()),
            "run_id": run.run_id,
            "read_at": run.started_at,
            "run_date": run.started_at.strftime("%Y-%m-%d"),
        }
        for r in reads
    ]
    return _table(SOURCE_FILES, rows)


def with_dq_flags(table: pa.Table, flags: Mapping[str, Sequence[str]]) -> pa.Table:
    """The table with `flags` (doc_id -> expectation names) added to each row's dq_flags, each name once."""
    if not flags:
        return table
    current = table.column(DQ_FLAGS).to_pylist()
    doc_ids = table.column("doc_id").to_pylist()
    updated = [
        [*had, *(n for n in dict.fromkeys(flags.get(d, ())) if n not in had)]
        for d, had in zip(doc_ids, current, strict=True)
    ]
    position = table.schema.get_field_index(DQ_FLAGS)
    field = table.schema.field(position)
    return table.set_column(position, field, pa.array(updated, type=field.type))


def without_docs(table: pa.Table, doc_ids: Iterable[str]) -> pa.Table:
    """The table's rows whose doc_id is not one of `doc_ids`."""
    drop = pa.array(list(doc_ids), type=pa.string())
    return table.filter(pc.invert(pc.is_in(table.column("doc_id"), value_set=drop)))


def _json_list(values: Sequence[str]) -> str | None:
    return json.dumps(list(values), ensure_ascii=False) if values else None


def _table(table: Table, rows: list[dict[str, object]]) -> pa.Table:
    # Every row comes from one dict display per builder, so the first row's keys are every row's.
    if rows and rows[0].keys() != set(table.columns):
        missing, extra = set(table.columns) - rows[0].keys(), rows[0].keys() - set(table.columns)
        raise ValueError(f"rows for {table.name} lack columns {sorted(missing)}, have others {sorted(extra)}")
    return pa.Table.from_pylist(rows, schema=table.schema)
