from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tasks.parse.stamps import page_stamps, stamps


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("April 25, 2023 2:26 PM GMT+2", _utc(2023, 4, 25, 12, 26)),
        ("Published 3:45 PM EDT, Tue April 25, 2023", _utc(2023, 4, 25, 19, 45)),
        ("25 April 2023", _utc(2023, 4, 25)),
        ("25/04/2023", _utc(2023, 4, 25)),
        ("2023-04-25T14:26:00Z", _utc(2023, 4, 25, 14, 26)),
        ("2023-04-25T16:26:00+02:00", _utc(2023, 4, 25, 14, 26)),
        ("2023-04-25 14:26 +0100", _utc(2023, 4, 25, 13, 26)),
        ("Nov. 19, 2019 8:03 am ET", _utc(2019, 11, 19, 13, 3)),  # ET in November is EST, -5
        ("April 25, 2023 8:03 am ET", _utc(2023, 4, 25, 12, 3)),  # ... and EDT, -4, in April
        ("Sat 24 Feb 2024 12.42 CET", _utc(2024, 2, 24, 11, 42)),
        ("17:41 JST, October 13, 2024", _utc(2024, 10, 13, 8, 41)),
        ("PUBLISHED FRI, APR 28 20232:23 PM EDT", _utc(2023, 4, 28, 18, 23)),  # spans glued by the copy
        ("May 2, 2024 at 9:00 a.m. PT", _utc(2024, 5, 2, 16, 0)),
        ("Tuesday 17 November 2015 10:37 GMT", _utc(2015, 11, 17, 10, 37)),
        ("11/18/2019 11:04 PM EST", _utc(2019, 11, 19, 4, 4)),  # a US zone: month first
        ("3rd of March 2021", _utc(2021, 3, 3)),
        ("19 November 2019 • 1:16pm", _utc(2019, 11, 19, 13, 16)),
        ("Nov 20 2019, 15:24pm IST", _utc(2019, 11, 20, 9, 54)),
        ("April 25th, 2023 12:05 AM", _utc(2023, 4, 25, 0, 5)),
    ],
)
def test_forms_pages_print(line: str, when: datetime) -> None:
    assert [s.when for s in stamps(line)] == [when]


@pytest.mark.parametrize(
    "line", ["April 25", "3 hours ago", "31/02/2023", "Call 555-2023 today", "2:26 PM GMT+2"]
)
def test_no_full_date_no_stamp(line: str) -> None:
    assert stamps(line) == ()


def test_spans_and_order() -> None:
    line = "08:39, 06 Jan 2026Updated 08:41, 06 Jan 2026"
    found = stamps(line)
    assert [line[s.start : s.end] for s in found] == ["08:39, 06 Jan 2026", "08:41, 06 Jan 2026"]
    assert [s.when for s in found] == [_utc(2026, 1, 6, 8, 39), _utc(2026, 1, 6, 8, 41)]


@pytest.mark.parametrize(
    ("line", "when", "day"),
    [
        ("Published Nov. 8, 2023, 10:28 p.m. ET", _utc(2023, 11, 9, 3, 28), date(2023, 11, 8)),
        ("17:41 JST, October 13, 2024", _utc(2024, 10, 13, 8, 41), date(2024, 10, 13)),
        ("Oct 3, 2020, 01:02 IST", _utc(2020, 10, 2, 19, 32), date(2020, 10, 3)),
        ("25 April 2023", _utc(2023, 4, 25), date(2023, 4, 25)),
    ],
)
def test_the_day_printed_is_kept_beside_the_utc_instant(line: str, when: datetime, day: date) -> None:
    (stamp,) = stamps(line)
    assert (stamp.when, stamp.day) == (when, day)


def test_a_word_after_the_time_is_no_zone() -> None:
    (stamp,) = stamps("April 25, 2023 2:26 PM in Paris")
    assert stamp.when == _utc(2023, 4, 25, 14, 26)


@pytest.mark.parametrize(
    ("line", "language", "when"),
    [
        ("MARCH 3, 2021", "en", _utc(2021, 3, 3)),
        ("3 mars 2021", "fr", _utc(2021, 3, 3)),
        ("15 Mayıs 2020", "tr", _utc(2020, 5, 15)),
        ("15 MAYIS 2020", "tr", _utc(2020, 5, 15)),  # "I" pairs with "ı" ignoring case
        ("5 EKİM 2020", "tr", _utc(2020, 10, 5)),  # "İ" lower-cases to two characters
        ("12 ΣΕΠΤΕΜΒΡΊΟΥ 2021", "el", _utc(2021, 9, 12)),
        ("Jan 5, 2021", "de", _utc(2021, 1, 5)),  # English month names in every language
        ("03/05/202103/05/2021", "fr", _utc(2021, 5, 3)),  # the next date glued to the year
        ("5. Mai 20217. Juni 2021", "de", _utc(2021, 5, 5)),
        ("2020. 08. 18.", "hu", _utc(2020, 8, 18)),  # year first, spaced
        ("Datum: 03.Mär.19", "de", _utc(2019, 3, 3)),  # dots around the month, a two-digit year
        ("শনিবার, আগস্ট ২৯, ২০২০", "bn", _utc(2020, 8, 29)),  # the script's own digits
        ("١٥ مارس ٢٠٢٠", "ar", _utc(2020, 3, 15)),
        ("２０２０年２月１５日", "ja", _utc(2020, 2, 15)),
        ("12 Freitag März 2021", "de", _utc(2021, 3, 12)),  # the weekday between the day and the month
        ("12 Friday Mar 2021", "en", _utc(2021, 3, 12)),
        ("Jun 072018", "en", _utc(2018, 6, 7)),  # a two-digit day run into the year
        ("Jun 072018", "de", _utc(2018, 6, 7)),
        ("14 | 03 | 2021", "de", _utc(2021, 3, 14)),  # bars between the parts
    ],
)
def test_month_names_in_any_case(line: str, language: str, when: datetime) -> None:
    assert [s.when for s in page_stamps(line, language)] == [when]


@pytest.mark.parametrize(
    "line",
    [
        "© 2019 Example Media",
        "in March 2018",
        "figures for 2021: 3.5% up",
        "Version 5 May.19a",
        "5 May 19 people",
    ],
)
def test_a_year_without_a_day_is_no_date(line: str) -> None:
    assert page_stamps(line, "en") == ()


@pytest.mark.parametrize(
    ("line", "language"),
    [
        ("2021.03.12.09.30.Springfield", "hu"),  # a listing's day and time run together: no day "1"
        ("Score 3 | 4 | 2019", "en"),  # a table's row of counts, not a date in boxes
        ("Jun 2018", "en"),
        ("Teams 12 Friday", "en"),
    ],
)
def test_runs_of_figures_are_no_date(line: str, language: str) -> None:
    assert page_stamps(line, language) == ()
