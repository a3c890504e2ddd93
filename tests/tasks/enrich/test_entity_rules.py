"""The rules over the model's spans: pieces, trimming, junk, evidence, one label per name, propagation."""

from __future__ import annotations

from collections import Counter

from tasks.enrich.entities import dateline_entities
from tasks.enrich.entity_names import Mention
from tasks.enrich.entity_rules import (
    batch_mentions,
    batch_names,
    evidence_of,
    gazetteer_misses,
    introduced_names,
    is_junk,
    one_label_per_name,
    organisation_misses,
    organisation_pieces,
    pieces,
    propagated,
    trimmed,
)


def _named(text: str, *mentions: tuple[str, str]) -> list[Mention]:
    """Mentions (name as written = canonical, label), each found after the previous one."""
    found, at = [], 0
    for name, label in mentions:
        start = text.index(name, at)
        found.append((start, start + len(name), name, label))
        at = start + len(name)
    return found


def _labels(
    text: str, *mentions: tuple[str, str], shared: dict[str, Counter[str]] | None = None
) -> dict[str, str]:
    votes, evidence = evidence_of(text, _named(text, *mentions), set())
    return one_label_per_name(votes, evidence, shared)


def _trim(span: str, label: str = "ORG", text: str | None = None) -> tuple[str, str, bool] | None:
    text = text if text is not None else span
    start = text.index(span)
    result = trimmed(text, start, start + len(span), label)
    return (text[result[0] : result[1]], result[2], result[3]) if result else None


def test_pieces_keeps_the_line_of_a_person_that_runs_on() -> None:
    text = "Hollis\n\nMaria Quentin won the final."
    assert pieces(text, 0, text.index(" won"), "PERSON") == [(8, 21, "PERSON")]


def test_pieces_splits_at_between_two_names() -> None:
    text = "Northshire at Millfield lost."
    assert pieces(text, 0, 23, "ORG") == [(0, 10, "ORG"), (14, 23, "GPE")]


def test_pieces_splits_a_place_at_its_comma() -> None:
    text = "in Springfield, Illinois on"
    s = text.index("S")
    assert [text[a:b] for a, b, _ in pieces(text, s, s + len("Springfield, Illinois"), "GPE")] == [
        "Springfield",
        "Illinois",
    ]
    assert pieces(text, s, s + len("Springfield, Illinois"), "ORG") == [(s, s + 21, "ORG")]


def test_a_dateline_names_each_of_its_places() -> None:
    rows = dateline_entities("d", "SPRINGFIELD, Illinois")
    assert [(e.text, e.start_char, e.end_char, e.label) for e in rows] == [
        ("SPRINGFIELD", 0, 11, "GPE"),
        ("Illinois", 13, 21, "GPE"),
    ]
    assert [e.text for e in dateline_entities("d", "LONDON")] == ["LONDON"]


def test_introduced_names_after_a_title_a_role_or_before_a_nationality() -> None:
    text = "Mr Quorbel and spokesman Alan Vettri met.\n1. Jane Marlowe (Kenya) 12.71\nJo Bright (Acme) won"
    found = [text[s:e] for s, e, label in introduced_names(text, []) if label == "PERSON"]
    assert found == ["Quorbel", "Alan Vettri", "Jane Marlowe"]  # "(Acme)" is no country
    covered = [(text.index("Quorbel"), text.index("Quorbel") + 2)]
    assert "Quorbel" not in [text[s:e] for s, e, _ in introduced_names(text, covered)]


def test_a_country_in_brackets_after_a_name_is_a_persons_evidence() -> None:
    text = "Jane Marlowe (Kenya) beat Ann Hale (Chile) 6-4"
    assert _labels(text, ("Jane Marlowe", "ORG"), ("Ann Hale", "ORG")) == {
        "Jane Marlowe": "PERSON",
        "Ann Hale": "PERSON",
    }


def test_is_junk_on_a_time_zone() -> None:
    assert is_junk("at 1400 GMT", 8, 11)


def test_pieces_leaves_a_plain_name_and_other_labels_across_lines() -> None:
    assert pieces("Mary Smith won.", 0, 10, "PERSON") == [(0, 10, "PERSON")]
    assert pieces("Heading\n\nNews Today\nmore", 0, 19, "ORG") == [(0, 19, "ORG")]


