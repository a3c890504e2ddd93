"""The plain-file reader: one file is one source record, its media type from its suffix."""

from __future__ import annotations

import os
from pathlib import Path

from tasks.records import TEXT_PLAIN, SourceRecord, doc_id_of_stream

MEDIA_TYPES = {".txt": TEXT_PLAIN}  # suffix -> media type of the files this reader takes


def media_type_of(path: str) -> str:
    """The media type a file's suffix names (text/plain for any other: it is decoded as text)."""
    return MEDIA_TYPES.get(Path(path).suffix.lower(), TEXT_PLAIN)


def read_file(path: str, max_bytes: int) -> SourceRecord:
    """A file's bytes as one record; a file over `max_bytes` is hashed as a stream, not held."""
    uri = Path(path).absolute().as_uri()
    media_type = media_type_of(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:  # hashed in chunks, so a rerun knows it without holding it whole
                detail = f"{path}: {size} bytes is over the {max_bytes}-byte limit"
                doc_id = doc_id_of_stream(handle)
                return SourceRecord(uri, None, "too_large", detail, doc_id, media_type)
            return SourceRecord(uri, handle.read(), media_type=media_type)
    except FileNotFoundError as exc:
        detail = f"{path}: gone before it could be read ({exc.strerror})"
        return SourceRecord(uri, None, "vanished", detail, media_type=media_type)
    except OSError as exc:
        return SourceRecord(uri, None, "unreadable", f"{path}: {exc.strerror or exc}", media_type=media_type)


def fingerprint(path: str) -> str | None:
    """The doc_id a file's bytes would get, hashed as a stream; None when it cannot be read now."""
    try:
        with open(path, "rb") as handle:
            return doc_id_of_stream(handle)
    except OSError:
        return None
