"""The name a mention refers to, within one story: a person's full name for the short mentions
("Doe" -> "Jane Doe"), an organisation's full name for its short form or bracketed abbreviation
("Acme" -> "Acme International Inc", "NRP" -> "National Reform Party"), the gazetteer's name for a
place ("U.S." -> "United States"); and the label a name's own shape gives (a company's legal form, a
competition's word).
"""

from __future__ import annotations

import re
from collections import Counter

from tasks import places, vocab

Mention = tuple[int, int, str, str]  # (start, end, canonical, label) in the text the model read
NAMED = ("PERSON", "ORG", "GPE", "LOC", "FAC")  # the labels evidence decides between

_LEGAL_FORMS = vocab.alternation(vocab.words("legal_forms"))
_COMPANY = re.compile(rf"\s(?:{_LEGAL_FORMS})\.?$")  # a name ending in one is a company's
# The words a company's full name adds to its short form ("Acme" of "Acme International Inc").
_DESIGNATOR = re.compile(rf"(?:{_LEGAL_FORMS}|{vocab.alternation(vocab.words('company_designators'))})\.?$")
_COMPETITION = re.compile(rf"\s(?:{vocab.alternation(vocab.words('competition_words'))})$")
HEADS = vocab.alternation(vocab.words("organisation_heads"))
# An organisation named by its kind: the head noun last ("Finance Ministry", "Parliament") or first
# before "of" ("Bank of Example").
_HEADED = re.compile(rf"(?:^|\s)(?:{HEADS})$|^(?:{HEADS}) of\s")
_BRACKETED = re.compile(r" \(([A-Z][A-Z.&]{1,9})\)")


def canonical_names(text: str, spans: list[tuple[int, int, str]]) -> list[Mention]:
    """Each span with the name it refers to: a person's full name for a mention that ends it ("Doe")
    or, for a one-word mention, opens it ("Li" of "Li Wei"); an organisation's full name for a
    mention that opens it ("Acme" of "Acme International Inc") or abbreviates it in brackets right after
    it ("National Reform Party (NRP)"); the gazetteer's name for a place."""
    people = _multiword(text, spans, "PERSON")
    organisations = _multiword(text, spans, "ORG")
    named: list[Mention] = []
    for start, end, label in spans:
        name = " ".join(text[start:end].split())
        full = _full_name(name, people)
        if full and not _is_country_or_capital(name):
            named.append((start, end, full, "PERSON"))
        elif label in ("GPE", "LOC") and _kind(name, label) == label:  # not "Springfield Open"
            entry = places.resolve(name)
            named.append((start, end, entry.canonical if entry else places.normalise(name), label))
        elif named and _abbreviates(text, named[-1], start, end):
            named.append((start, end, named[-1][2], named[-1][3]))
        elif (kind := _kind(name, label)) != label:
            named.append((start, end, name, kind))
        elif label in ("ORG", "PERSON") and (company := _opens(name, organisations)):
            named.append((start, end, company, "ORG"))
        else:
            named.append((start, end, name, label))
    return named


def abbreviations(text: str, named: list[Mention]) -> list[Mention]:
    """Abbreviations in brackets right after a name that no span covers ("National Reform Party
    (NRP)"), as mentions of that name."""
    taken = {(s, e) for s, e, _, _ in named}
    found = []
    for mention in named:
        match = _BRACKETED.match(text, mention[1])
        span = (match.start(1), match.end(1)) if match else None
        if span and span not in taken and _abbreviates(text, mention, *span):
            found.append((*span, mention[2], mention[3]))
    return found


def _multiword(text: str, spans: list[tuple[int, int, str]], kind: str) -> Counter[str]:
    names = (" ".join(text[s:e].split()) for s, e, label in spans if _kind(text[s:e], label) == kind)
    return Counter(n for n in names if " " in n)


def has_legal_form(name: str) -> bool:
    """The name ends in a company's legal form ("Acme Corp", "Example Holdings Ltd")."""
    return bool(_COMPANY.search(name))


def is_headed(name: str) -> bool:
    """The name carries an organisation's kind: "Finance Ministry", "Bank of Example" (organisation_heads)."""
    return bool(_HEADED.search(name))


def _kind(name: str, label: str) -> str:
    """The model's label, except that a name ending in a company's legal form is an organisation, and
    one with an organisation's head noun too unless the model took it for a place ("West Bank"), and one
    ending in a competition's word an event ("Example Cup", "City Open", "Riverside Grand Prix")."""
    if has_legal_form(name) or (label not in ("GPE", "LOC") and is_headed(name)):
        return "ORG"
    return "EVENT" if label in NAMED and _COMPETITION.search(name) else label


def _full_name(name: str, people: Counter[str]) -> str | None:
    short = name.split()
    ends = [p for p in people if len(p.split()) > len(short) and p.split()[-len(short) :] == short]
    if not ends and len(short) == 1:
        ends = [p for p in people if p.split()[0] == name]
    return max(ends, key=lambda p: (people[p], len(p))) if ends else None


def _opens(name: str, organisations: Counter[str]) -> str | None:
    """The organisation's full name that is this name and legal or corporate words ("Acme" of "Acme
    International Inc"; not "Apple" of "Apple Music")."""
    short = name.split()
    longer = [
        o
        for o in organisations
        if len(o.split()) > len(short)
        and o.split()[: len(short)] == short
        and all(_DESIGNATOR.match(w) for w in o.split()[len(short) :])
    ]
    return max(longer, key=lambda o: (organisations[o], len(o))) if longer else None


def _abbreviates(text: str, before: Mention, start: int, end: int) -> bool:
    """The span is in brackets right after `before` and spells its capitalised words' initials."""
    if text[before[1] : start] != " (" or text[end : end + 1] != ")":
        return False
    initials = "".join(w[0] for w in text[before[0] : before[1]].split() if w[0].isupper())
    return len(initials) >= 2 and text[start:end].replace(".", "").upper() == initials.upper()


def _is_country_or_capital(name: str) -> bool:
    entry = places.resolve(name)
    return entry is not None and entry.rank <= 1
