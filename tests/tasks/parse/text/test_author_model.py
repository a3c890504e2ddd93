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


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("12.03.2024 Max Mustermann", "Max Mustermann"),  # a date, then the name, no separator
        ("12.03.2024, 09:15 Uhr von Max Mustermann", "Max Mustermann"),  # a marker inside a capitalised run
        ("Notiz von Erika von Musterfrau", "Erika von Musterfrau"),
        ("By Jane Doe/March 3, 2021 10:00 am EST", "Jane Doe"),  # the date glued on with a slash
        ("Verfasst vonErika Musterfrau", "Erika Musterfrau"),  # the marker glued onto the name
    ],
)
def test_a_name_after_a_date_a_marker_or_glued_markup_is_read(line: str, name: str) -> None:
    lines, title_at, body = _page(line)
    assert (name,) in {r.names for r in author_model.readings(lines, title_at, body)}


def test_what_follows_a_span_is_told_apart() -> None:
    def spans(line: str) -> dict[tuple[str, ...], author_model.Reading]:
        return {r.names: r for r in author_model._span_readings(line, 0)}

    assert spans("Jane Doe Science Correspondent, in Lisbon")[("Jane Doe",)].after == 1  # a job title
    assert spans("Jane Doe, UK chief economist at Example Bank, said")[("Jane Doe",)].after == 3  # a sentence
    assert spans("von Max Mustermann am 3. März 2021, 14:14 Uhr")[("Max Mustermann",)].after == 2  # a date
    assert spans("Jane Doe Updated 3 hours ago")[("Jane Doe",)].after == 2  # a date's label
    assert spans("By Jane Doe, John Roe and Erika Musterfrau")[("Jane Doe",)].more  # the list goes on
    assert not spans("By Jane Doe in Lisbon")[("Jane Doe",)].more


def test_furniture_words_and_a_marked_list_have_their_own_columns() -> None:
    lines, title_at, body = _page("By Jane Doe, John Roe and Erika Musterfrau", "Suche Kommentare")
    found = author_model.readings(lines, title_at, body)
    rows = author_model.features(lines, title_at, body, found)
    names = ("furniture_word", "log_people_marked")
    column = {n: rows[:, author_model.FEATURE_NAMES.index(n)] for n in names}
    by_names = {r.names: k for k, r in enumerate(found)}
    assert column["log_people_marked"][by_names[("Jane Doe", "John Roe", "Erika Musterfrau")]] > 1
    assert column["furniture_word"][by_names[("Suche Kommentare",)]] == 1  # a name-shaped furniture line
    assert column["furniture_word"][by_names[("Jane Doe", "John Roe", "Erika Musterfrau")]] == 0


def test_a_name_s_repeats_and_its_common_words_are_read_off_the_page() -> None:
    # the byline and the signature share the name: its repeats are counted once and given to both
    garden = "Volunteers planted a rose garden by the station, and the council agreed to pay for its upkeep."
    lines, title_at, body = _page("By Amber Rose", after=(garden, "Amber Rose"))
    found = author_model.readings(lines, title_at, body)
    rows = author_model.features(lines, title_at, body, found)
    column = {n: rows[:, author_model.FEATURE_NAMES.index(n)] for n in ("log_repeats", "words_seen_lower")}
    amber = [k for k, r in enumerate(found) if r.names == ("Amber Rose",)]
    assert len({found[k].line for k in amber}) == 2
    assert all(column["log_repeats"][k] == pytest.approx(np.log1p(1)) for k in amber)  # printed twice
    assert all(column["words_seen_lower"][k] == 0.5 for k in amber)  # "rose" runs in the text, "amber" not


@pytest.mark.parametrize(
    "word", ["rose", "ros", "roses", "garden", "amber", "o'neil", "ann", "Rose", "", "x2"]
)
def test_a_common_word_is_one_of_the_opening_s_lower_case_words(word: str) -> None:
    # found with str.find, it must agree with listing the text's words: whole words only, letters only
    text = "Primrose and roses_rose2 lined the Rose Garden;\nann's café-garden, Xrose, ros"
    listed = {w for w in author_model._WORD.findall(text) if w.islower()}
    assert author_model._common_word(text, word) == (word in listed)


