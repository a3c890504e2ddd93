"""Archive readers (`.zip`, `.tar`, `.tar.gz`, `.tgz`, and `.gz` of one file): each member is read by
the reader of its own name, with source_uri `archive.zip!member/path.html`.

Nothing is ever extracted to disk: members are streamed to their readers. Still, a member whose name
climbs out of the archive (`../../etc/passwd`, `/etc/passwd`) or a tar link is refused as unsafe, since
whoever made the archive meant it for a disk. Everything one archive expands to counts against
ReadOptions.max_expanded_bytes (a zip bomb stops there, as one bad record); each record against
max_record_bytes. Archives nest one level deep (tasks.sources.read_member refuses deeper ones).
"""

from __future__ import annotations

import posixpath
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import BinaryIO

from tasks.sources.common import Budget, Item, ReadOptions, bad_record, read_capped

_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around deflate data
_CHUNK = 64 * 1024  # compressed bytes per read: a bomb expands each by at most ~1,000 times

# (stream, member name, member source_uri, options) -> its items; tasks.sources.read_member
ReadMember = Callable[[BinaryIO, str, str, ReadOptions], Iterator[Item]]


def unsafe_name(name: str) -> str | None:
    """Why a member name could not be written under a folder safely, or None when it could."""
    path = name.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "an absolute path"
    if ".." in path.split("/"):
        return "a path climbing out of the archive (..)"
    return None


def read_zip(stream: BinaryIO, uri: str, options: ReadOptions, read_member: ReadMember) -> Iterator[Item]:
    """Every file member of a zip archive, in the archive's order."""
    spent = [0]
    with zipfile.ZipFile(stream) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as member:
                yield from _member(member, info.filename, uri, spent, options, read_member)


def read_tar(stream: BinaryIO, uri: str, options: ReadOptions, read_member: ReadMember) -> Iterator[Item]:
    """Every regular file of a tar archive (plain, gzip, bz2 or xz), streamed in the archive's order."""
    spent = [0]
    with tarfile.open(fileobj=stream, mode="r|*") as archive:
        for info in archive:
            if info.isdir():
                continue
            if not info.isfile():
                kind = "a link" if info.issym() or info.islnk() else "a device or pipe"
                detail = f"{uri}!{info.name}: {kind} ({info.linkname or info.type!r}), not a file"
                yield bad_record(
                    f"{uri}!{info.name}", "", "unsafe_member", detail, info.linkname.encode() or None
                )
                continue
            if (member := archive.extractfile(info)) is not None:
                yield from _member(member, info.name, uri, spent, options, read_member)


def _member(
    member: BinaryIO, name: str, uri: str, spent: list[int], options: ReadOptions, read_member: ReadMember
) -> Iterator[Item]:
    """One archive member's items: its bytes counted against the archive's expansion budget (`spent`, shared
    by its members), an unsafe name refused, else read by the reader of its name one level deeper."""
    member_uri = f"{uri}!{name}"
    budget = Budget(member, spent, options.max_expanded_bytes)
    if reason := unsafe_name(name):
        yield _unsafe(member_uri, reason, budget, options)
        return
    yield from read_member(budget, name, member_uri, replace(options, depth=options.depth + 1))


def read_gzip(stream: BinaryIO, uri: str, options: ReadOptions, read_member: ReadMember) -> Iterator[Item]:
    """A gzip of one file (`page.html.gz`, `dump.jsonl.gz`): the file read by the reader of its inner name.

    A truncated or corrupt gzip stops the inner reader where it breaks: the records before it count."""
    name = posixpath.basename(uri.rsplit("!", 1)[-1])
    inner_name = name[: -len(".gz")] if name.lower().endswith(".gz") else name
    budget = Budget(Gunzip(stream), [0], options.max_expanded_bytes)  # type: ignore[arg-type]
    yield from read_member(budget, inner_name, uri, options)  # type: ignore[arg-type]


class Gunzip:
    """A gzip stream (of one member or several) decompressed as it is read. Unlike gzip.GzipFile, what
    was decompressed before a truncation or a corrupt block is returned first, and the error after it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw, self._z, self._out = raw, zlib.decompressobj(_GZIP_WBITS), b""
        self._error: Exception | None = None
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and self._error is None and (size < 0 or len(self._out) < size):
            self._fill()
        if not self._out and self._error is not None:
            raise self._error
        size = len(self._out) if size < 0 else size
        data, self._out = self._out[:size], self._out[size:]
        return data

    def seekable(self) -> bool:
        return False

    def _fill(self) -> None:
        chunk = self._raw.read(_CHUNK)
        if not chunk:
            self._done = self._z.eof
            if not self._done:
                self._error = EOFError("compressed file ended before the end-of-stream marker was reached")
            return
        try:
            self._out += self._z.decompress(chunk)
            while self._z.eof and self._z.unused_data:  # the next member of a multi-member gzip
                rest, self._z = self._z.unused_data, zlib.decompressobj(_GZIP_WBITS)
                self._out += self._z.decompress(rest)
        except zlib.error as exc:
            self._error = exc


def _unsafe(member_uri: str, reason: str, member: Budget, options: ReadOptions) -> Item:
    """The bad record of a member with an unsafe name, keeping (the first MB of) its bytes."""
    data, _ = read_capped(member, options.max_record_bytes)  # type: ignore[arg-type]
    detail = f"{member_uri}: unsafe member name, {reason}; not read"
    return bad_record(member_uri, "", "unsafe_member_name", detail, data)
