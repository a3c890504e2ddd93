"""What every reader shares: its options, the records it passes over, and bad records made quarantinable.

A reader takes a binary stream and the stream's `source_uri`, and yields `Item`s: a SourceRecord per
record (with its bytes, or an error code and the first MB of them), or an `Ignored` for a record it
passes over on purpose (a WARC request, a non-HTML response). It never raises for one bad record: the
registry in `tasks.sources` also turns an error that stops a stream (a truncated gzip) into one record
saying where reading stopped, so the records before it still count.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from tasks.records import SourceRecord

HEAD_BYTES = 1024 * 1024  # what a quarantine row keeps of a record over the size limit
_CHUNK = 1024 * 1024
COUNT_FACTOR = 16  # a record past the limit is counted up to this many limits, then called "over"


@dataclass(frozen=True)
class ReadOptions:
    """Limits and the JSON field mapping a run reads its sources with; `depth` counts archive nesting."""

    max_record_bytes: int = 64 * 1024 * 1024  # one record's bytes (a file, a line, a member, a payload)
    max_expanded_bytes: int = 8 * 1024 * 1024 * 1024  # everything one archive expands to: zip bombs stop
    fields: tuple[tuple[str, str], ...] = ()  # (article field, JSON key or dotted path), from --field
    depth: int = 0  # 0 for a file named by SOURCE, 1 for a member of an archive, ...


@dataclass(frozen=True)
class Ignored:
    """A record a reader passes over on purpose (counted in the run's accounts, not kept)."""

    source_uri: str
    locator: str
    kind: str  # e.g. "warc:request", "warc:response(image/jpeg)"


Item = SourceRecord | Ignored
Reader = Callable[[BinaryIO, str, ReadOptions], Iterator[Item]]


def bad_record(
    uri: str, locator: str, code: str, detail: str, data: bytes | None, media_type: str = "text/plain"
) -> SourceRecord:
    """A record that cannot be used, kept with its bytes (at most HEAD_BYTES of them) for the quarantine.

    Its doc_id hashes the bytes kept, or the place and the reason when there are none, so a re-run
    meets the same id and skips it like any record already accounted for."""
    head = data[:HEAD_BYTES] if data is not None else None
    doc_id = hashlib.sha256(head if head else f"{uri}#{locator}:{code}".encode()).hexdigest()
    return SourceRecord(uri, head, code, detail, doc_id, media_type, locator)


def read_capped(stream: BinaryIO, limit: int) -> tuple[bytes, int | None]:
    """(bytes, None) for a stream of at most `limit` bytes; else (its first HEAD_BYTES, bytes counted).

    Past the limit the stream is read on in chunks and discarded (memory stays flat) up to COUNT_FACTOR
    times the limit, which keeps counting a zip bomb's member from running for ever."""
    data = stream.read(limit + 1)
    if len(data) <= limit:
        return data, None
    size, head = len(data), data[:HEAD_BYTES]
    del data
    if size < HEAD_BYTES:  # a limit under a megabyte: the payload still keeps the first one
        head += stream.read(HEAD_BYTES - size)
        size = len(head)
    while size <= COUNT_FACTOR * limit and (chunk := stream.read(_CHUNK)):
        size += len(chunk)
    return head, size


def too_large(
    uri: str, locator: str, head: bytes, size: int, limit: int, media_type: str, exact: bool = False
) -> SourceRecord:
    """The record of one over the size limit: its first MB, and its size in the detail (`exact`: counted
    to the end, else as read_capped counted it)."""
    counted = (
        f"{size:,} bytes" if exact or size <= COUNT_FACTOR * limit else f"over {COUNT_FACTOR * limit:,} bytes"
    )
    where = f"{uri} {locator}".strip()
    detail = f"{where}: {counted} is over the {limit:,}-byte limit (first {HEAD_BYTES:,} kept)"
    return bad_record(uri, locator, "too_large", detail, head, media_type)


class ExpansionLimit(Exception):
    """An archive expanded past ReadOptions.max_expanded_bytes (a zip bomb, or far more than news)."""


class Budget:
    """A stream that counts what it expands to against one archive's budget, shared by its members."""

    def __init__(self, stream: BinaryIO, spent: list[int], limit: int) -> None:
        self._stream, self._spent, self._limit = stream, spent, limit

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._spent[0] += len(data)
        if self._spent[0] > self._limit:
            raise ExpansionLimit(f"expanded past the {self._limit:,}-byte limit of one archive")
        return data

    def seekable(self) -> bool:
        try:
            return bool(self._stream.seekable())
        except AttributeError:  # a member of a tar read as a stream: its file object cannot seek
            return False

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self._stream.seek(offset, whence))

    def tell(self) -> int:
        return int(self._stream.tell())


# The errors that stop reading a stream part-way, and the quarantine reason each one means.
STREAM_ERRORS: tuple[tuple[type[BaseException], str], ...] = (
    (ExpansionLimit, "expansion_limit"),
    (EOFError, "truncated"),
    (gzip.BadGzipFile, "corrupt_compression"),
    (zlib.error, "corrupt_compression"),
    (lzma.LZMAError, "corrupt_compression"),
    (zipfile.BadZipFile, "corrupt_archive"),
    (tarfile.TarError, "corrupt_archive"),
    (OSError, "unreadable"),
)


def stream_error_code(exc: BaseException) -> str | None:
    """The quarantine reason of an error that stopped a stream; None for any other error (a bug)."""
    return next((code for kind, code in STREAM_ERRORS if isinstance(exc, kind)), None)
