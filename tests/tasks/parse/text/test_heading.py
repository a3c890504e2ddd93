from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

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
