"""Parse stage: a decoded RawDocument -> an Article, by the parser of its media type.

A record with no article, one too long to parse, or one whose parser raised is quarantined on its own
with the reason (and the exception's type and message): the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC

from tasks import watchdog
from tasks.isolation import describe
from tasks.parse import html, record, text
from tasks.parse.article import ParseError, content_hash, word_count
from tasks.records import RECORD_JSON, TEXT_PLAIN, Article, RawDocument, Rejected

STAGE = "parse"
# spaCy's default nlp.max_length: a longer text could not go through NER whole. Real articles stay far
# below it (the longest BBC story is ~25,000 characters); a text this long is a dump, not a page.
MAX_TEXT_CHARS = 1_000_000
# A served page carries scripts, styles and inline data around its text: news pages of several MB are
# common. The article text found in one is held to MAX_TEXT_CHARS like any other.
MAX_MARKUP_CHARS = 20 * MAX_TEXT_CHARS
_MARKUP_TYPES = frozenset({html.TEXT_HTML, html.XHTML})
PARSERS: dict[str, Callable[..., Article]] = {  # media type -> parser
    TEXT_PLAIN: text.parse_article,
    html.TEXT_HTML: html.parse_html,
    html.XHTML: html.parse_html,
    RECORD_JSON: record.parse_record,
}

__all__ = [
    "MAX_TEXT_CHARS",
    "STAGE",
    "ParseError",
    "content_hash",
    "parse_batch",
    "parse_document",
    "word_count",
]


def parse_document(doc: RawDocument, max_chars: int = MAX_TEXT_CHARS) -> Article:
    """The article in one document, by its media type's parser; raises ParseError when there is none."""
    limit = MAX_MARKUP_CHARS if doc.media_type in _MARKUP_TYPES else max_chars
    if len(doc.raw_text) > limit:
        raise ParseError("too_long", f"{len(doc.raw_text):,} characters is over the {limit:,} parsed up to")
    parser = PARSERS.get(doc.media_type, text.parse_article)
    article = parser(doc.raw_text, doc_id=doc.doc_id, source_uri=doc.source_uri)
    if len(article.body) > max_chars:
        raise ParseError("too_long", f"a body of {len(article.body):,} characters is over the {max_chars:,}")
    if doc.url or doc.fetched_at:  # what the source record says of the page wins over the page itself
        article = replace(article, url=doc.url or article.url, fetched_at=doc.fetched_at)
    return _dated(article)


def _dated(article: Article) -> Article:
    """The article with its published_date: the page's own day where its parser keeps it (HTML pages, JSON
    records), else published_at's UTC day (the text parser reads a date printed without a zone as UTC, so
    that is the day it prints); none without a published_at."""
    if article.published_at is None:
        return replace(article, published_date=None) if article.published_date else article
    if article.published_date is None:
        return replace(article, published_date=article.published_at.astimezone(UTC).date())
    return article


def parse_batch(
    documents: Iterable[RawDocument], max_chars: int = MAX_TEXT_CHARS
) -> tuple[list[Article], list[Rejected]]:
    """Parse a batch; a document without an article, or whose parser failed, becomes a Rejected
    carrying its bytes."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for doc in watchdog.watched(documents, STAGE):
        try:
            articles.append(parse_document(doc, max_chars))
        except ParseError as exc:
            rejected.append(_rejected(doc, exc.reason_code, str(exc)))
        except Exception as exc:  # a parser bug on one document must not fail its batch
            rejected.append(_rejected(doc, "parser_error", describe(exc)))
    return articles, rejected


def _rejected(doc: RawDocument, reason_code: str, detail: str) -> Rejected:
    return Rejected(doc.source_uri, doc.doc_id, STAGE, reason_code, detail, doc.data or doc.raw_text.encode())
