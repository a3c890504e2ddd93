"""JSON records (application/x-newsetl-record+json): a record's mapped fields -> an Article.

The record's bytes are the article fields tasks.sources.jsonl found (body, title, published, authors,
url, language). The body is parsed the way its form asks: HTML by tasks.parse.html when that parser is
installed, plain text by tasks.parse.text (with the record's title put on top when the body does not
start with it). Then what the record states wins over what the parser found: title, authors, date,
language and url.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tasks.parse import dates, text
from tasks.parse.article import ParseError
from tasks.records import Article

_HTML = re.compile(r"^\s*(?:<!doctype\s+html|<html\b)|<(?:p|div|article|br|body|h[1-6])\b[^>]*>", re.I)
_NAMES = re.compile(r"\s*(?:;|\||&|\band\b)\s*|\s*,\s*(?=\S+\s+\S)")  # "A, B" splits, "Smith, J" doesn't
_BY = re.compile(r"^\s*by\s+", re.I)
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")
_EPOCH_MS = 10**11  # a larger epoch number counts milliseconds


def parse_record(raw: str, *, doc_id: str = "", source_uri: str = "") -> Article:
    """The article of one JSON record; raises ParseError when it holds none."""
    try:
        fields = json.loads(raw)
    except ValueError as exc:
        raise ParseError("malformed_json", f"not a JSON record: {exc}") from exc
    body = fields.get("body") if isinstance(fields, dict) else None
    if not isinstance(body, str) or not body.strip():
        raise ParseError("no_body", "the record has no text body")
    title = _text(fields.get("title"))
    article = _parsed_body(body, title, doc_id, source_uri)
    language = _language(fields.get("language"))
    published = published_of(fields.get("published"))
    return replace(
        article,
        title=title or article.title,
        authors=authors_of(fields.get("authors")) or article.authors,
        published_at=published.astimezone(UTC) if published else article.published_at,
        published_date=published.date() if published else article.published_date,
        language=language or article.language,
        url=_text(fields.get("url")) or article.url,
    )


def _parsed_body(body: str, title: str | None, doc_id: str, source_uri: str) -> Article:
    """The body through the HTML parser (when it looks like HTML and the parser exists) or the text one."""
    if _HTML.search(body[:4096]):
        try:
            from tasks.parse.html import parse_html
        except ImportError:  # without the HTML parser, the text one says "markup" and it is quarantined
            pass
        else:
            return parse_html(body, doc_id=doc_id, source_uri=source_uri)  # type: ignore[no-any-return]
    first_line = next((line for line in text.text_lines(body) if line), "")
    if title and first_line != title:
        body = f"{title}\n\n{body}"  # the text parser takes its first line as the title
    return text.parse_article(body, doc_id=doc_id, source_uri=source_uri)


def _text(value: Any) -> str | None:
    """A field's text, whitespace folded; None for anything that is not non-empty text."""
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def authors_of(value: Any) -> tuple[str, ...]:
    """Author names from a list of names, a list of {"name": ...} objects, or a byline string."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str):
            names += [n.strip(" .") for n in _NAMES.split(_BY.sub("", item.strip())) if n.strip(" .")]
    return tuple(dict.fromkeys(names))


def published_of(value: Any) -> datetime | None:
    """A publication date from ISO 8601 text, any text dateparser reads with day, month and year, or a
    Unix epoch number (seconds, or milliseconds), in the zone the record writes it (its own day is the
    article's published_date); a date without a zone, or an epoch number, is taken as UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return dates.parse_date(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _language(value: Any) -> str | None:
    """The ISO 639 code of a language tag ("en", "en-US" -> "en"); None for anything else."""
    match = _LANGUAGE.match(value.strip()) if isinstance(value, str) else None
    return match[1].lower() if match else None
