"""The rules that turn the model's raw entity spans over one article into the mentions an analyst wants.

All work on the text the model read (tasks.enrich.entities.View: title and body, case restored) and on
(start, end, label) spans into it:
- spans trimmed of a leading "the", titles ("President", "Col."), possessive "'s", punctuation, and of the
  scores and bracketed notes a results line runs into them ("Lithuania 2-1", "Scott Draper (Australia");
- no junk: spans across lines, without letters, or opening in lowercase;
- countries and capitals the model missed added from the gazetteer;
- a short mention of a person takes the full name the story gives ("Kerry" -> "John Kerry", also when
  the model called it a place or an organisation);
- one label per name, by evidence: the model's votes, a title before the name ("Mr", "coach"), the
  gazetteer (a country or capital is a place), and a team's shape on sports copy (a name with its score
  on a results line, "X beat Y"): a town or county playing is an organisation, a country stays a place;
- a name found once is found everywhere the story writes it again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from tasks import places

Mention = tuple[int, int, str, str]  # (start, end, canonical, label) in the text the model read

TITLES = (
    r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Lord|Lady|Col|Gen|Lt|Sgt|Capt|Maj|Rev|Sen|Rep|Gov|St)\.?"
    r"|President|Prime Minister|Minister|Chancellor|King|Queen|Prince|Princess|Pope|Judge|Senator)\s+"
)
# A word before a name that says the name is a person's.
_ROLE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Capt|Lt|Sgt)\.?|\b(?:Sir|Dame|Lord|Lady|President|Senator"
    r"|Minister|Judge|Pope|King|Queen|Prince|coach|manager|captain|skipper|striker|midfielder|defender"
    r"|goalkeeper|keeper|forward|winger|batsman|bowler|spinner|pitcher|champion|player|rider|driver"
    r"|spokesman|spokeswoman|chairman|chief|leader|director|secretary|minister|president|envoy|ambassador"
    r"|premier|author|novelist))\s+$"
)
# A role after a name says the name is what the person plays or works for ("Surrey captain Chris Lewis").
_ROLE_AFTER = re.compile(
    r"\s+(?:coach|manager|captain|skipper|striker|midfielder|defender|goalkeeper|keeper|chairman"
    r"|chief executive|shareholders|player)\b"
)
# A role after a name the model did not take for a place: the name is the body the person speaks for
# ("Cofinec president", "Interfax officials"); a place has officials too ("Delhi officials").
_BODY_ROLE_AFTER = re.compile(
    r"\s+(?:spokesman|spokeswoman|spokesperson|president|director|officials?|executives?|rider|driver)\b"
)
_COMPANY = re.compile(
    r"\s(?:Inc|Corp|Corporation|Co|Ltd|Plc|PLC|plc|LLC|SpA|SA|AG|NV|BV|GmbH|AB|ASA|Oyj|KK|Bhd|Holdings|Group)\.?$"
)
_DESIGNATOR = re.compile(
    r"(?:Inc|Corp|Corporation|Co|Company|Ltd|Limited|Plc|PLC|plc|LLC|SpA|SA|AG|NV|BV|GmbH|AB|ASA|Oyj|KK|Bhd"
    r"|Holdings?|Group|International|Industries|Enterprises|Bancshares|Bancorp|Financial|&)\.?$"
)
_COMPETITION = re.compile(
    r"\s(?:Cup|Open|Trophy|Championships?|Games|Olympics|Grand Prix|Classic|Marathon|Masters|Series|Finals?)$"
)
_BRACKETED = re.compile(r" \(([A-Z][A-Z.&]{1,9})\)")
_NAMED = ("PERSON", "ORG", "GPE", "LOC", "FAC")  # the labels the evidence below decides between
_LEAD = re.compile(rf"(?:(?:the|The)\s+|{TITLES})+")
_TAIL = re.compile(r"(?:['’]s|['’]|[\s,;:!?\"“”)(-]|(?<![A-Z])\.)+$")  # keeps the dot of "U.S."
_SCORE_TAIL = re.compile(r"(?:\s+\d+(?:[-–/:.]\d+)*)+$")  # "Lithuania 2-1", "Chester 4 1 1 2"
_NUMBER = re.compile(r"(?<![\w-])\d+(?:[-–/:.,]\d+)*(?![\w-])")
_AT = re.compile(r"(?<=[a-z]) (?:at|in) (?=[A-Z])")
_DASHES = re.compile(r".*\s[-–—]+\s")
_PHONE = re.compile(r"\s+\+[\d\s-]*$")  # "Dublin Newsroom +353"
_RESULTS_LINE = re.compile(r"^[^\n]*\d[^\n]*$", re.M)
_NAME_WORD = r"(?:[A-Z][\w'’&-]*\.?|[A-Z]\.)"
_SCORED_NAME = re.compile(
    rf"(?<![\w.])({_NAME_WORD}(?: {_NAME_WORD}){{0,3}})(?= \d+(?:[-–]\d+)?(?:[ ,;)]|$))"
)
_SCORE_THEN_NAME = re.compile(rf"\d[-–]\d+ ({_NAME_WORD}(?: {_NAME_WORD}){{0,3}})(?= *(?:$|[,;]))", re.M)
_INITIAL = re.compile(r"^[A-Z]\. ?[A-Z]")
_CALENDAR = re.compile(
    r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?$"
    r"|^(?:No|Nos|Page|Section|Article|Chapter|Group|Round|Day|Week|Year|Vol|Part|Act|Rule|Table)\.?$"
)
_SCORE = re.compile(r"\b\d+\s*[-–]\s*\d+\b")
_PARTICLE = re.compile(r"^(?:al|el|de|du|da|di|van|von|der|le|la|bin|ibn|ben|dos|das)\b")
# A team's shape: its score right after it on a line ("Arsenal 2 Aston Villa 1", "Kent 22 points"), or
# a result's verb beside it ("Leicestershire beat Somerset", "drew with Kent", "Rangers v Celtic").
_SCORED = re.compile(r"^[ \t]+\d+(?:\s*[-–]\s*\d+)?(?:[ \t]|,|;|$)")
_RESULT_AFTER = re.compile(
    r"^\s+(?:beat|beats|defeated|drew with|drew|lost to|held|edged|thrashed|v|vs\.?)\s"
)
_RESULT_BEFORE = re.compile(r"\s(?:beat|beats|defeated|drew with|lost to|held|edged|thrashed|v|vs\.?)\s+$")


def pieces(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """A person's name the model ran across lines, as those of its lines that are not a line alone
    ("Gilbert\n\nAndy Roddick"; other labels across lines are headings run together, and junk); a span
    it ran across "at" or "in" between two names, as the two ("Yorkshire at Headingley": the second a
    place); any other span as it is."""
    if "\n" in text[start:end] and label == "PERSON":  # a heading alone is no name
        lines = [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\n]+", text[start:end])]
        runs_on = [(s, e) for s, e in lines if _line(text, s).strip() != text[s:e].strip()]
        return [piece for s, e in runs_on for piece in pieces(text, s, e, label)]
    cut = _AT.search(text, start, end)
    if cut is None:
        return [(start, end, label)]
    return [(start, cut.start(), label), (cut.end(), end, "GPE")]


def trimmed(text: str, start: int, end: int, label: str) -> tuple[int, int, str, bool] | None:
    """(start, end, label, titled): the span without its leading article or title, trailing score,
    bracket or punctuation; `titled` when a person's title was cut from its front."""
    titled = False
    if lead := _LEAD.match(text, start, end):
        titled = any(w.lower() != "the" for w in text[start : lead.end()].split())
        start = lead.end()
    span = text[start:end]
    if "(" in span or ")" in span:  # "Scott Draper (Australia": the name before the bracket
        before = re.split(r"\s*[()]", span)[0]
        end = start + len(before) if any(c.isalpha() for c in before) else end
    if dash := _DASHES.search(text, start, end):  # "Cricket - Leicestershire": what follows the dash
        start = dash.end()
    if (score := _SCORE_TAIL.search(text, start, end)) and _is_results_line(text, start):
        end = score.start()
    if phone := _PHONE.search(text, start, end):
        end = phone.start()
    if tail := _TAIL.search(text, start, end):
        end = tail.start()
    return (start, end, label, titled) if end > start else None


