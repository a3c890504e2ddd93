"""What validation does with the rows that fail an expectation: a `quarantine` failure moves the row to
quarantine (with the row as JSON, so nothing is lost); a `warning` failure keeps it and names the
expectation in its article's `dq_flags`.

dq_flags holds reason codes (`<expectation>(<column>)`): the article's own rules by that name, the rules
of an enrichment table (entities, quotes, ...) as `<table>.<reason code>`, since those rows have no
dq_flags of their own and the article is what a user filters on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from tasks.records import Check, Rejected

Flags = dict[str, list[str]]  # doc_id -> reason codes of the warning expectations its rows failed


def failing_rows(checks: Sequence[Check]) -> dict[int, list[Check]]:
    """Row position -> the checks that row failed."""
    failing: dict[int, list[Check]] = {}
    for check in checks:
        for row in check.failed_rows:
            failing.setdefault(row, []).append(check)
    return failing


def flags_of(table: pa.Table, flagged: Mapping[int, list[Check]], moved: Iterable[int]) -> Flags:
    """doc_id -> the warning expectations its kept rows failed, each named once, in suite order."""
    doc_ids = table.column("doc_id").to_pylist() if flagged else []
    flags: Flags = {}
    for position in sorted(set(flagged) - set(moved)):
        _add(flags, doc_ids[position], [c.reason_code for c in flagged[position]])
    return flags


def merged(into: Flags, more: Mapping[str, Sequence[str]], prefix: str = "") -> Flags:
    """`into` with `more` added (each name once per doc_id, prefixed with `prefix`)."""
    for doc_id, names in more.items():
        _add(into, doc_id, [f"{prefix}{n}" for n in names])
    return into


def _add(flags: Flags, doc_id: str, names: Sequence[str]) -> None:
    listed = flags.setdefault(doc_id, [])
    listed += [n for n in names if n not in listed]


def rejected_rows(
    table: pa.Table, failing: Mapping[int, list[Check]], source_uris: Mapping[str, str]
) -> list[Rejected]:
    """The failing rows of `table` as quarantine rows, reason = the first expectation each failed."""
    rows = table.take(pa.array(sorted(failing), type=pa.int64())).to_pylist()
    rejected = []
    for position, row in zip(sorted(failing), rows, strict=True):
        checks = failing[position]
        detail = f"{checks[0].table_name} row failed: " + "; ".join(c.reason_code for c in checks)
        rejected.append(rejected_row(row, checks[0].reason_code, detail, source_uris))
    return rejected


def rejected_row(
    row: dict[str, Any], reason_code: str, detail: str, source_uris: Mapping[str, str] | None
) -> Rejected:
    """A validated row leaving its table for quarantine, as JSON in the payload."""
    doc_id = row.get("doc_id")
    return Rejected(
        source_uri=row.get("source_uri") or (source_uris or {}).get(doc_id or "", "") or "",
        doc_id=doc_id,
        stage="validate",
        reason_code=reason_code,
        detail=detail,
        payload=json.dumps(row, default=str, ensure_ascii=False).encode("utf-8"),
    )
