"""Bylines as pages print them: the authors of one page, found by the shape of its header lines.

A byline is a line with a marker ("By A and B", "Written by A", "Author: A", an "Author" label above a
name) or a name-shaped line that its neighbourhood shows to be one: a site, agency, job title or date on
the same line ("A | Site", "A, Reuters", "A Staff Writer") or on the next line ("A" then "Staff Writer",
a wire story's name line above its dateline). What a name is, and how a byline's name part splits into
people and agencies, is tasks.parse.names. An agency is the author only when no person is named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tasks.parse import chrome, dates
from tasks.parse.names import (
    MARKER,
    NEWS_AGENCY,
    NOT_WHEN,
    PHOTO_AGENCY,
    SEGMENT,
    TRAILING_AGENCY,
    is_role,
    is_role_word,
    parse_names,
    split_role,
)

_AGENCY_IN = re.compile(rf"^(?P<agency>.+?)\s+in\s+{NOT_WHEN}[A-ZÀ-Þ][\w.'’\- ]{{1,40}}$")  # "AP in Valencia"
_AUTHOR_LABEL = re.compile(r"^(?:authors?|written\s+by|by|author\s+of\s+the\s+article)\s*:?$", re.IGNORECASE)
_SITE = re.compile(r"^(?:the\s+)?[A-Z]{2,6}(?:\s+[A-Z][a-z]+)?$")  # "BBC", "CBC News"
_READING_TIME = re.compile(r"^\d+\s*(?:min|minute)s?\s+read$", re.IGNORECASE)
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z]{2})")  # "Jonathan GarberFOXBusiness": name and site run together
_DATELINE_AGENCY = re.compile(r"^[A-ZÀ-Þ][\w .,'’\-]{0,40}\((?P<agency>[^()]{2,30})\)\s*[-–—]")
_DATE_LABEL = re.compile(
    r"^(?:(?:first|last|originally)\s+)?(?:published|posted|updated|modified)\b", re.IGNORECASE
)
_HANDLE = re.compile(r"^@\w{2,30}$")
_RELATIVE = re.compile(
    r"^(?:(?:published|posted|updated)\s+)?(?:\d+|an?|one)\s+(?:sec|second|min|minute|hr|hour|day|week|month)s?"
    r"\s+ago$|^(?:just\s+now|today|yesterday)$",
    re.IGNORECASE,
)
_MAX_BYLINE_WORDS = 20  # names, site, date and labels on one line; a longer line is text
# A job title run into the name before it by a page's markup: "Meg JamesStaff Writer".
_GLUED_WORD = re.compile(r"(?<=[a-z])(?=[A-Z][a-z]+\b)")
# "... 7:45 am PST by Jane Doe", "Posted on May 2, 2019 by Jane Doe": a date line signed at its end.
_DATED_BY = re.compile(r"^(?P<when>.+?)\s+by\s+(?P<rest>[A-ZÀ-Þ].{2,80})$", re.IGNORECASE)
_AFTER_BODY = 12  # non-blank lines after the body's first line where a byline still sits
_BETWEEN = 20  # non-blank lines under the headline: a header is short, a longer gap is a missed body
_ABOVE_TITLE = 3  # non-blank lines above the headline where a marked byline may sit
_PERSON, _SUPPORTED, _GROUP = 0, 1, 2  # candidate kinds: a marked byline's people beat a bare name line


def find_authors(lines: Sequence[str], title_at: int, body_at: int) -> tuple[str, ...]:
    """The page's authors as printed, from the header lines around the headline and the body's start.

    A marked byline's people win wherever they stand; otherwise the nearest zone's byline does.
    """
    found = []
    for z, (zone, marked_only) in enumerate(zones(lines, title_at, body_at)):
        for k, i in enumerate(zone):
            prev, nxt = (lines[zone[k - 1]] if k else ""), (lines[zone[k + 1]] if k + 1 < len(zone) else "")
            if got := _candidate(lines[i], prev, nxt, marked_only, zone_edge=z == 0 and len(zone) == 1):
                found.append(((got[0] != _PERSON, z, got[0], k), got[1]))
    return min(found)[1] if found else dateline_agency(lines, body_at)


def dateline_agency(lines: Sequence[str], body_at: int) -> tuple[str, ...]:
    """The news agency the body's dateline names ("PARIS (Reuters) - ..."), as the page's author."""
    m = _DATELINE_AGENCY.match(lines[body_at]) if 0 <= body_at < len(lines) else None
    return (m["agency"],) if m and NEWS_AGENCY.match(m["agency"]) else ()


def zones(lines: Sequence[str], title_at: int, body_at: int) -> list[tuple[list[int], bool]]:
    """(line indices, marked bylines only) per zone: under the headline, above it, after the body, and the
    marked bylines right above the body that the zone under the headline did not reach."""
    n = len(lines)
    title_at, body_at = max(0, min(title_at, n - 1)), max(0, min(body_at, n))
    between = dates.nonblank(lines, range(title_at + 1, body_at), _BETWEEN)
    above = dates.nonblank(lines, range(title_at - 1, -1, -1), _ABOVE_TITLE)[::-1]
    after = dates.nonblank(lines, range(body_at + 1, n), _AFTER_BODY, dates.PARAGRAPH_WORDS)
    near_body = dates.above_body(lines, title_at, body_at, between)
    return [(between, False), (above, True), (after, False), (near_body, True)]


def _candidate(
    line: str, prev: str, nxt: str, marked_only: bool, zone_edge: bool
) -> tuple[int, tuple[str, ...]] | None:
    """(kind, authors) when `line` is a byline in its neighbourhood, else None."""
    if len(line) > 200:
        return None
    line = _GLUED_WORD.sub(lambda m: " " if is_role_word(line[m.start() :].split()[0]) else "", line)
    if (m := MARKER.match(line) or _dated_by(line)) or (prev and _AUTHOR_LABEL.match(prev)):
        return _named(_GLUED.sub(" | ", m["rest"] if m else line), marked=True)
    if marked_only or not line[0].isupper() or len(line.split()) > _MAX_BYLINE_WORDS:
        return None
    if m := _AGENCY_IN.match(line):  # "Associated Press in Valencia"
        return _named(m["agency"], marked=False)
    found = _bare(line, prev, nxt, zone_edge)
    return None if found is None or chrome.is_chrome(line) else found


def _dated_by(line: str) -> re.Match[str] | None:
    """The "by ..." that ends a line printing the page's date ("Monday November 18, 2019 by Jane Doe")."""
    m = _DATED_BY.match(line) if " by " in line.casefold() else None
    return m if m and dates.header_dates(m["when"]) else None


