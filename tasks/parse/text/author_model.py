"""The authors of a text page, chosen among the name readings of its header lines by a small learned ranker.

Every non-blank line of the byline zones (under the headline, a few lines above it, right above the body
and the body's first lines: tasks.parse.text.byline's zones, a little wider) is read as a byline in a few
ways: as the hand rules of tasks.parse.text.byline read it; after a byline marker of any language ("By",
"Von", "Par", "Por", "Di": the vocabulary byline_cues) or under such a marker standing alone; as a bare
name line (its first part a person's name, with a job title, date or site beside it or not); and with what
the page's markup ran onto the name split off ("Jane DoeReporter", "Jane Doe12.03.2019", "Jane Doe/June 12,
2020"); after a date ("12.03.2019 Jane Doe") or a marker inside a run of capitalised words ("Notiz von
Jane Doe"). Each reading
that names people or an agency is a candidate; it gets a score from a conditional logit (a softmax over
the page's candidates) over where its line stands (zone, distances to the headline and the body), how the
line is marked (a marker, a label above it, the hand rules' kind of byline and whether they chose it),
the shape of the line and its names (words, share of the line that is names, parts, case, digits, a date,
job title, date or site beside them, a list going on after them, sentence punctuation, a word of a page's
furniture in them: "Suche Kommentare", a photo agency or credit on the line: "Jane Doe via Example Images";
a marked byline's names count as one or several, however many it lists) and how the page treats the name
(repeated further down, as a signature or an author box). The most probable reading's names are the
page's authors, unless it scores below the model's cut (learned as a "none" choice). The weights ship as
`author_model.json`, trained by `bench/train_authors.py` with sites held out; nothing here knows any
site's words or names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise
from math import log, log1p

import numpy as np

from tasks import vocab
from tasks.parse import chrome, dates
from tasks.parse.names import (
    MARKER,
    NEWS_AGENCY,
    PARTICLES,
    PHOTO_AGENCY,
    SEGMENT,
    is_capitalised_word,
    is_name,
    is_role_word,
    parse_names,
)
from tasks.parse.text import byline
from tasks.parse.text.blocks import Logistic

MODEL_FILE = "author_model.json"
_ABOVE_TITLE = 6  # non-blank lines above the headline read as bylines
_AFTER_START = 12  # non-blank lines after the body's first, paragraphs or not
_END_INSIDE, _END_AFTER = 3, 6  # non-blank lines at the body's end and after it: a signature, an author box
_END = 4  # the zone around the body's end: only a name line of its own or a marked one signs there
_OPENING_LINES = 30  # the body's lines whose lower-case words tell a common word from a name
_AGENCY_WORDS = 3  # words of a line that may be an agency's name alone ("Associated Press")
_SPAN_WORDS = 4  # a person's name has at most this many words (particles aside)
_BEFORE_WORDS = 8  # words of a date and time before a byline's name ("Lunedì 4 marzo 2024 di ...")
_MAX_WORDS = 20  # a longer line is text, not a byline
_MAX_CHARS = 200
_CUE = re.compile(
    rf"^(?:{vocab.alternation(vocab.words('byline_cues'), spaced=True)})(?:\s*[:：]\s*|\s+|$)(?P<rest>.*)$",
    re.IGNORECASE,
)
# What a page's markup runs onto a name: a word or a number right after a lower-case letter, a capitalised
# word right after a name in capitals ("JANE DOEToday"), a date after a slash ("Jane Doe/June 12, 2020").
_GLUE = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ\d])|(?<=[A-ZÀ-Þ]{2})(?=[A-ZÀ-Þ][a-zà-ÿ]{3})")
_SLASH = re.compile(r"(?<=[^\W\d_])/|/(?=[^\W\d_])")
_CUE_WORDS = frozenset(vocab.words("byline_cues"))
_SEPARATORS = frozenset("-–—|•·/")  # what stands between a byline's parts ("12.03.2024 | Jane Doe")
_LIST_GAP = 3  # zone lines between two names of one author list (a job title, a date, a photo between)
_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")  # a character of a _WORD
_CALENDAR = re.compile(rf"^(?:{dates.MONTHS}|{dates.WEEKDAY_PATTERN})\.?$", re.IGNORECASE)  # "Fri Nov"
_STOP_WORDS = frozenset(vocab.words("stop_words"))  # "Search The Site", "How It Works": no one's name
# The words of a page's furniture in any language (a menu, a comment counter, a date's label): "Suche
# Kommentare", "Search Archive", "Zuletzt Aktualisiert" are name-shaped and no one's name.
_FURNITURE_WORDS = frozenset(
    w
    for name in ("navigation", "comment_cues", "updated_cues", "published_cues", "section_words")
    for entry in vocab.words(name)
    for w in entry.casefold().split()
    if w not in _STOP_WORDS
)
# The first words of a date's labels ("Published", "Updated", "Publicado"): a name ends before one.
_DATE_LABELS = frozenset(
    entry.casefold().split()[0] for name in ("published_cues", "updated_cues") for entry in vocab.words(name)
)
_PREPOSITION = 3  # letters of a lower-case word between a name and its date ("am", "le", "on")
# What goes on a list of names after one of them: "Jane Doe, John Roe", "Jane Doe and John Roe".
_LIST_ON = re.compile(r"^\s*(?:[,;&]|and\b)\s*[A-ZÀ-Þ]")
FEATURE_NAMES = (
    # where the line stands
    "between",
    "above_title",
    "after_body",
    "near_body",
    "body_end",
    "log_to_title",
    "log_to_body",
    "log_zone_rank",
    "right_above_body",
    # how it is marked
    "english_marker",
    "any_marker",
    "label_above",
    "hand_person",
    "hand_supported",
    "hand_group",
    "hand_choice",
    "glued",
    # the line's shape
    "log_words",
    "name_share",
    "parts",
    "starts_lower",
    "sentence_end",
    "digit_share",
    "date_on_line",
    "role_on_line",
    "chrome",
    "support_above",
    "support_below",
    # its names
    "log_people",
    "log_people_marked",
    "group",
    "all_caps",
    "name_words",
    "log_repeats",
    "span_whole",
    "span_prefix",
    "listed",
    "words_seen_lower",
    "common_word",
    "role_after",
    "number_after",
    "text_after",
    "log_list_lines",
    "furniture_word",
    "list_goes_on",
    "photo_credit",
)


@dataclass(frozen=True)
class Reading:
    """One way to read a header line as a byline: the line, the names, and how they were found."""

    line: int
    names: tuple[str, ...]
    group: bool  # an agency or a newsroom signing, no person
    marked: bool  # after a marker or under a label
    hand_kind: int | None  # the hand rules' kind when they read the line so
    glued: bool  # read once what the markup ran onto the name is split off
    span: int = 0  # a run of name words opening the line or one of its parts: 1 read whole, 2 a prefix
    after: int = 0  # what follows a span on its line: 0 nothing, 1 a job title, 2 a digit, 3 other text
    lines: int = 1  # name lines read together (an author list, one name a line)
    listed: bool = False  # one name of such a list
    more: bool = False  # a span the line's list of names goes on after ("Jane Doe, John Roe")


@dataclass(frozen=True)
class AuthorModel:
    """The byline ranker."""

    classifier: Logistic
    none_cut: float  # a page whose best reading scores no higher prints no byline
    features: tuple[str, ...] = FEATURE_NAMES  # the columns it was trained on

    @classmethod
    def from_json(cls, data: dict) -> AuthorModel:
        if tuple(data.get("features", ())) != FEATURE_NAMES:
            raise ValueError(
                f"{MODEL_FILE} was trained on other features: retrain with bench/train_authors.py"
            )
        return cls(Logistic.from_json(data["classifier"]), data["none_cut"])


@cache
def shipped_model() -> AuthorModel:
    """The model in the package (read once per process)."""
    text = resources.files("tasks.parse.text").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return AuthorModel.from_json(json.loads(text))


def zones(lines: Sequence[str], title_at: int, body: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """line -> (zone, rank in the zone, the zone's size) of the lines read as bylines: byline's zones
    (under the headline, above it, the body's first lines, right above the body), the one above the
    headline and the body's first lines reaching a little further, and the lines around the body's end
    (a signature, an author box)."""
    found: dict[int, tuple[int, int, int]] = {}
    n, body_at = len(lines), body[0] if body else len(lines)
    top = max(0, min(title_at, n - 1))
    wider = {
        1: dates.nonblank(lines, range(top - 1, -1, -1), _ABOVE_TITLE)[::-1],
        2: dates.nonblank(lines, range(body_at + 1, n), _AFTER_START),
    }
    end = body[-1] if body else n
    tail = dates.nonblank(lines, range(end, body_at, -1), _END_INSIDE)[::-1]
    tail += dates.nonblank(lines, range(end + 1, n), _END_AFTER)
    for z, (zone, _) in enumerate([*byline.zones(lines, title_at, body_at), (tail, False)]):
        zone = wider.get(z, zone)
        for k, i in enumerate(zone):
            found.setdefault(i, (z, k, len(zone)))
    return found


def readings(
    lines: Sequence[str],
    title_at: int,
    body: Sequence[int],
    where: dict[int, tuple[int, int, int]] | None = None,
) -> list[Reading]:
    """Every reading of the zones' lines that names people or an agency (one per line and set of names),
    and the names of name-only lines standing together in a zone read as one author list. `where`: the
    page's `zones`, when the caller has them."""
    found: dict[tuple[int, frozenset[str]], Reading] = {}
    where = zones(lines, title_at, body) if where is None else where
    for i in sorted(where):
        line = lines[i]
        if len(line) > _MAX_CHARS or len(line.split()) > _MAX_WORDS or not _may_name(line):
            continue
        prev, nxt = _next(lines, i, -1), _next(lines, i, 1)
        around = (lines[prev] if prev is not None else "", lines[nxt] if nxt is not None else "")
        for r in (*_line_readings(line, *around, i, where[i]), *_span_readings(line, i)):
            signed = r.marked or r.hand_kind is not None or line == " ".join(r.names)
            if not _cue_led(r.names[0]) and (signed or where[i][0] != _END):
                found.setdefault((i, frozenset(n.casefold() for n in r.names)), r)
    lists, listed = _lists(lines, where, found.values())
    alone = [replace(r, listed=True) if r.line in listed and len(r.names) == 1 else r for r in found.values()]
    return [*alone, *lists]


@lru_cache(maxsize=4096)
def _unglued(text: str) -> str:
    """The text with what a page's markup glued together split apart (_GLUE, _SLASH)."""
    return _GLUE.sub(" ", _SLASH.sub(" / ", text))


def _may_name(line: str) -> bool:
    """A cheap first look: two capitalised words in a row, particles aside (a name, "Jane Doe"), or a line
    of a few words (an agency signing, "Reuters"); no other line is read."""
    words = [w for w in _unglued(line).split() if w not in PARTICLES]  # "Erika von Musterfrau"
    return len(words) <= _AGENCY_WORDS or any(a[:1].isupper() and b[:1].isupper() for a, b in pairwise(words))


def _cue_led(name: str) -> bool:
    """A name that is a byline marker and a name ("Von Max Mustermann"): the name is read without it."""
    first, _, rest = name.partition(" ")
    return first.casefold() in _CUE_WORDS and is_name(rest)


def _lists(
    lines: Sequence[str], where: dict[int, tuple[int, int, int]], found: Iterable[Reading]
) -> tuple[list[Reading], set[int]]:
    """Name-only lines of one zone, at most _LIST_GAP zone lines apart, read together (one reading per
    run of two or more: an author list printed one name a line), and the lines of those lists."""
    alone = sorted(
        r.line
        for r in found
        if not r.group and len(r.names) == 1 and lines[r.line] == r.names[0] and not _furniture(r.names[0])
    )
    runs: list[list[int]] = []
    for i in alone:
        z, k, _ = where[i]
        last = runs[-1][-1] if runs else None
        if last is not None and where[last][0] == z and k - where[last][1] <= _LIST_GAP:
            runs[-1].append(i)
        else:
            runs.append([i])
    lists = [run for run in runs if len(run) > 1]
    listed = {i for run in lists for i in run}
    return [
        Reading(run[0], tuple(lines[i] for i in run), False, False, None, False, lines=len(run))
        for run in lists
    ], listed


def _span_readings(line: str, i: int) -> list[Reading]:
    """A person's name inside a line, however the line goes on: each run of capitalised words read from
    its start, 2 to _SPAN_WORDS words long ("Jane Doe Updated 3 hours ago", "12.03.2024 von Jane Doe",
    "12.03.2024 Jane Doe"), and read after a marker inside the run ("Notiz von Jane Doe")."""
    out = []
    for glued, text in ((False, line), (True, _unglued(line))):
        if glued and text == line:
            continue
        words = text.split()
        k = 0
        while k < len(words):
            # a run opens with a capital: the other words (most of a line) are passed over without a call
            run = _run(words, k) if words[k][:1].isupper() else []
            if len(run) < 2 or run[0].casefold() in _CUE_WORDS:  # no name of two words, nor a marker
                k += 1  # inside it; "By Jane Doe", "Por Juan Pérez": the cue opens the run
                continue
            cue = _cue_before(words, k)
            if not k or cue or _after_header(words, k):  # not a name inside running words (a caption's)
                out += _spans(words, k, run, i, glued, cue)
            for j in range(k + 1, k + len(run) - 1):
                if words[j].casefold() in _CUE_WORDS and _cue_before(words, j + 1):
                    out += _spans(words, j + 1, _run(words, j + 1), i, glued, True)
            k += max(len(run), 1)
    return out


def _spans(words: list[str], k: int, run: list[str], i: int, glued: bool, cue: bool) -> list[Reading]:
    """The readings of the name-shaped prefixes of `run`, the capitalised words from words[k] on."""
    out = []
    for m in range(2, min(len(run), _SPAN_WORDS + 2) + 1):
        name = " ".join(run[:m])
        if run[m - 1] not in PARTICLES and run[m - 1].casefold() not in _CUE_WORDS and is_name(name):
            more = bool(_LIST_ON.match(" ".join(words[k + m - 1 :])[len(run[m - 1]) :]))
            span = 1 if m == len(run) else 2
            out.append(Reading(i, (name,), False, cue, None, glued, span, _after(words, k + m), more=more))
    return out


def _after_header(words: list[str], k: int) -> bool:
    """Whether the words before words[k] are a byline's header part: a date or time, then a separator or
    nothing ("12.03.2024 | Jane Doe", "16. Mai 2019 Jane Doe")."""
    if words[k - 1] in _SEPARATORS:
        return _header_part(words[: k - 1])
    return any(map(str.isdigit, words[k - 1])) and _header_part(words[:k])


def _cue_before(words: list[str], k: int) -> bool:
    """Whether a marker stands right before words[k] and opens the line, or follows a date or time
    ("12.03.2024 von Jane Doe"), not words of a sentence ("a play by Jane Doe")."""
    for width in (1, 2):
        if k >= width and " ".join(words[k - width : k]).rstrip(":").casefold() in _CUE_WORDS:
            return _header_part(words[: k - width])
    return False


def _header_part(before: list[str]) -> bool:
    """Whether the words before a byline's name are a header's (nothing, a word, a short date or time):
    a name after a sentence or a long list is the text's."""
    return len(before) <= 1 or (len(before) <= _BEFORE_WORDS and any(map(str.isdigit, "".join(before))))


def _run(words: list[str], k: int) -> list[str]:
    """The capitalised name words (particles inside) from words[k] on; punctuation after a word ends it."""
    run: list[str] = []
    for w in words[k:]:
        core = w.rstrip(",;:")
        if not (is_capitalised_word(core) or (run and core in PARTICLES)):
            break
        run.append(core)
        if core != w:
            break
    return run


def _after(words: list[str], j: int) -> int:
    """What follows a name whose last word is words[j - 1]: 0 nothing, 1 a job title ("Editor", "Education
    editor"), 2 a number, a date or its label ("12.03.", "Updated", "am 29. Mai 2019"), 3 other text."""
    if j >= len(words):
        return 0
    word, nxt = words[j].strip(",;:"), words[j + 1] if j + 1 < len(words) else ""
    dated = any(map(str.isdigit, word)) or bool(_CALENDAR.match(word)) or word.casefold() in _DATE_LABELS
    if dated or (word.islower() and len(word) <= _PREPOSITION and any(map(str.isdigit, nxt))):
        return 2
    topic = word[:1].isupper() and words[j - 1][-1:].isalpha()  # "Jane Doe Science editor", no comma between
    return 1 if is_role_word(word) or (topic and is_role_word(nxt)) else 3


def _next(lines: Sequence[str], i: int, step: int) -> int | None:
    """The next non-blank line above (step -1) or below (+1) line i."""
    j = i + step
    while 0 <= j < len(lines) and not lines[j]:
        j += step
    return j if 0 <= j < len(lines) else None


def _label(prev: str) -> bool:
    """A line that labels the one under it as the byline: "Author:", "Von", "Autor"."""
    return bool(prev) and bool(
        byline._AUTHOR_LABEL.match(prev) or ((m := _CUE.match(prev)) and not m["rest"])
    )


def _line_readings(line: str, prev: str, nxt: str, i: int, zone: tuple[int, int, int]) -> list[Reading]:
    """The readings of one line: the hand rules', and its names after a marker or under a label, also with
    what the markup glued onto the name split off."""
    out = []
    edge = zone[0] == 0 and zone[2] == 1  # the only line under the headline
    if (
        hand := byline._candidate(line, prev, nxt, marked_only=zone[0] in (1, 3), zone_edge=edge)
    ) is not None:
        out.append(Reading(i, hand[1], hand[0] == byline._GROUP, hand[0] == byline._PERSON, hand[0], False))
    # a bare line's names are its spans' (_span_readings)
    cue = _CUE.match(line) or (_CUE.match(unglued) if (unglued := _unglued(line)) != line else None)
    text = cue["rest"] if cue and cue["rest"] else line if _label(prev) else ""
    for glued, t in ((False, text), (True, _unglued(text))):
        if t and not (glued and t == text) and (names := _names(t, True)) is not None:
            out.append(Reading(i, names[0], names[1], True, None, glued))
    return out


def _names(text: str, marked: bool) -> tuple[tuple[str, ...], bool] | None:
    """(names, whether they are a group) of a byline's name part; None when it names no one."""
    if (found := parse_names(SEGMENT.split(text)[0], strict=not marked)) is None:
        return None
    people, groups = found
    return (people, False) if people else (groups, True) if groups else None


def features(
    lines: Sequence[str],
    title_at: int,
    body: Sequence[int],
    found: Sequence[Reading],
    where: dict[int, tuple[int, int, int]] | None = None,
) -> np.ndarray:
    """One row per reading, columns as FEATURE_NAMES (`where`: the page's `zones`, if the caller has them)."""
    where, body_at = zones(lines, title_at, body) if where is None else where, body[0]
    hand = _hand_choice(lines, title_at, body_at, found)
    page = "\n".join(lines).casefold()
    repeats: dict[str, int] = {}  # name -> times the page prints it: one scan of the page per name
    common: dict[str, bool] = {}  # a name's word -> whether the body's opening runs it as a common word
    opening = "\n".join(lines[i] for i in body[:_OPENING_LINES])
    measured: dict[int, tuple] = {}  # line -> what its readings share: a line has several readings
    rows = []
    for r in found:
        first = r.names[0].casefold()
        if first not in repeats:
            repeats[first] = page.count(first)
        if r.line not in measured:
            measured[r.line] = _line_columns(lines, r.line, title_at, body_at, where[r.line])
        line_marked, marker, label, before, after, credit = measured[r.line]
        marked = line_marked or r.marked  # "By A, B and C": a list
        name_words = sum(len(n.split()) for n in r.names)
        # an agency's name is known, common words and all ("The Associated Press"): a person's is read
        people = () if r.group else [w for n in r.names if not NEWS_AGENCY.match(n) for w in n.split()]
        agency = r.group or len(people) < name_words  # a name of the list is an agency's
        folded = [w.casefold() for w in people]
        for w in folded:
            if w not in common:
                common[w] = _common_word(opening, w)
        rows.append(
            (
                *before,
                marker,
                marked,
                label,
                r.hand_kind == byline._PERSON,
                r.hand_kind == byline._SUPPORTED,
                r.hand_kind == byline._GROUP,
                bool(hand) and {n.casefold() for n in r.names} == hand,
                r.glued,
                after[0],
                min(name_words / max(after[1], 1), 1.0),
                *after[2:],
                log1p(len(r.names)) * (not marked),
                log1p(min(len(r.names), 2)) * marked,  # a marked list: one name or several, however many
                agency,
                all(n.isupper() for n in r.names),
                name_words / len(r.names),
                log1p(max(repeats[first] - 1, 0)),
                r.span == 1,
                r.span == 2,
                r.listed,
                sum(map(common.__getitem__, folded)) / name_words,
                any(_CALENDAR.match(w) or f in _STOP_WORDS for w, f in zip(people, folded, strict=True)),
                r.after == 1,
                r.after == 2,
                r.after == 3,
                log(r.lines),
                any(map(_furniture, r.names)),
                r.more,
                credit,
            )
        )
    return np.array(rows, dtype=float).reshape(len(rows), len(FEATURE_NAMES))


def _line_columns(
    lines: Sequence[str], i: int, title_at: int, body_at: int, where: tuple[int, int, int]
) -> tuple[bool, bool, bool, tuple, tuple, bool]:
    """What every reading of line i shares: (whether the line is marked as a list of names, the English
    marker column, the label column, the columns before them, the line's shape columns after the
    reading's own: log words, the word count that the name share divides by, then parts to support_below,
    and the photo_credit column)."""
    line, (zone, rank, _) = lines[i], where
    p, q = _next(lines, i, -1), _next(lines, i, 1)
    prev, nxt = lines[p] if p is not None else "", lines[q] if q is not None else ""
    words = line.split()
    cue = _CUE.match(line)
    marker = bool(MARKER.match(line))
    before = (
        zone == 0,
        zone == 1,
        zone == 2,
        zone == 3,
        zone == 4,
        log1p(abs(i - title_at)),
        log1p(abs(body_at - i)),
        log1p(rank),
        q == body_at,
    )
    after = (
        log1p(len(words)),
        len(words),
        len([s for s in SEGMENT.split(line) if s and s.strip()]),
        line[:1].islower(),
        chrome.is_sentence(line),
        sum(map(str.isdigit, line)) / len(line),
        bool(dates.header_dates(line)),
        any(is_role_word(w) for w in words),
        chrome.is_chrome(line),
        byline._is_support(prev),
        byline._is_support(nxt) or bool(byline._SITE.match(nxt)),
    )
    credit = bool(PHOTO_AGENCY.search(line))
    return marker or bool(cue and cue["rest"]), marker, _label(prev), before, after, credit


def _furniture(name: str) -> bool:
    """Whether a name holds a word of a page's furniture ("Leave A Comment", "Suche Kommentare")."""
    return any(w.casefold() in _FURNITURE_WORDS for w in name.split())


def _common_word(text: str, word: str) -> bool:
    """Whether `text` runs `word` as a word of its own in lower case (one of its _WORD words): a name's word
    that the body's opening so prints is a common word. Found with str.find, without listing the words."""
    if not (word.islower() and _WORD.fullmatch(word)):
        return False
    start = 0
    while (at := text.find(word, start)) != -1:
        end = at + len(word)
        if not (at and _LETTER.match(text, at - 1)) and not _LETTER.match(text, end):
            return True
        start = at + 1
    return False


def _hand_choice(lines: Sequence[str], title_at: int, body_at: int, found: Sequence[Reading]) -> set[str]:
    """The names the hand rules choose (byline.find_authors' order over its own zones), from the hand
    readings among `found`: a marked byline's people first, then the nearest zone's."""
    at = {
        i: (z, k)
        for z, (zone, _) in enumerate(byline.zones(lines, title_at, body_at))
        for k, i in enumerate(zone)
    }
    hand = [
        ((r.hand_kind != byline._PERSON, at[r.line][0], r.hand_kind, at[r.line][1]), r)
        for r in found
        if r.hand_kind is not None and r.line in at
    ]
    return {n.casefold() for n in min(hand, key=lambda h: h[0])[1].names} if hand else set()


def authors(
    lines: Sequence[str], title_at: int, body: Sequence[int], model: AuthorModel | None = None
) -> tuple[str, ...]:
    """The page's authors: the names of its most probable byline reading; () when it has none or its best
    scores below the model's cut (then an agency in the body's dateline, "PARIS (Reuters) -", if any)."""
    where = zones(lines, title_at, body) if lines and body else {}  # read once, by both steps
    found = readings(lines, title_at, body, where) if lines and body else []
    if found:
        model = model or shipped_model()
        scores = model.classifier.predict(features(lines, title_at, body, found, where))
        best = int(np.argmax(scores))
        if scores[best] > model.none_cut:
            return found[best].names
    return byline.dateline_agency(lines, body[0]) if body else ()
