"""The HTML date chooser: its candidates, their features, and the shipped model's choices on shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tasks.parse.html import published
from tasks.parse.html.meta import PageMeta
from tasks.parse.html.published import DateEvidence, choose, evidence, instant, rows, url_date

EST = timezone(timedelta(hours=-5))


def meta(**kwargs: object) -> PageMeta:
    tags = kwargs.pop("tags", {})
    return PageMeta(meta={k: (v,) for k, v in tags.items()}, titles=(), h1s=(), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/2023/11/08/news/a-story/", date(2023, 11, 8)),
        ("https://example.com/news/20200413/a-story", date(2020, 4, 13)),
        ("https://example.com/2020-02-17-a-story.html", date(2020, 2, 17)),
        ("https://example.com/2019/a-story", None),  # a year alone is no day
        ("https://example.com/2019/13/45/a-story", None),  # no such day
        (None, None),
    ],
)
def test_a_date_in_the_address(url: str | None, expected: date | None) -> None:
    found = url_date(url)
    assert (found.date() if found else None) == expected


def test_an_instant_keeps_the_zone_it_is_written_in() -> None:
    assert instant("2023-11-08T21:28:35-05:00") == datetime(2023, 11, 8, 21, 28, 35, tzinfo=EST)
    assert instant("2023-11-08") == datetime(2023, 11, 8, tzinfo=UTC)  # no zone: UTC
    assert instant("Wed, 08 Nov 2023 21:28:35 -0500") == datetime(2023, 11, 8, 21, 28, 35, tzinfo=EST)
    assert instant("0001-01-01T00:00:00Z") is None and instant("") is None and instant("soon") is None


def test_candidates_from_every_source_and_the_modified_day() -> None:
    page = meta(
        ld_published="2023-11-08T21:28:35-05:00",
        ld_modified="2023-11-10T08:00:00Z",
        tags={"article:published_time": "2023-11-09T02:28:35+00:00"},
        time_published=("2023-11-08",),
        url="https://example.com/2023/11/08/a-story/",
    )
    ev = evidence(page, "2023-11-08")
    assert [k for k, _ in ev.candidates] == ["ld", "meta", "time", "url", "searched"]
    assert ev.modified == date(2023, 11, 10)
    days = {day: row for day, _, row in rows(ev)}
    assert set(days) == {date(2023, 11, 8), date(2023, 11, 9)}  # the meta tag's UTC day is the next one
    column = dict(zip(published.FEATURES, days[date(2023, 11, 8)], strict=True))
    assert column["sources"] == 4 and column["declared_sources"] == 2 and column["is_earliest"] == 1
    utc_day = dict(zip(published.FEATURES, days[date(2023, 11, 9)], strict=True))
    assert utc_day["written_in_utc"] == 1 and utc_day["one_day_from_searched"] == 1


def test_no_candidate_is_no_date() -> None:
    assert choose(DateEvidence(())) is None
    assert choose(evidence(meta(), None)) is None


def test_the_declared_instant_is_written_in_utc_when_all_agree() -> None:
    page = meta(
        ld_published="2024-03-05T18:30:00-05:00", tags={"article:published_time": "2024-03-05T18:30:00-05:00"}
    )
    assert choose(evidence(page, "2024-03-05")) == datetime(2024, 3, 5, 23, 30, tzinfo=UTC)


def test_a_utc_stamp_past_midnight_loses_to_the_local_day_of_the_address_and_the_search() -> None:
    # declared in UTC a few hours after midnight: the publisher's own day, in its address and its text,
    # is the one before
    page = meta(
        ld_published="2023-11-09T03:28:35+00:00",
        ld_modified="2023-11-09T03:30:00+00:00",
        tags={"article:published_time": "2023-11-09T03:28:35+00:00"},
        url="https://example.com/2023/11/08/a-story/",
    )
    assert choose(evidence(page, "2023-11-08")).date() == date(2023, 11, 8)


def test_the_declared_day_wins_over_a_search_that_found_another() -> None:
    page = meta(ld_published="2020-09-15T10:01:41-04:00", ld_modified="2020-09-15T12:00:00-04:00")
    assert choose(evidence(page, "2020-05-20")).date() == date(2020, 9, 15)


def test_the_shipped_model_reads_these_features() -> None:
    model = published.shipped_model()
    assert len(model.weights) == len(published.FEATURES)
