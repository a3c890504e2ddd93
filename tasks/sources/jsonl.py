"""JSON Lines and JSON readers: one record per line (`.jsonl`, `.ndjson`) or per array element (`.json`).

A record's article fields are found by their common names (FIELD_NAMES) or named by `--field
body=maintext` (a dotted path reaches into nested objects). The reader keeps the mapped fields, under
the article's own names, as the record's canonical bytes (sorted keys, compact, UTF-8): the doc_id
hashes them, and a rebuild from raw_documents parses exactly what the run parsed, whatever mapping
that run was given. locator is `line:N` (1-based) or `index:N` (0-based).
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, BinaryIO

from tasks.records import RECORD_JSON, SourceRecord
from tasks.sources.common import HEAD_BYTES, Item, ReadOptions, bad_record, too_large

# article field -> the keys crawlers and datasets commonly give it, tried in this order
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "body": ("text", "body", "content", "article_text", "maintext"),
    "title": ("title", "headline"),
    "published": ("date", "published", "published_at", "date_publish", "publishedAt"),
    "authors": ("authors", "author", "byline"),
    "url": ("url", "link"),
    "language": ("language",),
}
_CHUNK = 1024 * 1024


def field_mapping(specs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """`["body=maintext", "title=meta.headline"]` -> (("body", "maintext"), ...); ValueError if malformed."""
    mapping: dict[str, str] = {}
    for spec in specs:
        name, sep, key = (part.strip() for part in spec.partition("="))
        if not sep or not key or name not in FIELD_NAMES:
            raise ValueError(
                f"--field {spec!r}: expected FIELD=KEY with FIELD one of {', '.join(FIELD_NAMES)}"
            )
        mapping[name] = key
    return tuple(sorted(mapping.items()))


def mapped_fields(obj: Mapping[str, Any], fields: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The article fields a JSON object gives, under the article's names (missing and null ones left out)."""
    named = dict(fields)
    found: dict[str, Any] = {}
    for name, keys in FIELD_NAMES.items():
        value = (
            _lookup(obj, named[name])
            if name in named
            else next((obj[k] for k in keys if obj.get(k) not in (None, "", [])), None)
        )
        if value not in (None, "", []):
            found[name] = value
    return found


