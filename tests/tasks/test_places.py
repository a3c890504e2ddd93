"""The places gazetteer on names the press writes: aliases, precedence, and what it does not know."""

from __future__ import annotations

import pytest

from tasks.places import normalise, resolve


@pytest.mark.parametrize(
    ("alias", "code"),
    [("Britain", "GB"), ("the United States", "US"), ("U.S.", "US"), ("Holland", "NL"), ("Burma", "MM")],
)
def test_aliases_and_articles_resolve_to_the_country(alias: str, code: str) -> None:
    entry = resolve(alias)
    assert entry is not None and (entry.feature, entry.country_code) == ("country", code)


@pytest.mark.parametrize(
    ("name", "feature"),
    [
        ("Washington", "city"),  # the capital, not the state
        ("Georgia", "country"),  # the country, not the US state
        ("Texas", "region"),
        ("Europe", "continent"),
    ],
)
def test_a_name_of_several_places_means_the_highest_ranked(name: str, feature: str) -> None:
    assert resolve(name).feature == feature


def test_case_punctuation_and_possessive_are_ignored() -> None:
    assert resolve("Germany") is not None
    assert resolve("germany") == resolve("Germany's") == resolve("  Germany. ") == resolve("Germany")
    assert normalise("  The  Hague, ") == "Hague"


@pytest.mark.parametrize("name", ["Jane Doe", "Staff Writer", ""])
def test_what_is_no_place_resolves_to_none(name: str) -> None:
    assert resolve(name) is None
