from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import scoring
from bench.header_eval import page_cases, wire_cases
from tasks.parse import dates
from tasks.parse.dates import find_published
from tasks.parse.names import is_name
from tasks.parse.text import text_lines
from tasks.parse.text.byline import find_authors

PARAGRAPH = (
    "The ministers agreed on Monday to pool part of their budgets for joint purchases, officials said, "
    "after two days of talks that ran late into the night in the capital."
)


def _authors(*header: str, body: str = PARAGRAPH, after: tuple[str, ...] = ()) -> tuple[str, ...]:
    """find_authors on a small page: a menu, the headline, header lines, the body's first line, more lines."""
    lines = ["Home", "World", "Ministers agree a defence plan", *header, body, *after]
    return find_authors(lines, 2, 3 + len(header))


@pytest.mark.parametrize(
    ("header", "authors"),
    [
        (("By Jane Doe",), ("Jane Doe",)),
        (("BY JANE DOE",), ("JANE DOE",)),
        (("By Jane Doe and John Roe",), ("Jane Doe", "John Roe")),
        (("By Jane Doe, John Roe and Ann Lee",), ("Jane Doe", "John Roe", "Ann Lee")),
        (("By Jane Doe, John Roe & Ann Lee",), ("Jane Doe", "John Roe", "Ann Lee")),
        (("Jane Doe | Example Times",), ("Jane Doe",)),
        (("Jane Doe, Reuters",), ("Jane Doe",)),
        (("By Jane Doe, Reuters",), ("Jane Doe",)),
        (("Written by Jane Doe",), ("Jane Doe",)),
        (("Author: Jane Doe",), ("Jane Doe",)),
        (("Author of the article:", "Jane Doe"), ("Jane Doe",)),
        (("Jane Doe", "Staff Writer"), ("Jane Doe",)),
        (("Jane Doe Senior Political Correspondent", "25 April 2023"), ("Jane Doe",)),
        (("Jane Doe", "April 25, 2023 2:26 PM GMT+2"), ("Jane Doe",)),
        (("Jane Doe", "3 hours ago"), ("Jane Doe",)),
        (("Jane Doe",), ("Jane Doe",)),  # the only line between headline and body
        (("By Marie de la Tour",), ("Marie de la Tour",)),
        (("By Jean-Yves O’Neill-Smith",), ("Jean-Yves O’Neill-Smith",)),
        (("By Jane Doe | Example News",), ("Jane Doe",)),
        (("Jane Doe · Example News · Posted: Aug 08, 2024 4:00 AM EDT",), ("Jane Doe",)),
        (("By Jane Doe in Paris",), ("Jane Doe",)),
        (("Written by Jane Doe, MS, RD on November 14, 2019",), ("Jane Doe",)),
        (("By Jane Doe jane@example.com (555) 123-4567",), ("Jane Doe",)),
        (("Posted by Jane Doe on November 19, 2019, 6:21 AM EST",), ("Jane Doe",)),
        (("Tom Davies Associated Press", "Published 11:34 PM EST Nov 19, 2019"), ("Tom Davies",)),
        (("By Jane Doe, The Example Post",), ("Jane Doe",)),
        (("Opinion by Jane Doe",), ("Jane Doe",)),
        (("By Jane Doe Follow",), ("Jane Doe",)),
        (("By Jane Doe Staff Writer",), ("Jane Doe",)),
        (("By Jane Doe Senior Reporter and John Roe",), ("Jane Doe", "John Roe")),
        (("By Jane Doe Updated 3 hours ago",), ("Jane Doe",)),
        (("By Łukasz Żuk and José Álvarez",), ("Łukasz Żuk", "José Álvarez")),
        (("Jane Doe", "BBC"), ("Jane Doe",)),  # a site's name under the byline
        (("Jane Doe", "@janedoe"), ("Jane Doe",)),
        (("Jane Doe", "5 min read"), ("Jane Doe",)),
        (("Jane Doe, Example Auto Writer",), ("Jane Doe",)),  # a title after the comma describes the name
        (("Analysis by Jane Doe, Example Editor-at-large",), ("Jane Doe",)),
        (("By Jane DoeStaff Writer",), ("Jane Doe",)),  # name and title run together by the markup
        (
            ("Jane Doe and John Roe EXAMPLE TIMES", "Published 7:07 PM EST Nov 19, 2019"),
            ("Jane Doe", "John Roe"),
        ),
        (
            ("Monday November 18, 2019 7:45 am PST by Jane Doe",),
            ("Jane Doe",),
        ),  # a date line signed at its end
        (("Posted on May 2, 2019 by Jane Doe",), ("Jane Doe",)),
    ],
)
def test_byline_forms(header: tuple[str, ...], authors: tuple[str, ...]) -> None:
    assert _authors(*header) == authors


@pytest.mark.parametrize(
    ("header", "authors"),
    [
        (("Associated Press", "April 25, 2023"), ("Associated Press",)),
        (("By AFP",), ("AFP",)),
        (("By The Associated Press",), ("The Associated Press",)),
        (("Author of the article:", "The Associated Press"), ("The Associated Press",)),
        (("Reuters November 18, 2019 11:03 PM",), ("Reuters",)),
        (("Associated Press in Valencia", "Sat 24 Feb 2024 12.42 CET"), ("Associated Press",)),
        (("Example Staff", "February 11, 2025"), ("Example Staff",)),
        (("By Example Post Staff",), ("Example Post Staff",)),
        (("Example staff reporter", "Sat 24 Feb 2024 12.42 CET"), ("Example staff reporter",)),
        (
            ("New Delhi, Example News Bureau | Updated : 19 November 2019, 09:01 AM",),
            ("Example News Bureau",),
        ),
    ],
)
def test_agency_alone_is_the_author(header: tuple[str, ...], authors: tuple[str, ...]) -> None:
    assert _authors(*header) == authors


