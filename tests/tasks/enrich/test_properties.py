"""Property tests: parsing and every extractor take any text without raising, and whatever they emit
points at its own text in the body."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.enrich import enrich_articles
from tasks.enrich.amounts import extract_amounts
from tasks.enrich.entities import entities_of
from tasks.enrich.event_counts import extract_counts
from tasks.enrich.mentioned_dates import extract_dates
from tasks.enrich.quotes import extract_quotes
from tasks.enrich.themes import extract_themes
from tasks.parse import ParseError
from tasks.parse.text import parse_article

# Text that looks like news often enough to reach the interesting branches, and arbitrary text too.
WORDS = st.sampled_from(
    [
        "said",
        "Kerry",
        "John Kerry",
        "killed",
        "at least",
        "129",
        "twenty-one",
        "people",
        "on Tuesday",
        "last Friday",
        "Nov. 17",
        "17 November 2015",
        '"',
        "“",
        "”",
        ",",
        ".",
        "\n",
        "\n\n",
        "Paris",
        "U.S.",
        "he",
        "arrested",
        "raids",
        "yesterday",
        "2-1",
        "£20m",
        "The",
        "Valls",
        "according to",
        "'s",
        " ",
    ]
)
NEWSLIKE = st.lists(WORDS, max_size=60).map(" ".join)
TEXT = st.one_of(st.text(max_size=400), NEWSLIKE)
ANCHOR = st.one_of(st.none(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1)))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _points_at(body: str, rows: list, field: str = "text") -> None:
    for r in rows:
        assert 0 <= r.start_char < r.end_char <= len(body)
        assert body[r.start_char : r.end_char] == getattr(r, field)


@SETTINGS
@given(TEXT)
def test_parse_never_raises_anything_but_parse_error(text: str) -> None:
    try:
        article = parse_article(text)
    except ParseError:
        return
    assert article.title and article.body


@SETTINGS
@given(TEXT, ANCHOR)
def test_rule_extractors_never_raise_and_keep_offsets(body: str, anchor: datetime | None) -> None:
    _points_at(body, extract_counts("d", body))
    _points_at(body, extract_dates("d", body, anchor.replace(tzinfo=UTC) if anchor else None))
    _points_at(body, extract_quotes("d", body, []), "quote")
    _points_at(body, extract_amounts("d", body, "body", extract_counts("d", body)))
    _points_at(body, extract_themes("d", body))


@SETTINGS
@given(
    TEXT,
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400), st.sampled_from(["PERSON", "GPE", "ORG"]))),
)
def test_entity_cleanup_never_raises_and_keeps_offsets(body: str, spans: list[tuple[int, int, str]]) -> None:
    spans = [(min(s, e), max(s, e), label) for s, e, label in spans if min(s, e) < len(body)]
    _points_at(body, entities_of("d", body, [(s, min(e, len(body)), lab) for s, e, lab in spans]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NEWSLIKE)
def test_the_whole_enrichment_with_the_real_model(text: str) -> None:
    try:
        article = parse_article("A headline for the test\n\n" + text)
    except ParseError:
        return
    enriched = enrich_articles([article])
    assert not enriched.failed  # no extractor raised (a raise would quarantine the article)
    for table, found in enriched.rows.items():
        for field in ("title", "body"):  # tone has no offsets; amounts and themes index title or body
            rows = [r for r in found if hasattr(r, "start_char") and getattr(r, "field", "body") == field]
            _points_at(getattr(article, field), rows, "quote" if table == "quotes" else "text")
