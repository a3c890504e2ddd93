from __future__ import annotations

import pytest

from bench import scoring


def test_normal_folds_quotes_space_case_and_a_trailing_stop() -> None:
    assert (
        scoring.normal("  \u201cFed\u2019s   Move\u201d Shocks ＭARKETS. ") == '"fed\'s move" shocks markets'
    )


def test_authors_compare_as_a_set_of_normal_names() -> None:
    assert scoring.author_set(["Jane  Doe", "JOHN ROE."]) == scoring.author_set(["john roe", "jane doe"])


def test_a_date_is_the_gold_value_own_calendar_date() -> None:
    assert str(scoring.day_of("2023-04-25T23:30:00-04:00")) == "2023-04-25"
    assert scoring.day_of(None) is None


def test_body_precision_and_recall_are_over_token_bags() -> None:
    precision, recall = scoring.body_scores("the cat the menu", "The cat sat")
    assert (precision, recall) == (0.5, pytest.approx(2 / 3))


def test_a_page_not_written_scores_zero_on_every_field_it_has_gold_for() -> None:
    gold = [
        {
            "doc": "a",
            "title": "A title",
            "authors": ["X"],
            "published_at": "2020-01-02T00:00:00+00:00",
            "body": "w",
        },
        {"doc": "b", "title": "B", "body": "one two"},
    ]
    found = {"a": {"title": "a TITLE.", "authors": ["x"], "published_at": None, "body": "w"}}
    figures = scoring.score(found, gold).figures()
    assert figures["written"] == 1 and figures["pages"] == 2
    assert figures["title"] == 0.5 and figures["authors"] == 1.0 and figures["date"] == 0.0
    assert figures["body_precision"] == 0.5 and figures["body_recall"] == 0.5 and figures["body_f1"] == 0.5


def test_a_space_before_a_colon_or_a_question_mark_does_not_make_another_headline() -> None:
    assert scoring.normal("Storm : the toll rises ?") == scoring.normal("Storm: the toll rises?")
    assert scoring.normal("Storm: the toll") != scoring.normal("Storm the toll")
