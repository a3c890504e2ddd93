from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from tasks.records import Article, RawDocument, Rejected, RunContext
from tasks.warehouse.rows import batch_tables, published_month
from tasks.warehouse.schemas import ARTICLES, QUARANTINE, RAW_DOCUMENTS, TABLES

RUN = RunContext("20151117T103700Z-abcd1234", datetime(2015, 11, 17, 10, 37, tzinfo=UTC))
DOC = RawDocument("d" * 64, "file:///a.txt", 12, "utf-8", "Title\n\nBody.")
ARTICLE = Article(
    "d" * 64,
    "file:///a.txt",
    "Title",
    ("Jane Doe",),
    datetime(2015, 3, 1, tzinfo=UTC),
    "PARIS",
    None,
    "en",
    "Body.",
    1,
    "h" * 64,
)
UNDATED = Article("e" * 64, "file:///b.txt", "T", (), None, None, "NEWS", "en", "B.", 1, "i" * 64)
REJECTED = Rejected("file:///c.txt", "f" * 64, "ingest", "binary", "NUL byte at offset 3", b"ab\x00c")


def test_published_month() -> None:
    assert published_month(datetime(2015, 11, 17, 23, 59, tzinfo=UTC)) == "2015-11"
    assert published_month(None) == "unknown"


def test_batch_tables_follow_the_declared_schemas() -> None:
    tables = batch_tables(RUN, [DOC], [ARTICLE, UNDATED], [REJECTED])
    assert {"raw_documents", "articles", "quarantine"} <= set(tables) <= set(TABLES)
    for name, table in tables.items():
        assert table.schema.equals(TABLES[name].schema), name


def test_rows_carry_run_and_partition_values() -> None:
    tables = batch_tables(RUN, [DOC], [ARTICLE, UNDATED], [REJECTED])
    raw = tables[RAW_DOCUMENTS.name].to_pylist()[0]
    assert (raw["run_id"], raw["ingest_date"], raw["ingested_at"]) == (
        RUN.run_id,
        "2015-11-17",
        RUN.started_at,
    )
    articles = tables[ARTICLES.name].to_pylist()
    assert [a["published_month"] for a in articles] == ["2015-03", "unknown"]
    assert articles[0]["authors"] == ["Jane Doe"] and articles[1]["authors"] == []
    quarantined = tables[QUARANTINE.name].to_pylist()[0]
    assert (quarantined["payload"], quarantined["run_date"], quarantined["reason_code"]) == (
        b"ab\x00c",
        "2015-11-17",
        "binary",
    )


def test_empty_batch_gives_empty_typed_tables() -> None:
    for name, table in batch_tables(RUN, [], [], []).items():
        assert table.num_rows == 0 and table.schema.equals(TABLES[name].schema)
        assert isinstance(table, pa.Table)
