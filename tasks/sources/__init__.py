"""Sources: what a SOURCE argument names, and the records in its files, read as bytes.

A SOURCE is a file, a folder (searched recursively) or a glob, on the local disk or in an object store
(`s3://bucket/prefix`, read through the pyarrow filesystem as tasks.warehouse.store opens it). READERS
is the one registry of formats: file-name suffix -> reader. Listing, the CLI's help, archive members
and the tests all derive from it. A reader yields one SourceRecord per record (a whole `.txt` file, a
JSON line, a WARC response, an archive member) or an Ignored for a record it passes over; it never
raises for one bad record, and an error that stops a stream part-way (a truncated gzip) becomes one
bad record saying where, after the records read before it.
"""

from __future__ import annotations

import fnmatch
import glob
import io
import os
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from tasks.isolation import describe
from tasks.records import TEXT_PLAIN, SourceRecord
from tasks.sources import archives, files, jsonl, warc
from tasks.sources.common import (
    HEAD_BYTES,
    ExpansionLimit,
    Ignored,
    Item,
    Reader,
    ReadOptions,
    bad_record,
    read_capped,
    stream_error_code,
    too_large,
)
from tasks.warehouse.store import is_remote, open_store

DEFAULT_MAX_FILE_BYTES = ReadOptions.max_record_bytes
MAX_ARCHIVE_DEPTH = 1  # an archive inside an archive is read; one more level down is refused

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "READERS",
    "Ignored",
    "Item",
    "ReadOptions",
    "SourceError",
    "iter_records",
    "iter_sources",
    "list_sources",
    "read_member",
    "read_sources",
    "source_of",
    "source_uri_of",
    "suffix_of",
]


class SourceError(ValueError):
    """The SOURCE argument names nothing readable."""


def _read_whole(stream: BinaryIO, uri: str, options: ReadOptions, media_type: str) -> Iterator[Item]:
    """A whole file (or archive member) as one record, of the media type its suffix names."""
    data, size = read_capped(stream, options.max_record_bytes)
    if size is not None:
        yield too_large(uri, "", data, size, options.max_record_bytes, media_type)
        return
    try:
        stream.read(1)  # a gzip cut short raises only once the bytes decompressed before the cut are read
    except Exception as exc:
        if (code := stream_error_code(exc)) is None:
            raise
        detail = f"{uri}: {describe(exc)}, after {len(data):,} bytes: the record is incomplete"
        yield bad_record(uri, "", code, detail, data, media_type)
        return
    yield SourceRecord(uri, data, media_type=media_type)


def read_member(stream: BinaryIO, name: str, uri: str, options: ReadOptions) -> Iterator[Item]:
    """The items of one archive member (or a gzip's one file) by the reader of its name; an unknown
    format is Ignored, an archive nested too deep is a bad record."""
    suffix = suffix_of(name)
    if suffix is None:
        yield Ignored(uri, "", f"member:{Path(name).suffix.lower() or 'no suffix'}")
        return
    if suffix in ARCHIVES and options.depth > MAX_ARCHIVE_DEPTH:
        detail = f"{uri}: an archive {options.depth} levels down; archives are read {MAX_ARCHIVE_DEPTH} deep"
        yield bad_record(uri, "", "nested_too_deep", detail, read_capped(stream, options.max_record_bytes)[0])
        return
    if suffix in SEEKING and not stream.seekable():  # a zip inside a tar: its directory is at the end
        data, size = read_capped(stream, options.max_record_bytes)
        if size is not None:
            yield too_large(uri, "", data, size, options.max_record_bytes, TEXT_PLAIN)
            return
        stream = io.BytesIO(data)
    yield from _guarded(READERS[suffix](stream, uri, options), uri, inner=True)


_archive = {"read_member": read_member}
# One file, one record, by media type; a gzipped one (`page.html.gz`) is read by the `.gz` reader below.
_WHOLE = {suffix: media for suffix, media in files.MEDIA_TYPES.items() if not suffix.endswith(".gz")}
READERS: dict[str, Reader] = {
    **{suffix: partial(_read_whole, media_type=media) for suffix, media in _WHOLE.items()},
    ".jsonl": jsonl.read_jsonl,
    ".ndjson": jsonl.read_jsonl,
    ".json": jsonl.read_json,
    ".warc": warc.read_warc,
    ".warc.gz": warc.read_warc,  # gzip member per record: warcio reads it as it is, offsets stay the file's
    ".zip": partial(archives.read_zip, **_archive),
    ".tar": partial(archives.read_tar, **_archive),
    ".tar.gz": partial(archives.read_tar, **_archive),
    ".tgz": partial(archives.read_tar, **_archive),
    ".gz": partial(archives.read_gzip, **_archive),  # one file of any suffix above, gzipped
}
ARCHIVES = frozenset({".zip", ".tar", ".tar.gz", ".tgz"})
SEEKING = frozenset({".zip"})  # readers that need to seek
WHOLE_FILES = frozenset(_WHOLE)  # one file, one record: read by tasks.sources.files
SOURCE_SUFFIXES = tuple(sorted(READERS, key=len, reverse=True))  # longest first: .tar.gz before .gz


def suffix_of(name: str) -> str | None:
    """The registered suffix a file name ends with (the longest), None when no reader takes it; a `.gz`
    counts only around a name another reader takes (`x.jsonl.gz`, not `x.csv.gz`)."""
    lower = name.lower()
    suffix = next((s for s in SOURCE_SUFFIXES if lower.endswith(s)), None)
    if suffix == ".gz" and suffix_of(lower[: -len(".gz")]) is None:
        return None
    return suffix