def test_a_line_s_own_columns_are_measured_once_for_all_its_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    lines, title_at, body = _page("Jane Doe Updated 3 hours ago", "By John Roe and Max Mustermann")
    found = author_model.readings(lines, title_at, body)
    expected = author_model.features(lines, title_at, body, found)
    assert len(found) > len({r.line for r in found})  # a line read more ways than one
    measured: list[int] = []
    line_columns = author_model._line_columns
    monkeypatch.setattr(author_model, "_line_columns", lambda *a: measured.append(a[1]) or line_columns(*a))
    where = author_model.zones(lines, title_at, body)
    rows = author_model.features(lines, title_at, body, found, where)
    assert sorted(measured) == sorted({r.line for r in found})
    assert np.array_equal(rows, expected)  # the page's zones given or read: the same rows


def test_a_word_that_opens_no_run_of_capitalised_words_is_not_read_as_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = "the final was moved to a later date, said Jane Doe on the day"
    expected = author_model._span_readings(line, 0)
    started: list[str] = []
    run = author_model._run
    monkeypatch.setattr(author_model, "_run", lambda words, k: started.append(words[k]) or run(words, k))
    assert author_model._span_readings(line, 0) == expected
    assert started and all(word[:1].isupper() for word in started)


def _column(
    name: str, lines: list[str], title_at: int, body: tuple[int, ...]
) -> dict[tuple[str, ...], float]:
    """names -> the feature `name` of their reading on the page (the first reading of those names)."""
    found = author_model.readings(lines, title_at, body)
    rows = author_model.features(lines, title_at, body, found)
    column = rows[:, author_model.FEATURE_NAMES.index(name)]
    return {r.names: column[k] for k, r in reversed(list(enumerate(found)))}


def test_a_photo_credit_has_its_column_and_does_not_win_over_the_byline() -> None:
    page = _page("Jane Doe, @janedoe", "7m ago", "Share", "John Roe via Getty Images")
    credit = _column("photo_credit", *page)
    assert credit[("John Roe",)] == 1 and credit[("Jane Doe",)] == 0
    assert author_model.authors(*page) == ("Jane Doe",)


def test_an_agency_s_common_words_are_not_read_as_a_person_s() -> None:
    opening = "The agency said the press conference was cancelled, and the ministers left the capital."
    lines, title_at, body = _page("The Associated Press", after=(opening,))
    assert _column("words_seen_lower", lines, title_at, body)[("The Associated Press",)] == 0
    assert _column("common_word", lines, title_at, body)[("The Associated Press",)] == 0


def test_a_long_marked_list_is_read_whole_and_weighs_as_two_names() -> None:
    people = ("Jane Doe", "John Roe", "Max Mustermann", "Erika Musterfrau", "Juan Pérez")
    page = _page(f"By {', '.join(people[:-1])} & {people[-1]}")
    assert author_model.authors(*page) == people
    marked = _column("log_people_marked", *page)
    assert marked[people] == pytest.approx(np.log1p(2))  # one or several names, not how many


def test_a_list_of_name_lines_leaves_furniture_out_and_a_name_ends_before_a_marker() -> None:
    lines, title_at, body = _page("Jane Doe", "Leave A Comment", "John Roe")
    names = {r.names for r in author_model.readings(lines, title_at, body)}
    assert ("Jane Doe", "John Roe") in names and not any(len(n) == 3 for n in names)
    lines, title_at, body = _page("Kultur Von", "Erika Musterfrau")
    names = {r.names for r in author_model.readings(lines, title_at, body)}
    assert ("Erika Musterfrau",) in names and ("Kultur Von",) not in names


def test_a_name_in_capitals_run_onto_the_next_word_is_split_off() -> None:
    lines, title_at, body = _page("JANE DOEToday, 02-11-2023 13:29")
    assert ("JANE DOE",) in {r.names for r in author_model.readings(lines, title_at, body)}
