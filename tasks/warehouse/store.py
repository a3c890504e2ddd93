"""The warehouse's filesystem: one pyarrow.fs abstraction for a local folder or an object store.

`open_store("warehouse")` is the local folder; `open_store("s3://bucket/prefix")` is S3 or any
S3-compatible server (MinIO, moto...). Credentials and endpoint come from the usual AWS variables
(`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL`, `AWS_DEFAULT_REGION`) or from the
URL's query (`s3://bucket/prefix?endpoint_override=host:port&scheme=http&region=...`), as pyarrow reads
them. Every path a caller passes is relative to the warehouse root and uses `/`.

What differs: a local rename is atomic and symlinks exist; on an object store a move is a server-side
copy then a delete (each object appears whole, but not several at once) and there are no symlinks.
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import pyarrow.fs as pafs

FULL_DISK = frozenset({errno.ENOSPC, errno.EDQUOT})


class WarehouseFull(OSError):
    """The warehouse's disk (or the user's quota) is full; the message names the path and what was kept."""


@dataclass(frozen=True)
class Store:
    """A warehouse root on a filesystem; `uri` is what the user gave, `root` the path inside `fs`."""

    uri: str
    fs: pafs.FileSystem
    root: str

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, pafs.LocalFileSystem)

    def path(self, *parts: str) -> str:
        """The filesystem path of a warehouse-relative path."""
        return posixpath.join(self.root, *parts) if parts else self.root

    def display(self, *parts: str) -> str:
        """A path as a user would type it: a local absolute path, or scheme://bucket/key."""
        if self.is_local:
            return self.path(*parts)
        return f"{urlsplit(self.uri).scheme}://{self.path(*parts)}"

    def relative(self, path: str) -> str:
        """The warehouse-relative form of a filesystem path under the root."""
        prefix = self.root.rstrip("/") + "/"
        if path.startswith(prefix):  # the usual case, ~10x cheaper than relpath on long listings
            return path[len(prefix) :]
        return posixpath.relpath(path, self.root)

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def is_file(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type == pafs.FileType.File

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self.path(rel)) as handle:
            return handle.read()

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write a whole file atomically: readers see the old contents or the new, never a part."""
        target = self.path(rel)
        if not self.is_local:  # one PUT: the object appears whole
            with self.fs.open_output_stream(target) as handle:
                handle.write(data)
            return
        os.makedirs(posixpath.dirname(target), exist_ok=True)
        tmp = target + ".tmp"
        try:
            with self.full_disk(rel, "the file is unchanged"), open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # a part written before a full disk takes space and holds nothing
            raise
        os.replace(tmp, target)

    @contextlib.contextmanager
    def full_disk(self, rel: str, kept: str) -> Iterator[None]:
        """Writes to `rel` in the block: a full disk (ENOSPC, EDQUOT) is raised as WarehouseFull, a
        message naming the path and `kept` (what a reader still sees, and what the next run does)."""
        try:
            yield
        except OSError as exc:
            if exc.errno not in FULL_DISK or isinstance(exc, WarehouseFull):
                raise
            code = errno.errorcode[exc.errno]
            raise WarehouseFull(
                f"disk full ({code}: {os.strerror(exc.errno).lower()}) writing {self.display(rel)}: {kept}; "
                "free space, then run again"
            ) from exc

    def files(self, rel: str) -> list[str]:
        """Warehouse-relative paths of every file below `rel`, sorted; empty when it does not exist."""
        selector = pafs.FileSelector(self.path(rel), recursive=True, allow_not_found=True)
        infos = self.fs.get_file_info(selector)
        return sorted(self.relative(i.path) for i in infos if i.type == pafs.FileType.File)

    def folders(self, rel: str) -> list[str]:
        """Names of the folders directly in `rel`, sorted; empty when it does not exist."""
        selector = pafs.FileSelector(self.path(rel), recursive=False, allow_not_found=True)
        infos = self.fs.get_file_info(selector)
        return sorted(posixpath.basename(i.path) for i in infos if i.type == pafs.FileType.Directory)

    def move(self, src: str, dst: str) -> None:
        """Move one file (local: an atomic rename; object store: a server-side copy, then a delete)."""
        if self.is_local:
            os.makedirs(posixpath.dirname(self.path(dst)), exist_ok=True)
        self.fs.move(self.path(src), self.path(dst))

    def delete_file(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_file(self.path(rel))

    def delete_dir(self, rel: str) -> None:
        """Delete a folder and everything in it; nothing happens when it does not exist."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_dir(self.path(rel))


def as_store(warehouse: str | os.PathLike[str] | Store) -> Store:
    """The Store itself, or the Store of a warehouse path or URL."""
    return warehouse if isinstance(warehouse, Store) else open_store(warehouse)


def is_remote(warehouse: str | os.PathLike[str]) -> bool:
    """Whether the warehouse is a URL of an object store rather than a local folder."""
    scheme = urlsplit(os.fspath(warehouse)).scheme
    return len(scheme) > 1 and scheme != "file"  # a one-letter scheme is a Windows drive


def open_store(warehouse: str | os.PathLike[str]) -> Store:
    """The Store of a warehouse: a local folder (made absolute) or an object-store URL."""
    text = os.fspath(warehouse)
    return _open(text, os.getcwd() if not is_remote(text) else "")


@lru_cache(maxsize=32)
def _open(text: str, cwd: str) -> Store:
    if not is_remote(text):
        path = urlsplit(text).path if text.startswith("file:") else text
        root = posixpath.normpath(posixpath.join(cwd, path))
        return Store(uri=text, fs=pafs.LocalFileSystem(), root=root)
    fs, root = pafs.FileSystem.from_uri(text)
    return Store(uri=text, fs=fs, root=root.rstrip("/"))


def s3_client_options(store: Store) -> dict[str, str]:
    """boto3 client options matching the URL's endpoint and region (boto3 reads the AWS_* variables
    itself), for the operations pyarrow does not offer: conditional writes, used by the run lock."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(store.uri).query).items()}
    options: dict[str, str] = {}
    if endpoint := query.get("endpoint_override"):
        scheme = query.get("scheme", "https")
        options["endpoint_url"] = endpoint if "://" in endpoint else f"{scheme}://{endpoint}"
    if region := query.get("region"):
        options["region_name"] = region
    return options
