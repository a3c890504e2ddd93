"""Amounts (GKG V2.1AMOUNTS): a number with what it counts, in an article's title and body.

Shapes, as news writes them:
  money      "$25 million in aid", "£3bn", "300 euros for each family"   unit: ISO 4217 code
  percent    "3 per cent", "2.5%", "40 percent of voters"                 unit: "percent"
  unit-noun  "28-member union", "10-year plan"                            unit: "member", "year"
  count      "1,250 troops", "nine assailants", "four of the nine assailants"
Numbers in digits ("1,250", "2.5") or words ("four", "twenty-one", "two dozen"), with a scale ("million",
"bn"). Each counted fact of event_counts is an amount too, over the same span (so "killed at least 129
people" is one amount, 129 people); a number is read once. Years ("in 2015") and bare numbers with nothing
after them are no amounts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tasks import vocab
from tasks.enrich.event_counts import WORD_NUMBER, EventCount, matches_from, parse_number
from tasks.records import Article


@dataclass(frozen=True)
class Amount:
    """One number with what it counts (grain of amounts)."""

    doc_id: str
    text: str  # the whole matched phrase
    amount: float  # the value, scale applied: "$25 million" -> 25000000.0
    unit: str | None  # ISO 4217 code, "percent", or the unit of "28-member"
    object: str | None  # what is counted: "aid", "troops", "union"
    field: str  # title / body: the articles column the offsets index
    start_char: int
    end_char: int


NEEDS: tuple[str, ...] = ("event_counts",)
LANGUAGES = ("en",)  # English number words, scales and currency names
ALONE = True  # its rows depend on its article alone: reused for an unchanged one (extract_cache)

FIELDS = ("title", "body")
_CURRENCY = {form.casefold(): entry[0] for entry in vocab.forms("currencies") for form in entry[1:]}
_SCALE = {
    **{w: float(v) for w, v in vocab.mapping("number_scales").items()},
    **{w: float(v) for w, v in vocab.mapping("amount_scales").items()},
}
_STOP = (
    *vocab.words("stop_words"),
    *vocab.words("count_object_stop_words"),
    *vocab.words("amount_object_stop_words"),
)
_SYMBOLS = vocab.alternation([f for f in _CURRENCY if not f.isalpha()])
_CURRENCY_WORDS = vocab.alternation([f for f in _CURRENCY if f.isalpha()], spaced=True)
_PERCENT = vocab.alternation(vocab.words("percent_words"), spaced=True)
_SCALES = vocab.alternation(list(_SCALE))
_PLURALS = frozenset(vocab.words("plural_nouns"))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Numbers, scales and currencies in any case ("Three", "BN"); objects in lower case, so that a name
# ("42.7 of the Treaty") is no object.
_NUM = rf"(?<![\w.,$£€¥-])(?P<n>{_DIGITS}|(?i:{WORD_NUMBER}))(?:\s?(?P<scale>(?i:{_SCALES}))\b)?"
_WORD = rf"(?!(?:{vocab.alternation(_STOP)})\b)[a-z][a-z\-]*"
_OBJECT = rf"(?P<obj>{_WORD}(?:\s{_WORD}){{0,2}})"
_OF = r"(?:in|of|for|on|to)"  # "$25 million in aid", "40 percent of voters"
_THEN_OBJECT = rf"(?:\s{_OF}\s{_OBJECT})?"
PATTERNS = [
    re.compile(
        rf"(?<![\w$£€¥])(?P<cur>(?i:{_SYMBOLS}))\s?(?P<n>{_DIGITS})(?:\s?(?P<scale>(?i:{_SCALES}))\b)?{_THEN_OBJECT}"
    ),
    re.compile(rf"{_NUM}\s(?P<cur>(?i:{_CURRENCY_WORDS}))\b{_THEN_OBJECT}"),
    re.compile(rf"{_NUM}\s?(?P<pct>(?i:{_PERCENT}))(?!\w){_THEN_OBJECT}"),
    re.compile(rf"{_NUM}-(?P<unit>[a-z]+)\s{_OBJECT}\b"),
    re.compile(rf"{_NUM}\s{_OBJECT}\b"),  # "nine assailants"
    re.compile(rf"{_NUM}\sof\sthe\s(?:(?:{_DIGITS}|(?i:{WORD_NUMBER}))\s)?{_OBJECT}\b"),  # "four of the nine"
]
_COUNTED = 4  # PATTERNS from here count things: their object ends on a plural noun
_NUMBER_START = re.compile(
    rf"(?<![\w.,$£€¥-])(?:\d|(?:{vocab.alternation([*vocab.mapping('number_words'), 'a dozen'])})\b)"
)
_NUMBER_START_I = re.compile(_NUMBER_START.pattern, re.I)
_YEARS = range(1800, 2101)
_NUMBER_PARTS = frozenset(vocab.mapping("number_words"))


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[Amount]:
    """The extractor's entry point (see tasks.enrich): each article's amounts, title then body."""
    counts: dict[str, list[EventCount]] = {}
    for count in found.get("event_counts", ()):
        counts.setdefault(count.doc_id, []).append(count)
    return [
        amount
        for a in articles
        for field in FIELDS
        for amount in extract_amounts(
            a.doc_id, getattr(a, field), field, counts.get(a.doc_id, []) if field == "body" else []
        )
    ]


def extract_amounts(
    doc_id: str, text: str, field: str = "body", counts: Sequence[EventCount] = ()
) -> list[Amount]:
    """Every amount in `text`: the counted facts first, then each pattern's, a number read once."""
    found = [
        Amount(doc_id, c.text, float(c.number), None, c.object, field, c.start_char, c.end_char)
        for c in counts
    ]
    taken = [(c.start_char, c.end_char) for c in counts]
    starts = _number_starts(text)
    for position, pattern in enumerate(PATTERNS):
        for match in matches_from(pattern, text, starts) if position else pattern.finditer(text):
            start, end = match.span("n")
            if any(s < end and start < e for s, e in taken):
                continue
            amount = _amount(doc_id, match, field, counted=position >= _COUNTED)
            if amount is not None:
                found.append(amount)
                taken.append((start, end))
    return sorted(found, key=lambda a: (a.start_char, a.end_char))