def test_agency_of_a_dateline_when_no_byline() -> None:
    assert _authors(body=f"PARIS (Reuters) - {PARAGRAPH}") == ("Reuters",)
    assert _authors("By Jane Doe", body=f"PARIS (Reuters) - {PARAGRAPH}") == ("Jane Doe",)


def test_a_person_beats_a_bare_name_and_an_agency() -> None:
    assert _authors(
        "Associated Press", "April 25, 2023", body="Short standfirst.", after=("By Jane Doe",)
    ) == ("Jane Doe",)


def test_byline_after_the_standfirst() -> None:
    after = ("Share", "Author of the article:", "Jane Doe", "Published Aug 28, 2024")
    assert _authors(body="The plan puts joint purchases first.", after=after) == ("Jane Doe",)


def test_wire_bare_name_above_the_dateline() -> None:
    lines = ["TENNIS - UPSETS UNDER THE LIGHTS.", "", "Larry Fine", "", "NEW YORK 1996-08-30", "", PARAGRAPH]
    assert find_authors(lines, 0, 6) == ("Larry Fine",)


@pytest.mark.parametrize(
    ("header", "after"),
    [
        (("By any measure, he is a winner.",), ()),  # a sentence, not a byline
        (("Staff Writer",), ()),  # a job title alone
        (("Getty Images",), ()),  # a photo credit
        (("PANAMA CITY 1996-08-30",), ()),  # a wire dateline
        (("LA CORUNA, Spain 1996-08-31",), ()),
        (("Key Points", "The plan puts joint purchases first."), ()),  # a widget heading
        (("Social Sharing", "Copy Link"), ()),  # names' shape, but nothing says byline
        (("RSS", "Privacy Settings", "Careers"), ()),  # a menu: a site-like entry above a name-like one
        (("San Diego 3 NEW YORK 2",), ()),  # a results line
        (("W D L G / F G / A P",), ()),  # a table's heading
        ((), (PARAGRAPH, "Jane Doe", "April 25, 2023 at 5:23 pm said:")),  # a comment below the prose
        ((), ("Hi Milan,", "Jane Doe on September 13, 2018 at 5:23 pm said:")),
        (("Car Reviews", "December 18, 2015"), ()),  # a section label beside a date
        (("United States", "November 19, 2019 / 12:21 AM"), ()),  # a place beside a date
        (("Gadget Shipping in December", "Monday November 18, 2019 7:45 am PST"), ()),  # a teaser's headline
    ],
)
def test_no_author(header: tuple[str, ...], after: tuple[str, ...]) -> None:
    assert _authors(*header, after=after) == ()


@pytest.mark.corpus
def test_gold_pages_and_wire() -> None:
    """22 gold pages: 19 print their authors as the gold has them (one is in Japanese only in the markup,
    two are site-level credits that the page text does not show). Wire: every bare byline, and no other."""
    pages = page_cases()
    hits = sum(
        scoring.author_set(find_authors(c.lines, c.title_at, c.body_at)) == scoring.author_set(c.authors)
        for c in pages
    )
    assert len(pages) == 22 and hits >= 19
    wire = wire_cases()
    found = [find_authors(c.lines, 0, c.body_at) for c in wire]
    assert sum(bool(c.authors) for c in wire) >= 20
    assert all(
        scoring.author_set(a) == scoring.author_set(c.authors) for a, c in zip(found, wire, strict=True)
    )


@pytest.mark.parametrize(("title_at", "body_at"), [(0, 0), (5, 2), (-3, 99), (99, -1)])
def test_positions_outside_the_page(title_at: int, body_at: int) -> None:
    lines = ["Ministers agree a defence plan", "By Jane Doe", PARAGRAPH]
    assert find_authors(lines, title_at, body_at) in {(), ("Jane Doe",)}
    assert find_authors([], title_at, body_at) == ()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=80), max_size=12), st.integers(-2, 14), st.integers(-2, 14))
def test_any_lines_give_names_or_nothing(lines: list[str], title_at: int, body_at: int) -> None:
    lines = text_lines("\n".join(lines))
    authors = find_authors(lines, title_at, body_at)
    assert all(isinstance(a, str) and a.strip() == a and a for a in authors)
    when = find_published(lines, title_at, body_at)
    assert when is None or when.utcoffset() == timedelta(0)


def test_a_venue_line_beside_a_date_is_no_byline() -> None:
    lines = [
        "Ireland v USA (Sat)",
        "",
        "Saturday 20 November",
        "",
        "Lansdowne Road, Dublin",
        "",
        "1300 GMT",
        "",
        "Body.",
    ]
    assert find_authors(lines, 0, 8) == ()
    assert not is_name("Wembley Stadium") and is_name("Jane Road-Smith")


def test_a_byline_and_date_right_above_the_body_are_found_when_the_headline_taken_stands_far_above() -> None:
    lines = ["Sign up for our newsletter today", *(f"Menu entry {n}" for n in range(30))]
    lines += [
        "By Jane Doe published 19 May 2026",
        "The ministers agreed on Monday to share more intelligence.",
    ]
    body_at = len(lines) - 1
    assert find_authors(lines, 0, body_at) == ("Jane Doe",)
    assert dates.find_published(lines, 0, body_at).date().isoformat() == "2026-05-19"
    # near the headline the zone under it reaches the byline already: no second look
    assert dates.above_body(lines, body_at - 2, body_at, [body_at - 1]) == []
    lines[5] = "By Max Mustermann"  # a byline under the headline still wins over one further down
    assert find_authors(lines, 0, body_at) == ("Max Mustermann",)
