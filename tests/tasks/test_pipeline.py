"""One document's failure stays its own: a parser, extractor or validation error on one document
quarantines that document with the stage and the exception, and the rest of the batch goes on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tasks import pipeline
from tasks.enrich import quotes
from tasks.parse import text
from tasks.quality import validate
from tasks.records import RunContext, SourceRecord
from tests.conftest import SEED_000, SEED_001

RUN = RunContext("20260101T000000Z-pipeline", datetime(2026, 1, 1, tzinfo=UTC))
BAD = (
    b"Trouble ahead for the parser\n\nBOOM. The storm reached Paris on Monday, officials said, and the city "
    b"closed its parks, schools and two bridges while crews cleared fallen trees from the streets.\n\n"
    b'"We have never seen wind like this," said Anne Martin, who runs a bakery near the river.\n'
)


def _records(*extra: bytes) -> list[SourceRecord]:
    seeds = [SourceRecord(p.as_uri(), p.read_bytes()) for p in (SEED_000, SEED_001)]
    return seeds + [SourceRecord(f"file:///extra{i}.txt", data) for i, data in enumerate(extra)]


def _accounts(result) -> tuple[int, list[tuple[str, str, str]]]:
    return result.articles, [(r.source_uri, r.stage, r.reason_code) for r in result.rejected]


def test_the_batch_without_failures() -> None:
    result = pipeline.process_batch(_records(BAD), RUN, "b0")
    assert _accounts(result) == (3, [])
    raw = result.tables["raw_documents"].to_pylist()
    assert [r["raw_bytes"] for r in raw] == [SEED_000.read_bytes(), SEED_001.read_bytes(), BAD]
    assert {(r["media_type"], r["locator"]) for r in raw} == {("text/plain", "")}


def test_a_parser_crash_quarantines_its_document_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real = text.parse_article

    def crashing(raw: str, **kwargs):
        if "BOOM" in raw:
            raise RuntimeError("parser bug on BOOM")
        return real(raw, **kwargs)

    monkeypatch.setitem(pipeline.parse.PARSERS, "text/plain", crashing)
    result = pipeline.process_batch(_records(BAD), RUN, "b1")
    assert _accounts(result) == (2, [("file:///extra0.txt", "parse", "parser_error")])
    assert result.rejected[0].detail == "RuntimeError: parser bug on BOOM"
    assert result.rejected[0].payload == BAD  # the bytes, so nothing is lost


def test_an_extractor_crash_quarantines_its_article_and_its_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    real = quotes.extract_quotes

    def crashing(doc_id: str, body: str, mentions):
        if "BOOM" in body:
            raise IndexError("quote rule bug")
        return real(doc_id, body, mentions)

    monkeypatch.setattr(quotes, "extract_quotes", crashing)
    result = pipeline.process_batch(_records(BAD), RUN, "b2")
    assert _accounts(result) == (2, [("file:///extra0.txt", "enrich", "extractor_error")])
    assert result.rejected[0].detail == "quotes: IndexError: quote rule bug"
    bad_id = result.rejected[0].doc_id
    for name, table in result.tables.items():
        if name != "raw_documents":  # its bytes stay ingested: a rebuild can replay them
            assert bad_id not in table.column("doc_id").to_pylist(), name
    assert result.tables["quotes"].num_rows > 0  # the seeds keep theirs


def test_a_validation_error_on_one_row_quarantines_that_row(monkeypatch: pytest.MonkeyPatch) -> None:
    real = validate.validation_frame

    def failing(table, bodies=None):
        if "title" in table.column_names and any("Trouble" in t for t in table.column("title").to_pylist()):
            raise ValueError("frame cannot be built")
        return real(table, bodies)

    monkeypatch.setattr(validate, "validation_frame", failing)
    result = pipeline.process_batch(_records(BAD), RUN, "b3")
    assert _accounts(result) == (2, [("file:///extra0.txt", "validate", "validation_error")])
    assert "articles: ValueError: frame cannot be built" in result.rejected[0].detail
    articles = [c for c in result.checks if c.table_name == "articles"]
    assert articles and all(c.element_count == 2 for c in articles)  # the two parts' checks, summed


def test_a_text_longer_than_an_article_is_quarantined_before_parsing() -> None:
    huge = b"A headline\n\n" + b"Paragraph of words that goes on. " * 40_000  # 1.3 million characters
    result = pipeline.process_batch(_records(huge), RUN, "b4")
    assert _accounts(result) == (2, [("file:///extra0.txt", "parse", "too_long")])
    assert "1,320,012 characters is over the 1,000,000" in result.rejected[0].detail
