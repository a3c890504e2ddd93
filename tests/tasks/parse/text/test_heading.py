from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.parse import text
from tasks.parse.text import blocks, heading
from tasks.parse.text.heading import _digits

PARAGRAPH = "The ministers agreed on Monday to share more intelligence, officials said after the meeting."
HEADLINE = "Storm floods the valley towns after a week of rain"
SUBHEAD = "Rescue crews reach the last stranded village"


def _page(share_lines: int) -> list[str]:
    share = [f"Share this story: {HEADLINE}"] * share_lines
    return [
        "Home",
        *share,
        HEADLINE,
        "",
        PARAGRAPH,
        "Trending",
        "Advertisement",
        SUBHEAD,
        "",
        PARAGRAPH,
        PARAGRAPH.replace("Monday", "Tuesday"),
        f"{HEADLINE} Back to video" if share_lines else "Comments",
    ]


def _headline(lines: list[str]) -> str:
    page = blocks.shapes(lines)
    body_first = next(k for k, s in enumerate(page) if lines[s.index] == SUBHEAD) + 1
    found = heading.headline_at(lines, page, body_first)
    assert found is not None
    return lines[page[found].index]


def test_headline_the_page_quotes_elsewhere_beats_a_subhead_next_to_the_body() -> None:
    assert _headline(_page(share_lines=2)) == HEADLINE


def test_without_quotes_the_line_next_to_the_body_stays_the_headline() -> None:
    assert _headline(_page(share_lines=0)) == SUBHEAD


def _teaser_page(same_template: bool) -> list[str]:
    second = "Desk Staff - May 3, 2024 4" if same_template else "Photos by the Desk Staff team, May 3"
    return [
        "Login",
        "Port strike halts grain exports for a third day",
        "Desk Staff",
        "May 2, 2024",
        "Subscribe today to read on.",
        "Bridge repairs close the river crossing until June",
        "Desk Staff - May 3, 2024 2",
        "Drivers face long detours while crews replace the worn steel joints, the city said on Friday.",
        "Farmers count the cost of the late spring frost",
        second,
        "Growers in the valley lost much of their blossom in two cold nights, the farmers' union said.",
        "About us",
    ]


def _layout_headline(lines: list[str]) -> str:
    page = blocks.shapes(lines)
    title = next(k for k, s in enumerate(page) if lines[s.index].startswith("Bridge"))
    top = heading.teaser_list_top(lines, page, title, [title + 2])
    found = title if top is None else heading.headline_at(lines, page, top)
    assert found is not None
    return lines[page[found].index]


def test_an_item_of_a_teaser_list_gives_way_to_the_headline_above_the_list() -> None:
    assert (
        _layout_headline(_teaser_page(same_template=True))
        == "Port strike halts grain exports for a third day"
    )


def test_an_article_followed_by_a_differently_printed_item_keeps_its_headline() -> None:
    assert _layout_headline(_teaser_page(same_template=False)).startswith("Bridge")


def _headline_over(*header: str) -> str:
    """The headline headline_at finds in a small page: a menu, the header lines, then three paragraphs."""
    lines = ["Home", "World", *header, PARAGRAPH, PARAGRAPH.replace("Monday", "Tuesday"), PARAGRAPH]
    page = blocks.shapes(lines)
    found = heading.headline_at(lines, page, 2 + len(header))
    assert found is not None
    return lines[page[found].index]


def test_a_breadcrumb_ending_with_the_headline_is_not_taken_over_it() -> None:
    assert _headline_over(f"Home News World News {HEADLINE}", HEADLINE, "May 3, 2024") == HEADLINE


def test_a_caption_with_its_credit_in_brackets_is_not_the_headline() -> None:
    caption = (
        "Rescue crews wade through the flooded main street of the valley town on Sunday. (Jane Doe/Reuters)"
    )
    assert (
        _headline_over("The Flood Clock", "By Jane Doe", "May 3, 2024 6:30 AM", caption) == "The Flood Clock"
    )


def test_interface_text_cut_before_its_value_is_not_the_headline() -> None:
    assert _headline_over(
        "Sign In", "You are signed in as", HEADLINE.replace(" a ", " one "), "Updated May 3"
    ) == (HEADLINE.replace(" a ", " one "))


@given(st.text(max_size=40) | st.from_regex(r"[a-z0-9 :/-]{0,40}", fullmatch=True))
def test_digits_are_counted_in_any_script(line: str) -> None:
    assert _digits(line) == sum(ch.isdigit() for ch in line)


@pytest.mark.parametrize(
    ("line", "headline"),
    [
        ("Home / World / 2024 / Storm floods the valley towns", "Storm floods the valley towns"),
        ("Home  »  Weather  »  Storm floods the valley towns", "Storm floods the valley towns"),
        ("Home › Local news › Valley floods", "Valley floods"),
        ("3h ago Storm floods the valley towns", "Storm floods the valley towns"),
        ("Storm floods the valley towns · 15 mins ago", "Storm floods the valley towns"),
        ("STORM WARNING Rain floods the valley towns", "Rain floods the valley towns"),
        ("03.04.2024Storm floods the valley towns", "Storm floods the valley towns"),
        ("2024-04-03Storm floods the valley towns", "Storm floods the valley towns"),
        # a headline's own separators, acronyms and words are left alone
        ("Either / or / both: how voters choose", "Either / or / both: how voters choose"),
        ("Mayor: Roads / Bridges / Ports", "Mayor: Roads / Bridges / Ports"),
        ("NASA launches a new rocket today", "NASA launches a new rocket today"),
        ("US FDA Approves New Drug", "US FDA Approves New Drug"),
        ("STORM FLOODS THE VALLEY TOWNS", "STORM FLOODS THE VALLEY TOWNS"),
        ("The 3 days ago problem of clocks", "The 3 days ago problem of clocks"),
        ("2h ago Floods", "2h ago Floods"),  # too little left for a headline
        ("03.04.2024 - Storm floods the valley towns", "03.04.2024 - Storm floods the valley towns"),
    ],
)
def test_what_is_glued_to_a_headline_is_stripped_by_its_shape(line: str, headline: str) -> None:
    assert heading.without_glued(line) == headline


def test_the_page_parse_writes_the_headline_without_its_breadcrumb() -> None:
    paragraph = "The ministers agreed on Monday to share more intelligence, officials said after the meeting."
    page = ["Home", "News", "Home / News / Storm floods the valley towns", "By Jane Doe", "", paragraph]
    page += [paragraph.replace("Monday", day) for day in ("Tuesday", "Wednesday")]
    article = text.parse_article("\n".join([*page, "Related stories", "Sport"]))
    assert article.title == "Storm floods the valley towns"


@pytest.mark.parametrize("line", ["27. September 2018", "Fr, 18. October 2019", "3rd May 2020"])
def test_a_day_printed_with_a_full_stop_before_its_month_is_a_date_line(line: str) -> None:
    assert heading.is_header_furniture(line)
