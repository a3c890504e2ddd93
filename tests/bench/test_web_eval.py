"""The peers' benchmarks scored their way: snippets in the main text, the publication day."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from bench import train_dates
from bench.web_eval import date_right, newsetl_days, snippet_counts, snippet_figures
from tasks.parse import ParseError
from tasks.parse.html import published
from tasks.records import Article

GOLD = {"with": ["the council voted", "a tram  line"], "without": ["Share this", "Cookie policy"]}


def test_snippets_found_and_missed_with_whitespace_collapsed() -> None:
    text = "Tuesday:\nthe council\tvoted for a tram\n line.\nShare this"
    assert snippet_counts(GOLD, text) == Counter(tp=2, fn=0, fp=1, tn=1)


def test_a_page_without_output_misses_every_with_snippet() -> None:
    assert snippet_counts(GOLD, None) == Counter(tp=0, fn=2, fp=0, tn=2)


def test_precision_recall_f1_accuracy_over_snippets() -> None:
    figures = snippet_figures(Counter(tp=3, fn=1, fp=1, tn=3))
    assert figures == pytest.approx({"precision": 0.75, "recall": 0.75, "f1": 0.75, "accuracy": 0.75})


@pytest.mark.parametrize(
    ("gold", "predicted", "right"),
    [
        ("2020-02-17", "2020-02-17", True),
        ("2020-02-17", "2020-02-17T23:10:00+00:00", True),  # the calendar day only
        ("2020-02-17", "2020-02-18", False),
        ("2020-02-17", None, False),
        (None, None, True),  # no gold date: right when nothing is predicted
        (None, "2020-02-17", False),
    ],
)
def test_the_publication_day(gold: str | None, predicted: str | None, right: bool) -> None:
    assert date_right(gold, predicted) is right


def test_newsetl_is_scored_on_the_pages_own_day_with_the_utc_day_beside_it() -> None:
    late = Article(
        "d",
        "u",
        "T",
        (),
        datetime(2024, 3, 6, 2, 30, tzinfo=UTC),
        None,
        None,
        "en",
        "b",
        1,
        "h",
        published_date=date(2024, 3, 5),
    )
    found = {"late": late, "lost": ParseError("no_article", "stub")}
    assert newsetl_days(found) == {"late": "2024-03-05", "lost": None}
    assert newsetl_days(found, utc=True) == {"late": "2024-03-06", "lost": None}


def test_held_out_dating_swaps_the_chooser_and_puts_the_shipped_one_back() -> None:
    shipped = published.shipped_model()
    other = train_dates.fit(
        [
            train_dates.Example(
                "a.example",
                published.DateEvidence(((k, datetime(2020, 1, d, tzinfo=UTC)),)),
                date(2020, 1, 1),
            )
            for k, d in (("ld", 1), ("url", 2))
        ]
    )
    with train_dates.dating_with(other):
        assert published.shipped_model() is other
    assert published.shipped_model() is shipped
