"""Every warehouse table declared once: its Arrow schema, grain and partition column.

The writer, the DuckDB views and the tests all derive their column lists from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Table:
    """A warehouse table: hive-partitioned Parquet under `<warehouse>/<name>/<partition_by>=<value>/`."""

    name: str
    schema: pa.Schema
    partition_by: str
    grain: str

    @property
    def columns(self) -> list[str]:
        return self.schema.names

    @property
    def data_schema(self) -> pa.Schema:
        """The schema stored inside each Parquet file (the partition column lives in the path)."""
        return self.schema.remove(self.schema.get_field_index(self.partition_by))


RAW_DOCUMENTS = Table(
    name="raw_documents",
    grain="one input file, content-addressed by doc_id",
    partition_by="ingest_date",
    schema=pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),  # sha256 hex of the file's bytes
            pa.field("source_uri", pa.string(), nullable=False),
            pa.field("byte_size", pa.int64(), nullable=False),
            pa.field("encoding", pa.string(), nullable=False),
            pa.field("ingested_at", UTC_TS, nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("raw_text", pa.large_string(), nullable=False),
            pa.field("ingest_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC)
        ]
    ),
)

ARTICLES = Table(
    name="articles",
    grain="one parsed article per raw document",
    partition_by="published_month",
    schema=pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("source_uri", pa.string(), nullable=False),
            pa.field("title", pa.string(), nullable=False),
            pa.field("authors", pa.list_(pa.string()), nullable=False),
            pa.field("published_at", UTC_TS),  # null when the text carries no publication date
            pa.field("dateline", pa.string()),
            pa.field("section", pa.string()),
            pa.field("language", pa.string(), nullable=False),  # ISO 639-1
            pa.field("body", pa.large_string(), nullable=False),
            pa.field("word_count", pa.int32(), nullable=False),
            pa.field("content_hash", pa.string(), nullable=False),  # sha256 hex of the normalised body
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("published_month", pa.string(), nullable=False),  # YYYY-MM or "unknown"
        ]
    ),
)

QUARANTINE = Table(
    name="quarantine",
    grain="one rejected input file or row, with the bytes that were rejected",
    partition_by="run_date",
    schema=pa.schema(
        [
            pa.field("source_uri", pa.string(), nullable=False),
            pa.field("doc_id", pa.string()),  # null when the bytes could not be read at all
            pa.field("stage", pa.string(), nullable=False),  # ingest / parse / validate / ...
            pa.field("reason_code", pa.string(), nullable=False),
            pa.field("detail", pa.string(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("quarantined_at", UTC_TS, nullable=False),
            pa.field("payload", pa.large_binary()),
            pa.field("run_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC)
        ]
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (RAW_DOCUMENTS, ARTICLES, QUARANTINE)}
