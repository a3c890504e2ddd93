"""Entity scoring against CoNLL-style gold: normalised text, mapped types, multisets per story."""

from __future__ import annotations

from collections import Counter

from bench.entity_scoring import entity_figures, entity_text, mentions


def test_entity_text_folds_space_case_outer_quotes_and_dots() -> None:
    assert entity_text("  \u201cNew   York\u201d ") == "new york"
    assert entity_text("U.S.") == "u.s"
    assert entity_text("'LONDON.'") == "london"


def test_entity_text_keeps_inner_punctuation() -> None:
    assert entity_text("O'Dowd") == "o'dowd"
    assert entity_text("A.B. Sharpe") == "a.b. sharpe"


def test_mentions_maps_labels_and_drops_misc_and_norp() -> None:
    pairs = [
        ("Dana", "PERSON"),
        ("Dana", "PER"),
        ("Paris", "GPE"),
        ("Alps", "LOC"),
        ("Wembley", "FAC"),
        ("Quorvex", "ORG"),
        ("Britons", "NORP"),
        ("Easter", "MISC"),
        ("Cup", "EVENT"),
    ]
    assert mentions(pairs) == Counter(
        {
            ("dana", "PER"): 2,
            ("paris", "LOC"): 1,
            ("alps", "LOC"): 1,
            ("wembley", "LOC"): 1,
            ("quorvex", "ORG"): 1,
        }
    )


GOLD = [
    {
        "doc": "a",
        "entities": [
            ["Dana Whitlow", "PER"],
            ["London", "LOC"],
            ["London", "LOC"],
            ["Quorvex", "ORG"],
            ["Easter", "MISC"],
        ],
    },
    {"doc": "b", "entities": [["U.S.", "LOC"], ["Rovers", "ORG"], ["Wembley Stadium", "LOC"]]},
    {"doc": "c", "entities": [["Paris", "LOC"]]},  # nothing found: its gold is missed
]
FOUND = {
    "a": [
        ("dana whitlow", "PERSON"),
        ("\u201cLondon\u201d", "GPE"),
        ("London", "GPE"),
        ("LONDON", "LOC"),  # a third London against two in gold: one too many
        ("Quorvex", "PERSON"),  # right text, wrong type
        ("Easter", "EVENT"),
        ("Britons", "NORP"),
    ],
    "b": [("U.S", "GPE"), ("Rovers", "ORG"), ("Rovers", "ORG"), ("Wembley Stadium", "FAC")],
    "z": [("Nowhere", "GPE")],  # a story without gold is not scored
}


def _prf(right: int, guessed: int, expected: int) -> tuple[float, float, float]:
    precision, recall = right / guessed, right / expected
    return round(precision, 4), round(recall, 4), round(2 * precision * recall / (precision + recall), 4)


def test_entity_figures_per_type_and_overall_by_hand() -> None:
    figures = entity_figures(FOUND, GOLD)
    # PER: found Dana Whitlow and Quorvex, gold Dana Whitlow -> 1 right of 2 found, 1 gold
    # LOC: found London x3, U.S, Wembley; gold London x2, U.S., Wembley, Paris -> 4 right of 5 found, 5 gold
    # ORG: found Rovers x2; gold Quorvex, Rovers -> 1 right of 2 found, 2 gold
    expected = {"PER": (1, 2, 1), "LOC": (4, 5, 5), "ORG": (1, 2, 2), "all": (6, 9, 8)}
    for kind, (right, guessed, gold) in expected.items():
        precision, recall, f1 = _prf(right, guessed, gold)
        assert figures[f"{kind}_precision"] == precision, kind
        assert figures[f"{kind}_recall"] == recall, kind
        assert figures[f"{kind}_f1"] == f1, kind
        assert figures[f"{kind}_gold"] == gold, kind
    assert (figures["LOC_f1"], figures["all_precision"], figures["all_f1"]) == (0.8, 0.6667, 0.7059)


def test_entity_figures_with_nothing_found_are_zero_not_an_error() -> None:
    figures = entity_figures({}, GOLD)
    assert figures["all_precision"] == figures["all_recall"] == figures["all_f1"] == 0.0
    assert figures["all_gold"] == 8


def test_entity_figures_perfect_when_found_equals_gold() -> None:
    found = {row["doc"]: [tuple(pair) for pair in row["entities"]] for row in GOLD}
    figures = entity_figures(found, GOLD)
    assert figures["all_f1"] == 1.0
    assert figures["PER_f1"] == figures["ORG_f1"] == figures["LOC_f1"] == 1.0