def _number_starts(text: str) -> list[int]:
    """Where a number may start: a digit or a number word (or the "a" of "a dozen") at a word's start.
    A pattern opening on a number is tried at these places only, as finditer would find it there:
    trying its alternation of number words at every character costs ten times more."""
    pattern, searched = vocab.lower_cased(_NUMBER_START_I, _NUMBER_START, text)
    return [m.start() for m in pattern.finditer(searched)]


def _amount(doc_id: str, match: re.Match[str], field: str, counted: bool) -> Amount | None:
    groups = match.groupdict()
    value = _value(groups["n"])
    if value is None or (groups.get("unit") or "").lower() in _NUMBER_PARTS:
        return None  # "twenty-one" is one number, not twenty of a unit "one"
    obj = _object(groups.get("obj"), counted)
    if counted and (obj is None or (value == 1 and " of the " not in match.group(0))):
        return None  # a count counts something; a bare "one" is rarely a count ("one day", "one of")
    end = match.start("obj") + len(obj) if obj else match.end()
    scale = groups.get("scale")
    if scale:
        value *= _SCALE[scale.lower()]
    unit = _unit(groups)
    if unit is None and not scale and value in _YEARS and value == int(value):
        return None  # "2015 elections": a year, not a count
    return Amount(doc_id, match.string[match.start() : end], value, unit, obj, field, match.start(), end)


def _object(text: str | None, counted: bool) -> str | None:
    """The object's words up to its first plural noun (a count: "two leaders met" -> "leaders"), or its
    first two words before a past-tense verb (a sum: "$25 million in aid arrived" -> "aid")."""
    words = (text or "").split()
    if counted:
        plural = [i for i, w in enumerate(words) if w.endswith("s") or w in _PLURALS]
        words = words[: plural[0] + 1] if plural else []
    else:  # a sum's object is a noun or two, before any past-tense verb
        verb = next((i for i, w in enumerate(words) if i and w.endswith("ed")), len(words))
        words = words[: min(verb, 2)]
    return " ".join(words) or None


def _unit(groups: dict[str, str | None]) -> str | None:
    if groups.get("cur"):
        return _CURRENCY[" ".join(groups["cur"].split()).casefold()]
    if groups.get("pct"):
        return "percent"
    return (groups.get("unit") or "").lower() or None


def _value(text: str) -> float | None:
    """'1,250' -> 1250.0, '2.5' -> 2.5, 'twenty-one' -> 21.0."""
    digits = text.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", digits):
        return float(digits)
    number = parse_number(text)
    return float(number) if number is not None else None
