from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

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
    at, rows = title_model.ranked(lines, page, probs, body[0])
    assert at == title_model.candidates(body[0]) == tuple(range(body[0]))
    assert rows.shape == (len(at), len(title_model.FEATURE_NAMES))
    assert np.isfinite(rows).all()


def test_the_hand_rules_choice_far_above_the_body_is_a_candidate_with_the_rows_of_its_own_line() -> None:
    near = title_model.candidates(100)
    assert near == tuple(range(100 - title_model.ABOVE, 100))
    assert title_model.candidates(100, 7) == (7, *near)
    assert title_model.candidates(100, 90) == near  # already among them: not twice
    filler = [f"Widget label number {n}" for n in range(title_model.ABOVE + 5)]
    lines = text.text_lines("\n".join([HEADLINE, *filler, *PAGE[8:]]))
    page, probs, body = text.article_block(lines)
    whole = title_model._rows(lines, page, probs, body[0], tuple(range(body[0])), None)
    at = title_model.candidates(body[0], 0)
    rows = title_model._rows(lines, page, probs, body[0], at, None)
    assert at[0] == 0 and rows.shape == (len(at), len(title_model.FEATURE_NAMES))
    assert np.array_equal(rows[0], whole[0])  # read off its own neighbours, not the window's first line
    assert rows[0][title_model.FEATURE_NAMES.index("beyond_the_window")] == 1
    assert not rows[1:, title_model.FEATURE_NAMES.index("beyond_the_window")].any()


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


def test_a_line_sharing_the_body_words_and_a_web_address_are_told_apart() -> None:
    story = "Valley towns flooded after a week of rain"
    lines = text.text_lines("\n".join(["example-news.com", story, "", PARAGRAPH.replace("ministers", story)]))
    page, probs, body = text.article_block(lines)
    at, rows = title_model.ranked(lines, page, probs, body[0])
    share = rows[:, title_model.FEATURE_NAMES.index("body_word_share")]
    address = rows[:, title_model.FEATURE_NAMES.index("web_address")]
    assert [lines[page[k].index] for k in at] == ["example-news.com", story]
    assert share[1] == 1.0 and share[0] < share[1]
    assert address.tolist() == [1.0, 0.0]


def test_a_headline_line_with_a_breadcrumb_run_into_it_gives_way_to_the_page_s_own_line_of_it() -> None:
    glued = f"HomeNews{HEADLINE}"
    lines = text.text_lines("\n".join([glued, HEADLINE, "", PARAGRAPH]))
    page = text.blocks.shapes(lines)
    assert title_model._unglued(lines, page, 0) == 1
    spaced = text.text_lines("\n".join([f"Weather: {HEADLINE}", HEADLINE, "", PARAGRAPH]))
    assert title_model._unglued(spaced, text.blocks.shapes(spaced), 0) == 0  # a kicker printed with a space
    assert title_model._unglued(lines, page, 1) == 1


def test_a_teaser_cutting_the_headline_short_gives_way_to_the_page_s_whole_line_of_it() -> None:
    cut = " ".join(HEADLINE.split()[:5])
    lines = text.text_lines("\n".join([HEADLINE, "Home", "News", f"{cut}...", "", PARAGRAPH]))
    page = text.blocks.shapes(lines)
    assert title_model._uncut(lines, page, 3) == 0
    assert title_model._uncut(lines, page, 0) == 0  # no ellipsis: the line stays
    paragraph = f"{cut} {PARAGRAPH} {PARAGRAPH}"  # a paragraph opening with its words is no headline
    alone = text.text_lines("\n".join([paragraph, "Home", f"{cut}\u2026", "", PARAGRAPH]))
    assert title_model._uncut(alone, text.blocks.shapes(alone), 2) == 2


def test_only_the_candidates_get_rows_when_the_hand_choice_stands_far_above(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    filler = [f"Widget label number {n}" for n in range(title_model.ABOVE + 5)]
    lines = text.text_lines("\n".join([HEADLINE, *filler, *PAGE[8:]]))
    page, probs, body = text.article_block(lines)
    at = title_model.candidates(body[0], 0)
    assert len(at) < body[0]  # lines between the hand choice and the window are no candidates
    expected = title_model._rows(lines, page, probs, body[0], tuple(range(body[0])), 0)[list(at)]
    read: list[str] = []
    shared = title_model._shared
    monkeypatch.setattr(title_model, "_shared", lambda line, words: read.append(line) or shared(line, words))
    rows = title_model._rows(lines, page, probs, body[0], at, 0)
    assert len(read) == len(at)  # one row per candidate, none for the lines between
    assert np.array_equal(rows, expected)


STANDFIRST = (
    "Rivers burst their banks overnight and hundreds of homes in three towns had to be left by their owners"
)


def _over_standfirst() -> tuple[list[str], list, tuple[int, ...]]:
    lines = text.text_lines("\n".join(["Home", "Weather", HEADLINE, STANDFIRST, "", PARAGRAPH, PARAGRAPH]))
    page, _, body = text.article_block(lines)
    return lines, page, title_model.candidates(body[0])


def test_a_longer_line_right_under_a_headline_shaped_line_may_be_its_standfirst() -> None:
    lines, page, at = _over_standfirst()
    shown = [lines[page[k].index] for k in at]
    assert shown[-2:] == [HEADLINE, STANDFIRST]
    j = len(at) - 1
    assert title_model.standfirst_under(lines, page, at, j) == j - 1
    assert title_model.standfirst_under(lines, page, at, j - 1) is None  # "Weather" is no headline over it
    assert title_model.standfirst_under(lines, page, at, 0) is None


def test_a_kicker_over_a_headline_is_not_a_headline_over_its_standfirst() -> None:
    lines = text.text_lines("\n".join(["Home", "Storm warning", HEADLINE, "", PARAGRAPH, PARAGRAPH]))
    page, _, body = text.article_block(lines)
    at = title_model.candidates(body[0])
    assert title_model.standfirst_under(lines, page, at, len(at) - 1) is None


def test_the_choice_takes_the_headline_over_a_standfirst_scored_within_the_margin() -> None:
    shipped = title_model.shipped_model()
    rows = np.zeros((3, len(title_model.FEATURE_NAMES)))
    scores = shipped.scores(rows)
    assert np.allclose(scores, scores[0])
    over = {2: 1}.get  # the third candidate stands right under the second, a headline
    bumped = rows.copy()
    column = int(np.argmax(np.abs(shipped.classifier.weights)))
    weight = shipped.classifier.weights[column] / shipped.classifier.scale[column]
    bumped[2, column] = 0.1 / weight  # the standfirst scores 0.1 above the headline
    margin = dataclasses.replace(shipped, standfirst_margin=0.5)
    assert margin.choice(bumped, over) == 1
    assert dataclasses.replace(shipped, standfirst_margin=0.05).choice(bumped, over) == 2
    assert dataclasses.replace(shipped, standfirst_margin=0.0).choice(bumped, over) == 2
    assert margin.choice(bumped, lambda j: None) == 2


def test_the_margin_reads_back_from_the_model_file_and_defaults_to_off() -> None:
    data = json.loads(json.dumps(dataclasses.asdict(title_model.shipped_model())))
    assert title_model.TitleModel.from_json(data).standfirst_margin == data["standfirst_margin"]
    del data["standfirst_margin"]
    assert title_model.TitleModel.from_json(data).standfirst_margin == 0.0
