"""Results and standings lines of sports copy: the names on them, and a team's shape anywhere.

A results line holds names each with its score ("Riverside 2 Hill Town 1", "Northshire 22 points,
Southshire 4", "Lake City 3 RIVER CITY 2"), a standings row a name and a row of numbers ("LAKE CITY 80 53
.602"). The small English model misses most such names, or takes a county for a person; these rules
find them by the line's shape, not by any list of teams. A line of running text is never one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tasks import places, vocab
from tasks.parse.stamps import MONTH_NUMBERS

_NUMBER = re.compile(r"(?<![\w-])\d+(?:[-–/:.,]\d+)*(?![\w-])")
_RESULTS_LINE = re.compile(r"^[^\n]*\d[^\n]*$", re.M)
_NAME_WORD = r"(?:[A-Z][\w'’&-]*\.?|[A-Z]\.)"
_SCORED_NAME = re.compile(
    rf"(?<![\w.])({_NAME_WORD}(?: {_NAME_WORD}){{0,3}})(?= \d+(?:[-–]\d+)?(?:[ ,;)]|$))"
)
_SCORE_THEN_NAME = re.compile(rf"\d[-–]\d+ ({_NAME_WORD}(?: {_NAME_WORD}){{0,3}})(?= *(?:$|[,;]))", re.M)
_INITIAL = re.compile(r"^[A-Z]\. ?[A-Z]")
_WHEN = [*MONTH_NUMBERS, *(day for days in vocab.forms("weekdays") for day in days)]
_CALENDAR = re.compile(  # a month's or weekday's name or abbreviation, or a numbered part ("Round 3")
    rf"^(?:{vocab.alternation(_WHEN)})[a-z]*\.?$"
    rf"|^(?:{vocab.alternation(vocab.words('numbered_nouns'))})\.?$"
)
_SCORE = re.compile(r"\b\d+\s*[-–]\s*\d+\b")
# A team's shape: its score right after it on a line ("Riverside 2 Hill Town 1", "Northshire 22 points"), or
# a result's verb beside it ("Northshire beat Southshire", "drew with Eastshire", "Rovers v City").
_SCORED = re.compile(r"^[ \t]+\d+(?:\s*[-–]\s*\d+)?(?:[ \t]|,|;|$)")
_RESULTS = vocab.alternation(vocab.words("result_verbs"))
_RESULT_AFTER = re.compile(rf"^\s+(?:{_RESULTS})\s")
_RESULT_BEFORE = re.compile(rf"\s(?:{_RESULTS})\s+$")


def results_mentions(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Names on results and standings lines that no model span covers: each run of capitalised words
    that a score follows ("Lake City 3 RIVER CITY 2", "LAKE CITY 80 53 .602", "Northshire 22 points,
    Southshire 4") or that ends the line after one ("Riverside 2-1 Hill Town"), on a line of two such names or
    one opening a row of numbers. An initial and a surname
    ("J. Doe 69") is a person; the rest are teams until the story's evidence says otherwise."""
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


# A team after a competitor's nationality on a results line ("1. Jane Doe (Kenya) Riverside Racing 2:04"):
# capitalised words between the bracketed country and a number, a lowercase word or the line's end.
_TEAM_AFTER_NATIONALITY = re.compile(
    rf"\(([A-Z][\w.' -]+)\) ({_NAME_WORD}(?:[ -]{_NAME_WORD}){{0,2}})(?= \d| [a-z]|$)", re.M
)


def teams_after_nationality(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Teams written after a competitor's nationality on a line that is not running text, where no model
    span covers them (cycling's and motor racing's "Jane Doe (Kenya) Riverside Racing 2:04")."""
    spans = list(covered)
    found = []
    for match in _TEAM_AFTER_NATIONALITY.finditer(text):
        s, e = match.span(2)
        entry = places.resolve(match.group(1))
        if entry is None or entry.rank != 0 or _is_prose(line_of(text, s)):
            continue
        if not any(cs < e and s < ce for cs, ce in spans) and not _CALENDAR.match(match.group(2)):
            found.append((s, e, "ORG"))
            spans.append((s, e))
    return found


def _is_prose(line: str) -> bool:
    """A line of running text, not of results: more than a third of its words, or four in a row, begin
    in lowercase ("In 2003, output rose to 11.5 million tonnes")."""
    words = line.split()
    lower = [w[0].islower() for w in words]
    run = max((len(r) for r in "".join("x" if x else " " for x in lower).split()), default=0)
    return sum(lower) * 3 > len(words) or run >= 4


def plays(text: str, start: int, end: int) -> bool:
    """The name has a team's shape where it stands (see _SCORED and the result verbs)."""
    after = text[end : end + 24]
    return bool(
        _SCORED.match(after)
        or _RESULT_AFTER.match(after)
        or _RESULT_BEFORE.search(text, max(0, start - 16), start)
    )


def is_results_line(text: str, at: int) -> bool:
    """A line of results or a table: a score ("2-1"), three numbers in at most 25 words, or two names
    each with its score ("Riverside 1 Hill Town 0")."""
    line = line_of(text, at)
    return (
        bool(_SCORE.search(line))
        or (len(_NUMBER.findall(line)) >= 3 and len(line.split()) <= 25)
        or two_scored_names(line)
    )


def two_scored_names(line: str) -> bool:
    """A line that is not running text with two names each followed by its score."""
    return not _is_prose(line) and len(_SCORED_NAME.findall(line)) >= 2


_VERSUS = re.compile(r" (?:v|vs\.?) (?=[A-Z])")  # "Riverside v Hill Town": two teams
_INNER_SCORE = re.compile(r"(?<=[A-Za-z.)]) \d+(?:[-–]\d+)? (?=[A-Z])")  # "Riverside 1 Hill Town"


def split_at_scores(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """A span the model ran across "v" between two teams ("Riverside v Hill Town"), or across a score on
    a results line ("Riverside 1 Hill Town"), as the names on either side; any other span as it is."""
    cut = _VERSUS.search(text, start, end)
    if cut is None and (score := _INNER_SCORE.search(text, start, end)) and is_results_line(text, start):
        cut = score  # the score first: most spans hold none, and the line's test is the dearer
    if cut is None:
        return [(start, end, label)]
    return [(start, cut.start(), label), *split_at_scores(text, cut.end(), end, label)]


def line_of(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return text[start : end if end >= 0 else len(text)]
