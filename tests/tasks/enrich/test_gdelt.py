"""Amounts, themes and tone (GDELT parity): golden values on the seeds and the shapes each reads."""

from __future__ import annotations

import pytest

from tasks.enrich import amounts, themes, tone
from tests.tasks.enrich.conftest import rows_of


def test_the_seeds_amounts_are_those_a_reader_lists(enriched: dict) -> None:
    found = {
        d: [(a.amount, a.unit, a.object) for a in rows_of(enriched, "amounts", d)] for d in ("000", "001")
    }
    assert found["000"] == [
        (129.0, None, "people"),
        (28.0, "member", "union"),
        (120.0, None, "anti-terrorism raids"),
        (300.0, None, "raids"),
    ]
    assert found["001"] == [
        (130.0, None, "people"),
        (2.0, None, "leaders"),
        (11.0, None, "people"),
        (4.0, None, "assailants"),
        (9.0, None, "assailants"),
        (1.0, None, "organisers"),
        (3.0, None, "others"),
    ]


def test_a_counted_fact_is_an_amount_over_the_same_span(enriched: dict) -> None:
    counts = {(c.doc_id, c.start_char, c.end_char) for c in enriched["event_counts"]}
    spans = {(a.doc_id, a.start_char, a.end_char) for a in enriched["amounts"] if a.field == "body"}
    assert counts <= spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They sent $25 million in aid arrived late.", [(25e6, "USD", "aid", "$25 million in aid")]),
        ("a 28-member union", [(28.0, "member", "union", "28-member union")]),
        ("1,250 troops were sent", [(1250.0, None, "troops", "1,250 troops")]),
        ("prices rose 3 per cent on the year", [(3.0, "percent", None, "3 per cent")]),
        ("2.5% of voters", [(2.5, "percent", "voters", "2.5% of voters")]),
        ("£3bn of debt", [(3e9, "GBP", "debt", "£3bn of debt")]),
        ("paid 300 euros each", [(300.0, "EUR", None, "300 euros")]),
        ("twenty-one people died", [(21.0, None, "people", "twenty-one people")]),
        ("In 2015 the vote, article 42.7 of the Treaty, on 27 January", []),
        ("one day, one of them", []),
    ],
)
def test_amount_shapes(text: str, expected: list) -> None:
    found = amounts.extract_amounts("d", text)
    assert [(a.amount, a.unit, a.object, a.text) for a in found] == expected
    assert all(text[a.start_char : a.end_char] == a.text for a in found)


def test_the_seeds_themes(enriched: dict) -> None:
    found = {d: {t.theme for t in rows_of(enriched, "themes", d)} for d in ("000", "001")}
    assert {"TERROR", "KILL", "ARMEDCONFLICT", "MILITARY"} <= found["000"]
    assert {"TERROR", "KILL", "ARREST", "IMMIGRATION", "BORDER", "SECURITY_SERVICES"} <= found["001"]
    assert not {"ECON_STOCKMARKET", "NATURAL_DISASTER", "TAX_DISEASE"} & (found["000"] | found["001"])


def test_a_theme_trigger_is_a_whole_word_and_the_longest_wins() -> None:
    found = themes.extract_themes("d", "Anti-terrorism police arrested two; a terrorist-free zone; floods.")
    assert [(t.text, t.theme) for t in found] == [
        ("Anti-terrorism", "TERROR"),
        ("arrested", "ARREST"),
        ("floods", "NATURAL_DISASTER_FLOODS"),
    ]


def test_every_theme_code_is_a_gkg_code_and_every_group_is_covered() -> None:
    codes = set(themes.TRIGGERS.values())
    assert all(c.replace("_", "").isalnum() and c.isupper() for c in codes)
    for group in (
        "TERROR",
        "ARREST",
        "PROTEST",
        "ELECTION",
        "ECON_INFLATION",
        "TAX_DISEASE",
        "NATURAL_DISASTER",
        "REFUGEES",
    ):
        assert group in codes


def test_tone_is_gkg_shares_of_words() -> None:
    good = tone.article_tone("d", "We won a great victory and we are happy.")
    assert good.word_count == 9
    assert good.positive_score == pytest.approx(
        100 * 3 / 9, abs=1e-3
    )  # won, great, happy are in VADER's lexicon
    assert good.negative_score == 0.0 and good.tone == good.positive_score == good.polarity
    assert good.self_group_density == pytest.approx(100 * 2 / 9, abs=1e-3)
    assert good.activity_density is None
    bad = tone.article_tone("d", "The attack killed many and left a terrible, painful grief.")
    assert bad.tone < 0 < bad.negative_score
    empty = tone.article_tone("d", "")
    assert (empty.word_count, empty.tone, empty.polarity) == (0, 0.0, 0.0)


def test_the_seeds_have_one_tone_each_and_both_are_negative_news(enriched: dict) -> None:
    rows = {r.doc_id: r for r in enriched["tone"]}
    assert set(rows) == {"000", "001"}
    assert rows["000"].negative_score > rows["000"].positive_score  # terror attacks, killed, raids
    assert rows["000"].tone < 0


def test_a_letter_that_lowers_to_two_keeps_every_offset() -> None:
    text = "İSTANBUL protesters met two leaders"  # "İ".lower() is two characters
    assert len(text.lower()) != len(text)
    (theme,) = themes.extract_themes("d", text)
    assert (theme.text, text[theme.start_char : theme.end_char]) == ("protesters", "protesters")
    (amount,) = amounts.extract_amounts("d", text)
    assert (amount.object, text[amount.start_char : amount.end_char]) == ("leaders", "two leaders")
