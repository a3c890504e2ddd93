"""Reading tables back, including raw_documents written before the original bytes were kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.ingest import ingest_batch
from tasks.records import RunContext, SourceRecord
from tasks.warehouse import commit, tables, views
from tasks.warehouse.rows import raw_documents_table
from tasks.warehouse.schemas import UTC_TS

RUN = RunContext("20260101T000000Z-tables00", datetime(2026, 1, 1, tzinfo=UTC))


def _legacy_file(warehouse: Path, texts: list[str]) -> None:
    """A raw_documents file as the version before this one wrote it: no locator, media_type, raw_bytes."""
    folder = warehouse / "raw_documents" / "ingest_date=2025-12-01"
    folder.mkdir(parents=True)
    rows = pa.table(
        {
            "doc_id": [f"{i:064d}" for i in range(len(texts))],
            "source_uri": [f"file:///old{i}.txt" for i in range(len(texts))],
            "byte_size": [len(t.encode("cp1252")) for t in texts],
            "encoding": ["cp1252"] * len(texts),
            "ingested_at": pa.array([datetime(2025, 12, 1, tzinfo=UTC)] * len(texts), UTC_TS),
            "run_id": ["old-run"] * len(texts),
            "raw_text": pa.array(texts, pa.large_string()),
        }
    )
    pq.write_table(rows, folder / "part-old-0.parquet")


def test_records_replay_original_bytes_and_legacy_rows_their_text(tmp_path: Path) -> None:
    _legacy_file(tmp_path, ["Café headline\n\nOld body."])
    new = ingest_batch([SourceRecord("file:///new.txt", "Naïve headline\n\nNew body.".encode("cp1252"))])
    commit.commit_batch(tmp_path, "b1", {"raw_documents": raw_documents_table(new.documents, RUN)})
    assert tables.rows_without_bytes(tmp_path) == 1
    records = [r for batch in tables.iter_raw_records(tmp_path, 10) for r in batch]
    by_uri = {r.source_uri: r for r in records}
    assert by_uri["file:///new.txt"].data == "Naïve headline\n\nNew body.".encode("cp1252")  # as read
    assert by_uri["file:///old0.txt"].data == "Café headline\n\nOld body.".encode()  # its text, as UTF-8
    assert by_uri["file:///old0.txt"].doc_id == f"{0:064d}"  # replayed under its own doc_id
    assert {(r.media_type, r.locator) for r in records} == {("text/plain", "")}
    replayed = ingest_batch(records).documents
    assert {d.raw_text for d in replayed} == {"Café headline\n\nOld body.", "Naïve headline\n\nNew body."}
    con = views.connect(tmp_path, read_only=True)
    rows = con.execute("select source_uri, raw_bytes is null from raw_documents order by 1").fetchall()
    assert rows == [("file:///new.txt", False), ("file:///old0.txt", True)]


def test_declared_views_open_no_file_until_read_and_fall_back_to_the_union_views(tmp_path: Path) -> None:
    """Bound on the declared schema, a view reads the columns every file has; a query reading a column a
    legacy file lacks fails there, and views.read runs it again over the union views (null there)."""
    _legacy_file(tmp_path, ["Old headline\n\nOld body."])
    new = ingest_batch([SourceRecord("file:///new.txt", b"New headline\n\nNew body.")])
    commit.commit_batch(tmp_path, "b1", {"raw_documents": raw_documents_table(new.documents, RUN)})
    declared = views.connect(tmp_path, declared=True)
    assert declared.execute("select count(distinct doc_id) from raw_documents").fetchone() == (2,)
    query = "select source_uri, raw_bytes is null from raw_documents order by 1"
    with pytest.raises(duckdb.InvalidInputException, match="schema mismatch"):
        declared.execute(query).fetchall()
    union = views.connect(tmp_path).execute(query).fetchall()
    assert views.read(tmp_path, lambda con: con.execute(query).fetchall()) == union
    assert union == [("file:///new.txt", False), ("file:///old0.txt", True)]


def test_no_raw_documents_yet(tmp_path: Path) -> None:
    assert tables.rows_without_bytes(tmp_path) == 0
    assert list(tables.iter_raw_records(tmp_path, 10)) == []
