"""Entities with the real model: titles and datelines as well as bodies, an ALL-CAPS headline read in
its body's case, results lines, and canonical names that hold across stories."""

from __future__ import annotations

from typing import Any

import pytest

from tasks.enrich.entities import Entity, View, canonical_id, extract_entities, load_nlp
from tests.tasks.enrich.conftest import article as _article

CAPTAIN = _article(
    "captain",
    "SOCCER - KEMBLE NAMED AS WALES CAPTAIN.",
    "Riverside striker Owen Kemble was named Wales captain on Friday by coach Peter Marsh.\n\n"
    "Kemble replaces Tom Avery, who led the side at the European championship.",
    dateline="LONDON",
)
SUMMIT = _article(
    "summit",
    "Merkel meets Biden in Berlin",
    "German Chancellor Angela Merkel met U.S. President Joe Biden in Berlin on Tuesday. "
    "Merkel said the talks went well.",
)
RESULTS = _article(
    "results",
    "Premier League results",
    "Premier League results on Saturday:\n\nArsenal 2 Aston Villa 1\n\nMillbrook 0 Eastbury 3",
)
TRADE = _article("trade", "Trade talks resume", "Officials from the United States and China met in Geneva.")


@pytest.fixture(scope="module")
def found() -> dict[str, list[Entity]]:
    rows = extract_entities([CAPTAIN, SUMMIT, RESULTS, TRADE])
    grouped: dict[str, list[Entity]] = {}
    for e in rows:
        grouped.setdefault(e.doc_id, []).append(e)
    return grouped


def _in(rows: list[Entity], field: str) -> list[tuple[str, str, str]]:
    return [(e.text, e.label, e.canonical) for e in rows if e.field == field]


def test_every_row_indexes_the_field_it_names(found: dict[str, list[Entity]]) -> None:
    articles = {a.doc_id: a for a in (CAPTAIN, SUMMIT, RESULTS, TRADE)}
    fields = {e.field for rows in found.values() for e in rows}
    assert fields == {"title", "dateline", "body"}
    for rows in found.values():
        for e in rows:
            text = getattr(articles[e.doc_id], e.field) or ""
            assert text[e.start_char : e.end_char] == e.text, e


def test_title_entities_take_the_names_the_body_gives(found: dict[str, list[Entity]]) -> None:
    assert _in(found["summit"], "title") == [
        ("Merkel", "PERSON", "Angela Merkel"),
        ("Biden", "PERSON", "Joe Biden"),
        ("Berlin", "GPE", "Berlin"),
    ]


def test_an_all_caps_headline_is_read_in_the_body_s_case(found: dict[str, list[Entity]]) -> None:
    """The model reads "Soccer - Kemble named as Wales captain." and the rows keep the headline's
    capitals and its offsets; the sport's label before the dash is no entity."""
    view = View.of(CAPTAIN.body, CAPTAIN.title)
    assert view.text[: len(CAPTAIN.title)] == "Soccer - Kemble named as Wales captain."
    assert len(view.text) == len(CAPTAIN.title) + 2 + len(CAPTAIN.body)
    title = _in(found["captain"], "title")
    assert ("KEMBLE", "PERSON", "Owen Kemble") in title
    assert [t for t in title if t[0] == "WALES"] and all("SOCCER" not in t[0] for t in title)
    assert _in(found["captain"], "dateline") == [("LONDON", "GPE", "London")]


def test_results_lines_keep_their_teams(found: dict[str, list[Entity]]) -> None:
    teams = [(t, label) for t, label, _ in _in(found["results"], "body") if t != "Premier League"]
    assert teams == [(t, "ORG") for t in ("Arsenal", "Aston Villa", "Millbrook", "Eastbury")]


def test_canonical_names_and_ids_hold_across_stories(found: dict[str, list[Entity]]) -> None:
    us = [e for e in found["summit"] if e.text == "U.S."]
    united_states = [e for e in found["trade"] if e.text == "United States"]
    assert us and united_states
    assert {e.canonical for e in us + united_states} == {"United States"}
    assert len({e.canonical_id for e in us + united_states}) == 1
    merkel = {e.canonical_id for e in found["summit"] if e.canonical == "Angela Merkel"}
    assert len(merkel) == 1 and merkel != {e.canonical_id for e in us}


def test_the_model_reads_each_article_once(found: dict[str, list[Entity]]) -> None:
    """Title and body go to the model as one text per article: the body is never read twice."""

    class Reading:  # the real model, with the texts it is given written down
        def __init__(self) -> None:
            self.texts: list[str] = []

        def pipe(self, texts: Any, **kwargs: Any) -> Any:
            self.texts = list(texts)
            return load_nlp().pipe(self.texts, **kwargs)

    reading = Reading()
    rows = extract_entities([CAPTAIN, SUMMIT], nlp=reading)
    assert [len(t) for t in reading.texts] == [len(a.title) + 2 + len(a.body) for a in (CAPTAIN, SUMMIT)]
    assert rows == found["captain"] + found["summit"]


def test_a_shouted_name_and_a_place_of_any_kind_share_their_id() -> None:
    assert canonical_id("ORG", "LAKE CITY") == canonical_id("ORG", "Lake City")
    assert (
        canonical_id("LOC", "Millfield")
        == canonical_id("FAC", "Millfield")
        == canonical_id("GPE", "Millfield")
    )
    assert canonical_id("GPE", "U.S.") != canonical_id("GPE", "U.s.")  # only a name wholly in capitals folds
    assert canonical_id("PERSON", "Jordan") != canonical_id("GPE", "Jordan")
    assert canonical_id("ORG", "Acme") == canonical_id("ORG", "Acme")
