"""JSON records: the record's fields win; a plain body gets the record's title; HTML goes the HTML way."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tasks.ingest import ingest_record
from tasks.parse import ParseError, parse_document
from tasks.parse.record import authors_of, parse_record, published_of
from tasks.records import RECORD_JSON, RawDocument, SourceRecord
from tasks.sources.jsonl import canonical_bytes
from tests.conftest import SEED_000

BODY = (
    "The ministers agreed on Monday to share more intelligence, officials said after the meeting.\n\n"
    "A second paragraph gives the details of the agreement and what comes next for the talks."
)


def _record(**fields: object) -> str:
    return canonical_bytes(fields).decode()


def test_a_plain_body_without_a_title_line_takes_the_records_title() -> None:
    article = parse_record(
        _record(body=BODY, title="Ministers agree", language="en-GB"), doc_id="d", source_uri="u"
    )
    assert (article.title, article.language, article.doc_id) == ("Ministers agree", "en", "d")
    assert article.body == BODY  # the title is not repeated in the body
    assert article.word_count == len(BODY.split())


def test_the_records_fields_win_over_what_the_text_says() -> None:
    seed = SEED_000.read_text(encoding="utf-8")
    from_text = parse_record(_record(body=seed))
    record = _record(
        body=seed,
        title=from_text.title,  # the body starts with it: not put on top twice
        authors=[{"name": "Ann Lee"}, "Bo Chan"],
        published="2020-02-03T04:05:06+01:00",
        url="https://example.org/story",
    )
    article = parse_record(record)
    assert article.body == from_text.body and article.title == from_text.title
    assert article.authors == ("Ann Lee", "Bo Chan") != from_text.authors
    assert article.published_at == datetime(2020, 2, 3, 3, 5, 6, tzinfo=UTC)
    assert article.url == "https://example.org/story"


def test_the_records_own_day_beside_the_utc_instant() -> None:
    # 21:30 in New York is 02:30 the next day in UTC: the record dates it the 5th
    article = parse_record(_record(body=BODY, title="Ministers agree", published="2024-03-05T21:30:00-05:00"))
    assert article.published_at == datetime(2024, 3, 6, 2, 30, tzinfo=UTC)
    assert article.published_at.tzinfo is UTC
    assert article.published_date == date(2024, 3, 5)
    assert parse_record(_record(body=BODY, title="Ministers agree")).published_date is None


def test_the_parse_stage_gives_a_dated_article_its_utc_day_when_its_parser_keeps_none() -> None:
    # the text parser reads a date printed without a zone as UTC: its day is the day printed
    text = "Ministers agree\n\nBy Ann Lee\n2 January 2024\n\n" + BODY
    document = RawDocument("d", "file:///d.txt", len(text), "utf-8", text)
    article = parse_document(document)
    assert article.published_at is not None
    assert article.published_date == article.published_at.date() == date(2024, 1, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("By Ann Lee and Bo Chan", ("Ann Lee", "Bo Chan")),
        ("Ann Lee; Bo Chan", ("Ann Lee", "Bo Chan")),
        ("Ann Lee, Bo Chan", ("Ann Lee", "Bo Chan")),
        ("Lee, Ann", ("Lee, Ann",)),  # "surname, initial" is one name
        (["Ann Lee", "Ann Lee"], ("Ann Lee",)),
        (42, ()),
    ],
)
def test_authors_of(value: object, expected: tuple[str, ...]) -> None:
    assert authors_of(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
        ("2024-01-02T10:00:00Z", datetime(2024, 1, 2, 10, tzinfo=UTC)),
        ("2 January 2024", datetime(2024, 1, 2, tzinfo=UTC)),
        (1704189600, datetime(2024, 1, 2, 10, tzinfo=UTC)),
        (1704189600000, datetime(2024, 1, 2, 10, tzinfo=UTC)),
        ("yesterday", None),
        (True, None),
    ],
)
def test_published_of(value: object, expected: datetime | None) -> None:
    assert published_of(value) == expected


def test_a_record_without_a_body_or_not_json_raises_parse_error() -> None:
    with pytest.raises(ParseError, match="no text body"):
        parse_record(_record(title="Only a title"))
    with pytest.raises(ParseError, match="not a JSON record"):
        parse_record("{broken")


def test_the_parse_stage_dispatches_json_records_and_keeps_the_records_url() -> None:
    data = canonical_bytes({"body": BODY, "title": "T", "url": "https://example.org/x"})
    source = SourceRecord(
        "file:///d.jsonl", data, media_type=RECORD_JSON, locator="line:3", url="https://example.org/x"
    )
    document = ingest_record(source)
    assert isinstance(document, RawDocument) and document.locator == "line:3"
    article = parse_document(document)
    assert (article.title, article.url, article.source_uri) == (
        "T",
        "https://example.org/x",
        "file:///d.jsonl",
    )


def test_an_html_body_goes_the_html_way() -> None:
    more = [
        f"Paragraph {k} of the report adds a detail of its own about the talks in {k + 1} capitals."
        for k in range(4)
    ]
    paragraphs = "".join(f"<p>{p}</p>" for p in [BODY, *more])
    html = f"<html><head><title>Page title</title></head><body><article>{paragraphs}</article></body></html>"
    record = _record(body=html, title="Record title", authors="Ann Lee")
    article = parse_record(record)
    assert (article.title, article.authors) == ("Record title", ("Ann Lee",))
    assert "<p>" not in article.body and "share more intelligence" in article.body
