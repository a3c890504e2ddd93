from __future__ import annotations

from tasks.parse import blocks, heading

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