def _lookup(obj: Any, path: str) -> Any:
    """The value at a dotted path ("meta.headline"); a key holding the dot itself wins."""
    if isinstance(obj, Mapping) and path in obj:
        return obj[path]
    for part in path.split("."):
        if not isinstance(obj, Mapping) or part not in obj:
            return None
        obj = obj[part]
    return obj


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """The bytes a JSON record is kept and hashed as: sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_of(obj: Any, raw: bytes, uri: str, locator: str, options: ReadOptions) -> SourceRecord:
    """The source record of one parsed JSON value; one with no article body is a bad record."""
    if not isinstance(obj, Mapping):
        detail = f"{uri} {locator}: a JSON {type(obj).__name__}, not an object"
        return bad_record(uri, locator, "not_an_object", detail, raw, RECORD_JSON)
    fields = mapped_fields(obj, options.fields)
    if not isinstance(fields.get("body"), str) or not fields["body"].strip():
        keys = ", ".join(sorted(map(str, obj))[:20])
        wanted = dict(options.fields).get("body") or "/".join(FIELD_NAMES["body"])
        detail = (
            f"{uri} {locator}: no text body ({wanted}) among the keys {keys}; name it with --field body=KEY"
        )
        return bad_record(uri, locator, "no_body", detail, raw, RECORD_JSON)
    url = fields.get("url") if isinstance(fields.get("url"), str) else None
    return SourceRecord(uri, canonical_bytes(fields), media_type=RECORD_JSON, locator=locator, url=url)


def read_jsonl(stream: BinaryIO, uri: str, options: ReadOptions) -> Iterator[Item]:
    """One record per non-blank line; a malformed or overlong line is a bad record and reading goes on."""
    lines = io.BufferedReader(_Prepended(b"", stream), buffer_size=_CHUNK)
    limit = options.max_record_bytes
    number = 0
    while line := lines.readline(limit + 1):
        number += 1
        locator = f"line:{number}"
        if len(line) > limit and not line.endswith(b"\n"):
            head, size = _rest_of_line(lines, line)
            yield too_large(uri, locator, head, size, limit, RECORD_JSON, exact=True)
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            detail = f"{uri} {locator}: malformed JSON: {exc}"
            yield bad_record(uri, locator, "malformed_json", detail, line, RECORD_JSON)
            continue
        yield record_of(obj, line.rstrip(b"\r\n"), uri, locator, options)


def _rest_of_line(lines: io.BufferedReader, start: bytes) -> tuple[bytes, int]:
    """Read past the rest of an overlong line, chunk by chunk: (its first HEAD_BYTES, its size in bytes)."""
    head, size = start[:HEAD_BYTES], len(start)
    while (chunk := lines.readline(_CHUNK)) and not chunk.endswith(b"\n"):
        head += chunk[: HEAD_BYTES - len(head)]
        size += len(chunk)
    return head + chunk[: HEAD_BYTES - len(head)], size + len(chunk)


def read_json(stream: BinaryIO, uri: str, options: ReadOptions) -> Iterator[Item]:
    """A JSON array: one record per element. Otherwise, when the first line is a whole JSON value, the
    file is JSON Lines (a bad line is skipped like in a .jsonl); else one value after another (a
    pretty-printed object, or several), each a record."""
    first = stream.read(_CHUNK)
    start = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    rest = _Prepended(first, stream)
    if start[:1] == b"[":
        yield from _array_items(_Text(rest), uri, options)
    elif _is_json(start.split(b"\n", 1)[0]):
        yield from read_jsonl(rest, uri, options)
    else:
        yield from _values(_Text(rest), uri, options)


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _values(text: _Text, uri: str, options: ReadOptions) -> Iterator[Item]:
    """Each JSON value of a text, one after another; a malformed one makes the rest one bad record."""
    index = 0
    while not text.at_end():
        locator = f"index:{index}"
        try:
            obj, raw = text.value(options.max_record_bytes)
        except ValueError as exc:
            code = "too_large" if isinstance(exc, _TooLong) else "malformed_json"
            yield bad_record(
                uri, locator, code, f"{uri} {locator}: {exc}; the rest is not read", text.rest_head()
            )
            return
        yield record_of(obj, raw, uri, locator, options)
        index += 1


def _array_items(text: _Text, uri: str, options: ReadOptions) -> Iterator[Item]:
    """Each element of a top-level array, parsed one at a time (memory holds one element, not the file).

    A malformed element stops the array: a JSON text has no line to start again from, so the rest of the
    file is one bad record."""
    text.expect("[")
    index = 0
    while not text.at("]"):
        locator = f"index:{index}"
        try:
            obj, raw = text.value(options.max_record_bytes)
        except ValueError as exc:
            detail = f"{uri} {locator}: {exc}; the rest of the array is not read"
            code = "too_large" if isinstance(exc, _TooLong) else "malformed_json"
            yield bad_record(uri, locator, code, detail, text.rest_head(), RECORD_JSON)
            return
        yield record_of(obj, raw, uri, locator, options)
        index += 1
        if not text.at("]") and not text.expect(","):
            detail = f"{uri} index:{index}: expected ',' or ']' after element {index - 1}"
            yield bad_record(uri, f"index:{index}", "malformed_json", detail, text.rest_head(), RECORD_JSON)
            return


class _TooLong(ValueError):
    """One JSON value is longer than the record limit."""


class _Text:
    """A UTF-8 stream read as text a chunk at a time, for parsing one JSON value after another."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream, self._buf, self._pos, self._eof = stream, "", 0, False
        self._decoder = json.JSONDecoder()
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")  # a character may span two chunks

    def _more(self) -> bool:
        chunk = self._stream.read(_CHUNK)
        self._buf, self._pos = self._buf[self._pos :] + self._utf8.decode(chunk, final=not chunk), 0
        self._eof = not chunk
        return bool(chunk)

    def _skip_space(self) -> None:
        while True:
            rest = self._buf[self._pos :].lstrip("\ufeff \t\r\n")
            self._pos = len(self._buf) - len(rest)
            if rest or not self._more():
                return

    def at_end(self) -> bool:
        """Whether only whitespace is left."""
        self._skip_space()
        return self._pos >= len(self._buf)

    def at(self, char: str) -> bool:
        """Whether the next non-space character is `char` (true at the end of the text, too)."""
        self._skip_space()
        return self._pos >= len(self._buf) or self._buf[self._pos] == char

    def expect(self, char: str) -> bool:
        """Consume `char` when it comes next."""
        if self.at(char) and self._pos < len(self._buf):
            self._pos += 1
            return True
        return False

    def value(self, limit: int) -> tuple[Any, bytes]:
        """The next JSON value and its text as bytes; _TooLong past `limit` characters."""
        self._skip_space()
        while True:
            try:
                obj, end = self._decoder.raw_decode(self._buf, self._pos)
                if end < len(self._buf) or self._eof:  # a number at the buffer's end may go on
                    raw, self._pos = self._buf[self._pos : end].encode("utf-8"), end
                    return obj, raw
            except json.JSONDecodeError:
                if self._eof:
                    raise
            if len(self._buf) - self._pos > limit:
                raise _TooLong(f"an element over {limit:,} characters")
            self._more()

    def rest_head(self) -> bytes:
        """What is left of the text, up to HEAD_BYTES: the payload of a bad record that stops the array."""
        if len(self._buf) - self._pos < HEAD_BYTES and not self._eof:
            self._more()
        return self._buf[self._pos : self._pos + HEAD_BYTES].encode("utf-8")


class _Prepended(io.RawIOBase):
    """A stream with bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
