"""The rules that turn the model's raw entity spans over one article into the mentions an analyst wants.

All work on the text the model read (tasks.enrich.entities.View: title and body, case restored) and on
(start, end, label) spans into it:
- spans trimmed of a leading "the", titles ("President", "Col."), possessive "'s", punctuation, the
  lowercase words that end them ("Example news agency"), and of the scores and bracketed notes a results
  line runs into them ("France 2-1", "Jane Doe (Australia");
- spans run across lines, across "at"/"in", a country and a dash, or a place and its region's comma
  split, and no junk: without letters, a time zone, or opening in lowercase;
- a company's name bounded by its legal form ("Acme Chemical" + " Co", "Acme Inc of Springfield" as the
  company and the place);
- countries and capitals the model missed added from the gazetteer, and the wire services; organisations
  named by their kind ("the Finance Ministry", "Bank of Example"); people the text introduces ("Mr Doe",
  "spokesman John Doe", "Jane Doe (Kenya)") (names on results lines: tasks.enrich.results_lines; the name
  each mention refers to: tasks.enrich.entity_names);
- one label per name, by evidence: the model's votes, a title before the name ("Mr", "coach") or a
  nationality after it, "the city of" before it, the gazetteer (a country or capital is a place), and a
  team's shape on sports copy (a name with its score on a results line, "X beat Y"): a town or county
  playing is an organisation, a country stays a place;
- a name found once is found everywhere the story writes it again, and a name of two words or more
  that one story of the batch found, wherever another story writes it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from tasks import places, vocab
from tasks.enrich import entity_names, results_lines
from tasks.enrich.entity_names import NAMED, Mention

_HONORIFICS = vocab.alternation(vocab.words("honorifics"))  # abbreviations, with or without their dot
_OFFICES = vocab.alternation(vocab.words("offices"))
TITLES = rf"(?:(?:{_HONORIFICS})\.?|{_OFFICES})\s+"
# A team's roles: before a name they say a person ("coach Doe"), after one a team ("Riverside captain").
_TEAM_ROLES = vocab.alternation(vocab.words("team_roles"))
# A word before a name that says the name is a person's.
_ROLE = re.compile(
    rf"(?:\b(?:{_HONORIFICS})\.?|\b(?:{_OFFICES}|{_TEAM_ROLES}|{vocab.alternation(vocab.words('person_roles'))}))\s+$"
)
# A role after a name says the name is what the person plays or works for ("Riverside captain John Doe").
_ROLE_AFTER = re.compile(rf"\s+(?:{_TEAM_ROLES}|{vocab.alternation(vocab.words('organisation_roles'))})\b")
# A role after a name the model did not take for a place: the name is the body the person speaks for
# ("Acme president", "Example Agency officials"); a place has officials too ("Delhi officials").
_BODY_ROLE_AFTER = re.compile(rf"\s+(?:{vocab.alternation(vocab.words('spokesperson_roles'))})\b")
# A kind of place and "of" before a name say the name is a place's ("the city of Springfield").
_PLACE_OF = re.compile(rf"\b(?:{vocab.alternation(vocab.words('settlement_nouns'))}) of\s+$")
_LEAD = re.compile(rf"(?:(?:the|The)\s+|{TITLES})+")
_TAIL = re.compile(r"(?:['’]s|['’]|[\s,;:!?\"“”)(-]|(?<![A-Z])\.)+$")  # keeps the dot of "U.S."
_SCORE_TAIL = re.compile(r"(?:\s+\d+(?:[-–/:.]\d+)*)+$")  # "France 2-1", "Riverside 4 1 1 2"
_AT = re.compile(r"(?<=[a-z]) (?:at|in) (?=[A-Z])")
_DASHES = re.compile(r".*\s[-–—]+\s")
_DASH = re.compile(r"\s[-–—]+\s")
_IN_REGION = re.compile(r", +(?=[A-Z])")  # "Springfield, Illinois": a place and the region it is in
# Words in lowercase that end a span: what the name is, not the name ("Example news agency"); not a
# company's legal form ("Acme plc").
_LOWER_TAIL = re.compile(rf"(?:\s+(?!(?:{vocab.alternation(vocab.words('legal_forms'))})\b)[a-z][a-z]*)+$")
_PHONE = re.compile(r"\s+\+[\d\s-]*$")  # "Example Newsroom +44"
_PARTICLE = re.compile(rf"^(?:{vocab.alternation(vocab.words('name_particles'))})\b")


def pieces(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """A person's name the model ran across lines, as those of its lines that are not a line alone
    ("Doe\n\nJohn Smith"; other labels across lines are headings run together, and junk); a span
    it ran across "at" or "in" between two names, as the two ("Riverside at Mill Park": the second a
    place); a country or capital before a dash and what follows it as two ("FRANCE - Bonds"); a place
    and the region after its comma as two ("Springfield, Illinois"); any other span as it is."""
    if "\n" in text[start:end] and label == "PERSON":  # a heading alone is no name
        lines = [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\n]+", text[start:end])]
        runs_on = [(s, e) for s, e in lines if results_lines.line_of(text, s).strip() != text[s:e].strip()]
        return [piece for s, e in runs_on for piece in pieces(text, s, e, label)]
    dash = _DASH.search(text, start, end)
    if dash and (entry := places.resolve(text[start : dash.start()])) and entry.rank <= 1:
        return [(start, dash.start(), "GPE"), *pieces(text, dash.end(), end, label)]  # "FRANCE - Bonds"
    if label in ("GPE", "LOC", "FAC") and (comma := _IN_REGION.search(text, start, end)):
        return [(start, comma.start(), label), (comma.end(), end, label)]
    cut = _AT.search(text, start, end)
    if cut is None:
        return [(start, end, label)]
    return [(start, cut.start(), label), (cut.end(), end, "GPE")]


_LEGAL = vocab.alternation(vocab.words("legal_forms"))
_LEGAL_AFTER = re.compile(rf" (?:{_LEGAL})\.?(?![\w-])")  # "Acme" + " Inc", " Co."
_LEGAL_OF = re.compile(rf" (?:{_LEGAL})\.?( (?:of|in) )(?=[A-Z])")  # "Acme Inc of Springfield"
_DASH_THEN_NO_NAME = re.compile(r"\s[-–—]+\s+(?=[\d\W]|[a-z])")  # "Acme Corp - 6mth forecast"


def organisation_pieces(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """A company's name as its legal form bounds it: grown by the legal form written right after it
    ("Acme Chemical" + " Co"), cut after the legal form before "of"/"in" and a place ("Acme Inc of
    Springfield": the company and the place), and cut before a dash that no name follows ("Acme Corp -
    6mth forecast"); any other span as it is."""
    if label == "PERSON":
        return [(start, end, label)]
    dash = _DASH_THEN_NO_NAME.search(text, start, end)
    if dash and entity_names.has_legal_form(text[start : dash.start()].rstrip(". ")):
        end = dash.start()
    if of := _LEGAL_OF.search(text, start, end):
        return [(start, of.start(1), "ORG"), (of.end(1), end, "GPE")]
    if label in ("ORG", "FAC", "NORP", "PRODUCT") and (legal := _LEGAL_AFTER.match(text, end)):
        return [(start, legal.end(), "ORG")]
    return [(start, end, label)]


def trimmed(text: str, start: int, end: int, label: str) -> tuple[int, int, str, bool] | None:
    """(start, end, label, titled): the span without its leading article or title, trailing score,
    bracket or punctuation; `titled` when a person's title was cut from its front."""
    titled = False
    if lead := _LEAD.match(text, start, end):
        titled = any(w.lower() != "the" for w in text[start : lead.end()].split())
        start = lead.end()
    span = text[start:end]
    if "(" in span or ")" in span:  # "Jane Doe (Australia": the name before the bracket
        before = re.split(r"\s*[()]", span)[0]
        end = start + len(before) if any(c.isalpha() for c in before) else end
    if dash := _DASHES.search(text, start, end):  # "Cricket - Riverside": what follows the dash
        start = dash.end()
    if (score := _SCORE_TAIL.search(text, start, end)) and results_lines.is_results_line(text, start):
        end = score.start()
    if phone := _PHONE.search(text, start, end):
        end = phone.start()
    if tail := _TAIL.search(text, start, end):
        end = tail.start()
    if lower := _LOWER_TAIL.search(text, start, end):  # "Example news agency": the name before it
        end = lower.start()
    return (start, end, label, titled) if end > start else None


_TIME_ZONES = frozenset(vocab.mapping("time_zones"))  # "GMT": a clock's zone, no organisation


def is_junk(text: str, start: int, end: int) -> bool:
    """Across lines, without letters, too short, a time zone, or opening in lowercase (not a particle:
    "al-Qaeda")."""
    span = text[start:end]
    if "\n" in span or len(span) < 2 or not any(ch.isalpha() for ch in span) or span in _TIME_ZONES:
        return True
    return span[0].islower() and not _PARTICLE.match(span)


_NAME_WORD = r"[A-Z](?=[\w'’-]*[a-z])[\w'’-]*+"  # "Doe", "O'Dowd", "MacQuarrie", "Smith-Jones"; not "BBC"
# A name the text introduces as a person's: after an honorific or a title of office written with its
# capital ("Mr Doe", "Dr. Jane Doe", "President Doe"), or a role written in lowercase ("spokesman John Doe").
_INTRODUCED = re.compile(
    rf"(?:\b(?:{_HONORIFICS})\.?|\b(?:{_OFFICES})|(?<![\w-])(?:{_TEAM_ROLES}|"
    rf"{vocab.alternation(vocab.words('person_roles'))}))\s+({_NAME_WORD}(?: {_NAME_WORD}){{0,2}})\b"
)


# A competitor's name before their nationality ("Jane Doe (Kenya)", "J. Doe (Kenya)").
_COMPETITOR = re.compile(rf"(?<![\w.-])(?:[A-Z]\. ?)?{_NAME_WORD}(?: {_NAME_WORD}){{0,2}}$")


def introduced_names(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """People the model missed whose name the text introduces with a title or a role ("Mr Doe",
    "spokesman John Doe") or with their nationality ("Jane Doe (Kenya)"), where no model span touches
    them."""
    spans = list(covered)
    found = []
    named = [m.span(1) for m in _INTRODUCED.finditer(text)]
    for bracket in _BRACKETED.finditer(text):  # the bracket first: a pattern ending in one is slow
        name = _COMPETITOR.search(text, max(0, bracket.start() - 60), bracket.start())
        if name and _is_nationality(text, name.end()):
            named.append(name.span())
    for s, e in named:
        if not any(cs < e and s < ce for cs, ce in spans) and not is_junk(text, s, e):
            found.append((s, e, "PERSON"))
            spans.append((s, e))
    return found


# Cities the model missed are added when this many people live there (None: countries and capitals only;
# a number: US states and continents too). Chosen on held-out folds of wire/ by bench.entity_eval.
CITY_POPULATION: int | None = None


def gazetteer_misses(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Countries and capitals (and with CITY_POPULATION set, US states, continents and cities that large)
    written in the text that no model span covers."""
    spans = list(covered)
    missed = []
    for match in _place_pattern(CITY_POPULATION).finditer(text):
        s, e = match.span()
        if not any(cs < e and s < ce for cs, ce in spans) and not is_junk(text, s, e):
            missed.append((s, e, "GPE"))
    for match in _AGENCY.finditer(text):
        s, e = match.span()
        if not any(cs < e and s < ce for cs, ce in spans):
            missed.append((s, e, "ORG"))
    return missed


# An organisation's head noun (tasks/vocab/organisation_heads.txt) with the capitalised words before it
# ("the Finance Ministry") or "of" and a name after it ("Bank of Example").
_HEAD = re.compile(rf"(?<![\w-])(?:{entity_names.HEADS})(?![\w-])")
_WORD_BEFORE = re.compile(r"(?<![\w'’&.-])((?:[A-Z]\.){2,}|[A-Z][\w'’&-]*) $")  # "U.S. ", "Finance "
_OF_NAME = re.compile(r" of (?:the )?[A-Z][\w'’&-]*(?: [A-Z][\w'’&-]*){0,3}")
_STOP_WORDS = frozenset(vocab.words("stop_words"))


def organisation_misses(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Organisations named by their kind that no model span touches: an organisation's head noun with up
    to four capitalised words before it ("the Finance Ministry", not "The" or another function word), or
    "of" and a capitalised name after it ("Bank of Example"); a head noun alone is no name."""
    spans = list(covered)
    missed = []
    for head in _HEAD.finditer(text):
        start, end = head.span()
        for _ in range(4):
            word = _WORD_BEFORE.search(text, max(0, start - 40), start)
            if not word or word.group(1).lower() in _STOP_WORDS:
                break
            start = word.start(1)
        if of := _OF_NAME.match(text, end):
            end = of.end()
        if (start, end) == head.span() or any(cs < end and start < ce for cs, ce in spans):
            continue
        missed.append((start, end, "ORG"))
        spans.append((start, end))
    return missed


# The wire services (tasks/vocab/news_agencies.txt) a story cites: organisations wherever they stand.
AGENCIES = frozenset(a for a in vocab.words("news_agencies") if len(a) > 2 and a[0].isupper())
_AGENCY = re.compile(rf"(?<![\w\-’'])(?:{vocab.alternation(sorted(AGENCIES))})(?![\w\-])")


@cache
def _place_pattern(population: int | None) -> re.Pattern[str]:
    names = {e.canonical for e in places.gazetteer().values() if e.rank <= 1} | set(places.COUNTRY_ALIASES)
    if population is not None:
        names |= {
            e.canonical for e in places.gazetteer().values() if e.rank == 2 or e.population >= population
        }
    names = {n for n in names if (len(n) > 3 and " " not in n) or len(n) > 6}
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    # not inside a longer capitalised name: "New York Times" is no mention of York
    return re.compile(rf"(?<![\w\-’'])(?<![A-Z][a-z] )(?:{alternatives})(?![\w\-])(?! [A-Z])")


Evidence = dict[str, Counter[str]]  # canonical -> label -> count


def evidence_of(text: str, named: list[Mention], titled: set[int]) -> tuple[Evidence, Evidence]:
    """(votes, evidence) per canonical name: the model's labels, and what the text says besides: a
    person's title before a mention ("Mr", "coach") for PERSON, a team's shape or a role after it
    ("Riverside captain") for ORG."""
    votes: Evidence = {}
    evidence: Evidence = {}
    for i, (start, end, canonical, label) in enumerate(named):
        votes.setdefault(canonical, Counter())[label] += 1
        seen = evidence.setdefault(canonical, Counter())
        role = _ROLE.search(text, max(0, start - 30), start)
        if i in titled or role:  # an honorific ("Mr", "Dr") counts twice, a job ("coach", "chief") once
            seen["PERSON"] += 2 if i in titled or (role and role.group()[0].isupper()) else 1
        elif " " in canonical and _is_nationality(text, end):  # "Jane Doe (France) beat ..."
            seen["PERSON"] += 2
        elif _PLACE_OF.search(text, max(0, start - 16), start):
            seen["GPE"] += 2
        elif canonical in AGENCIES:
            seen["ORG"] += 2
        elif label != "PERSON" or " " not in canonical:
            speaks_for = label not in ("GPE", "LOC") and _BODY_ROLE_AFTER.match(text, end)
            seen["ORG"] += results_lines.plays(text, start, end) or bool(
                _ROLE_AFTER.match(text, end) or speaks_for
            )
    return votes, evidence


_BRACKETED = re.compile(r" \(([A-Z][\w.' -]+)\)")


def _is_nationality(text: str, end: int) -> bool:
    """A country in brackets right after a name: a competitor's nationality ("Jane Doe (Kenya)")."""
    match = _BRACKETED.match(text, end)
    entry = places.resolve(match.group(1)) if match else None
    return entry is not None and entry.rank == 0


def one_label_per_name(votes: Evidence, evidence: Evidence, shared: Evidence | None = None) -> dict[str, str]:
    """canonical -> its label in this story, strongest evidence first: a person's title, a team's shape,
    the gazetteer's countries and capitals, the model's votes. A name the story gives no evidence for
    takes the evidence other stories of the batch give (`shared`), unless the model saw a place in it:
    "Riverside" scored on a results line is the team in the match report beside it."""
    labels = {}
    for canonical, counter in votes.items():
        seen, entry = evidence[canonical], places.resolve(canonical)
        label = counter.most_common(1)[0][0]
        if shared and not +seen and label not in ("GPE", "LOC"):  # a place the model saw stays one
            seen = shared.get(canonical, seen)
        if label == "NORP" and entry is not None and entry.rank == 0:
            label = "GPE"  # a country's name, not its people's adjective
        elif label not in NAMED:
            pass  # a people's adjective, an event, a law: no evidence here says otherwise
        elif entry is not None and entry.rank == 0 and not (counter["PERSON"] and seen["PERSON"]):
            label = "GPE"  # a country, also when its team plays ("France beat Spain")
        elif seen["GPE"] > seen["PERSON"] + seen["ORG"]:
            label = "GPE"  # "the city of X"
        elif seen["PERSON"] > seen["ORG"] and (counter["PERSON"] or seen["PERSON"] > 1):
            label = "PERSON"
        elif seen["ORG"] and seen["ORG"] * 4 >= counter["PERSON"]:
            label = "ORG"  # a town or county playing (one mention in four that the model took for a person)
        elif entry is not None and entry.rank == 1 and not seen["PERSON"] and label not in ("ORG", "FAC"):
            label = "GPE"  # a capital is a place
        labels[canonical] = label
    return labels


def propagated(text: str, named: list[Mention], labels: dict[str, str]) -> list[Mention]:
    """Mentions the model missed of names it found elsewhere in the story: each name as written, and a
    person's surname, wherever they stand alone with a capital (not opening a sentence with a word the
    story also writes in lowercase, not inside a longer capitalised name)."""
    surfaces: dict[str, str] = {}
    for start, end, canonical, _ in named:
        surfaces.setdefault(text[start:end], canonical)
        if labels[canonical] == "PERSON" and len(parts := canonical.split()) > 1 and len(parts[-1]) > 2:
            surfaces.setdefault(parts[-1], canonical)
    surfaces = {s: c for s, c in surfaces.items() if s[:1].isupper() and "\n" not in s and len(s) > 1}
    if not surfaces:
        return []
    taken = [(s, e) for s, e, _, _ in named]
    found = []
    for s, e in _occurrences(text, surfaces):  # str.find per name: no pattern to compile per story
        if any(ts < e and s < te for ts, te in taken) or _inside_a_name(text, s, e):
            continue
        if _opens_sentence(text, s) and f" {text[s:e].lower()} " in text:
            continue
        taken.append((s, e))
        canonical = surfaces[text[s:e]]
        found.append((s, e, canonical, labels[canonical]))
    return sorted(found)


BatchNames = dict[str, dict[str, str]]  # a name's first word -> name as written -> label


def batch_names(stories: Iterable[tuple[str, list[Mention]]]) -> BatchNames:
    """Names of two words or more the model found as a person or organisation in the batch's stories
    ((text, mentions) each), as written -> the label most of their mentions have, by first word."""
    seen: dict[str, Counter[str]] = {}
    for text, named in stories:
        for start, end, _, label in named:
            surface = text[start:end]
            if label in ("PERSON", "ORG") and " " in surface and "\n" not in surface and surface[0].isupper():
                seen.setdefault(surface, Counter())[label] += 1
    known: BatchNames = {}
    for surface, labels in seen.items():
        known.setdefault(surface.split(" ", 1)[0], {})[surface] = labels.most_common(1)[0][0]
    return known


_CAPITALISED = re.compile(r"\b[A-Z][^\s]*")


def batch_mentions(text: str, named: list[Mention], known: BatchNames) -> list[Mention]:
    """Mentions of names other stories of the batch found (`known`, see batch_names) where this story
    writes them and the model found nothing."""
    words = set(_CAPITALISED.findall(text)) & known.keys()
    present = {k: v for w in words for k, v in known[w].items() if k in text}
    taken = [(s, e) for s, e, _, _ in named]
    found = []
    for s, e in _occurrences(text, present):
        if any(ts < e and s < te for ts, te in taken) or _inside_a_name(text, s, e):
            continue
        taken.append((s, e))
        found.append((s, e, text[s:e], present[text[s:e]]))
    return found


def _occurrences(text: str, surfaces: Iterable[str]) -> list[tuple[int, int]]:
    """Where each surface stands as a whole word (not inside a longer word, "U.S." not in "U.S.A"),
    longest first at any place."""
    spans = []
    for surface in surfaces:
        at = text.find(surface)
        while at >= 0:
            end = at + len(surface)
            if not (at and _joins_before(text[at - 1])) and not (end < len(text) and _joins_after(text[end])):
                spans.append((at, end))
            at = text.find(surface, at + 1)
    return sorted(spans, key=lambda span: (span[0], -span[1]))


def _joins_before(c: str) -> bool:
    return c.isalnum() or c in "_-’'."


def _joins_after(c: str) -> bool:
    return c.isalnum() or c in "_-’"


def _inside_a_name(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return (len(after) == 2 and after[0] == " " and after[1].isupper()) or (
        len(before) == 2
        and before[1] == " "
        and before[0].isalpha()
        and _word_before(text, start)[:1].isupper()
    )


def _word_before(text: str, at: int) -> str:
    head = text[max(0, at - 40) : at].split()
    return head[-1] if head else ""


def _opens_sentence(text: str, at: int) -> bool:
    head = text[max(0, at - 4) : at].rstrip(" \"'“‘(")
    return not head or head[-1] in ".!?:\n"
