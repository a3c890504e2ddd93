"""Publication dates from a page's header lines; never guessed from the clock."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

from tasks.parse.stamps import MONTH_NUMBERS, MONTHS, WEEKDAY_PATTERN, WEEKDAYS, ZONES, Stamp, stamps

__all__ = [
    "MONTHS",
    "MONTH_NUMBERS",
    "WEEKDAYS",
    "Stamp",
    "find_published",
    "header_dates",
    "nonblank",
    "parse_date",
    "parse_date_line",
    "stamps",
]

# A date we accept as a publication date must name its year: "17 Nov '15", "2015-11-17", "17/11/2015".
_HAS_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b|'\d{2}\b|\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b")
# Everything a date-only line may contain; a line with anything else is text, not a date line.
_DATE_TOKEN = re.compile(
    rf"\b(?:{MONTHS}|{WEEKDAY_PATTERN}|{ZONES}|am|pm|a\.m\.|p\.m\.|at|on|of|the)\b\.?|\d{{1,4}}(?:st|nd|rd|th)?|['’:/.,\-|()+]|\s",
    re.IGNORECASE,
)
# A date-only line is a run of those tokens, each taken as a left-to-right scan takes it (atomic, no going
# back to another reading): one match that fails at the first other word, instead of a pass over the line.
_DATE_LINE = re.compile(rf"(?>{_DATE_TOKEN.pattern})*+", re.IGNORECASE)
_DATE_PREFIX = re.compile(
    r"^(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified|date)(?:\s+(?:on|at))?\s*:?\s*)",
    re.IGNORECASE,
)
_SETTINGS = {
    "TIMEZONE": "UTC",  # a date with no zone is taken as UTC
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
}
_EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=4096)
def parse_date(text: str) -> datetime | None:
    """A UTC datetime for an explicit date with day, month and year in `text`, else None."""
    text = text.strip()
    if not text or len(text) > 80 or not _HAS_YEAR.search(text):
        return None
    import dateparser  # ~0.3 s import; only documents with a date candidate pay for it

    when = dateparser.parse(text, languages=["en"], settings=_SETTINGS)
    if when is None or when < _EARLIEST:
        return None
    return when.astimezone(UTC)


def parse_date_line(line: str) -> datetime | None:
    """The date of a line that is nothing but a date ("Published: Tuesday 17 November 2015 10:37 GMT")."""
    rest = _DATE_PREFIX.sub("", line.strip())
    if not rest or not _DATE_LINE.fullmatch(rest):
        return None
    return parse_date(rest)


# --- The publication date of a page: where headers print it, by how the line labels it -------------------

_BETWEEN = 20  # non-blank lines under the headline: a header is short, a longer gap is a missed body
_ABOVE_TITLE = 4  # non-blank lines above the headline that may carry its date (kicker, date, byline)
_AFTER_BODY = 12  # non-blank lines after the body's first line (standfirst, share bar, caption, byline)
PARAGRAPH_WORDS = 30  # a line this long after the body's first is the article's prose
_MAX_LINE_WORDS = 25  # a longer line is running text: a date inside it is not the page's date
_MAX_TRAILING_WORDS = 3  # "03 May 2025 · 4 comments" still dates the page; a caption's sentence does not
_SEGMENT = re.compile(r"\s[|·•/]\s|\s[-–—]\s|\s{2,}|\|")
_LABEL = re.compile(
    r"^(?:(?:posted|published|written)\s+)?(?:by\s+[^\d:]{2,60}?\s+)?"  # "Posted by Jane Doe on"
    r"(?P<label>(?:(?:first|originally|last)\s+)?"
    r"(?:published|posted|updated|modified|original|created|released|issued|dated?)(?:\s+(?:on|at))?|on)$",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"^[A-Z][A-Z.'’\-]+(?:\s+[A-Z][A-Z.'’\-]+){0,3}(?:,\s*[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,2})?$"
)
_BY = re.compile(r"^(?:(?:posted|written|published)\s+)?by\s", re.IGNORECASE)
_BYLINE_PREFIX = re.compile(r"^by\s+[^\d:]{2,60}$", re.IGNORECASE)
_CAPITALISED = re.compile(r"^(?:[A-ZÀ-Þ][\w.'’&\-]*\s+){0,4}[A-ZÀ-Þ][\w.'’&\-]*$")
_PUBLISHED, _PLAIN, _UPDATED = 0, 1, 2  # how a header labels a date; lower wins
_LABEL_MAX_WORDS = 3
_FULL_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_SENTENCE_MARK = re.compile(r"[.!?,;]\s")  # words run on past a clause: a sentence, not a label


def find_published(lines: Sequence[str], title_at: int, body_at: int) -> datetime | None:
    """The page's publication instant (UTC) from its header lines; None when the page prints none.

    Zones in order: between headline and body, just above the headline, the first paragraph's dateline,
    the lines just after the body's first line. In each zone a "Published" date beats an unlabelled one;
    an "Updated" date is taken only when no zone has another.
    """
    updated: datetime | None = None
    for zone in _zones(lines, title_at, body_at):
        found = [
            (kind, not _by_a_byline(zone, k, lines), when)
            for k, i in enumerate(zone)
            for kind, when in (_dateline(lines[i]) if i == body_at else header_dates(lines[i]))
        ]
        kept = [d for d in found if d[0] != _UPDATED]
        if kept:
            return min(kept, key=lambda d: d[:2])[2]
        updated = updated or next((d[2] for d in found), None)
    return updated


def _by_a_byline(zone: list[int], k: int, lines: Sequence[str]) -> bool:
    """True when the zone's k-th line is or touches a "By ..." line: the article's date, not the site's."""
    near = (lines[zone[j]] for j in (k - 1, k, k + 1) if 0 <= j < len(zone))
    return any(_BY.match(line) for line in near)


