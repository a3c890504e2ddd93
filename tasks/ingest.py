"""Ingest stage: bytes of a source file -> a decoded RawDocument, a Rejected, or a Skipped duplicate."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import charset_normalizer

from tasks.records import RawDocument, Rejected, Skipped, SourceFile

STAGE = "ingest"

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CONTROL_SHARE = 0.01  # more control characters than this and the "text" is binary
_CHAOS_TOLERANCE = 0.1  # charset-normalizer candidates this close in chaos compete on coherence
# Unlabelled single-byte news text is far more often Windows-1252 than its look-alikes (the WHATWG
# default for unlabelled Western pages); short samples score near-equal, so this prior breaks ties.
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
_WESTERN_BONUS = 0.05


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept; reason_code names why."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.reason_code = reason_code


@dataclass(frozen=True)
class IngestResult:
    """One batch's ingest outcome; every input file lands in exactly one of the three lists."""

    documents: list[RawDocument]
    rejected: list[Rejected]
    skipped: list[Skipped]

    def first_seen(self) -> dict[str, str]:
        """doc_id -> source_uri of the files this batch met first (not duplicates, not skips)."""
        return {
            r.doc_id: r.source_uri
            for r in (*self.documents, *self.rejected)
            if r.doc_id and not (isinstance(r, Rejected) and r.reason_code == "duplicate_content")
        }


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a file's bytes: BOM, then strict UTF-8, then charset-normalizer."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding).lstrip("\ufeff")), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    "undecodable", f"has a {encoding} BOM but is not {encoding}: {exc}"
                ) from exc
    if b"\x00" in data:
        raise DecodeError("binary", f"NUL byte at offset {data.index(0)}")
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # a multi-byte character cut off at the very end
            return _checked(data[: exc.start].decode("utf-8")), "utf-8"
    return _decode_guessed(data)


def _decode_guessed(data: bytes) -> tuple[str, str]:
    """Decode with charset-normalizer, choosing among its candidates by language fit, then chaos.

    charset-normalizer ranks by chaos alone, so a text with one stray high byte (BBC sport/199.txt:
    a latin-1 pound sign) comes back as cp932 with no language fit at all. We keep the candidates
    near the least chaos, drop those whose text fits no language when others do, and prefer
    Windows-1252 among near-equals.
    """
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise DecodeError("undecodable", "no text encoding fits these bytes")
    least_chaos = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= least_chaos + _CHAOS_TOLERANCE]
    best_fit = max(m.coherence for m in close)
    if best_fit > 0:
        close = [m for m in close if m.coherence >= best_fit - _CHAOS_TOLERANCE]
    best = min(close, key=lambda m: (m.chaos - _WESTERN_BONUS * _is_western(m), -m.coherence))
    text = str(best)
    if _is_western(best) and best.encoding not in _WESTERN:
        return _checked(text), "cp1252"  # same text; name the encoding a reader would expect
    return _checked(text), best.encoding


def _is_western(match: charset_normalizer.CharsetMatch) -> bool:
    return any(name in _WESTERN for name in match.could_be_from_charset)


def _checked(text: str) -> str:
    """The text itself, unless it is mostly control characters (binary data that happened to decode)."""
    controls = sum(1 for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS)
    if text and controls / len(text) > _MAX_CONTROL_SHARE:
        raise DecodeError("binary", f"{controls} control characters in {len(text)}")
    return text


def ingest_file(source: SourceFile) -> RawDocument | Rejected:
    """A RawDocument for a readable text file, else a Rejected naming what was wrong."""
    doc_id = source.doc_id
    if source.data is None or doc_id is None:
        code, detail = source.error_code or "unreadable", source.error or "could not be read"
        return Rejected(source.source_uri, doc_id, STAGE, code, detail, None)
    if not source.data.strip():
        detail = "empty file" if not source.data else f"whitespace only ({len(source.data)} bytes)"
        return Rejected(source.source_uri, doc_id, STAGE, "empty", detail, source.data)
    try:
        text, encoding = decode_text(source.data)
    except DecodeError as exc:
        return Rejected(source.source_uri, doc_id, STAGE, exc.reason_code, str(exc), source.data)
    if not text.strip():
        return Rejected(source.source_uri, doc_id, STAGE, "empty", "no visible text", source.data)
    return RawDocument(doc_id, source.source_uri, len(source.data), encoding, text, source.data)


def ingest_batch(
    sources: Iterable[SourceFile],
    known_ids: set[str] | frozenset[str],
    run_ids: Mapping[str, str] | None = None,
) -> IngestResult:
    """Decode a batch of files, each landing in exactly one of documents, rejected or skipped.

    `known_ids` are doc_ids already in the warehouse: those files are skipped. `run_ids` maps doc_ids
    met earlier in this run to their source_uri: a second file with the same bytes is quarantined as
    `duplicate_content` naming the first (its bytes are kept once, under that doc_id).
    """
    documents: list[RawDocument] = []
    rejected: list[Rejected] = []
    skipped: list[Skipped] = []
    first_seen: dict[str, str] = dict(run_ids or {})
    for source in sources:
        doc_id = source.doc_id
        if doc_id is not None and doc_id in known_ids:
            skipped.append(Skipped(source.source_uri, doc_id, "already_ingested"))
            continue
        if doc_id is not None and doc_id in first_seen:
            detail = f"same bytes as {first_seen[doc_id]}"
            rejected.append(Rejected(source.source_uri, doc_id, STAGE, "duplicate_content", detail, None))
            continue
        outcome = ingest_file(source)
        if doc_id is not None:
            first_seen[doc_id] = source.source_uri
        (documents if isinstance(outcome, RawDocument) else rejected).append(outcome)
    return IngestResult(documents, rejected, skipped)