def test_trimmed_cuts_article_title_and_possessive() -> None:
    assert _trim("the President Joe Smith's", "PERSON") == ("Joe Smith", "PERSON", True)
    assert _trim("The Times") == ("Times", "ORG", False)
    assert _trim("Mr. Jones,", "PERSON") == ("Jones", "PERSON", True)


def test_trimmed_keeps_the_dots_of_an_abbreviation() -> None:
    assert _trim("U.S.", "GPE") == ("U.S.", "GPE", False)


def test_trimmed_cuts_a_score_on_a_results_line_only() -> None:
    assert _trim("Northfield 2-1") == ("Northfield", "ORG", False)
    prose = "The crew of Apollo 13 flew home after a long and hard voyage."
    assert _trim("Apollo 13", text=prose) == ("Apollo 13", "ORG", False)


def test_trimmed_cuts_brackets_dashes_and_phone_numbers() -> None:
    assert _trim("Jane Doe (Australia", "PERSON") == ("Jane Doe", "PERSON", False)
    assert _trim("Cricket - Northshire") == ("Northshire", "ORG", False)
    assert _trim("Example Newsroom +44") == ("Example Newsroom", "ORG", False)


def test_trimmed_drops_a_span_of_only_punctuation() -> None:
    assert trimmed('say ", fine', 4, 6, "ORG") is None


def test_is_junk_on_lowercase_digits_short_and_multiline_spans() -> None:
    for span in ("the group", "12", "A", "Ab\nCd"):
        assert is_junk(span, 0, len(span)), span


def test_is_junk_not_on_names_and_particles() -> None:
    for span in ("Northfield", "al-Qaeda", "van Gogh"):
        assert not is_junk(span, 0, len(span)), span


def test_a_title_gives_person_evidence() -> None:
    text = "Mr Hollis spoke. Mr Hollis left."
    assert _labels(text, ("Hollis", "ORG"), ("Hollis", "ORG")) == {"Hollis": "PERSON"}


def test_without_evidence_the_model_vote_stands() -> None:
    assert _labels("Hollis spoke. Hollis left.", ("Hollis", "ORG"), ("Hollis", "ORG")) == {"Hollis": "ORG"}


def test_a_town_playing_is_an_organisation() -> None:
    text = "Northfield beat Southam by six wickets."
    assert _labels(text, ("Northfield", "PERSON"), ("Southam", "GPE")) == {
        "Northfield": "ORG",
        "Southam": "ORG",
    }


def test_a_country_playing_stays_a_place() -> None:
    text = "Peru beat Paraguay 2-1 in the qualifier."
    assert _labels(text, ("Peru", "GPE"), ("Paraguay", "ORG")) == {"Peru": "GPE", "Paraguay": "GPE"}


def test_a_role_after_a_name_is_the_team_it_plays_for() -> None:
    text = "Northshire captain Sam Carver said."
    assert _labels(text, ("Northshire", "PERSON"), ("Sam Carver", "PERSON")) == {
        "Northshire": "ORG",
        "Sam Carver": "PERSON",
    }


def test_a_capital_the_model_took_for_a_person_is_a_place() -> None:
    assert _labels("Paris was calm.", ("Paris", "PERSON")) == {"Paris": "GPE"}


def test_the_batch_evidence_decides_a_name_without_its_own() -> None:
    shared = {"Southshire": Counter(ORG=2)}
    assert _labels("Southshire were idle.", ("Southshire", "PERSON"), shared=shared) == {"Southshire": "ORG"}
    assert _labels("Southshire were idle.", ("Southshire", "PERSON")) == {"Southshire": "PERSON"}


def test_the_batch_evidence_does_not_override_a_place_the_model_saw() -> None:
    shared = {"Southshire": Counter(ORG=2)}
    assert _labels("Southshire was wet.", ("Southshire", "GPE"), shared=shared) == {"Southshire": "GPE"}


def test_propagated_finds_a_surname_standing_alone() -> None:
    text = "Dana Whitlow spoke. Whitlow Park opened. Reporters asked Whitlow again."
    found = propagated(text, _named(text, ("Dana Whitlow", "PERSON")), {"Dana Whitlow": "PERSON"})
    assert [(text[s:e], canonical, label) for s, e, canonical, label in found] == [
        ("Whitlow", "Dana Whitlow", "PERSON")
    ]
    assert found[0][0] == text.rindex("Whitlow")  # not the one inside "Whitlow Park"


