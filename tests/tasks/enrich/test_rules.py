"""Each extractor's rules on small made-up texts, negatives included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tasks.enrich import event_counts
from tasks.enrich.entities import Entity, entities_of
from tasks.enrich.event_counts import extract_counts, parse_number
from tasks.enrich.mentioned_dates import extract_dates
from tasks.enrich.quotes import extract_quotes

ANCHOR = datetime(2015, 11, 17, 10, 37, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police arrested 11 suspects on Monday.", [("arrested", 11, None, "suspects")]),
        ("Two police officers were wounded in the attack.", [("injured", 2, None, "police officers")]),
        ("The death toll rose to 130.", [("killed", 130, None, None)]),
        ("At least twenty-one people died.", [("killed", 21, "at least", "people")]),
        ("Some 2,000 people were evacuated.", [("evacuated", 2000, "some", "people")]),
        ("more than 40 airstrikes hit the city", [("strikes", 40, "more than", "airstrikes")]),
        ("Arsenal beat Chelsea 3-1 and killed off the tie.", []),
        ("He was killed in 1999.", []),
        ("The firm raised £20m and cut 5% of jobs.", []),
        ("They arrested a man.", []),
    ],
)
def test_counts(text: str, expected: list[tuple]) -> None:
    found = extract_counts("d", text)
    assert [(c.count_type, c.number, c.qualifier, c.object) for c in found] == expected
    assert all(text[c.start_char : c.end_char] == c.text for c in found)


@pytest.mark.parametrize(
    "text",
    [
        "Moreover 5 people were killed, and someone three soldiers injured.",  # openings inside words
        "ALMOST TWENTY-ONE people were arrested after at least 1,200 raids; ſome 4 people died.",
        "İstanbul: nearly 30 people were wounded.",  # lower-casing moves offsets: every place is tried
    ],
)
def test_counts_tried_where_they_open_as_everywhere(text: str) -> None:
    starts = event_counts.opening_places(text) or range(len(text))  # None: every place
    for opening in event_counts.OPENING:
        pattern = event_counts.PATTERNS[opening]
        everywhere = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in event_counts.matches_from(pattern, text, starts)] == everywhere
    assert extract_counts("d", text)


@pytest.mark.parametrize(
    ("words", "number"), [("1,200", 1200), ("twenty-one", 21), ("two dozen", 24), ("eleven", 11)]
)
def test_number_words(words: str, number: int) -> None:
    assert parse_number(words) == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "He left last Friday and returns next Monday.",
            [("last Friday", date(2015, 11, 13)), ("next Monday", date(2015, 11, 23))],
        ),
        ("The vote was on Tuesday.", [("Tuesday", date(2015, 11, 17))]),
        ("It happened two days ago.", [("two days ago", date(2015, 11, 15))]),
        (
            "Talks resume on 3 December 2015 or Nov. 3.",
            [("3 December 2015", date(2015, 12, 3)), ("Nov. 3", date(2015, 11, 3))],
        ),
        ("The Sunday Times and Black Friday and USA TODAY.", []),
        ("You may go in March.", []),
    ],
)
def test_mentioned_dates(text: str, expected: list[tuple]) -> None:
    found = extract_dates("d", text, ANCHOR)
    assert [(d.text, d.resolved_date) for d in found] == expected


def test_dates_without_an_anchor_resolve_only_when_explicit() -> None:
    found = extract_dates("d", "On Monday, and on 17 November 2015.", None)
    assert [(d.kind, d.resolved_date) for d in found] == [("weekday", None), ("explicit", date(2015, 11, 17))]


def _person(body: str, name: str, canonical: str) -> Entity:
    start = body.index(name)
    return Entity("d", name, canonical, "PERSON", start, start + len(name))


def test_quote_speakers_from_attribution_and_pronouns() -> None:
    body = (
        'Jane Smith spoke first. "We will not give up on this," she said.'
        ' "It is a long road ahead," said Smith.'
    )
    people = [_person(body, "Jane Smith", "Jane Smith")]
    people.append(Entity("d", "Smith", "Jane Smith", "PERSON", body.rindex("Smith"), len(body) - 1))
    quotes = extract_quotes("d", body, people)
    assert [(q.quote, q.speaker, q.verb) for q in quotes] == [
        ("We will not give up on this", "Jane Smith", "said"),
        ("It is a long road ahead", "Jane Smith", "said"),
    ]


def test_curly_multi_paragraph_and_scare_quotes() -> None:
    body = (
        "“The first part goes on here and\n\n“It continues after a break,” Ann Lee added."
        " A so-called “safe zone” exists."
    )
    quotes = extract_quotes("d", body, [])
    assert [(q.quote, q.speaker) for q in quotes] == [
        ("The first part goes on here and", "Ann Lee"),
        ("It continues after a break", "Ann Lee"),
    ]


def test_results_lines_keep_their_teams_and_names_keep_one_label() -> None:
    body = (
        "ARSENAL 2-1 CHELSEA\nManchester United 3-0 Leeds\n"
        "Valls spoke. Manuel Valls met Michel in Paris. Valls left."
    )
    spans = [
        (0, 7, "ORG"),  # a results line in capitals: Chelsea is the model's miss
        (20, 37, "ORG"),  # a results line: Leeds is the model's miss
        (48, 53, "ORG"),
        (61, 73, "PERSON"),
        (78, 84, "PERSON"),
        (88, 93, "GPE"),
        (95, 100, "ORG"),
    ]
    found = entities_of("d", body, spans)
    assert [(e.text, e.canonical, e.label) for e in found] == [
        ("ARSENAL", "Arsenal", "ORG"),
        ("CHELSEA", "Chelsea", "ORG"),
        ("Manchester United", "Manchester United", "ORG"),
        ("Leeds", "Leeds", "ORG"),
        ("Valls", "Manuel Valls", "PERSON"),
        ("Manuel Valls", "Manuel Valls", "PERSON"),
        ("Michel", "Michel", "PERSON"),
        ("Paris", "Paris", "GPE"),
        ("Valls", "Manuel Valls", "PERSON"),
    ]
    assert all(body[e.start_char : e.end_char] == e.text and e.field == "body" for e in found)


def test_gazetteer_adds_missed_countries_and_knows_aliases() -> None:
    body = "Officials in Germany and the U.S. met."
    found = entities_of("d", body, [])
    assert [(e.text, e.label) for e in found] == [("Germany", "GPE"), ("U.S.", "GPE")]
