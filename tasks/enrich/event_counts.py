"""Event counts: '<qualifier> <number> <object> <event>' facts such as "killed at least 12 people".

Three shapes, as news writes them:
  verb first   "killed at least 12 people", "arrested 11 suspects"
  number first "14 people have been arrested", "two police officers were wounded"
  noun counts  "at least 40 police raids", "the death toll rose to 130", "the number of raids
               ... to nearly 300"
Numbers in digits ("1,200") or words ("four", "twenty-one", "two dozen"). Money, percentages, years,
scores ("3-1") and ranges are not counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tasks import vocab
from tasks.records import Article


@dataclass(frozen=True)
class EventCount:
    """One counted fact (grain of event_counts): '<qualifier> <number> <object> <count_type>'."""

    doc_id: str
    text: str  # the whole matched phrase
    count_type: str  # killed / injured / arrested / raids / strikes / evacuated / ...
    number: int
    qualifier: str | None  # "at least" / "nearly" / "more than" / "about" / ...
    object: str | None  # "people", "anti-terrorism raids"
    start_char: int
    end_char: int


NEEDS: tuple[str, ...] = ()
LANGUAGES = ("en",)  # English number words and verbs
ALONE = True  # its rows depend on its article alone: reused for an unchanged one (extract_cache)


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[EventCount]:
    """The extractor's entry point (see tasks.enrich): each article's counted facts."""
    return [c for a in articles for c in extract_counts(a.doc_id, a.body)]


_NUMBER_WORDS = {word: int(value) for word, value in vocab.mapping("number_words").items()}
UNITS = {word: n for word, n in _NUMBER_WORDS.items() if n < 20}
TENS = {word: n for word, n in _NUMBER_WORDS.items() if n >= 20}
SCALES = {word: int(value) for word, value in vocab.mapping("number_scales").items()}  # "two dozen"
VERBS = vocab.keyed("count_verbs")  # inflected form -> count_type
NOUNS = vocab.keyed("count_nouns")  # plural noun -> count_type
QUALIFIER = rf"(?:{vocab.alternation(vocab.words('count_qualifiers'))})"
_SCALES = "|".join(f" {w}" for w in SCALES)
WORD_NUMBER = (
    rf"(?:(?:{'|'.join(TENS)})(?:[- ](?:{'|'.join(k for k in UNITS if UNITS[k] < 10)}))?|"
    rf"{'|'.join(sorted(UNITS, key=len, reverse=True))})(?:{_SCALES})?|(?:a|one|two|three) dozen"
)
NUMBER = rf"(?<![\d.,£$€-])(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{WORD_NUMBER})(?![\d%]|-\d|\.\d| ?(?:per ?cent|%|million|billion|bn|m\b|years|months|weeks|days|hours|minutes|pounds|dollars|euros))"
OBJECT = r"(?:[a-z][a-z\-]*(?: [a-z][a-z\-]*){0,2}?)"
_BE = r"(?:\s+(?:were|have been|had been|has been|are|was|being|been|reportedly|were reportedly|later))*"
_VERB = "|".join(sorted(VERBS, key=len, reverse=True))
_NOUN = "|".join(sorted(NOUNS, key=len, reverse=True))
_Q = rf"(?:(?P<{{0}}>{QUALIFIER})\s+)?"
PATTERNS = [
    re.compile(
        rf"\b(?P<verb>{_VERB})\s+{_Q.format('q')}(?P<n>{NUMBER})(?:\s+(?P<obj>{OBJECT}))?(?=[\s.,;:]|$)", re.I
    ),
    re.compile(rf"{_Q.format('q')}(?P<n>{NUMBER})\s+(?P<obj>{OBJECT}){_BE}\s+(?P<verb>{_VERB})\b", re.I),
    re.compile(
        rf"{_Q.format('q')}(?P<n>{NUMBER})\s+(?P<obj>(?:[a-z][a-z\-]*\s+){{0,2}}(?P<noun>{_NOUN}))\b", re.I
    ),
    re.compile(
        rf"\b(?:(?P<toll>death toll)|number of (?P<noun>{_NOUN}))\b[^.;]{{0,60}}?\b(?:to|at|of|is|was|reached|stands at)\s+"
        rf"{_Q.format('q')}(?P<n>{NUMBER})",
        re.I,
    ),
]
_NOT_OBJECTS = frozenset(vocab.words("count_object_stop_words"))
OPENING = (1, 2)  # PATTERNS that open on a qualifier or a number: tried only where one starts
# What such a match can open on, in lower case: a qualifier, a number word (or the "a" of "a dozen"); or
# a digit. re.I also folds "ı" and "ſ" into ASCII letters ("K", the Kelvin sign, lowers to "k" itself).
_OPENERS = (*vocab.words("count_qualifiers"), *UNITS, *TENS, "a dozen")
_DIGITS_START = re.compile(r"(?<!\d)\d")
_FOLDS = str.maketrans({"ı": "i", "ſ": "s"})


def extract_counts(doc_id: str, body: str) -> list[EventCount]:
    """Every counted fact in the body; overlapping matches keep the earliest, longest one."""
    found: list[EventCount] = []
    starts = opening_places(body)
    for position, pattern in enumerate(PATTERNS):
        opening = starts is not None and position in OPENING
        for match in matches_from(pattern, body, starts or ()) if opening else pattern.finditer(body):
            count = _count(doc_id, match)
            if count and not any(
                c.start_char < count.end_char and count.start_char < c.end_char for c in found
            ):
                found.append(count)
    return sorted(found, key=lambda c: c.start_char)


def opening_places(text: str) -> list[int] | None:
    """Every place where a qualifier, a number word or a run of digits starts (in any case, inside a
    word too, as the patterns would find them), in order; None when lower-casing moves offsets ("İ").
    The patterns that open on one are tried only there: their alternations tried at every character
    cost ten times more."""
    folded = text.lower().translate(_FOLDS)
    if len(folded) != len(text):
        return None
    found = {m.start() for m in _DIGITS_START.finditer(text)}
    for opener in _OPENERS:
        at = folded.find(opener)
        while at >= 0:
            found.add(at)
            at = folded.find(opener, at + 1)
    return sorted(found)


def matches_from(pattern: re.Pattern[str], text: str, starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """pattern.finditer(text) for a pattern that can match only at one of `starts` (ascending): its
    matches left to right, none overlapping."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            end = max(match.end(), start + 1)
            yield match


