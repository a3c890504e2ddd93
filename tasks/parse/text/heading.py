"""The headline and kicker above an article body found in a page, and the furniture between them.

A headline is the best headline-shaped line a little above the body: a few words to a few dozen, not a
sentence ending in a full stop (that is a standfirst or a caption), not site chrome, not a line the page
repeats (menu entries and widget titles recur), not a byline or a date. Nearer the body and longer wins
over a kicker or a site name further up. A kicker is a short label-shaped line right above the headline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import islice

from tasks import vocab
from tasks.parse import chrome, dates
from tasks.parse.phrases import Phrases
from tasks.parse.text.blocks import Shape

_LOOKBACK = 20  # non-blank lines above the body where the headline may stand
HEADLINE_MAX_WORDS = 30  # a longer line is a paragraph
_KICKER_MAX_WORDS = 5
_MAX_DIGITS = 0.2  # share of a headline's characters: more is a score, a date or a price list
_FULL_WORDS = 8  # from this many words a line looks fully like a headline
_LEAD_MAX = 6  # at most this many furniture lines stand between headline and first paragraph
_LEAD_PROSE_WORDS = 6
_STANDFIRST_RUN = 2  # a headline may stand this many lines above the line scored best (dek, second dek)
_HEADLINE_MIN_RUN_WORDS = 4
# Pages repeat their headline (breadcrumb, share text, related box); menus repeat short labels.
_REPEATED_HEADLINE_WORDS = 6
_STANDFIRST_MAX_WORDS = 60
_OPENING_QUOTES = "\"'‘“«"
_ABOVE_BYLINE = 1.0  # bonus of a headline candidate standing above a byline or date line
_PER_LINE = 0.04  # cost of each line between a candidate and the body
_FURNITURE_MAX_CHARS = 120
_ITEM = 3  # lines of a teaser: headline, byline or date, blurb
_ECHO_CANDIDATES = 50
_QUOTE_MAX_CHARS = 300  # share text and captions that quote a headline are short lines
_ECHOES = 2  # share text, a video caption, a breadcrumb: a page quotes its own headline in other lines
_FURNITURE = re.compile(
    r"^(?:by|written\s+by|posted(?:\s+by|\s+on)?|updated|published|last\s+updated|author)\b", re.IGNORECASE
)
# A day and month ("May 3", "3rd May", "3. May": a day with a full stop, as much of Europe prints it), a
# numeric date or a clock time: headlines name a year at most ("Black Friday 2019").
_MONTHS = dates.MONTHS.lower()
_DATEISH = Phrases.compile(  # the word boundary first: most positions fail on it before any alternative
    rf"""\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}\b | \d{{1,2}}(?:st|nd|rd|th|\.)?\s+(?:{_MONTHS})\b
    | \d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}}\b | \d{{4}}-\d{{2}}-\d{{2}}\b | \d{{1,2}}:\d{{2}}\b
    | \d+\s+(?:hours?|hrs?|minutes?|mins?|days?)\s+ago\b)""",
    re.VERBOSE,
)
# "Jane Doe, Reuters", "Associated Press in Valencia", "Staff and agencies": a credit, not a headline.
_AGENCY_BYLINE = re.compile(rf"^(?:[\w.'’\-]+(?:\s+[\w.'’\-]+){{0,3}},\s*)?(?:{chrome.AGENCIES})\b.{{0,40}}$")
_CREDIT_TAIL = re.compile(r"\s*\([^()]{1,60}\)$")  # "... in 2019. (Jane Doe/Reuters)": a caption's credit
# Headlines end on a content word; a line ending on an article, a conjunction or these prepositions is
# interface text cut before its value ("You are signed in as") or a sentence's fragment.
_DANGLING = frozenset(vocab.words("dangling_words"))
_ASCII_DIGITS = str.maketrans("", "", "0123456789")
_COUNTER = re.compile(r"\b\d+\s+(?:of|/)\s+\d+\b")  # "Image 1 of 9", "1 / 4": gallery counters
# The headline rules and the ranker (tasks.parse.text.title_model) ask about the same lines of a page, some
# lines more than once (the window is searched near the body, then wider): the costly checks of a line are
# remembered for the lines of the last few pages.
_LINES_REMEMBERED = 4096


def headline_at(lines: Sequence[str], page: Sequence[Shape], body_first: int) -> int | None:
    """Position in `page` of the headline above the body's first line; None when no line is headline-shaped.

    Pages print the headline above the byline and the date: a candidate with such a line between it and
    the body is preferred to a caption or a standfirst standing right above the first paragraph.
    """
    for lookback in (_LOOKBACK, body_first):  # near the body first, then anywhere above it
        if (best := _best_headline(lines, page, body_first, lookback)) is not None:
            return _echoed_headline(lines, page, body_first, _above_standfirst(lines, page, best))
    above = range(body_first - 1, -1, -1)  # nothing headline-shaped: the nearest line that is not chrome
    plain = (
        k
        for k in above
        if not (is_header_furniture(lines[page[k].index]) or chrome.is_chrome(lines[page[k].index]))
    )
    return next(plain, None)


def _echoed_headline(lines: Sequence[str], page: Sequence[Shape], body_first: int, near: int) -> int:
    """`near`, unless the page quotes another headline-shaped line above the body in other lines of its own
    ("Share this Story : <headline>", "<headline> Back to video") and not `near`: then the nearest such
    line. A related story's or a live blog entry's heading by the body is not quoted so; a page's own
    headline often is."""
    quoting = (s for s in page if s.words >= _REPEATED_HEADLINE_WORDS and s.chars <= _QUOTE_MAX_CHARS)
    others = "\n".join({lines[s.index] for s in quoting})  # a candidate's own text counts once

    def echoed(k: int) -> bool:
        return others.count(lines[page[k].index]) > _ECHOES

    if echoed(near):
        return near
    shaped = (
        k
        for k in range(body_first - 1, -1, -1)
        if page[k].words >= _REPEATED_HEADLINE_WORDS
        and page[k].repeats == 1
        and _shape_score(lines[page[k].index], page[k]) is not None
    )
    for k in islice(shaped, _ECHO_CANDIDATES):  # each costs a scan of the page: a bounded number
        if echoed(k) and not _is_furniture_or_chrome(lines[page[k].index]):
            return k
    return near


def teaser_list_top(
    lines: Sequence[str], page: Sequence[Shape], title: int, body: Sequence[int]
) -> int | None:
    """Where a list of teasers starts when the headline and one-line body found are an item of it: a
    headline, a byline or date line and a blurb, followed by another item whose byline or date line is
    printed from the same template ("Staff - April 15, 2025 1"). The page's own headline stands above the
    list; None when the article found is no such item."""
    if tuple(body) != (title + 2,) or not _is_item(lines, page, title):
        return None
    if not _is_item(lines, page, title + _ITEM, _template(lines, page, title + 1)):
        return None
    top = title
    while top >= _ITEM and _is_item(lines, page, top - _ITEM, _template(lines, page, title + 1)):
        top -= _ITEM
    return top


def _is_item(
    lines: Sequence[str], page: Sequence[Shape], k: int, template: tuple[int, str] | None = None
) -> bool:
    """True when `k` is a headline-shaped line over a byline or date line (of `template`, if given) and a
    line more."""
    if k + 2 >= len(page) or not is_header_furniture(lines[page[k + 1].index]):
        return False
    if template is not None and _template(lines, page, k + 1) != template:
        return False
    return _headline_score(lines[page[k].index], page[k]) is not None


def _template(lines: Sequence[str], page: Sequence[Shape], k: int) -> tuple[int, str]:
    """A line's word count and punctuation: lines printed from one template share them."""
    line = lines[page[k].index] if k < len(page) else ""
    return len(line.split()), "".join(ch for ch in line if not (ch.isalnum() or ch.isspace()))


