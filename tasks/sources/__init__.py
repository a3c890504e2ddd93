"""Sources: what a SOURCE argument names, and its records read as bytes.

A SOURCE is a file, a folder (searched recursively) or a glob. Each format has a reader module here
(`files`: a whole file is one record: `.txt` as text/plain, `.html`/`.htm`/`.xhtml` as HTML, each also
gzipped); `list_sources` finds the files a reader takes and `read_sources` turns them into
SourceRecords, never raising for one bad file.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from tasks.records import SourceRecord
from tasks.sources import files
from tasks.sources.files import DEFAULT_MAX_FILE_BYTES

SOURCE_SUFFIXES = tuple(s + gz for s in files.MEDIA_TYPES for gz in ("", files.GZIP_SUFFIX))


class SourceError(ValueError):
    """The SOURCE argument names nothing readable."""


def list_sources(source: str | os.PathLike[str]) -> list[str]:
    """Sorted paths of the input files: a file, a directory (recursive, readable suffixes) or a glob."""
    text = os.fspath(source)
    path = Path(text)
    if path.is_dir():
        found = []
        for root, dirs, names in os.walk(path):  # followlinks=False: a symlink loop cannot trap us
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [os.path.join(root, f) for f in names if f.lower().endswith(SOURCE_SUFFIXES)]
        return sorted(found)
    if path.is_file() or path.is_symlink():
        return [text]
    if glob.has_magic(text):
        return sorted(p for p in glob.glob(text, recursive=True) if not os.path.isdir(p))
    raise SourceError(f"{text}: no such file, directory or matching glob")


def read_sources(paths: Iterable[str], max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[SourceRecord]:
    """Each file's record, or why it could not be read (never raises for a single bad file)."""
    return [files.read_file(p, max_bytes) for p in paths]
