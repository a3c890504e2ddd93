"""The peers' benchmarks scored their way: snippets in the main text, the publication day."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.web_eval import date_right, snippet_counts, snippet_figures

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