def _guarded(items: Iterator[Item], uri: str, inner: bool = False) -> Iterator[Item]:
    """A reader's items, and one bad record for an error that stopped it, so the records before count.

    An archive's expansion limit is raised on from its members, to stop the archive once."""
    last = ""  # where the last item sat, relative to uri
    try:
        for item in items:
            last = f"{item.source_uri.removeprefix(uri)} {item.locator}".strip()
            yield item
    except Exception as exc:
        if inner and isinstance(exc, ExpansionLimit):
            raise
        code = stream_error_code(exc) or "reader_error"  # a bug in a reader: quarantined, not a failed run
        where = f"after {last}" if last else "at the start"
        detail = f"{uri}: reading stopped {where}: {describe(exc)}"
        yield bad_record(uri, f"after:{last}" if last else "", code, detail, None)


def list_sources(source: str | os.PathLike[str]) -> list[str]:
    """Sorted paths of the input files: a file, a folder (recursive, every suffix READERS takes) or a
    glob; on the local disk, or `s3://bucket/prefix[?endpoint_override=...]` in an object store."""
    text = os.fspath(source)
    if is_remote(text):
        return _list_remote(text)
    path = Path(text)
    if path.is_dir():
        found = []
        for root, dirs, names in os.walk(path):  # followlinks=False: a symlink loop cannot trap us
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [os.path.join(root, f) for f in names if suffix_of(f) is not None]
        return sorted(found)
    if path.is_file() or path.is_symlink():
        return [text]
    if glob.has_magic(text):
        return sorted(p for p in glob.glob(text, recursive=True) if not os.path.isdir(p))
    raise SourceError(f"{text}: no such file, directory or matching glob")


def _list_remote(text: str) -> list[str]:
    """list_sources in an object store: a key, every readable key under a prefix, or a glob's matches."""
    base, sep, query = text.partition("?")
    scheme, _, path = base.partition("://")
    pattern = path if glob.has_magic(path) else None
    folder = path[: path.find("/", 0, _first_magic(path)) + 1] if pattern else path
    store = open_store(f"{scheme}://{folder.rstrip('/')}{sep}{query}")
    kind = store.fs.get_file_info(store.root).type.name
    if kind == "File" and not pattern:
        return [text]
    if kind != "Directory":
        raise SourceError(f"{text}: no such object, prefix or matching glob")
    keys = [store.path(rel) for rel in store.files("")]
    chosen = [k for k in keys if fnmatch.fnmatchcase(k, pattern)] if pattern else keys
    return sorted(f"{scheme}://{k}{sep}{query}" for k in chosen if pattern or suffix_of(k) is not None)


def _first_magic(path: str) -> int:
    return min(i for i in (path.find(c) for c in "*?[") if i >= 0)


def source_of(source_uri: str, url: str | None = None) -> str:
    """Where a record comes from, the grain of every per-source figure: its page's site (the host of
    `url`, or of an http(s) `source_uri`, without `www.`), else the folder holding its file (as a path,
    with the bucket for an object store)."""
    for address in (url, source_uri):
        parts = urlsplit(address or "")
        if parts.scheme in ("http", "https") and parts.hostname:
            return parts.hostname.removeprefix("www.")
    parts = urlsplit(source_uri)
    path = unquote(parts.path) if parts.scheme in ("file", "") else f"{parts.netloc}{parts.path}"
    return posixpath.dirname(path) or source_uri


def source_uri_of(path: str) -> str:
    """A file's source_uri: its absolute file:// URI, or its object-store URL without the query."""
    return path.partition("?")[0] if is_remote(path) else Path(path).absolute().as_uri()


def iter_records(path: str, options: ReadOptions | None = None) -> Iterator[Item]:
    """Every item of one listed file, by the reader of its suffix (a file named by SOURCE whose suffix no
    reader takes is read whole, as text); a file that cannot be opened is one record saying why."""
    options = options or ReadOptions()
    suffix = suffix_of(posixpath.basename(path.partition("?")[0]))
    if not is_remote(path) and (suffix is None or suffix in WHOLE_FILES):
        yield _with_head(files.read_file(path, options.max_record_bytes), path)
        return
    uri = source_uri_of(path)
    try:
        stream = _open(path)
    except OSError as exc:
        code = "vanished" if isinstance(exc, FileNotFoundError) else "unreadable"
        yield SourceRecord(uri, None, code, f"{path}: {describe(exc)}")
        return
    with stream:
        reader = READERS[suffix] if suffix else partial(_read_whole, media_type=TEXT_PLAIN)
        yield from _guarded(reader(stream, uri, options), uri)


def _with_head(record: SourceRecord, path: str) -> SourceRecord:
    """A file over the size limit (hashed as a stream by tasks.sources.files) with its first MiB, which
    its quarantine row keeps."""
    if record.error_code != "too_large" or record.data is not None:
        return record
    try:
        with open(path, "rb") as handle:
            return replace(record, data=handle.read(HEAD_BYTES))
    except OSError:
        return record


def _open(path: str) -> BinaryIO:
    """A local file, or an object-store one as a seekable pyarrow file."""
    if not is_remote(path):
        return open(path, "rb")  # closed by the caller's with
    store = open_store(path)
    return store.fs.open_input_file(store.root)  # type: ignore[return-value]


def iter_sources(paths: Iterable[str], options: ReadOptions | None = None) -> Iterator[Item]:
    """The items of every file, in order, one at a time (memory holds one record)."""
    for path in paths:
        yield from iter_records(path, options)


def read_sources(paths: Iterable[str], max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[SourceRecord]:
    """Every record of the files (Ignored ones left out); never raises for one bad file or record."""
    options = ReadOptions(max_record_bytes=max_bytes)
    return [item for item in iter_sources(paths, options) if isinstance(item, SourceRecord)]
