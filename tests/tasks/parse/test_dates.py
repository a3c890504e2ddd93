from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench import scoring
from bench.header_eval import page_cases, wire_cases
from tasks.parse import dates
from tasks.parse.dates import find_published, parse_date, parse_date_line
from tasks.parse.text import text_lines

PARAGRAPH = (
    "The ministers agreed on Monday to pool part of their budgets for joint purchases, officials said, "
    "after two days of talks that ran late into the night in the capital."
)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def _page(*header: str, body: str = PARAGRAPH, after: tuple[str, ...] = ()) -> tuple[list[str], int, int]:
    """Lines of a small page: a menu, the headline, header lines, the body's first paragraph, more lines."""
    lines = ["Home", "World", "Ministers agree a defence plan", *header, body, *after]
    return lines, 2, 3 + len(header)


@pytest.mark.parametrize(
    ("header", "when"),
    [
        (("By Jane Doe", "April 25, 2023 2:26 PM GMT+2"), _utc(2023, 4, 25, 12, 26)),
        (("Updated April 26, 2023", "Published April 25, 2023"), _utc(2023, 4, 25)),
        (("April 25, 2023 | Updated April 26, 2023",), _utc(2023, 4, 25)),
        (("08:39, 06 Jan 2026Updated 08:41, 06 Jan 2026",), _utc(2026, 1, 6, 8, 39)),
        (("By Jane Doe published 19 May 2026",), _utc(2026, 5, 19)),
        (("Posted by Jane Doe on November 19, 2019, 6:21 AM EST",), _utc(2019, 11, 19, 11, 21)),
        (("Jane Doe · Example News · Posted: Aug 08, 2024 4:00 AM EDT",), _utc(2024, 8, 8, 8, 0)),
        (("Reuters November 18, 2019 11:03 PM",), _utc(2019, 11, 18, 23, 3)),
        (("21 October 2025 • Duqm, Oman",), _utc(2025, 10, 21)),
        (("by Jane Doe, April 25, 2023",), _utc(2023, 4, 25)),
        (("Nachricht vom 06.11.2023",), _utc(2023, 11, 6)),  # a label of a few words in another language
        (("19.10.19, 08:16 Uhr",), _utc(2019, 10, 19, 8, 16)),  # a two-digit year with dots and a time
        (
            ("Last modified on Tue 25 Apr 2023 14.26 BST", "First published on Mon 24 Apr 2023 09.00 BST"),
            _utc(2023, 4, 24, 8),
        ),
        (
            ("By Al Root Updated Nov. 19, 2019 8:21 am ET / Original Nov. 19, 2019 8:02 am ET",),
            _utc(2019, 11, 19, 13, 2),
        ),
        (("Updated April 26, 2023",), _utc(2023, 4, 26)),  # the only date on the page
        (("By Jane Doe - 11/19/19 06:56 AM EST",), _utc(2019, 11, 19, 11, 56)),  # a two-digit year
        (("11/20/19 6:38 AM",), _utc(2019, 11, 20, 6, 38)),
        (
            ("By Jane Doe | November 18, 2019 -- 19:14 GMT (19:14 GMT) | Topic: Hardware",),
            _utc(2019, 11, 18, 19, 14),
        ),
        (
            ("Updated 0339 GMT (1139 HKT) November 19, 2019",),
            _utc(2019, 11, 19),
        ),  # times between label and date
    ],
)
def test_header_dates(header: tuple[str, ...], when: datetime) -> None:
    assert find_published(*_page(*header)) == when


def test_the_date_by_the_byline_beats_the_sites_date() -> None:
    lines, title_at, body_at = _page("June 20, 2023", "Home", "News", "by Jane Doe", "June 19, 2023")
    assert find_published(lines, title_at, body_at) == _utc(2023, 6, 19)


def test_date_above_the_headline() -> None:
    lines = ["Home", "NEWS FEATURE", "03 November 2025", "Ministers agree a defence plan", PARAGRAPH]
    assert find_published(lines, 3, 4) == _utc(2025, 11, 3)


def test_date_just_after_the_standfirst() -> None:
    lines, title_at, body_at = _page(
        body="The plan puts joint purchases first.", after=("Share", "25 April 2023")
    )
    assert find_published(lines, title_at, body_at) == _utc(2023, 4, 25)