def _above_standfirst(lines: Sequence[str], page: Sequence[Shape], k: int) -> int:
    """The headline when `k` is the standfirst printed right under it: the topmost of the headline-shaped
    lines standing directly above `k` (a few, each of several words), not ending in a full stop."""
    best = k
    for up in range(k - 1, max(-1, k - 1 - _STANDFIRST_RUN), -1):
        s = page[up]
        line = lines[s.index]
        if s.words < _HEADLINE_MIN_RUN_WORDS or is_header_furniture(line) or lines[page[best].index] in line:
            break  # a breadcrumb ending with the headline is no headline above a standfirst
        if _ends_with_full_stop(line) and s.words <= _STANDFIRST_MAX_WORDS and not chrome.is_chrome(line):
            continue  # a standfirst of a sentence or two: the headline may stand above it
        if _headline_score(line, s) is None:
            break
        best = up
    return best


def _best_headline(lines: Sequence[str], page: Sequence[Shape], body_first: int, lookback: int) -> int | None:
    best: tuple[float, int] | None = None
    under_furniture = False
    for distance, k in enumerate(range(body_first - 1, max(-1, body_first - 1 - lookback), -1)):
        line = lines[page[k].index]
        if is_header_furniture(line):
            under_furniture = True
            continue
        score = _shape_score(line, page[k])
        if score is None:
            continue
        score += (_ABOVE_BYLINE if under_furniture else 0.0) - _PER_LINE * distance
        if (best is None or score > best[0]) and not _is_furniture_or_chrome(line):  # the costly test last
            best = (score, k)
    return None if best is None else best[1]


