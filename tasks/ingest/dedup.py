"""Every deduplication decision, in one place. Records are content-addressed (doc_id = sha256 of bytes).

Two maps, named the same everywhere:
- `known`: the doc_ids already in the warehouse (raw_documents and quarantine). A record with one of
  these is skipped as the sources are read, before any batch is built (`skip_known`).
- `seen`: doc_id -> the source_uri that first had those bytes in this run. A later record with the
  same bytes is quarantined as `duplicate_content` naming that first one: within a batch by
  `tasks.ingest.ingest_batch`, across batches by `drop_seen` when the flow commits batches in order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from tasks.records import BatchResult, Rejected, SourceRecord
from tasks.sources.common import Ignored, Item
from tasks.warehouse import rows

STAGE = "ingest"
DUPLICATE = "duplicate_content"


@dataclass
class ReadTally:
    """What `skip_known` met while the sources were read: every record, those known, those ignored."""

    seen: int = 0
    skipped: int = 0
    ignored: dict[str, int] = field(default_factory=dict)  # Ignored.kind -> records


def skip_known(items: Iterable[Item], known: Collection[str], tally: ReadTally) -> Iterator[SourceRecord]:
    """The records whose doc_id is not in the warehouse yet, one at a time, counting all of them in `tally`.

    Records are content-addressed, so a container (a JSONL file, a WARC) is never skipped whole: a re-run
    reads and hashes its records and starts no worker, GX or model for the known ones, while one record
    added to it is new. A record that could not be read (no doc_id) is kept, so that its batch
    quarantines it with the reason.
    """
    for item in items:
        tally.seen += 1
        if isinstance(item, Ignored):
            tally.ignored[item.kind] = tally.ignored.get(item.kind, 0) + 1
        elif item.doc_id is not None and item.doc_id in known:
            tally.skipped += 1
        else:
            yield item


def duplicate(source_uri: str, doc_id: str, first_uri: str) -> Rejected:
    """The quarantine row of a record whose bytes `first_uri` already had (they are kept once, there)."""
    return Rejected(source_uri, doc_id, STAGE, DUPLICATE, f"same bytes as {first_uri}", None)


def is_duplicate(rejected: Rejected) -> bool:
    return rejected.reason_code == DUPLICATE


def drop_seen(result: BatchResult, seen: Mapping[str, str]) -> BatchResult:
    """The batch without records whose bytes an earlier batch of the run already had: those become
    `duplicate_content` rejects naming the first record."""
    again = {d: u for d, u in result.seen.items() if d in seen}
    if not again:
        return result
    rest = _without(result, set(again), keep_duplicates=True)
    duplicates = [duplicate(uri, doc_id, seen[doc_id]) for doc_id, uri in again.items()]
    return replace(rest, rejected=[*(_renamed(r, seen) for r in rest.rejected), *duplicates])


def drop_known(result: BatchResult, known: Collection[str]) -> tuple[BatchResult, int]:
    """The batch without records already in the warehouse, and how many there were to skip. `skip_known`
    drops them before batching; this catches a record whose doc_id only its batch learnt."""
    again = {d for d in result.seen if d in known}
    if not again:
        return result, 0
    repeats = sum(1 for r in result.rejected if r.doc_id in again and is_duplicate(r))
    return _without(result, again, keep_duplicates=False), len(again) + repeats


def _without(result: BatchResult, doc_ids: set[str], keep_duplicates: bool) -> BatchResult:
    """The batch's rows and rejects without those of `doc_ids` (their duplicate rejects kept or not)."""
    tables = {n: rows.without_docs(t, doc_ids) for n, t in result.tables.items()}
    rejected = [
        r for r in result.rejected if r.doc_id not in doc_ids or (keep_duplicates and is_duplicate(r))
    ]
    rejected_rows = [r for r in result.rejected_rows if r.doc_id not in doc_ids]
    seen = {d: u for d, u in result.seen.items() if d not in doc_ids}
    return replace(result, tables=tables, rejected=rejected, rejected_rows=rejected_rows, seen=seen)


def _renamed(rejected: Rejected, seen: Mapping[str, str]) -> Rejected:
    """A within-batch duplicate of a record an earlier batch had names that earlier, first record."""
    if is_duplicate(rejected) and rejected.doc_id in seen:
        return replace(rejected, detail=f"same bytes as {seen[rejected.doc_id]}")
    return rejected
