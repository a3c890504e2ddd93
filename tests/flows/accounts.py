"""What every fault test checks in the warehouse afterwards, read through the DuckDB views (as `newsetl
query` reads it): each table readable, no key twice, and each input record ended exactly once."""

from __future__ import annotations

from pathlib import Path

from tasks.warehouse import views
from tasks.warehouse.schemas import TABLES

KEYED = ("raw_documents", "articles")  # one row per doc_id


def consistent_counts(warehouse: Path | str) -> dict[str, int]:
    """Rows per table, once every table reads without error and no doc_id appears twice where it is a key."""
    con = views.connect(warehouse)
    counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in TABLES}
    for name in KEYED:
        total, distinct = con.execute(f"select count(*), count(distinct doc_id) from {name}").fetchone()
        assert total == distinct, f"{name}: a doc_id appears twice"
    files, ids = con.execute(
        "select count(*), count(distinct doc_id) from quarantine where doc_id is not null"
    ).fetchone()
    assert files == ids, "a quarantined file was recorded twice"
    return counts


def assert_each_record_once(warehouse: Path | str, uris: list[str]) -> None:
    """Each of `uris` ended as exactly one article or one quarantine row: never both, never twice, never
    lost; and every raw document committed has its article or its quarantine row (no batch half there)."""
    con = views.connect(warehouse)
    accounted = con.execute(
        "select source_uri, count(*) from (select source_uri from articles union all"
        " select source_uri from quarantine) group by all"
    ).fetchall()
    assert sorted(u for u, _ in accounted) == sorted(uris)
    assert all(n == 1 for _, n in accounted), "a record is both an article and quarantined, or twice"
    assert_no_partial_batch(warehouse)


def assert_no_partial_batch(warehouse: Path | str) -> None:
    """Every raw document has its article or quarantine row, and every article its raw document."""
    con = views.connect(warehouse)
    orphans = con.execute(
        "select count(*) from raw_documents r where r.doc_id not in (select doc_id from articles)"
        " and r.doc_id not in (select doc_id from quarantine where doc_id is not null)"
    ).fetchone()[0]
    assert orphans == 0, f"{orphans} raw document(s) without their article or quarantine row"
    missing = con.execute(
        "select count(*) from articles where doc_id not in (select doc_id from raw_documents)"
    ).fetchone()[0]
    assert missing == 0, f"{missing} article(s) without their raw document"