def _zones(lines: Sequence[str], title_at: int, body_at: int) -> list[list[int]]:
    """Line indices of each zone a header date may sit in, nearest the headline first."""
    n = len(lines)
    title_at, body_at = max(0, min(title_at, n - 1)), max(0, min(body_at, n))
    between = nonblank(lines, range(title_at + 1, body_at), _BETWEEN)
    above = nonblank(lines, range(title_at - 1, -1, -1), _ABOVE_TITLE, PARAGRAPH_WORDS)
    after = nonblank(lines, range(body_at + 1, n), _AFTER_BODY, PARAGRAPH_WORDS)
    first = [body_at] if body_at < n and body_at != title_at else []
    return [between, above, first, after, above_body(lines, title_at, body_at, between)]


def above_body(lines: Sequence[str], title_at: int, body_at: int, between: list[int]) -> list[int]:
    """The non-blank lines right above the body that the zone under the headline (`between`) did not
    reach: a header printed by the body, found even when the line taken for the headline stands far above
    it (empty when the headline is near the body)."""
    near = nonblank(lines, range(body_at - 1, title_at, -1), _BETWEEN)[::-1]
    return [i for i in near if not between or i > between[-1]]


def nonblank(lines: Sequence[str], indices: range, limit: int, stop_words: int = 0) -> list[int]:
    """The first `limit` indices of non-blank lines walking `indices`, up to a line of `stop_words` words or
    more (a paragraph of the article's prose) when that is given. The header zones of dates and bylines."""
    out: list[int] = []
    for i in indices:
        if len(out) == limit or (stop_words and len(lines[i].split()) >= stop_words):
            break
        if lines[i]:
            out.append(i)
    return out


def header_dates(line: str) -> list[tuple[int, datetime]]:
    """(label kind, instant) of each date a header line prints as a date of its own, not inside a sentence.

    Kind 0 is labelled published ("Published", "Posted"), 1 unlabelled, 2 labelled "Updated".
    """
    if not line or len(line.split()) > _MAX_LINE_WORDS:
        return []
    found = stamps(line)
    out = []
    for k, stamp in enumerate(found):
        before = line[found[k - 1].end if k else 0 : stamp.start]
        after = line[stamp.end : found[k + 1].start if k + 1 < len(found) else len(line)]
        last = not after.strip(" .,;:|·•-–—()")  # nothing but punctuation after it: the line's last word
        loose = last and _FULL_YEAR.search(line, stamp.start, stamp.end) is not None
        kind = _label_kind(_SEGMENT.split(before)[-1], loose)
        if kind is not None and len(_SEGMENT.split(after)[0].split()) <= _MAX_TRAILING_WORDS:
            out.append((kind, stamp.when))
    return out


# Times printed between a label and its date: "Updated 0339 GMT (1139 HKT) November 19, 2019".
_CLOCKS = re.compile(r"\(?\b\d{1,2}[:.]?\d\d\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}\b)?\)?", re.IGNORECASE)


def _label_kind(prefix: str, loose: bool = False) -> int | None:
    """How the text just before a date labels it; None when it is words of a sentence or a caption. When
    `loose` (a date with its full year, ending its line), a few unknown words before it label it too
    ("Nachricht vom", "Posted by jane"); a date followed by more words ("... on May 3, 2018 said:") or with
    a two-digit year ("3/4/19", too easily a score) is not labelled so."""
    text = _CLOCKS.sub(" ", prefix).strip(" \t:,;-–—|·•()[]")
    if not text:
        return _PLAIN
    if _BYLINE_PREFIX.match(text):  # "by Jane Doe, April 25, 2023"
        return _PLAIN
    if m := _LABEL.match(text):
        label = m["label"].lower()
        return _UPDATED if label.startswith(("updated", "modified", "last")) else _PUBLISHED
    # A wire dateline ("NEW YORK 1996-08-30"), a byline's name or agency ("Reuters November 18, 2019"), or
    # a label of a few words in any language ("Posted by jane", "Nachricht vom"): not a sentence's words.
    if _PLACE.match(text) or _CAPITALISED.match(text):
        return _PLAIN
    short = loose and len(text.split()) <= _LABEL_MAX_WORDS and not _SENTENCE_MARK.search(text)
    return _PLAIN if short else None


def _dateline(paragraph: str) -> list[tuple[int, datetime]]:
    """The date of a dateline opening the first paragraph ("PARIS, April 25, 2023 (Reuters) - ...")."""
    head = paragraph[:120]
    found = stamps(head)
    if not found:
        return []
    if len(paragraph.split()) <= _MAX_LINE_WORDS and (dated := header_dates(paragraph)):
        return dated
    place = head[: found[0].start].strip(" ,")
    rest = head[found[0].end :].lstrip()
    opens = _PLACE.match(place) and (not rest or rest[0] in "(-–—" or rest[0].isalpha())
    return [(_PLAIN, found[0].when)] if opens else []
