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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

import pyarrow.fs as pafs

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
from tasks.warehouse.store import Store, is_remote, open_store, s3_client_options

DEFAULT_MAX_FILE_BYTES = ReadOptions.max_record_bytes
MAX_ARCHIVE_DEPTH = 1  # an archive inside an archive is read; one more level down is refused

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "READERS",
    "Ignored",
    "Item",
    "ListedFile",
    "ReadOptions",
    "SourceError",
    "check_source",
    "iter_records",
    "iter_sources",
    "list_files",
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
    parts = name.lower().rsplit(".", 2)  # no suffix has more than two dots: `.tar.gz`, `.warc.gz`
    ends = (".".join(["", *parts[1:]]), f".{parts[-1]}") if len(parts) == 3 else (f".{parts[-1]}",)
    suffix = next((s for s in ends if s in READERS), None) if len(parts) > 1 else None
    if suffix == ".gz" and suffix_of(name[: -len(".gz")]) is None:
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


@dataclass(frozen=True)
class ListedFile:
    """A source file as listing it tells (no byte of it read): its path, size and version, which the
    ledger of files read (tasks.ingest.ledger) compares with those of the last read."""

    path: str  # as list_sources gives it: a local path, or scheme://bucket/key[?query]
    byte_size: int
    modified_at: datetime | None  # mtime, or the object's LastModified (UTC)
    etag: str | None = None  # an S3 object's ETag; None on a local disk
    source_uri: str = ""  # source_uri_of(path), which the listing may compute once per folder

    def __post_init__(self) -> None:
        if not self.source_uri:
            object.__setattr__(self, "source_uri", source_uri_of(self.path))


def list_sources(source: str | os.PathLike[str]) -> list[str]:
    """Sorted paths of the input files: a file, a folder (recursive, every suffix READERS takes) or a
    glob; on the local disk, or `s3://bucket/prefix[?endpoint_override=...]` in an object store."""
    return [f.path for f in list_files(source)]


def list_files(source: str | os.PathLike[str]) -> list[ListedFile]:
    """list_sources with each file's size and version, from the listing alone: a stat per local file, the
    ListObjects pages of an S3 prefix (size, LastModified, ETag); no file is opened."""
    text = os.fspath(source)
    if is_remote(text):
        return _list_remote(text)
    path = Path(text)
    if path.is_dir():
        found: list[ListedFile] = []
        for root, dirs, names in os.walk(path):  # followlinks=False: a symlink loop cannot trap us
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            folder_uri = Path(root).absolute().as_uri()  # once per folder: as_uri per file costs more
            found += [
                _stat(os.path.join(root, f), f"{folder_uri}/{quote(f)}")
                for f in names
                if suffix_of(f) is not None
            ]
        return sorted(found, key=lambda f: f.path)
    if path.is_file() or path.is_symlink():
        return [_stat(text)]
    if glob.has_magic(text):
        return [_stat(p) for p in sorted(glob.glob(text, recursive=True)) if not os.path.isdir(p)]
    raise SourceError(f"{text}: no such file, directory or matching glob")


def check_source(source: str | os.PathLike[str]) -> None:
    """SourceError when a local SOURCE names nothing (no file, folder or glob match), without listing a
    folder; an object-store SOURCE is checked when the run lists it."""
    text = os.fspath(source)
    if is_remote(text) or os.path.lexists(text) or (glob.has_magic(text) and glob.glob(text, recursive=True)):
        return
    raise SourceError(f"{text}: no such file, directory or matching glob")


