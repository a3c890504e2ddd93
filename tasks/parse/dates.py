"""Publication dates from header text, parsed with dateparser; never guessed from the clock."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

# A date we accept as a publication date must name its year: "17 Nov '15", "2015-11-17", "17/11/2015".
_HAS_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b|'\d{2}\b|\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b")
# The calendar's words, for every date rule here and in tasks.enrich.mentioned_dates.
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sept", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ),
        start=1,
    )
    for name in names
}
MONTHS = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))  # a regex alternation; match it ignoring case
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = "mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?"
_ZONES = "utc|gmt|bst|cet|cest|est|edt|cst|cdt|pst|pdt|z"
# Everything a date-only line may contain; a line with anything else is text, not a date line.
_DATE_TOKEN = re.compile(
    rf"\b(?:{MONTHS}|{_WEEKDAYS}|{_ZONES}|am|pm|a\.m\.|p\.m\.|at|on|of|the)\b\.?|\d{{1,4}}(?:st|nd|rd|th)?|['’:/.,\-|()+]|\s",
    re.IGNORECASE,
)
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
    if not rest or _DATE_TOKEN.sub("", rest).strip():
        return None
    return parse_date(rest)


# --- Dates as article headers print them, parsed without dateparser (it costs ~1 ms a call) ---------------

_HOURS = {"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "WEST": 1, "WAT": 1, "CEST": 2, "EET": 2}
_HOURS |= {"SAST": 2, "CAT": 2, "EEST": 3, "MSK": 3, "EAT": 3, "PKT": 5, "IST": 5.5, "ICT": 7, "WIB": 7}
_HOURS |= {"HKT": 8, "SGT": 8, "PHT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "AEST": 10, "AEDT": 11}
_HOURS |= {"NZST": 12, "NZDT": 13, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6}
_HOURS |= {"PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3}
# Zones printed without their season ("8:03 am ET"): the place's own rule says which offset applies.
_REGIONS = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}
_US_ZONES = frozenset({"ET", "CT", "MT", "PT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"})

_MON = rf"(?P<month>{MONTHS})\b\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
# A year may run straight into a time when a page glues its spans ("APR 28 20232:23 PM").
_YEAR = r"(?P<year>(?:1[89]|20)\d\d|['’]\d\d)(?=\D|\d{1,2}[:.]\d\d|$)"
_YEARISH = re.compile(r"(?:1[89]|20)\d\d|['’]\d\d")  # cheap test first: most lines name no year
_STAMP_FORMS = (
    re.compile(rf"\b{_MON}\s*{_DAY},?\s+{_YEAR}", re.IGNORECASE),  # April 25, 2023
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MON},?\s+{_YEAR}", re.IGNORECASE),  # 25 April 2023
    re.compile(
        r"(?<![\d.:/-])(?P<year>(?:1[89]|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)"
        r"(?:[T ](?P<h>[0-2]\d):(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d)(?:\.\d+)?)?"
        r"(?P<zone>Z|[+-]\d\d:?\d\d)?)?(?!\d)"
    ),
    re.compile(r"(?<![\d.:/-])(?P<year>(?:1[89]|20)\d\d)/(?P<mnum>[01]?\d)/(?P<day>[0-3]?\d)(?![\d/])"),
    re.compile(
        r"(?<![\d.:/-])(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[01]?\d)(?P=sep)(?P<year>(?:19|20)\d\d)(?![\d/])"
    ),
)
_ZONE = r"(?P<zone>(?:GMT|UTC)\s*[+-−]\s*\d{1,2}(?::?\d\d)?|[+-][01]\d:?\d\d\b|\(?[A-Za-z]{1,4}\)?(?![\w-]))"
_CLOCK = r"(?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?"
_TIME_AFTER = re.compile(rf"(?:\s*(?:,|at|@|-|–)?\s*|T)?{_CLOCK}(?:\s*{_ZONE})?", re.IGNORECASE)
_ZONE_AFTER = re.compile(rf"\s*{_ZONE}", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(rf"\b(?:{_WEEKDAYS})\b\.?,?\s*$", re.IGNORECASE)
_CLOCK_BEFORE = re.compile(rf"{_CLOCK}(?:\s*{_ZONE})?\s*,?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Stamp:
    """One explicit date (day, month and year) in a line: its span and the UTC instant it names."""

    start: int
    end: int
    when: datetime


@lru_cache(maxsize=8192)
def stamps(line: str) -> tuple[Stamp, ...]:
    """The explicit dates in one line, left to right, with the time and zone printed next to them."""
    if not _YEARISH.search(line):
        return ()
    found: list[Stamp] = []
    for form in _STAMP_FORMS:
        for m in form.finditer(line):
            clear = not any(s.start < m.end() and m.start() < s.end for s in found)
            if clear and (stamp := _stamp(line, m)) is not None:
                found.append(stamp)
    return tuple(sorted(found, key=lambda s: s.start))


def _stamp(line: str, m: re.Match[str]) -> Stamp | None:
    """A Stamp for one date match, or None when its fields make no calendar date."""
    parts = m.groupdict()
    start, end = m.start(), m.end()
    clock = m if parts.get("h") else None
    if clock is None and (after := _TIME_AFTER.match(line, end)):
        clock, end = after, after.end()
    if weekday := _WEEKDAY_BEFORE.search(line, 0, start):
        start = weekday.start()
    if clock is None and (before := _CLOCK_BEFORE.search(line, 0, start)):
        clock, start = before, before.start()  # "3:45 PM EDT, Tue April 25, 2023"
    zone_text = (clock["zone"] if clock else None) or parts.get("zone")
    if zone_text is None and (z := _ZONE_AFTER.match(line, end)) and _tz(z["zone"]) is not None:
        zone_text, end = z["zone"], z.end()
    zone = _tz(zone_text) if zone_text else None
    if zone_text and zone is None and clock is not None and clock["zone"]:
        end = min(end, clock.start("zone"))  # a word after the time that names no zone is not ours
    try:
        day = _calendar_day(parts, (zone_text or "").strip("()").upper() in _US_ZONES)
        hour, minute, second = _clock(clock)
        naive = datetime(day[0], day[1], day[2], hour, minute, second)
    except (ValueError, KeyError):
        return None
    local = naive.replace(tzinfo=zone or UTC)
    return Stamp(start, end, local.astimezone(UTC))


def _calendar_day(parts: dict[str, str | None], month_first: bool) -> tuple[int, int, int]:
    """(year, month, day) of a match; an all-numeric date is day first unless a US zone is named."""
    year_text = parts["year"] or ""
    year = int(year_text[-2:]) + 2000 if len(year_text) == 3 else int(year_text)
    if parts.get("month"):
        return year, MONTH_NUMBERS[parts["month"].capitalize()], int(parts["day"] or 0)
    if parts.get("mnum"):
        return year, int(parts["mnum"] or 0), int(parts["day"] or 0)
    a, b = int(parts["a"] or 0), int(parts["b"] or 0)
    if a > 12 or (b <= 12 and not month_first):
        return year, b, a
    return year, a, b


def _clock(clock: re.Match[str] | None) -> tuple[int, int, int]:
    if clock is None:
        return 0, 0, 0
    hour, minute, second = int(clock["h"]), int(clock["mi"] or 0), int(clock["s"] or 0)
    ampm = (clock.groupdict().get("ampm") or "").lower()
    if ampm and not 1 <= hour <= 12:
        raise ValueError(f"hour {hour} with {ampm}m")
    hour = hour % 12 + (12 if ampm == "p" else 0) if ampm else hour
    return hour, minute, second


_OFFSET = re.compile(r"^(?:GMT|UTC)?\s*(?P<sign>[+-−])\s*(?P<h>\d{1,2}):?(?P<m>\d\d)?$", re.IGNORECASE)


@lru_cache(maxsize=256)
def _tz(text: str) -> tzinfo | None:
    """The zone a printed abbreviation or offset names ("EDT", "ET", "GMT+2", "+0100"); None if unknown."""
    text = text.strip("()").upper().replace("−", "-")
    if text in _REGIONS:
        return ZoneInfo(_REGIONS[text])
    if text in _HOURS:
        return timezone(timedelta(hours=_HOURS[text]))
    if (m := _OFFSET.match(text)) and int(m["h"]) <= 14:
        offset = timedelta(hours=int(m["h"]), minutes=int(m["m"] or 0))
        return timezone(-offset if m["sign"] == "-" else offset)
    return None


# --- The publication date of a page: where headers print it, by how the line labels it -------------------

_ABOVE_TITLE = 4  # non-blank lines above the headline that may carry its date (kicker, date, byline)
_AFTER_BODY = 12  # non-blank lines after the body's first line (standfirst, share bar, caption, byline)
_PARAGRAPH_WORDS = 30  # a line this long after the body's first is the article's prose
_MAX_LINE_WORDS = 25  # a longer line is running text: a date inside it is not the page's date
_MAX_TRAILING_WORDS = 3  # "03 May 2025 · 4 comments" still dates the page; a caption's sentence does not
_SEGMENT = re.compile(r"\s[|·•/]\s|\s[-–—]\s|\s{2,}|\|")
_LABEL = re.compile(
    r"^(?:(?:posted|published|written)\s+)?(?:by\s+[^\d:]{2,60}?\s+)?(?P<label>(?:(?:first|originally|last)\s+)?(?:published|posted|updated|modified|original|"
    r"created|released|issued|dated?)(?:\s+(?:on|at))?|on)$",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"^[A-Z][A-Z.'’\-]+(?:\s+[A-Z][A-Z.'’\-]+){0,3}(?:,\s*[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,2})?$"
)
_BYLINE_PREFIX = re.compile(r"^by\s+[^\d:]{2,60}$", re.IGNORECASE)
_CAPITALISED = re.compile(r"^(?:[A-ZÀ-Þ][\w.'’&\-]*\s+){0,4}[A-ZÀ-Þ][\w.'’&\-]*$")
_PUBLISHED, _PLAIN, _UPDATED = 0, 1, 2  # how a header labels a date; lower wins


def find_published(lines: Sequence[str], title_at: int, body_at: int) -> datetime | None:
    """The page's publication instant (UTC) from its header lines; None when the page prints none.

    Zones in order: between headline and body, just above the headline, the first paragraph's dateline,
    the lines just after the body's first line. In each zone a "Published" date beats an unlabelled one;
    an "Updated" date is taken only when no zone has another.
    """
    updated: datetime | None = None
    for zone in _zones(lines, title_at, body_at):
        found = [d for i in zone for d in (_dateline(lines[i]) if i == body_at else header_dates(lines[i]))]
        kept = [d for d in found if d[0] != _UPDATED]
        if kept:
            return min(kept, key=lambda d: d[0])[1]
        updated = updated or next((d[1] for d in found), None)
    return updated


def _zones(lines: Sequence[str], title_at: int, body_at: int) -> list[list[int]]:
    """Line indices of each zone a header date may sit in, nearest the headline first."""
    n = len(lines)
    title_at, body_at = max(0, min(title_at, n - 1)), max(0, min(body_at, n))
    between = [i for i in range(title_at + 1, body_at) if lines[i]]
    above = _nonblank(lines, range(title_at - 1, -1, -1), _ABOVE_TITLE)
    after = _nonblank(lines, range(body_at + 1, n), _AFTER_BODY)
    first = [body_at] if body_at < n and body_at != title_at else []
    return [between, above, first, after]


def _nonblank(lines: Sequence[str], indices: range, limit: int) -> list[int]:
    """Up to `limit` non-blank line indices along `indices`, stopping at a line of the article's prose."""
    out: list[int] = []
    for i in indices:
        if len(out) == limit or len(lines[i].split()) >= _PARAGRAPH_WORDS:
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
        kind = _label_kind(_SEGMENT.split(before)[-1])
        if kind is not None and len(_SEGMENT.split(after)[0].split()) <= _MAX_TRAILING_WORDS:
            out.append((kind, stamp.when))
    return out


def _label_kind(prefix: str) -> int | None:
    """How the text just before a date labels it; None when it is words of a sentence or a caption."""
    text = prefix.strip(" \t:,;-–—|·•()[]")
    if not text:
        return _PLAIN
    if _BYLINE_PREFIX.match(text):  # "by Jane Doe, April 25, 2023"
        return _PLAIN
    if m := _LABEL.match(text):
        label = m["label"].lower()
        return _UPDATED if label.startswith(("updated", "modified", "last")) else _PUBLISHED
    # A wire dateline ("NEW YORK 1996-08-30") or a byline's name or agency ("Reuters November 18, 2019").
    return _PLAIN if _PLACE.match(text) or _CAPITALISED.match(text) else None


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
