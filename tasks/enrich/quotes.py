"""Quotes with their speakers: quoted words, the reporting verb, and who said them.

Quotations are straight ("...") or curly (“...”) pairs within a paragraph; a paragraph whose quote does
not close continues it in the next paragraph that opens with a mark (one row per paragraph, same
speaker). One- and two-word quotes (scare quotes, titles) are left out.

Attribution is looked for after the closing mark up to the end of the sentence (`," Kerry said`, `,"
said Kerry`, `," the minister, John Kerry, said`), then before the opening mark in the same sentence
(`Kerry added, "...`), and "according to X" either side. The speaker is the PERSON entity nearest the
verb in that span, as its canonical full name; "he"/"she" is the nearest person mentioned before the
quote. A quote with no attribution that follows an attributed one in the same or the next paragraph
continues it. Without any, speaker and verb are None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tasks import vocab
from tasks.enrich.entities import Entity, by_doc
from tasks.records import Article


@dataclass(frozen=True)
class Quote:
    """One quotation without its quotation marks (grain of quotes)."""

    doc_id: str
    quote: str
    speaker: str | None  # canonical full name of the speaker, None when unattributed
    verb: str | None  # reporting verb as written: "said", "told", "added", "according to"
    start_char: int
    end_char: int


NEEDS = ("entities",)
LANGUAGES = ("en",)  # English reporting verbs and quotation marks


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[Quote]:
    """The extractor's entry point (see tasks.enrich): each article's quotes, speakers from its entities."""
    mentions = by_doc(found["entities"], fields=("body",))
    return [q for a in articles for q in extract_quotes(a.doc_id, a.body, mentions.get(a.doc_id, []))]


VERBS = vocab.alternation(vocab.words("reporting_verbs"))  # a regex alternation, matched as whole words
_QUOTE = re.compile(r"“(?P<c>[^”\n]+)(?:”|(?=\n|$))|\"(?P<s>[^\"\n]+)(?:\"|(?=\n|$))")
_CHAR = r"(?:[^.!?\n\"“”]|(?<=\b[A-Z])\.)"  # any character of the sentence, "U.S." included
_AFTER = re.compile(
    rf"^[ \t,]*(?:(?P<verb1>{VERBS}|according to)\b\s+(?P<who1>{_CHAR}{{1,80}})|(?P<who2>{_CHAR}{{1,120}}?)\s+(?P<verb2>{VERBS})\b)"
)
_BEFORE = re.compile(rf"(?P<who>{_CHAR}{{1,120}}?)\s+(?P<verb>{VERBS})\b{_CHAR}{{0,100}}[,:]?\s*$")
_ACCORDING = re.compile(r"\baccording to\s+(?P<who>[^.!?\n,]{1,80})", re.I)
_PRONOUN = re.compile(r"(?:^|\s)(?:he|she)$", re.I)
_NAME = re.compile(
    r"(?!(?:The|A|An|This|That|It|They|We|Its|Their|His|Her)\b)[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){1,3}"
)
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?](?=\s|$)")
MIN_WORDS = 3


def extract_quotes(doc_id: str, body: str, people: Sequence[Entity]) -> list[Quote]:
    """Every quotation of the body, with its speaker's canonical name when the article attributes it."""
    persons = sorted((e for e in people if e.label == "PERSON"), key=lambda e: e.start_char)
    quotes: list[Quote] = []
    open_ended: set[int] = set()  # quotes whose paragraph ends before their closing mark
    previous: Quote | None = None
    for match in _QUOTE.finditer(body):
        group = "c" if match.group("c") is not None else "s"
        start, end = match.span(group)
        start, end = _stripped(body, start, end)
        if len(body[start:end].split()) < MIN_WORDS:
            continue
        speaker, verb = _attribution(body, match.start(), match.end(), persons)
        if speaker is None and previous and _continues(body, previous.end_char, start):
            speaker, verb = previous.speaker, previous.verb
        quote = Quote(doc_id, body[start:end], speaker, verb, start, end)
        if body[match.end() - 1 : match.end()] not in ('"', "”"):
            open_ended.add(len(quotes))
        quotes.append(quote)
        previous = quote if speaker else previous
    return _carry_back(body, quotes, open_ended)


def _carry_back(body: str, quotes: list[Quote], open_ended: set[int]) -> list[Quote]:
    """A quote left open at its paragraph's end takes the speaker of its continuation, attributed later."""
    for i in sorted(open_ended, reverse=True):
        if i + 1 < len(quotes) and quotes[i].speaker is None and quotes[i + 1].speaker:
            gap = body[quotes[i].end_char : quotes[i + 1].start_char]
            if gap.strip(' \n“"') == "":
                quotes[i] = replace(quotes[i], speaker=quotes[i + 1].speaker, verb=quotes[i + 1].verb)
    return quotes


def _stripped(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1] in " \t,":
        end -= 1
    return start, end


def _attribution(
    body: str, open_at: int, close_at: int, persons: list[Entity]
) -> tuple[str | None, str | None]:
    sentence_start = max(body.rfind(". ", 0, open_at), body.rfind("\n", 0, open_at)) + 1
    after = body[close_at : close_at + 160]
    if m := _AFTER.match(after):
        verb_group, who_group = ("verb1", "who1") if m.group("verb1") else ("verb2", "who2")
        span = (close_at + m.start(who_group), close_at + m.end(who_group))
        speaker = _speaker(body, span, open_at, persons)
        if speaker:
            return speaker, m.group(verb_group)
    before = body[sentence_start:open_at]
    if m := _BEFORE.search(before):
        span = (sentence_start + m.start("who"), sentence_start + m.end("who"))
        if speaker := _speaker(body, span, open_at, persons):
            return speaker, m.group("verb")
    for window, offset in ((before, sentence_start), (after, close_at)):
        if (m := _ACCORDING.search(window)) and (
            speaker := _speaker(body, (offset + m.start("who"), offset + m.end("who")), open_at, persons)
        ):
            return speaker, "according to"
    return None, None


def _speaker(body: str, span: tuple[int, int], quote_at: int, persons: list[Entity]) -> str | None:
    """The person named in `span` (the one nearest its end), a pronoun's antecedent, or a capitalised name."""
    inside = [p for p in persons if span[0] <= p.start_char and p.end_char <= span[1]]
    if inside:
        return inside[-1].canonical
    who = body[span[0] : span[1]].strip(" ,")
    if _PRONOUN.search(who):
        before = [p for p in persons if p.end_char <= quote_at]
        return before[-1].canonical if before else None
    return who if _NAME.fullmatch(who) else None  # a name the model missed, as written


def _continues(body: str, previous_end: int, start: int) -> bool:
    """At most the attribution sentence between two quotes, across at most one paragraph break."""
    between = body[previous_end:start]
    return between.count("\n\n") <= 1 and len(between) < 250 and len(_SENTENCE_END.findall(between)) <= 1
