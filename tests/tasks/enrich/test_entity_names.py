"""Canonical names within one story, and bracketed abbreviations."""

from __future__ import annotations

from tasks.enrich.entity_names import abbreviations, canonical_names


def _spans(text: str, *mentions: tuple[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each mention's first occurrence after the previous one."""
    spans, at = [], 0
    for name, label in mentions:
        start = text.index(name, at)
        spans.append((start, start + len(name), label))
        at = start + len(name)
    return spans


def _canonical(text: str, *mentions: tuple[str, str]) -> list[tuple[str, str]]:
    return [(name, label) for _, _, name, label in canonical_names(text, _spans(text, *mentions))]


def test_a_surname_takes_the_full_name() -> None:
    text = "Dana Whitlow met reporters. Whitlow said no."
    assert _canonical(text, ("Dana Whitlow", "PERSON"), ("Whitlow", "PERSON")) == [
        ("Dana Whitlow", "PERSON"),
        ("Dana Whitlow", "PERSON"),
    ]


def test_a_one_word_mention_opening_a_name_takes_it() -> None:
    text = "Wang Lifen spoke. Wang left."
    assert _canonical(text, ("Wang Lifen", "PERSON"), ("Wang", "PERSON"))[1] == ("Wang Lifen", "PERSON")


def test_a_country_is_not_absorbed_by_a_person_ending_in_it() -> None:
    text = "Anatole France wrote. France voted."
    assert _canonical(text, ("Anatole France", "PERSON"), ("France", "GPE"))[1] == ("France", "GPE")


def test_an_organisation_short_form_takes_the_legal_name() -> None:
    text = "Quorvex Industries Inc rose. Quorvex said so."
    assert _canonical(text, ("Quorvex Industries Inc", "ORG"), ("Quorvex", "ORG"))[1] == (
        "Quorvex Industries Inc",
        "ORG",
    )


def test_a_product_name_does_not_absorb_its_maker() -> None:
    text = "Apple Music grew. Apple said so."
    assert _canonical(text, ("Apple Music", "ORG"), ("Apple", "ORG"))[1] == ("Apple", "ORG")


def test_a_bracketed_abbreviation_takes_the_name_before_it() -> None:
    text = "The Northern Farmers Union (NFU) said. The NFU won."
    named = _canonical(text, ("Northern Farmers Union", "ORG"), ("NFU", "ORG"))
    assert named[1] == ("Northern Farmers Union", "ORG")


def test_a_bracketed_word_that_spells_no_initials_keeps_its_name() -> None:
    text = "The Northern Farmers Union (Leeds) said."
    assert _canonical(text, ("Northern Farmers Union", "ORG"), ("Leeds", "ORG"))[1] == ("Leeds", "ORG")


def test_a_place_takes_the_gazetteer_name() -> None:
    assert _canonical("Rivers flew to the U.S. on Monday.", ("U.S.", "GPE")) == [("United States", "GPE")]


def test_a_legal_form_makes_an_organisation_and_a_competition_an_event() -> None:
    text = "Fed Cup ends. Northfield Ltd rose. Hollis Smith spoke."
    assert _canonical(text, ("Fed Cup", "ORG"), ("Northfield Ltd", "PERSON"), ("Hollis Smith", "PERSON")) == [
        ("Fed Cup", "EVENT"),
        ("Northfield Ltd", "ORG"),
        ("Hollis Smith", "PERSON"),
    ]


def test_abbreviations_finds_an_uncovered_bracketed_abbreviation() -> None:
    text = "Western Union (WU) paid."
    assert abbreviations(text, [(0, 13, "Western Union", "ORG")]) == [(15, 17, "Western Union", "ORG")]


def test_abbreviations_skips_brackets_that_do_not_spell_the_name() -> None:
    assert abbreviations("Western Union (XY) paid.", [(0, 13, "Western Union", "ORG")]) == []
    assert (
        abbreviations("Western Union (WU) paid.", [(0, 13, "Western Union", "ORG"), (15, 17, "x", "ORG")])
        == []
    )


def test_a_competition_named_after_a_place_is_an_event() -> None:
    text = "the Springfield Open and Springfield"
    named = canonical_names(text, [(4, 20, "GPE"), (25, 36, "GPE")])
    assert [(m[2], m[3]) for m in named] == [("Springfield Open", "EVENT"), ("Springfield", "GPE")]


def test_a_name_with_an_organisations_head_noun_is_an_organisation_unless_the_model_saw_a_place() -> None:
    text = "Harbour Board officials met. The Board of Northmark agreed. East Bank farmers protested."
    assert _canonical(
        text, ("Harbour Board", "PERSON"), ("Board of Northmark", "GPE"), ("East Bank", "LOC")
    ) == [
        ("Harbour Board", "ORG"),
        ("Board of Northmark", "GPE"),
        ("East Bank", "LOC"),
    ]


def test_a_tour_is_a_competition_and_a_league_stays_what_the_model_said() -> None:
    text = "The Northern League and the Southern Tour"
    spans = [(4, 19, "ORG"), (28, 41, "ORG")]
    assert [label for *_, label in canonical_names(text, spans)] == ["ORG", "EVENT"]