def _count(doc_id: str, match: re.Match[str]) -> EventCount | None:
    groups = match.groupdict()
    number = parse_number(groups["n"])
    if number is None or (1900 <= number <= 2100 and not groups.get("obj")):
        return None
    noun = (groups.get("noun") or "").lower()
    count_type = (
        "killed" if groups.get("toll") else NOUNS.get(noun) or VERBS.get((groups.get("verb") or "").lower())
    )
    obj = _object(groups.get("obj")) or (noun or None)
    if count_type is None or (groups.get("verb") and obj and obj.split()[0] in _NOT_OBJECTS):
        return None
    qualifier = (groups.get("q") or "").lower() or None
    return EventCount(doc_id, match.group(0), count_type, number, qualifier, obj, match.start(), match.end())


def _object(text: str | None) -> str | None:
    if not text:
        return None
    words = text.split()
    while words and words[-1].lower() in _NOT_OBJECTS:
        words.pop()
    return " ".join(words).lower() or None


def parse_number(text: str) -> int | None:
    """'1,200' -> 1200, 'twenty-one' -> 21, 'two dozen' -> 24, 'three hundred' -> 300."""
    text = text.lower().strip()
    if text.replace(",", "").isdigit():
        return int(text.replace(",", ""))
    words = re.split(r"[\s-]+", text)
    total = 0
    for word in words:
        if word in UNITS:
            total += UNITS[word]
        elif word in TENS:
            total += TENS[word]
        elif word in SCALES and total:
            total *= SCALES[word]
        elif word == "a":
            total = 1
        else:
            return None
    return total or None