def is_junk(text: str, start: int, end: int) -> bool:
    """Across lines, without letters, too short, or opening in lowercase (not a particle: "al-Qaeda")."""
    span = text[start:end]
    if "\n" in span or len(span) < 2 or not any(ch.isalpha() for ch in span):
        return True
    return span[0].islower() and not _PARTICLE.match(span)


def _is_results_line(text: str, at: int) -> bool:
    """A line of results or a table: a score ("2-1"), or three numbers in at most 25 words."""
    line = _line(text, at)
    return bool(_SCORE.search(line)) or (len(_NUMBER.findall(line)) >= 3 and len(line.split()) <= 25)


def _line(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return text[start : end if end >= 0 else len(text)]


def gazetteer_misses(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Countries and capitals written in the text that no model span covers."""
    spans = list(covered)
    missed = []
    for match in _country_pattern().finditer(text):
        s, e = match.span()
        if not any(cs < e and s < ce for cs, ce in spans) and not is_junk(text, s, e):
            missed.append((s, e, "GPE"))
    return missed


@cache
def _country_pattern() -> re.Pattern[str]:
    names = {e.canonical for e in places.gazetteer().values() if e.rank <= 1} | set(places.COUNTRY_ALIASES)
    names = {n for n in names if (len(n) > 3 and " " not in n) or len(n) > 6}
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    # not inside a longer capitalised name: "New York Times" is no mention of York
    return re.compile(rf"(?<![\w\-’'])(?<![A-Z][a-z] )(?:{alternatives})(?![\w\-])(?! [A-Z])")


def canonical_names(text: str, spans: list[tuple[int, int, str]]) -> list[Mention]:
    """Each span with the name it refers to: a person's full name for a mention that ends it ("Kerry")
    or, for a one-word mention, opens it ("Wang" of "Wang Dan"); an organisation's full name for a
    mention that opens it ("Magna" of "Magna International Inc") or abbreviates it in brackets right after
    it ("Kurdistan Democratic Party (KDP)"); the gazetteer's name for a place."""
    people = _multiword(text, spans, "PERSON")
    organisations = _multiword(text, spans, "ORG")
    named: list[Mention] = []
    for start, end, label in spans:
        name = " ".join(text[start:end].split())
        full = _full_name(name, people)
        if full and not _is_country_or_capital(name):
            named.append((start, end, full, "PERSON"))
        elif label in ("GPE", "LOC"):
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
    """Abbreviations in brackets right after a name that no span covers ("Kurdistan Democratic Party
    (KDP)"), as mentions of that name."""
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


def _kind(name: str, label: str) -> str:
    """The model's label, except that a name ending in a company's legal form is an organisation and
    one ending in a competition's word an event ("Fed Cup", "U.S. Open", "Berlin Grand Prix")."""
    if _COMPANY.search(name):
        return "ORG"
    return "EVENT" if label in _NAMED and _COMPETITION.search(name) else label


def _full_name(name: str, people: Counter[str]) -> str | None:
    short = name.split()
    ends = [p for p in people if len(p.split()) > len(short) and p.split()[-len(short) :] == short]
    if not ends and len(short) == 1:
        ends = [p for p in people if p.split()[0] == name]
    return max(ends, key=lambda p: (people[p], len(p))) if ends else None


def _opens(name: str, organisations: Counter[str]) -> str | None:
    """The organisation's full name that is this name and legal or corporate words ("Magna" of "Magna
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


Evidence = dict[str, Counter[str]]  # canonical -> label -> count


def evidence_of(text: str, named: list[Mention], titled: set[int]) -> tuple[Evidence, Evidence]:
    """(votes, evidence) per canonical name: the model's labels, and what the text says besides: a
    person's title before a mention ("Mr", "coach") for PERSON, a team's shape or a role after it
    ("Surrey captain") for ORG."""
    votes: Evidence = {}
    evidence: Evidence = {}
    for i, (start, end, canonical, label) in enumerate(named):
        votes.setdefault(canonical, Counter())[label] += 1
        seen = evidence.setdefault(canonical, Counter())
        if i in titled or _ROLE.search(text, max(0, start - 30), start):
            seen["PERSON"] += 1
        elif label != "PERSON" or " " not in canonical:
            speaks_for = label not in ("GPE", "LOC") and _BODY_ROLE_AFTER.match(text, end)
            seen["ORG"] += _plays(text, start, end) or bool(_ROLE_AFTER.match(text, end) or speaks_for)
    return votes, evidence


def one_label_per_name(votes: Evidence, evidence: Evidence, shared: Evidence | None = None) -> dict[str, str]:
    """canonical -> its label in this story, strongest evidence first: a person's title, a team's shape,
    the gazetteer's countries and capitals, the model's votes. A name the story gives no evidence for
    takes the evidence other stories of the batch give (`shared`), unless the model saw a place in it:
    "Derbyshire" scored on a results line is the team in the match report beside it."""
    labels = {}
    for canonical, counter in votes.items():
        seen, entry = evidence[canonical], places.resolve(canonical)
        label = counter.most_common(1)[0][0]
        if shared and not +seen and label not in ("GPE", "LOC"):  # a place the model saw stays one
            seen = shared.get(canonical, seen)
        if label not in _NAMED:
            pass  # a people's adjective, an event, a law: no evidence here says otherwise
        elif entry is not None and entry.rank == 0 and not (counter["PERSON"] and seen["PERSON"]):
            label = "GPE"  # a country, also when its team plays ("Romania beat Lithuania")
        elif seen["PERSON"] > seen["ORG"] and (counter["PERSON"] or seen["PERSON"] > 1):
            label = "PERSON"
        elif seen["ORG"] and seen["ORG"] * 4 >= counter["PERSON"]:
            label = "ORG"  # a town or county playing (one mention in four that the model took for a person)
        elif entry is not None and entry.rank == 1 and not seen["PERSON"] and label not in ("ORG", "FAC"):
            label = "GPE"  # a capital is a place
        labels[canonical] = label
    return labels


def results_mentions(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Names on results and standings lines that no model span covers: each run of capitalised words
    that a score follows ("San Diego 3 NEW YORK 2", "CLEVELAND 80 53 .602", "Leicestershire 22 points,
    Somerset 4") or that ends the line after one ("Arsenal 2-1 Chelsea"), on a line of two such names or
    one opening a row of numbers. An initial and a surname
    ("A. Dale 69") is a person; the rest are teams until the story's evidence says otherwise."""
    spans = list(covered)
    found = []
    for line in _RESULTS_LINE.finditer(text):
        if _is_prose(line.group()):
            continue
        named = [*_SCORED_NAME.finditer(line.group()), *_SCORE_THEN_NAME.finditer(line.group())]
        runs = sorted((m for m in named if not _CALENDAR.match(m.group(1))), key=lambda m: m.start(1))
        opens_row = bool(runs) and runs[0].start(1) == 0 and len(_NUMBER.findall(line.group())) >= 2
        if len(runs) < 2 and not opens_row:
            continue
        for run in runs:
            s, e = line.start() + run.start(1), line.start() + run.end(1)
            if not any(cs < e and s < ce for cs, ce in spans):
                found.append((s, e, "PERSON" if _INITIAL.match(run.group(1)) else "ORG"))
    return found


def _is_prose(line: str) -> bool:
    """A line of running text, not of results: more than a third of its words, or four in a row, begin
    in lowercase ("In 2003, crop production totalled 11.49 million tonnes")."""
    words = line.split()
    lower = [w[0].islower() for w in words]
    run = max((len(r) for r in "".join("x" if x else " " for x in lower).split()), default=0)
    return sum(lower) * 3 > len(words) or run >= 4


def _plays(text: str, start: int, end: int) -> bool:
    """The name has a team's shape where it stands (see _SCORED and the result verbs)."""
    after = text[end : end + 24]
    return bool(
        _SCORED.match(after)
        or _RESULT_AFTER.match(after)
        or _RESULT_BEFORE.search(text, max(0, start - 16), start)
    )


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
    pattern = "|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True))
    found = []
    for match in re.finditer(rf"(?<![\w\-’'.])(?:{pattern})(?![\w\-’])", text):
        s, e = match.span()
        if any(ts < e and s < te for ts, te in taken) or _inside_a_name(text, s, e):
            continue
        if _opens_sentence(text, s) and f" {match.group().lower()} " in text:
            continue
        taken.append((s, e))
        canonical = surfaces[match.group()]
        found.append((s, e, canonical, labels[canonical]))
    return found


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
