"""The text date ranker (tasks.parse.text.date_model): its candidates, the none choice, and the dates it must
not take (a photo caption's, one the article's prose mentions). Pages are made up from general shapes."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from tasks.parse.stamps import page_stamps
from tasks.parse.text import date_model
from tasks.parse.text.blocks import Logistic

PROSE = (
    "The council voted late in the evening to approve the plan, which sets aside more money for schools, "
    "roads and the upkeep of the old harbour, after a debate that ran for most of the afternoon session."
)
MORE = (
    "Members of the opposition said the plan came too late and asked for a review of the costs before any "
    "work begins, while the mayor promised that the first contracts would be signed within a few weeks."
)


def _page(
    header: list[str], body: list[str], footer: tuple[str, ...] = ()
) -> tuple[list[str], int, list[int]]:
    """(lines, the headline's index, the body's indices) of a page: a menu, a headline, `header` lines under
    it, the body's paragraphs with blank lines between them, then `footer`."""
    lines = ["Home | News | Sport | Culture", "", "Council approves the harbour plan", *header, ""]
    at = []
    for paragraph in body:
        at.append(len(lines))
        lines += [paragraph, ""]
    return [*lines, *footer], 2, at


def _published_at(
    lines: list[str], title: int, body: list[int], language: str, model: date_model.DateModel | None = None
) -> datetime | None:
    """The UTC instant of the date the ranker chooses, or None."""
    chosen = date_model.published(lines, title, body, language, model)
    return chosen.when if chosen else None


@pytest.mark.parametrize(
    ("line", "language", "day"),
    [
        ("14 March 2022", "en", date(2022, 3, 14)),
        ("March 14th, 2022 at 9:30 am", "en", date(2022, 3, 14)),
        ("Veröffentlicht am 3. März 2021, 14:05 Uhr", "de", date(2021, 3, 3)),
        ("Publié le 5 février 2020 à 08h00", "fr", date(2020, 2, 5)),
        ("Publicado el 14 de marzo de 2022", "es", date(2022, 3, 14)),
        ("2021年3月14日 10:00", "ja", date(2021, 3, 14)),
        ("2019. május 7. 12:30", "hu", date(2019, 5, 7)),
        ("12.03.2021", "de", date(2021, 3, 12)),  # day first where the language writes the day first
        ("03/12/2021", "en", date(2021, 12, 3)),
        ("2022-03-14T09:30:00+01:00", "en", date(2022, 3, 14)),
    ],
)
def test_dates_in_the_forms_of_many_languages_are_read(line: str, language: str, day: date) -> None:
    assert [s.when.date() for s in page_stamps(line, language)] == [day]


@pytest.mark.parametrize(
    "line", ["3 hours ago", "Updated yesterday", "March 14", "Version 2.3.19", "1,000 in 2022"]
)
def test_no_full_date_is_no_candidate(line: str) -> None:
    lines, title, body = _page([line], [PROSE, MORE])
    assert date_model.candidates(lines, body, "en") == ()
    assert _published_at(lines, title, body, "en") is None


def test_the_header_date_is_chosen_over_the_dates_the_prose_mentions() -> None:
    prose = f"The agreement signed on 3 January 2019 was extended on Monday. {PROSE}"
    lines, title, body = _page(["By Jane Roe", "Published 14 March 2022 09:30 GMT"], [prose, MORE])
    found = date_model.candidates(lines, body, "en")
    assert [c.stamp.when.date() for c in found] == [date(2022, 3, 14)]  # the prose's date is none
    assert _published_at(lines, title, body, "en") == datetime(2022, 3, 14, 9, 30, tzinfo=UTC)


def test_a_date_only_the_prose_mentions_is_not_the_page_s() -> None:
    prose = f"Work on the old bridge, which opened on 3 January 1999, will start again next month. {PROSE}"
    lines, title, body = _page([], [prose, MORE])
    assert _published_at(lines, title, body, "en") is None


def test_a_dateline_opening_the_body_is_a_candidate() -> None:
    lines, title, body = _page([], [f"LISBON, 14 March 2022 - {PROSE}", MORE])
    assert _published_at(lines, title, body, "en") == datetime(2022, 3, 14, tzinfo=UTC)


def test_a_photo_caption_s_date_is_no_candidate() -> None:
    caption = "Boats in the harbour on 2 May 2021"
    photo = [caption, f"{caption} JANE ROE / AFP"]  # a caption over its credit line, which repeats it
    lines, title, body = _page(["Published 14 March 2022", *photo], [PROSE, MORE])
    assert [c.stamp.when.date() for c in date_model.candidates(lines, body, "en")] == [date(2022, 3, 14)]
    lines, title, body = _page(photo, [PROSE, MORE])
    assert _published_at(lines, title, body, "en") is None  # the caption's day is not the page's


def test_the_none_choice_writes_no_date_when_the_best_scores_below_the_cut() -> None:
    lines, title, body = _page(["Published 14 March 2022"], [PROSE, MORE])
    width = len(date_model.FEATURE_NAMES)
    flat = Logistic((0.0,) * width, (1.0,) * width, (0.0,) * width, 0.0)  # every candidate scores 0.5
    assert _published_at(lines, title, body, "en", date_model.DateModel(flat, 0.6)) is None
    chosen = _published_at(lines, title, body, "en", date_model.DateModel(flat, 0.4))
    assert chosen == datetime(2022, 3, 14, tzinfo=UTC)


