"""WARC reader (`.warc`, `.warc.gz`, Common Crawl News style), on warcio.

Each `response` record with an HTML payload is one text/html record: its HTTP headers stripped and its
chunked transfer and gzip/deflate/brotli content encodings undone (warcio's content_stream), `url` its
WARC-Target-URI, `fetched_at` its WARC-Date, locator `offset:N` (the record's byte offset in the file,
as CDX indexes give it). Every other record (warcinfo, request, metadata, a response of an image) is
passed over as Ignored. Records stream one at a time: memory holds one payload, up to the record limit.

A corrupt record is a bad record; reading starts again at the next record boundary (the next gzip
member, or the next `WARC/1.x` header line) when the stream can seek, else the rest is one bad record.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from tasks.records import TEXT_HTML, SourceRecord
from tasks.sources.common import HEAD_BYTES, Ignored, Item, ReadOptions, bad_record, read_capped, too_large

HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_HEADER = b"\r\n\r\nWARC/1."  # a record's end, then the next record's version line
_SCAN_CHUNK = 1024 * 1024


def read_warc(stream: BinaryIO, uri: str, options: ReadOptions) -> Iterator[Item]:
    """Every record of a WARC file: HTML responses as records, the others Ignored, corrupt ones bad."""
    start: int | None = 0
    while start is not None:
        start = yield from _records_from(stream, start, uri, options)


def _records_from(stream: BinaryIO, start: int, uri: str, options: ReadOptions) -> Iterator[Item]:
    """Records from byte `start` on; returns where to start again after a corrupt record, or None."""
    if start:
        stream.seek(start)
    records = ArchiveIterator(stream, check_digests=False)  # its offsets count from the file's start
    end = start
    try:
        for record in records:
            # records.offset, not get_record_offset(): that one reads the record to its end first
            item = _item(record, f"offset:{records.offset}", uri, options)
            end = records.offset + records.get_record_length()
            yield item
    except (ArchiveLoadFailed, ValueError, EOFError, OSError) as exc:  # zlib.error is an OSError too
        return (yield from _corrupt(stream, records.offset, uri, exc))
    if stream.seekable():
        yield from _trailing(stream, end, uri)
    return None


def _corrupt(stream: BinaryIO, failed_at: int, uri: str, exc: Exception) -> Iterator[Item]:
    """The bad record of a corrupt WARC record; returns the offset of the next record start, if any."""
    restart = _next_boundary(stream, failed_at + 1) if stream.seekable() else None
    how = f"reading goes on at offset {restart}" if restart else "the rest of the file is not read"
    detail = f"{uri} offset:{failed_at}: corrupt WARC record ({type(exc).__name__}: {exc}); {how}"
    yield bad_record(uri, f"offset:{failed_at}", "corrupt_warc_record", detail, _bytes_at(stream, failed_at))
    return restart


def _trailing(stream: BinaryIO, end: int, uri: str) -> Iterator[Item]:
    """A bad record for bytes after the last whole record (a WARC cut inside its last record): warcio
    ends its iteration there without a word."""
    size = stream.seek(0, 2)
    tail = _bytes_at(stream, end) if size > end else b""
    if tail and tail.strip(b"\r\n\x00 "):
        detail = f"{uri} offset:{end}: {size - end:,} bytes after the last whole record (a cut WARC?)"
        yield bad_record(uri, f"offset:{end}", "truncated", detail, tail)


def _item(record: Any, locator: str, uri: str, options: ReadOptions) -> Item:
    """One WARC record as a source record of its HTML payload, or Ignored."""
    if not record.rec_type:  # headers cut short or garbled: warcio still hands the record out
        detail = f"{uri} {locator}: a WARC record without a WARC-Type header (cut or corrupt)"
        return bad_record(uri, locator, "corrupt_warc_record", detail, None)
    if record.rec_type != "response":
        return Ignored(uri, locator, f"warc:{record.rec_type}")
    content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return Ignored(uri, locator, f"warc:response({content_type.split(';')[0].strip() or 'no type'})")
    url = record.rec_headers.get_header("WARC-Target-URI")
    fetched_at = _warc_date(record.rec_headers.get_header("WARC-Date"))
    payload, size = read_capped(record.content_stream(), options.max_record_bytes)
    if size is not None:
        bad = too_large(uri, locator, payload, size, options.max_record_bytes, TEXT_HTML)
        return replace(bad, url=url, fetched_at=fetched_at)
    if missing := getattr(record.raw_stream, "limit", 0):  # the file ended inside this record
        detail = f"{uri} {locator}: the record ends {missing:,} bytes short of its Content-Length"
        return replace(bad_record(uri, locator, "truncated", detail, payload, TEXT_HTML), url=url)
    return SourceRecord(uri, payload, media_type=TEXT_HTML, locator=locator, url=url, fetched_at=fetched_at)


def _warc_date(text: str | None) -> datetime | None:
    """WARC-Date (ISO 8601, UTC, `Z`) as an aware UTC datetime; None when absent or malformed."""
    try:
        return datetime.fromisoformat(text).astimezone(UTC) if text else None
    except ValueError:
        return None


def _next_boundary(stream: BinaryIO, position: int) -> int | None:
    """The offset of the next record start after `position`: a gzip member or a WARC header line that
    reads as the start of a WARC record (a gzip magic number inside compressed data does not)."""
    stream.seek(position)
    carried, base = b"", position
    while chunk := stream.read(_SCAN_CHUNK):
        window = carried + chunk
        for marker, skip in ((_GZIP_MEMBER, 0), (_WARC_HEADER, 4)):
            at = window.find(marker)
            while at >= 0:
                if _starts_record(window[at + skip : at + skip + 4096]):
                    return base + at + skip
                at = window.find(marker, at + 1)
        carried = window[-(len(_WARC_HEADER) - 1) :]
        base += len(window) - len(carried)
    return None


def _starts_record(data: bytes) -> bool:
    """Whether bytes begin a WARC record, plain or as a gzip member."""
    if data.startswith(_GZIP_MEMBER):
        try:
            data = zlib.decompressobj(31).decompress(data, 16)
        except zlib.error:
            return False
    return data.startswith(b"WARC/1.")


def _bytes_at(stream: BinaryIO, position: int) -> bytes | None:
    """Up to HEAD_BYTES of the file from `position` (the corrupt record's bytes), when it can seek."""
    if not stream.seekable():
        return None
    stream.seek(position)
    return stream.read(HEAD_BYTES)