def _headline_score(line: str, s: Shape) -> float | None:
    """How much a line looks like a headline; None when it cannot be one."""
    score = _shape_score(line, s)  # the cheap test first: most lines of a page fail it
    return None if score is None or _is_furniture_or_chrome(line) else score


@lru_cache(maxsize=_LINES_REMEMBERED)
def _is_furniture_or_chrome(line: str) -> bool:
    return chrome.is_chrome(line) or _COUNTER.search(line) is not None


def _shape_score(line: str, s: Shape) -> float | None:
    menu_like = s.repeats > 1 and s.words < _REPEATED_HEADLINE_WORDS  # a long line repeated is the headline
    if not 2 <= s.words <= HEADLINE_MAX_WORDS or s.colon_end or s.separator or (menu_like and s.repeats > 2):
        return None
    if not (line[0].isupper() or line[0].isdigit() or line[0] in _OPENING_QUOTES):
        return None  # a headline opens with a capital, a figure or a quote
    if line.rsplit(None, 1)[-1].casefold() in _DANGLING:
        return None
    score = 1.0 + min(s.words, _FULL_WORDS) / _FULL_WORDS
    if _ends_with_full_stop(line):
        score -= 0.8  # a standfirst, a caption or a paragraph, not a headline
    if s.words <= 3 or (s.all_caps and s.words <= _KICKER_MAX_WORDS):
        score -= 0.4  # a kicker, a section, a widget label or a site name
    if menu_like:
        score -= 0.5
    if _digits(line) > _MAX_DIGITS * len(line):
        score -= 0.5
    return score


def _digits(line: str) -> int:
    """How many of the line's characters are digits."""
    if line.isascii():  # its digits are 0-9: deleting them is one C pass instead of a call per character
        return len(line) - len(line.translate(_ASCII_DIGITS))
    return sum(map(str.isdigit, line))


def _ends_with_full_stop(line: str) -> bool:
    return _CREDIT_TAIL.sub("", line).rstrip("\"'”’)").endswith(".")