def test_reader_comments_dates_are_not_the_article_s() -> None:
    comments = []
    for day in (15, 16, 17):
        comments += [
            "Sam Lee says:",
            f"{day} March 2022 at 10:{day} am",
            "I agree with the plan.",
            "Reply",
            "",
        ]
    header = ["By Jane Roe", "14 March 2022"]
    lines, title, body = _page(header, [PROSE, MORE, PROSE], ("Comments", "", *comments))
    assert len(date_model.candidates(lines, body, "en")) == 4
    assert _published_at(lines, title, body, "en") == datetime(2022, 3, 14, tzinfo=UTC)


def test_the_shipped_model_matches_the_features() -> None:
    model = date_model.shipped_model()
    assert len(model.classifier.weights) == len(date_model.FEATURE_NAMES)
    assert 0.0 < model.none_cut < 1.0


def test_a_publication_word_beside_a_date_in_a_long_line_makes_it_a_candidate() -> None:
    footer = (
        "This entry was posted on 14 March 2022 at 09:30 and is filed under Council, Budget, Harbour, "
        "Schools, Roads and Local News, with the tags plan, vote, mayor, opposition, review, costs."
    )
    mention = footer.replace("posted", "agreed")  # the same line without the word: running text
    for line, days in ((footer, [date(2022, 3, 14)]), (mention, [])):
        lines, _, body = _page([], [PROSE, MORE, line])
        assert [c.stamp.when.date() for c in date_model.candidates(lines, body, "en")] == days


def test_a_date_a_standfirst_or_caption_sentence_mentions_is_no_candidate() -> None:
    standfirst = (
        "Talks on the new treaty began on Monday, 3 March 2025, at the council's seat in the capital. "
        "(Photo: Jane Roe / Example Agency)"
    )
    lines, _, body = _page([standfirst, "Published 14 March 2025"], [PROSE, MORE])
    assert [c.stamp.when.date() for c in date_model.candidates(lines, body, "en")] == [date(2025, 3, 14)]


def test_a_banner_s_date_above_the_headline_is_marked_as_the_page_s_latest_day_above_it() -> None:
    lines, title, body = _page(["Published 14 March 2022"], [PROSE, MORE])
    lines = ["Thursday, 17 March 2022", *lines]  # the site's banner prints today's date above the menu
    title, body = title + 1, [i + 1 for i in body]
    found = date_model.candidates(lines, body, "en")
    column = date_model.FEATURE_NAMES.index("latest_above_title")
    rows = date_model.features(lines, title, body, found)
    assert [c.stamp.day for c in found] == [date(2022, 3, 17), date(2022, 3, 14)]
    assert rows[:, column].tolist() == [1.0, 0.0]
    assert _published_at(lines, title, body, "en") == datetime(2022, 3, 14, tzinfo=UTC)


def test_a_page_printing_its_own_script_s_digits_has_its_date_read() -> None:
    footer = ("© 2010-2021 Example News",)  # a year in ASCII digits elsewhere on the page
    lines, _, body = _page(["শনিবার, আগস্ট ২৯, ২০২০ | ১০:৪৬"], [PROSE, MORE], footer)
    assert [c.stamp.day for c in date_model.candidates(lines, body, "bn")] == [date(2020, 8, 29)]


def test_a_short_line_in_the_body_that_says_who_wrote_it_when_is_a_candidate() -> None:
    lines, _, body = _page([], [PROSE, "Geschrieben von Jane am 25.08.2015 22:30 (1599 x gelesen)", MORE])
    assert [c.stamp.day for c in date_model.candidates(lines, body, "de")] == [date(2015, 8, 25)]


def test_dates_printed_in_one_template_are_counted_as_a_list() -> None:
    events = [f"Meeting: {day}.04.2022, 19:00" for day in (2, 9, 16)]  # a list of events, alike
    lines, title, body = _page(["Published 14 March 2022", *events], [PROSE, MORE])
    found = date_model.candidates(lines, body, "en")
    column = date_model.FEATURE_NAMES.index("log_same_shape")
    rows = date_model.features(lines, title, body, found)
    assert [c.stamp.day.day for c in found] == [14, 2, 9, 16]
    assert rows[:, column].tolist() == pytest.approx([0.0, *[math.log1p(2)] * 3])


def test_a_banner_s_weekday_date_far_above_and_a_later_reply_s_date_are_marked() -> None:
    replies = ["Sam Lee", "18 March 2022 at 10:15 am", "I agree with the plan."]
    lines, title, body = _page(["Published 14 March 2022"], [PROSE, MORE], ("", *replies))
    menu = ["Thursday, 17 March 2022", "Weather", "Sport", "Culture", "Travel"]  # today's date over the menu
    lines, title, body = [*menu, *lines], title + len(menu), [i + len(menu) for i in body]
    found = date_model.candidates(lines, body, "en")
    rows = date_model.features(lines, title, body, found)
    far, later = (date_model.FEATURE_NAMES.index(n) for n in ("weekday_far_above", "later_than_head"))
    assert [c.stamp.day.day for c in found] == [17, 14, 18]
    assert rows[:, far].tolist() == [1.0, 0.0, 0.0]
    assert rows[:, later].tolist() == [1.0, 0.0, 1.0]
    assert _published_at(lines, title, body, "en") == datetime(2022, 3, 14, tzinfo=UTC)
    near = [*menu[1:], menu[0], *lines[len(menu) :]]  # the weekday date right above the headline is no banner
    found = date_model.candidates(near, [i for i in body], "en")
    assert date_model.features(near, title, body, found)[:, far].tolist() == [0.0, 0.0, 0.0]
