"""Entity extraction against CoNLL-style gold (`make eval` on wire/): the definitions, as plain functions.

Per story, the found and the gold mentions are multisets of (normalised text, type); a found mention
is right when the story's gold holds one more of it than was already matched. Types: spaCy's PERSON ->
PER, ORG -> ORG, GPE/LOC/FAC -> LOC; MISC and every other label are left out on both sides. Normalised
text: whitespace collapsed, outer quotes and dots stripped, case folded ("U.S." -> "u.s", "LONDON" ->
"london"). Precision, recall and F1 are micro-averaged over the stories, per type and overall.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

TYPES = ("PER", "ORG", "LOC")
SPACY_TYPES = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
_OUTER = "\"'“”‘’«»."


def entity_text(text: str) -> str:
    """Mention text as compared: one space, outer quotes and dots stripped, case folded."""
    return " ".join(text.split()).strip(_OUTER).strip().casefold()


def mentions(pairs: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """(text, label) pairs as the scored multiset: labels mapped to PER/ORG/LOC, the rest left out."""
    return Counter((entity_text(text), SPACY_TYPES[label]) for text, label in pairs if label in SPACY_TYPES)


def entity_figures(
    found: Mapping[str, Iterable[tuple[str, str]]], gold: Sequence[Mapping[str, Any]]
) -> dict[str, float | int]:
    """Precision/recall/F1 per type and overall of found mentions (doc -> (text, label) pairs) against
    gold rows (`doc`, `entities`: [[text, type], ...]); a story with nothing found scores its gold as missed.
    """
    right: Counter[str] = Counter()
    guessed: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    for row in gold:
        ours, theirs = mentions(found.get(row["doc"], ())), mentions(map(tuple, row["entities"]))
        for (_, kind), n in ours.items():
            guessed[kind] += n
        for (_, kind), n in theirs.items():
            expected[kind] += n
        for (_, kind), n in (ours & theirs).items():
            right[kind] += n
    figures: dict[str, float | int] = {}
    for kind in (*TYPES, "all"):
        r = sum(right.values()) if kind == "all" else right[kind]
        g = sum(guessed.values()) if kind == "all" else guessed[kind]
        e = sum(expected.values()) if kind == "all" else expected[kind]
        precision, recall = (r / g if g else 0.0), (r / e if e else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
        figures |= {f"{kind}_precision": round(precision, 4), f"{kind}_recall": round(recall, 4)}
        figures |= {f"{kind}_f1": round(f1, 4), f"{kind}_gold": e}
    return figures


def render(columns: Mapping[str, Mapping[str, float | int]]) -> str:
    """The entity figures as a table: a row per type and overall, a column per contender."""
    names = list(columns)
    lines = [f"{'entities on wire/ (P / R / F1)':44}" + "".join(f"{n:>24}" for n in names)]
    for kind in (*TYPES, "all"):
        cells = []
        for n in names:
            fig = columns[n]
            cells.append(
                f"{fig[f'{kind}_precision']:.3f} / {fig[f'{kind}_recall']:.3f} / {fig[f'{kind}_f1']:.3f}"
            )
        gold = columns[names[0]][f"{kind}_gold"]
        target = "  (target F1 0.80)" if kind == "all" else "  (target F1 0.70)"
        lines.append(f"{f'{kind} ({gold} gold)':44}" + "".join(f"{c:>24}" for c in cells) + target)
    return "\n".join(lines)