# What a page's text glues to its headline line, by shape: a breadcrumb of short parts with the headline
# last ("Home / World / Europe / <headline>"), a relative time ("3h ago <headline>") and a kicker in capitals
# ("STORM WARNING <headline>"). A separator the headline itself may hold (":", "|", " - ") is not one.
_CRUMB_SEP = re.compile(r"\s+([/›»>])\s+")
_CRUMB_MIN_PARTS = 3
_CRUMB_MAX_WORDS = (
    4  # a breadcrumb's parts above the headline are section names, each a capital or a figure first
)
_RELATIVE_TIME = r"\d{1,3}\s?(?:h|hrs?|hours?|m|mins?|minutes?|d|days?|w|weeks?)\s+ago"
_TIME_GLUED = re.compile(rf"^{_RELATIVE_TIME}\b[\s·•|,\-–—]*|[\s·•|,\-–—]*\b{_RELATIVE_TIME}$", re.IGNORECASE)
# A numeric date run into the headline without a space ("27.01.2022Storm floods ..."): a date line glued.
_DATE_GLUED = re.compile(r"^(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2})(?=[A-ZÀ-Þ])")
_CAPS_KICKER = re.compile(r"^(?:[A-ZÀ-Þ][A-ZÀ-Þ'’\-]{3,}\s+){2,}(?=[A-ZÀ-Þ][a-zß-ÿ])")
_GLUED_MIN_WORDS = 3  # what is left must still be a headline of a few words
_CRUMB_MIN_WORDS = 2  # a breadcrumb's last part is the page's own title, however short
_WORD = re.compile(r"\w+")


def without_glued(title: str) -> str:
    """The headline line without a breadcrumb, a relative time, a date run into it or a kicker in capitals
    glued to it, when a headline of a few words is left."""
    parts = _CRUMB_SEP.split(title)
    seps, texts = set(parts[1::2]), parts[::2]
    crumbs = all(
        len(_WORD.findall(t)) <= _CRUMB_MAX_WORDS and t[:1].isupper() | t[:1].isdigit() for t in texts[:-1]
    )
    if len(texts) >= _CRUMB_MIN_PARTS and len(seps) == 1 and crumbs:
        title = _left(title, texts[-1], _CRUMB_MIN_WORDS)
    title = _left(title, _TIME_GLUED.sub("", title))
    title = _left(title, _DATE_GLUED.sub("", title))
    if (kicker := _CAPS_KICKER.match(title)) is not None:
        rest = title[kicker.end() :]
        title = title if rest.isupper() else _left(title, rest)
    return title


def _left(title: str, rest: str, min_words: int = _GLUED_MIN_WORDS) -> str:
    """`rest` when it is still a headline of a few words, else `title`."""
    return rest.strip() if len(rest.split()) >= min_words else title


def kicker_at(lines: Sequence[str], page: Sequence[Shape], title: int) -> int | None:
    """Position of a section label or kicker right above the headline, if there is one."""
    if title == 0:
        return None
    s = page[title - 1]
    line = lines[s.index]
    if (
        not s.words
        or s.words > _KICKER_MAX_WORDS
        or s.sentence_end
        or s.repeats > 1
        or chrome.is_chrome(line)
    ):
        return None
    letters = [ch for ch in line if ch.isalpha()]
    mostly_caps = sum(ch.isupper() for ch in letters) >= 0.6 * len(letters)
    breadcrumb = any(sep in line for sep in (" > ", " » ", " | ", " / ", " - ", " – "))
    return title - 1 if mostly_caps or breadcrumb or chrome.is_label(line, max_words=3) else None


@lru_cache(maxsize=_LINES_REMEMBERED)
def is_header_furniture(line: str) -> bool:
    """A byline, a date or a time standing on its own line, perhaps with a name or a place beside it."""
    if len(line) > _FURNITURE_MAX_CHARS:
        return False
    return bool(_FURNITURE.match(line)) or _DATEISH.search(line) or bool(_AGENCY_BYLINE.match(line))


def skip_lead(lines: Sequence[str], page: Sequence[Shape], body: list[int]) -> list[int]:
    """The body without the short non-prose lines (byline, date, credit, counters) that open it."""
    for cut, k in enumerate(body[: _LEAD_MAX + 1]):
        s = page[k]
        if s.words >= _LEAD_PROSE_WORDS and s.sentence_end and not is_header_furniture(lines[s.index]):
            return body[cut:]
    return body