@pytest.mark.parametrize(
    ("header", "after"),
    [
        (("Protesters gather outside the ministry in Paris, April 14, 2024.",), ()),  # a caption
        (("April 14, 2024: protesters gather outside the ministry in Paris",), ()),  # a caption's date first
        (("3 hours ago",), ()),  # relative: never resolved against the clock
        ((), (PARAGRAPH, "Related stories", "Ministers met in Rome", "April 3, 2024")),  # a related list
        ((), ("It was signed on April 3, 2024, after talks.",)),  # running text
        (("He scored 3/4/19 6:30 times",), ()),  # a two-digit year needs a line of its own
        (("Version 1.2.19",), ()),
        (("Jane Doe on September 13, 2018 at 5:23 pm said:",), ()),  # words after it: a comment's header
    ],
)
def test_no_publication_date(header: tuple[str, ...], after: tuple[str, ...]) -> None:
    assert find_published(*_page(*header, after=after)) is None


def test_wire_datelines() -> None:
    lines = [
        "SOCCER - SHEARER NAMED AS ENGLAND CAPTAIN.",
        "",
        "Larry Fine",
        "",
        "LONDON 1996-08-30",
        "",
        PARAGRAPH,
    ]
    assert find_published(lines, 0, 6) == _utc(1996, 8, 30)
    lines = ["EU agrees defence plan", "", f"PARIS, April 25, 2023 (Reuters) - {PARAGRAPH}"]
    assert find_published(lines, 0, 2) == _utc(2023, 4, 25)
    lines = ["EU agrees defence plan", "", f"AL-AIN, UAE 1996-12-06 {PARAGRAPH}"]
    assert find_published(lines, 0, 2) == _utc(1996, 12, 6)


def test_dateline_without_a_year_names_no_date() -> None:
    lines = ["EU agrees defence plan", "", f"PARIS, April 25 (Reuters) - {PARAGRAPH}"]
    assert find_published(lines, 0, 2) is None


def test_header_lines_past_the_page_are_ignored() -> None:
    assert find_published(["Only a title"], 0, 5) is None
    assert find_published([], 0, 0) is None


def test_existing_names_still_parse() -> None:
    assert parse_date("17 Nov '15 10:37AM") == _utc(2015, 11, 17, 10, 37)
    assert parse_date_line("Published: Tuesday 17 November 2015 10:37 GMT") == _utc(2015, 11, 17, 10, 37)
    assert parse_date_line("The talks ended on 17 November 2015") is None


@pytest.mark.corpus
def test_gold_pages_and_wire() -> None:
    """On the 22 gold pages, 18 print their date (4 show "3 seconds ago", "1 day ago" or nothing)."""
    pages = page_cases()
    hits = sum(
        scoring.day_of(find_published(c.lines, c.title_at, c.body_at)) == scoring.day_of(c.published)
        for c in pages
    )
    assert len(pages) == 22 and hits >= 18
    wire = wire_cases()
    assert len(wire) >= 210
    assert all(
        scoring.day_of(find_published(c.lines, 0, c.body_at)) == scoring.day_of(c.published) for c in wire
    )


def test_text_lines_form() -> None:
    lines = text_lines("Title\r\n\r\nBy Jane Doe\r\nApril 25, 2023\r\n\r\n" + PARAGRAPH)
    assert find_published(lines, 0, 5) == _utc(2023, 4, 25)


@pytest.mark.parametrize(
    "rest",
    [
        "Tuesday 17 November 2015 10:37 GMT",
        "the 4th of July 2019 at 3 p.m.",
        "Nov. 3, 2015 (+0100)",
        "12th May",
        "May 2019 tomorrow",
        "Mayday 2019",
        "Sunday 1 March 2020 12:00 BST |",
        "The government said on Monday 3 May 2021 that it would act",
        "2019-05-03T10:00",
    ],
)
def test_a_date_line_is_one_scan_of_date_tokens(rest: str) -> None:
    # the one-match test says what deleting every date token and looking for a remainder says
    by_deleting = not dates._DATE_TOKEN.sub("", rest).strip()
    assert (dates._DATE_LINE.fullmatch(rest) is not None) == by_deleting
