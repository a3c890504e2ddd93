from __future__ import annotations

import numpy as np

from tasks.parse import text
from tasks.parse.text import title_model

PARAGRAPH = "The ministers agreed on Monday to share more intelligence, officials said after the meeting."
HEADLINE = "Storm floods the valley towns after a week of rain"
PAGE = [
    "Home",
    "News",
    "Sport",
    "Weather",
    "3 shares 12 comments",
    HEADLINE,
    "By Jane Doe",
    "March 3, 2024",
    "",
    PARAGRAPH,
    PARAGRAPH.replace("Monday", "Tuesday"),
    PARAGRAPH.replace("Monday", "Wednesday"),
    "Related stories",
]


def test_every_candidate_above_the_body_gets_one_row_of_every_feature() -> None:
    lines = text.text_lines("\n".join(PAGE))
    page, probs, body = text.article_block(lines)
    rows = title_model.features(lines, page, probs, body[0])
    assert rows.shape == (len(title_model.candidates(body[0])), len(title_model.FEATURE_NAMES))
    assert np.isfinite(rows).all()


def test_the_shipped_ranker_picks_the_headline_over_the_byline_date_menu_and_counter() -> None:
    lines = text.text_lines("\n".join(PAGE))
    page, probs, body = text.article_block(lines)
    assert lines[page[title_model.headline_at(lines, page, probs, body[0])].index] == HEADLINE
    assert text.parse_article("\n".join(PAGE)).title == HEADLINE


def test_nothing_above_the_body_is_no_headline() -> None:
    assert not title_model.candidates(0)
    lines = [PARAGRAPH]
    page, probs, _ = text.article_block(lines)
    assert title_model.headline_at(lines, page, probs, 0) is None