def test_propagated_skips_a_sentence_opener_written_lowercase_elsewhere() -> None:
    text = "Summit rose. Summit talks failed. The summit ended. Shares of Summit fell."
    found = propagated(text, _named(text, ("Summit", "ORG")), {"Summit": "ORG"})
    assert [s for s, _, _, _ in found] == [text.rindex("Summit")]


def test_propagated_finds_nothing_without_capitalised_names() -> None:
    assert propagated("the group said.", [(0, 9, "the group", "ORG")], {"the group": "ORG"}) == []


def test_a_year_before_a_name_is_no_score() -> None:
    text = "In 2003, Northfield grew wheat and barley."
    assert _labels(text, ("Northfield", "GPE")) == {"Northfield": "GPE"}


def test_trimmed_keeps_a_saints_name() -> None:
    assert _trim("St Louis", "GPE") == ("St Louis", "GPE", False)


def test_a_name_after_city_of_is_a_place() -> None:
    text = "an attack on the city of Quorbel; Quorbel fell"
    assert _labels(text, ("Quorbel", "ORG"), ("Quorbel", "ORG")) == {"Quorbel": "GPE"}


def test_a_wire_service_is_an_organisation() -> None:
    text = "the Kyodo News agency said"
    assert [(text[s:e], label) for s, e, label in gazetteer_misses(text, [])] == [("Kyodo News", "ORG")]
    assert _labels(text, ("Kyodo News", "PERSON")) == {"Kyodo News": "ORG"}


def test_trimmed_cuts_the_lowercase_words_that_end_a_span() -> None:
    assert _trim("Example news agency") == ("Example", "ORG", False)
    assert _trim("Northshire province", "GPE") == ("Northshire", "GPE", False)
    assert _trim("Acme Holdings plc") == ("Acme Holdings plc", "ORG", False)


def test_a_name_another_story_of_the_batch_found_is_found_here() -> None:
    first = "Jane Marlowe spoke for Example Works Ltd."
    known = batch_names([(first, _named(first, ("Jane Marlowe", "PERSON"), ("Example Works Ltd", "ORG")))])
    second = "Later, Jane Marlowe left. Marlowe and Example Works Ltd."
    found = batch_mentions(second, _named(second, ("Example Works Ltd", "ORG")), known)
    assert [(second[s:e], label) for s, e, _, label in found] == [("Jane Marlowe", "PERSON")]


def test_pieces_splits_a_country_before_a_dash() -> None:
    text = "FRANCE - Bonds rose"
    assert [(text[a:b], label) for a, b, label in pieces(text, 0, 14, "ORG")] == [
        ("FRANCE", "GPE"),
        ("Bonds", "ORG"),
    ]


def test_a_country_the_model_took_for_a_peoples_adjective_is_a_place() -> None:
    assert _labels("Kenya said", ("Kenya", "NORP")) == {"Kenya": "GPE"}


def test_an_organisation_named_by_its_kind_is_found_where_the_model_missed_it() -> None:
    text = "The Fisheries Ministry and the Bank of Northmark met. Police said. Lindqvist. Harbour Board"
    found = [text[s:e] for s, e, label in organisation_misses(text, []) if label == "ORG"]
    assert found == ["Fisheries Ministry", "Bank of Northmark", "Harbour Board"]  # no "The", no head alone
    assert organisation_misses(text, [(4, 13)]) == organisation_misses(text, [])[1:]  # the model's span stays


def _org_pieces(text: str, span: str, label: str = "ORG") -> list[tuple[str, str]]:
    start = text.index(span)
    return [(text[s:e], lab) for s, e, lab in organisation_pieces(text, start, start + len(span), label)]


def test_a_companys_name_is_bounded_by_its_legal_form() -> None:
    assert _org_pieces("The Tandbrek Chemical Co of Northmark said", "Tandbrek Chemical") == [
        ("Tandbrek Chemical Co", "ORG")
    ]
    text = "Halvik Pharmaceuticals Inc of Northmark said"
    assert _org_pieces(text, "Halvik Pharmaceuticals Inc of Northmark") == [
        ("Halvik Pharmaceuticals Inc", "ORG"),
        ("Northmark", "GPE"),
    ]
    assert _org_pieces("Halvik Corp - 6mth forecast", "Halvik Corp - 6mth") == [("Halvik Corp", "ORG")]
    assert _org_pieces("Cricket - Riverside win", "Cricket - Riverside") == [("Cricket - Riverside", "ORG")]
    assert _org_pieces("Dana Halvik Co said", "Dana Halvik", "PERSON") == [("Dana Halvik", "PERSON")]