def _stat(path: str, uri: str = "") -> ListedFile:
    """A local file's size and mtime; a file gone (or a dangling link) lists as size -1, and reading it
    says why."""
    try:
        info = os.stat(path)
    except OSError:
        return ListedFile(path, -1, None, None, uri)
    return ListedFile(
        path, info.st_size, _EPOCH + timedelta(microseconds=info.st_mtime_ns // 1000), None, uri
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # mtimes to the microsecond, as the ledger's timestamps keep them


def _list_remote(text: str) -> list[ListedFile]:
    """list_files in an object store: a key, every readable key under a prefix, or a glob's matches."""
    base, sep, query = text.partition("?")
    scheme, _, path = base.partition("://")
    pattern = path if glob.has_magic(path) else None
    folder = path[: path.find("/", 0, _first_magic(path)) + 1] if pattern else path
    store = open_store(f"{scheme}://{folder.rstrip('/')}{sep}{query}")
    listed = _objects(store) if store.fs.type_name == "s3" else _infos(store)
    if not pattern and store.root in listed:
        return [_listed(base, f"{sep}{query}", listed[store.root])]
    under = store.root.rstrip("/") + "/"
    keys = sorted(k for k in listed if k.startswith(under))
    if not keys:
        raise SourceError(f"{text}: no such object, prefix or matching glob")
    chosen = [k for k in keys if fnmatch.fnmatchcase(k, pattern)] if pattern else keys
    return [
        _listed(f"{scheme}://{k}", f"{sep}{query}", listed[k])
        for k in chosen
        if pattern or suffix_of(k) is not None
    ]


_Listing = tuple[int, datetime | None, str | None]  # size, modified_at, etag


def _listed(url: str, query: str, entry: _Listing) -> ListedFile:
    """A listed object: its path is the URL with SOURCE's query, its source_uri (as source_uri_of gives
    it) the path before any `?`, computed here without parsing the URL again for each of many keys."""
    return ListedFile(f"{url}{query}", *entry, url.partition("?")[0])


_LISTERS = 8  # folders of an S3 prefix listed at once
_PAGE_KEYS = 1000  # keys a ListObjectsV2 page asks for: S3 gives at most 1,000


def _objects(store: Store) -> dict[str, _Listing]:
    """Every S3 object at the store's root key or under it as a prefix, by bucket/key (boto3: pyarrow's
    listing has no ETag). The prefix's own keys and its folders (by `/`) come first, then each folder's
    keys, _LISTERS folders at once: ListObjectsV2 gives 1,000 keys a request, so a landing zone of many
    folders lists in the time of a few requests instead of one after the other, and a store that reads
    the whole bucket for each page (moto's server does) reads it per folder rather than per 1,000 keys."""
    import boto3  # the s3 extra
    import botocore.session

    bucket, _, key = store.root.partition("/")
    session = botocore.session.get_session()
    # LastModified kept as the text the listing gives: botocore's own parse (dateutil) of 1,000 of them
    # costs more than the rest of a page's parse; _modified reads them with the standard library.
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=str)
    client = boto3.Session(botocore_session=session).client("s3", **s3_client_options(store))
    found: dict[str, _Listing] = {}
    folder = key.rstrip("/") + "/" if key else ""
    if key != folder:  # the root may be an object itself: then it is all there is
        named, folders = _listed_pages(client, bucket, key, "/")
        if key in named:
            return {f"{bucket}/{key}": named[key]}
        if folder not in folders:
            return {}
    named, folders = _listed_pages(client, bucket, folder, "/")
    found.update((f"{bucket}/{k}", entry) for k, entry in named.items())
    with ThreadPoolExecutor(_LISTERS) as pool:
        for under, _ in pool.map(lambda prefix: _listed_pages(client, bucket, prefix), folders):
            found.update((f"{bucket}/{k}", entry) for k, entry in under.items())
    return found


def _listed_pages(
    client: Any, bucket: str, prefix: str, delimiter: str = ""
) -> tuple[dict[str, _Listing], list[str]]:
    """The objects under `prefix` by key, and with a delimiter the folders it holds, over every page."""
    named: dict[str, _Listing] = {}
    folders: list[str] = []
    paginator = client.get_paginator("list_objects_v2")
    by_folder = {"Delimiter": delimiter} if delimiter else {}
    pages = {"PageSize": _PAGE_KEYS}
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig=pages, **by_folder):
        for obj in page.get("Contents", ()):
            named[obj["Key"]] = (obj["Size"], _modified(obj["LastModified"]), obj["ETag"])
        folders += [p["Prefix"] for p in page.get("CommonPrefixes", ())]
    return named, folders


def _modified(text: str) -> datetime:
    """An object's LastModified, as text in the listing (ISO 8601: `2026-12-03T18:47:14.000Z`), in UTC;
    a time without a zone is UTC, as S3 gives every time, and another form is left to botocore."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        from botocore.utils import parse_timestamp

        moment = parse_timestamp(text)
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _infos(store: Store) -> dict[str, _Listing]:
    """Every file at the store's root or under it, in any other pyarrow filesystem (size and mtime)."""
    info = store.fs.get_file_info(store.root)
    if info.type == pafs.FileType.File:
        return {store.root: (info.size, _utc(info.mtime), None)}
    selector = pafs.FileSelector(store.root, recursive=True, allow_not_found=True)
    return {
        i.path: (i.size, _utc(i.mtime), None)
        for i in store.fs.get_file_info(selector)
        if i.type == pafs.FileType.File
    }


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


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
