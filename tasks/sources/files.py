"""The plain-file reader: one file is one source record, its media type from its suffix.

A gzipped file (`page.html.gz`) is one record too: its expanded bytes, so its doc_id is the sha256 of
the page itself, the same as the page read plain, from a WARC or from a JSON record. Expansion stops at
the size cap (a gzip bomb is a `too_large` record); a truncated or corrupt gzip is a `corrupt` record
carrying the compressed bytes. Both of those are addressed by the compressed bytes, never expanded.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib
from pathlib import Path
from typing import BinaryIO

from tasks.records import TEXT_HTML, TEXT_PLAIN, XHTML, SourceRecord, doc_id_of_stream

DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024  # a file's bytes, or a gzipped file's expanded bytes
GZIP_SUFFIX = ".gz"
MEDIA_TYPES = {  # suffix -> media type of the files this reader takes (each also as <suffix>.gz)
    ".txt": TEXT_PLAIN,
    ".html": TEXT_HTML,
    ".htm": TEXT_HTML,
    ".xhtml": XHTML,
}
_CHUNK = 1024 * 1024
_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)  # truncated, not gzip, corrupt deflate data


class _TooLarge(Exception):
    """The expansion went over the cap."""


def media_type_of(path: str) -> str:
    """The media type a file's suffix names, under any .gz (text/plain for any other: decoded as text)."""
    name = path.lower().removesuffix(GZIP_SUFFIX)
    return MEDIA_TYPES.get(Path(name).suffix, TEXT_PLAIN)


def read_file(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> SourceRecord:
    """A file's bytes as one record (a .gz file's expanded bytes); a file over `max_bytes` is hashed as
    a stream, not held."""
    uri = Path(path).absolute().as_uri()
    media_type = media_type_of(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:  # hashed in chunks, so a rerun knows it without holding it whole
                detail = f"{path}: {size} bytes is over the {max_bytes}-byte limit"
                doc_id = doc_id_of_stream(handle)
                return SourceRecord(uri, None, "too_large", detail, doc_id, media_type)
            data = handle.read()
    except FileNotFoundError as exc:
        detail = f"{path}: gone before it could be read ({exc.strerror})"
        return SourceRecord(uri, None, "vanished", detail, media_type=media_type)
    except OSError as exc:
        return SourceRecord(uri, None, "unreadable", f"{path}: {exc.strerror or exc}", media_type=media_type)
    if not path.lower().endswith(GZIP_SUFFIX):
        return SourceRecord(uri, data, media_type=media_type)
    return _gunzipped(path, uri, data, media_type, max_bytes)


def _gunzipped(path: str, uri: str, data: bytes, media_type: str, max_bytes: int) -> SourceRecord:
    """The record of a gzipped file's expansion, or why there is none (too large, corrupt)."""
    try:
        expanded = _expand(io.BytesIO(data), max_bytes)
    except _TooLarge:
        detail = f"{path}: expands to over the {max_bytes}-byte limit ({len(data)} bytes gzipped)"
        return SourceRecord(uri, None, "too_large", detail, hashlib.sha256(data).hexdigest(), media_type)
    except _GZIP_ERRORS as exc:
        detail = f"{path}: not a readable gzip file ({type(exc).__name__}: {exc})"
        return SourceRecord(uri, data, "corrupt", detail, media_type=media_type)
    return SourceRecord(uri, expanded, media_type=media_type)


def _expand(handle: BinaryIO, max_bytes: int) -> bytes:
    """The gzip stream's expanded bytes, read in chunks; _TooLarge past `max_bytes`."""
    out = bytearray()
    with gzip.GzipFile(fileobj=handle) as stream:
        while chunk := stream.read(_CHUNK):
            out += chunk
            if len(out) > max_bytes:
                raise _TooLarge
    return bytes(out)


def fingerprint(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str | None:
    """The doc_id `read_file` would give the file, hashed as a stream; None when it cannot be read now."""
    try:
        with open(path, "rb") as handle:
            if not path.lower().endswith(GZIP_SUFFIX) or os.fstat(handle.fileno()).st_size > max_bytes:
                return doc_id_of_stream(handle)
            digest = _expanded_digest(handle, max_bytes)
            if digest is None:  # corrupt, or too large: addressed by the compressed bytes, as read_file does
                handle.seek(0)
                digest = doc_id_of_stream(handle)
            return digest
    except OSError:
        return None


def _expanded_digest(handle: BinaryIO, max_bytes: int) -> str | None:
    """sha256 hex of a gzip stream's expansion; None when it is corrupt or expands past `max_bytes`."""
    digest, size = hashlib.sha256(), 0
    try:
        with gzip.GzipFile(fileobj=handle) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    return None
                digest.update(chunk)
    except _GZIP_ERRORS:
        return None
    return digest.hexdigest()