def _bare(line: str, prev: str, nxt: str, zone_edge: bool) -> tuple[int, tuple[str, ...]] | None:
    """A name line without a marker, when the same line or a neighbour shows it is a byline."""
    segments = [s.strip() for s in SEGMENT.split(line) if s and s.strip()]
    if not segments:
        return None
    head, rest = split_role(segments[0])
    # "Reuters Nov 18, 2019": a byline; "PANAMA CITY 1996-08-30": a dateline; "Jo Ng on May 2, 2019 said:" no
    if found := dates.stamps(head):
        head, rest = head[: found[0].start].strip(" ,-–—"), head[found[0].start :]
        if not head or head.split(",")[0].isupper() or not dates.header_dates(line):
            return None
    if not NEWS_AGENCY.match(head) and (m := TRAILING_AGENCY.match(head)):  # "Tom Davies Associated Press"
        head, rest = m["names"], m["agency"]
    if len(head.split()) < 2 and not NEWS_AGENCY.match(head):
        return None
    same_line = bool(rest) or (len(segments) > 1 and all(_is_support(s) or _is_site(s) for s in segments[1:]))
    if len(segments) > 1 and not same_line:
        return None
    # A site's name shows a byline above it ("Duncan Walker" then "BBC"); above a name it is a menu entry.
    if same_line or zone_edge or _is_support(nxt) or _SITE.match(nxt) or _is_support(prev):
        return _named(head, marked=False)
    return None


def _named(text: str, marked: bool) -> tuple[int, tuple[str, ...]] | None:
    """(kind, names) of a byline's name part: its people, else its agencies or staff; None if neither."""
    if (names := parse_names(SEGMENT.split(text)[0], strict=not marked)) is None:
        return None
    people, groups = names
    if people:
        return (_PERSON if marked else _SUPPORTED), people
    return (_GROUP, groups) if groups else None


@lru_cache(maxsize=4096)
def _is_support(line: str) -> bool:
    """A line that shows its neighbour is a byline: a date, a job title, a site or agency, a handle."""
    line = line.strip(" ·•|:")
    if not line or len(line) > 120:
        return False
    shapes = (_RELATIVE, _DATE_LABEL, _READING_TIME, _HANDLE, NEWS_AGENCY)
    return any(p.match(line) for p in shapes) or is_role(line) or bool(dates.header_dates(line))


def _is_site(segment: str) -> bool:
    """A publication's name beside a byline ("Jane Doe | Example Times"), not a photo agency's credit."""
    ws = segment.split()
    return (
        len(ws) <= 4 and not PHOTO_AGENCY.search(segment) and all(w[0].isupper() and len(w) > 1 for w in ws)
    )
