"""Ingest stage: a source record's bytes -> a decoded RawDocument or a Rejected saying why not.

Decoding is in `decode`; every deduplication decision (records already in the warehouse, the same bytes
twice in one batch or one run) is in `dedup`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tasks.ingest import dedup
from tasks.ingest.decode import DecodeError, decode_text
from tasks.records import RawDocument, Rejected, SourceRecord

STAGE = dedup.STAGE

__all__ = ["STAGE", "DecodeError", "IngestResult", "decode_text", "ingest_batch", "ingest_record"]


@dataclass(frozen=True)
class IngestResult:
    """One batch's ingest outcome; every input record lands in exactly one of the two lists."""

    documents: list[RawDocument]
    rejected: list[Rejected]

    def seen(self) -> dict[str, str]:
        """doc_id -> source_uri of the records this batch met first (not its duplicates)."""
        return {
            r.doc_id: r.source_uri
            for r in (*self.documents, *self.rejected)
            if r.doc_id and not (isinstance(r, Rejected) and dedup.is_duplicate(r))
        }


def ingest_record(source: SourceRecord) -> RawDocument | Rejected:
    """A RawDocument for a readable text record, else a Rejected naming what was wrong (and where in its
    file, for a record inside one: quarantine rows have no locator of their own)."""
    doc_id = source.doc_id

    def rejected(code: str, detail: str) -> Rejected:
        where = f"{source.locator}: " if source.locator and source.locator not in detail else ""
        return Rejected(
            source.source_uri, doc_id, STAGE, code, where + detail, source.data
        )  # bytes, or a head

    if source.error_code is not None or source.data is None or doc_id is None:
        return rejected(source.error_code or "unreadable", source.error or "could not be read")
    if not source.data.strip():
        return rejected(
            "empty", "empty file" if not source.data else f"whitespace only ({len(source.data)} bytes)"
        )
    try:
        text, encoding = decode_text(source.data)
    except DecodeError as exc:
        return rejected(exc.reason_code, str(exc))
    if not text.strip():
        return rejected("empty", "no visible text")
    return RawDocument(
        doc_id,
        source.source_uri,
        len(source.data),
        encoding,
        text,
        source.data,
        source.media_type,
        source.locator,
        source.url,
        source.fetched_at,
    )


def ingest_batch(sources: Iterable[SourceRecord]) -> IngestResult:
    """Decode a batch of records, each landing in exactly one of documents or rejected.

    A second record with the same bytes as one met earlier in the batch is quarantined as
    `duplicate_content` naming the first (its bytes are kept once, under that doc_id).
    """
    documents: list[RawDocument] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    for source in sources:
        doc_id = source.doc_id
        if doc_id is not None and doc_id in seen:
            rejected.append(dedup.duplicate(source.source_uri, doc_id, seen[doc_id]))
            continue
        outcome = ingest_record(source)
        if doc_id is not None:
            seen[doc_id] = source.source_uri
        (documents if isinstance(outcome, RawDocument) else rejected).append(outcome)
    return IngestResult(documents, rejected)
