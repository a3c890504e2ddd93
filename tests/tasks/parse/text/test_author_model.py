from __future__ import annotations

import json

import numpy as np
import pytest

from tasks.parse import text
from tasks.parse.text import author_model

PARAGRAPH = (
    "The ministers agreed on Monday to pool part of their budgets for joint purchases, officials said, "
    "after two days of talks that ran late into the night in the capital."
)


def _page(*header: str, after: tuple[str, ...] = ()) -> tuple[list[str], int, tuple[int, ...]]:
    """(lines, headline, body lines) of a small page: a menu, the headline, header lines, the body."""
    lines = ["Home", "World", "Ministers agree a defence plan", *header, PARAGRAPH, *after]
    return lines, 2, tuple(range(3 + len(header), len(lines)))


def _authors(*header: str, after: tuple[str, ...] = ()) -> tuple[str, ...]:
    return author_model.authors(*_page(*header, after=after))


@pytest.mark.parametrize(
    ("header", "authors"),
    [
        (("By Jane Doe",), ("Jane Doe",)),
        (("Von Max Mustermann",), ("Max Mustermann",)),
        (("Par Jean Dupont",), ("Jean Dupont",)),
        (("Por Juan Pérez", "12 de marzo de 2024"), ("Juan Pérez",)),
        (("Di Mario Rossi",), ("Mario Rossi",)),
        (("Von:", "Erika Mustermann"), ("Erika Mustermann",)),
        (("Autor", "", "Erika Mustermann"), ("Erika Mustermann",)),
        (("Jane Doe", "Staff Writer"), ("Jane Doe",)),
        (("By Jane Doe and John Roe",), ("Jane Doe", "John Roe")),
    ],
)
def test_a_marked_or_supported_byline_of_any_language_is_read(
    header: tuple[str, ...], authors: tuple[str, ...]
) -> None:
    assert _authors(*header) == authors


@pytest.mark.parametrize(
    "header",
    [
        (),
        ("Von Berlin nach Rom",),  # a marker word opening a phrase that names no one
        ("Car Reviews", "December 18, 2015"),
        ("United States", "November 19, 2019 / 12:21 AM"),
    ],
)
def test_a_header_without_a_byline_names_no_one(header: tuple[str, ...]) -> None:
    assert _authors(*header) == ()


def test_every_reading_gets_one_finite_row_and_the_hand_reading_is_among_them() -> None:
    lines, title_at, body = _page("Von Max Mustermann", "Jane Doe", "Staff Writer")
    found = author_model.readings(lines, title_at, body)
    rows = author_model.features(lines, title_at, body, found)
    assert rows.shape == (len(found), len(author_model.FEATURE_NAMES)) and np.isfinite(rows).all()
    assert {r.names for r in found} >= {("Max Mustermann",), ("Jane Doe",)}
    hand = [r for r in found if r.hand_kind is not None]
    assert [r.names for r in hand] == [("Jane Doe",)]  # the hand rules know "By" but not "Von"
    marked = rows[:, author_model.FEATURE_NAMES.index("any_marker")]
    assert marked[[r.names for r in found].index(("Max Mustermann",))] == 1


def test_names_glued_to_a_role_or_a_date_are_split_off() -> None:
    lines, title_at, body = _page("Jane DoeReporter", "Max Mustermann12.03.2024")
    names = {r.names for r in author_model.readings(lines, title_at, body)}
    assert {("Jane Doe",), ("Max Mustermann",)} <= names


def test_the_parser_writes_the_ranker_s_choice_and_a_page_without_header_lines_gets_none() -> None:
    menu = ["Home", "World", "Sport", "Subscribe"]
    page = "\n".join([*menu, "Ministers agree a defence plan", "Von Max Mustermann", PARAGRAPH, PARAGRAPH])
    assert text.parse_article(page).authors == ("Max Mustermann",)
    assert author_model.authors([], 0, ()) == ()
    assert author_model.authors([PARAGRAPH], 0, (0,)) == ()


def test_a_model_file_of_other_features_is_refused() -> None:
    data = json.loads(json.dumps({"features": ["x"], "classifier": {}, "none_cut": 0.5}))
    with pytest.raises(ValueError, match="train_authors"):
        author_model.AuthorModel.from_json(data)
