"""Explicit dates as pages print them, with the time and zone beside them: "April 25, 2023 2:26 PM GMT+2",
"Published 3:45 PM EDT, Tue April 25, 2023", "25/04/2023", "2023-04-25T14:26:00Z", "Nov. 19, 2019 8:03 am ET".

Parsed by regular expressions rather than dateparser (about 1 ms a call): a page's header is scanned line
by line, so each line must cost microseconds. A date needs its day, month and year; a zone named without
its season ("ET") takes the offset its region's rule gives on that day; no zone means UTC.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from re._casefix import _EXTRA_CASES  # the letter pairs re.IGNORECASE matches beyond lower case
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tasks import vocab

# The calendar's words, for every date rule here, in tasks.parse.dates and in tasks.enrich.mentioned_dates.
MONTH_NUMBERS = {
    name: number for number, names in enumerate(vocab.forms("months"), start=1) for name in names
}
MONTHS = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))  # a regex alternation; match it ignoring case
WEEKDAYS = tuple(names[0] for names in vocab.forms("weekdays"))
# the weekdays and their short forms, a regex alternation; match it ignoring case
WEEKDAY_PATTERN = vocab.alternation([name.lower() for names in vocab.forms("weekdays") for name in names])

# The forms with month names read a line lower-cased (_folded), case-sensitive: a search ignoring case tries
# every name at every position, while in lower-cased text re looks for the names' first letters at C speed
# (~8 times faster). Lower-casing finds what re.IGNORECASE finds once "İ" is taken as "I" and the letters re
# pairs beyond case ("ı" and "i", "ſ" and "s", "ς" and "σ": re's own table) as one of each pair; a letter
# stays one letter, so a match's offsets are the line's.
_PAIRED = {k: min(pair) for lo, more in _EXTRA_CASES.items() for pair in [(lo, *more)] for k in pair}
_UNPAIRED = re.compile(f"[{re.escape(''.join(chr(k) for k, rep in _PAIRED.items() if k != rep))}]")


def _folded(text: str) -> str:
    """The text lower-cased as re.IGNORECASE pairs letters ("İ" with "i", where str.lower would write two
    characters), each paired letter as its pair's one: one letter for one."""
    folded = text.replace("İ", "I").lower()
    return folded.translate(_PAIRED) if _UNPAIRED.search(folded) else folded


# Zones by their UTC offset in hours; zones printed without their season ("8:03 am ET") by the region whose
# rule says which offset applies on the day.
_ZONE_VALUES = vocab.mapping("time_zones")
_HOURS = {zone: float(v) for zone, v in _ZONE_VALUES.items() if "/" not in v}
_REGIONS = {zone: v for zone, v in _ZONE_VALUES.items() if "/" in v}
ZONES = "|".join(z.lower() for z in _ZONE_VALUES)  # every abbreviation, a regex alternation; ignore case
# The US zones, with their seasons: an all-numeric date next to one is month first.
_US_ZONES = frozenset(
    z
    for r, region in _REGIONS.items()
    if region.startswith("America/")
    for z in (r, f"{r[0]}ST", f"{r[0]}DT")
)

_FOLDED_MONTHS = {_folded(name): number for name, number in MONTH_NUMBERS.items()}
_MON = rf"(?P<month>{vocab.alternation(list(_FOLDED_MONTHS))})\b\.?"  # in a _folded line
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
# A year may run straight into a time or the next date's day when a page glues its spans ("APR 28 20232:23
# PM", "28. June 201914. January 2020").
_YEAR = r"(?P<year>(?:1[89]|20)\d\d|['’]\d\d)(?=\D|\d{1,2}[:.]\d\d|\d{1,2}\.\s|$)"
# Cheap test first: most lines name no year. A year is "1[89]dd", "20dd", "'dd" or "/dd" ("11/19/19"); the
# pattern opens with the class of their first characters, which lets re skip every other position at C speed.
YEARISH = re.compile(r"[12'’/.](?:(?<=1)[89]\d\d|(?<=2)0\d\d|(?<=['’])\d\d|(?<=[/.])\d\d\b)")
# Two more cheap tests, each for a family of forms: a month-named date holds a month name, and every
# all-numeric form a digit, a separator and a digit. Most lines that print a year print no date ("© 2019",
# "in March 2018"): they cost these two searches, not every form's.
_NUMERIC = re.compile(r"\d(?:[-/.]\s?|\s?\|\s?)\d")
_ENGLISH_NAMED = (  # read in a _folded line
    re.compile(rf"\b{_MON}\s*{_DAY},?\s+{_YEAR}"),  # April 25, 2023
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MON},?\s+{_YEAR}"),  # 25 April 2023
)
_ENGLISH_NUMERIC = (
    re.compile(
        r"(?<![\d.:/-])(?P<year>(?:1[89]|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)"
        r"(?:[T ](?P<h>[0-2]\d):(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d)(?:\.\d+)?)?"
        r"(?P<zone>Z|[+-]\d\d:?\d\d)?)?(?!\d)"
    ),
    re.compile(r"(?<![\d.:/-])(?P<year>(?:1[89]|20)\d\d)/(?P<mnum>[01]?\d)/(?P<day>[0-3]?\d)(?![\d/])"),
    re.compile(  # the next date may be glued to its year ("17/11/201917/11/2019")
        r"(?<![\d.:/-])(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[01]?\d)(?P=sep)(?P<year>(?:19|20)\d\d)"
        r"(?:(?![\d/])|(?=\d{1,2}(?P=sep)))"
    ),
    # "11/19/19 06:56 AM EST", "19.10.19, 08:16": a two-digit year only with a time after it, or alone at
    # the line's end with slashes ("Version 1.2.19" is no date)
    re.compile(r"(?<![\d.:/-])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<year>\d\d)(?=\s+[0-2]?\d[:.][0-5]\d|\s*$)"),
    re.compile(r"(?<![\d.:/-])(?P<a>[0-3]?\d)\.(?P<b>[01]?\d)\.(?P<year>\d\d),?(?=\s+[0-2]?\d[:.][0-5]\d)"),
)
_ZONE = r"(?P<zone>(?:GMT|UTC)\s*[+-−]\s*\d{1,2}(?::?\d\d)?|[+-][01]\d:?\d\d\b|\(?[A-Za-z]{1,4}\)?(?![\w-]))"
_CLOCK = r"(?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?"
_TIME_AFTER = re.compile(rf"(?:\s*(?:,|at|@|--?|–|—|\||•|·)?\s*|T)?{_CLOCK}(?:\s*{_ZONE})?", re.IGNORECASE)
_ZONE_AFTER = re.compile(rf"\s*{_ZONE}", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(rf"\b(?:{WEEKDAY_PATTERN})\b\.?,?\s*$", re.IGNORECASE)
_CLOCK_BEFORE = re.compile(rf"{_CLOCK}(?:\s*{_ZONE})?\s*,?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Stamp:
    """One explicit date (day, month and year) in a line: its span, the UTC instant it names and the
    calendar day it prints (in the zone it is printed in: "Nov. 8, 2023, 10:28 p.m. ET" is 8 November,
    though its UTC instant falls on the 9th)."""

    start: int
    end: int
    when: datetime
    day: date


@lru_cache(maxsize=8192)
def stamps(line: str) -> tuple[Stamp, ...]:
    """The explicit dates in one line, left to right, with the time and zone printed next to them."""
    if not YEARISH.search(line):
        return ()
    folded = _folded(line)
    return _english(
        line, folded, calendar("en").month.search(folded) is not None, bool(_NUMERIC.search(line))
    )


def _english(line: str, folded: str, named: bool, numeric: bool) -> tuple[Stamp, ...]:
    """`stamps` of a line (`folded`: the line _folded), its forms read only where the cheap tests let them
    match: `named`, a month name is in the line; `numeric`, a digit, a separator and a digit."""
    found: list[Stamp] = []
    _add(line, folded, _ENGLISH_NAMED if named else (), found)
    _add(line, line, _ENGLISH_NUMERIC if numeric else (), found)
    return tuple(sorted(found, key=lambda s: s.start))


def _add(
    line: str,
    searched: str,
    forms: tuple[re.Pattern[str], ...],
    found: list[Stamp],
    calendar: Calendar | None = None,
) -> None:
    """Append to `found` the dates each form reads in `searched` (the line, or the line _folded), in the
    forms' order, but those overlapping a date already found."""
    for form in forms:
        for m in form.finditer(searched):
            clear = not any(s.start < m.end() and m.start() < s.end for s in found)
            if clear and (stamp := _stamp(line, m, calendar)) is not None:
                found.append(stamp)


def _stamp(line: str, m: re.Match[str], calendar: Calendar | None = None) -> Stamp | None:
    """A Stamp for one date match (month names of `calendar`, English without one), or None when its
    fields make no calendar date."""
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
        us_zone = (zone_text or "").strip("()").upper() in _US_ZONES
        slashed = calendar is not None and calendar.month_first and "/" in m.group(0)  # dots: day first
        day = _calendar_day(parts, us_zone or slashed, calendar)
        hour, minute, second = _clock(clock)
        naive = datetime(day[0], day[1], day[2], hour, minute, second)
    except (ValueError, KeyError):
        return None
    local = naive.replace(tzinfo=zone or UTC)
    return Stamp(start, end, local.astimezone(UTC), naive.date())


def _calendar_day(
    parts: dict[str, str | None], month_first: bool, calendar: Calendar | None = None
) -> tuple[int, int, int]:
    """(year, month, day) of a match; an all-numeric date is day first unless `month_first` (a US zone is
    named, or the page's language writes the month first)."""
    year_text = (parts["year"] or "").lstrip("'’")
    year = int(year_text) + (2000 if int(year_text) < 70 else 1900) if len(year_text) == 2 else int(year_text)
    if parts.get("month") and calendar is not None:
        return year, calendar.months[parts["month"]], int(parts["day"] or 0)
    if parts.get("month"):
        return year, _FOLDED_MONTHS[parts["month"]], int(parts["day"] or 0)
    if parts.get("mnum"):
        return year, int(parts["mnum"] or 0), int(parts["day"] or 0)
    a, b = int(parts["a"] or 0), int(parts["b"] or 0)
    if a > 12 or (b <= 12 and not month_first):
        return year, b, a
    return year, a, b


def _clock(clock: re.Match[str] | None) -> tuple[int, int, int]:
    """(hour, minute, second) of a printed time; "15:24pm" is read as the 24-hour time it already is."""
    if clock is None:
        return 0, 0, 0
    hour, minute, second = int(clock["h"]), int(clock["mi"] or 0), int(clock["s"] or 0)
    ampm = (clock.groupdict().get("ampm") or "").lower()
    if ampm and 1 <= hour <= 12:
        hour = hour % 12 + (12 if ampm == "p" else 0)
    return hour, minute, second


_OFFSET = re.compile(r"^(?:GMT|UTC)?\s*(?P<sign>[+-−])\s*(?P<h>\d{1,2}):?(?P<m>\d\d)?$", re.IGNORECASE)


@lru_cache(maxsize=256)
def _tz(text: str) -> tzinfo | None:
    """The zone a printed abbreviation or offset names ("EDT", "ET", "GMT+2", "+0100"); None if unknown."""
    text = text.strip("()").upper().replace("−", "-")
    if text in _REGIONS:
        try:
            return ZoneInfo(_REGIONS[text])
        except ZoneInfoNotFoundError:  # no tz database (tzdata comes with pandas): the standard offset
            return timezone(timedelta(hours=_HOURS[text[0] + "ST"]))
    if text in _HOURS:
        return timezone(timedelta(hours=_HOURS[text]))
    if (m := _OFFSET.match(text)) and int(m["h"]) <= 14:
        offset = timedelta(hours=int(m["h"]), minutes=int(m["m"] or 0))
        return timezone(-offset if m["sign"] == "-" else offset)
    return None


# --- Dates as a page in its own language prints them -----------------------------------------------------
# Month names, the words after a year and a day ("2020年2月15日", "2020 m. spalio 26 d.") and the order of an
# all-numeric date come from dateparser's locale data (CLDR's calendars), for every language it knows. The
# shapes are the same in every language: a day, a month name and a year with the particles and ordinal
# marks languages put between them ("11 de Outubro de 2020", "1er novembre 2023", "28. Juli 2019"), the
# year first ("2020. augusztus 18."), and the numeric forms of Europe and Asia ("2020.10.26",
# "18. 05. 2014", "02-11-2023", and "31.10.23" with every part in two digits).

_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WORD = r"[^\W\d_]"  # a letter of any script
_PARTICLE = rf"(?:{_WORD}{{1,3}}\s+)?"  # "de", "of", "du": a short word between a date's parts
_ORDINAL = rf"(?:\.|{_WORD}{{1,2}}(?!{_WORD}))?"  # "28.", "1er", "3rd", "15º"
_NUMERIC_FORMS = (
    re.compile(  # "2020.10.26", and spaced as Hungarian and Korean print it: "2020. 10. 26."; not a run of
        # figures going on ("2020.08.19.08.00": a listing's day and time glued)
        r"(?<![\d.:/-])(?P<year>(?:19|20)\d\d)\.\s?(?P<mnum>[01]?\d)\.\s?(?P<day>[0-3]?\d)(?!\d|\.\d)"
    ),
    re.compile(r"(?<![\d.:/-])(?P<a>[0-3]?\d)\.\s(?P<b>[01]?\d)\.\s?(?P<year>(?:19|20)\d\d)(?!\d)"),
    re.compile(r"(?<![\d.:/-])(?P<a>[0-3]?\d)-(?P<b>[01]?\d)-(?P<year>(?:19|20)\d\d)(?![\d-])"),
    re.compile(r"(?<![\d.:/-])(?P<a>[0-3]\d)(?P<sep>[./])(?P<b>[01]\d)(?P=sep)(?P<year>\d\d)(?![\d./]|,\d)"),
    # bars between the parts, as a theme prints a date in boxes: "26 | 01 | 2022" (two figures each: a
    # table's row of counts is no date)
    re.compile(r"(?<![\d.:/|-])(?P<a>[0-3]\d)\s?\|\s?(?P<b>[01]\d)\s?\|\s?(?P<year>(?:19|20)\d\d)(?!\d)"),
)


@dataclass(frozen=True)
class Calendar:
    """How a language writes dates: its month names (lower-cased) and the forms that read them."""

    months: dict[str, int]  # by the name's _folded form
    month_first: bool  # an all-numeric date is read month first (CLDR's order for the language)
    named: tuple[re.Pattern[str], ...]  # the forms with a month name, read in a _folded line
    month: re.Pattern[str]  # any of its month names (English ones too) in a _folded line


@lru_cache(maxsize=64)
def calendar(language: str) -> Calendar:
    """The calendar of a language (ISO 639-1); English month names are read in every language."""
    info = _locale(language)
    months = dict(_FOLDED_MONTHS)
    for number, key in enumerate(_MONTH_KEYS, start=1):
        months |= {_folded(n.rstrip(".")): number for n in info.get(key, ()) if len(n) > 1}
    names = vocab.alternation(list(months))
    years, days = (vocab.alternation([_folded(w) for w in info.get(k) or ["\x00"]]) for k in ("year", "day"))
    weekdays = vocab.alternation(
        sorted(
            {
                _folded(n.rstrip("."))
                for book in (info, _locale("en"))
                for k in _WEEKDAY_KEYS
                for n in book.get(k, ())
                if len(n) > 2
            }
        )
    )
    month = rf"(?<!{_WORD})(?P<month>{names})(?!{_WORD})\.?"
    named = (
        # the weekday may stand between the day and the month, as blog themes print it ("31 Donnerstag
        # Okt 2019")
        rf"(?<![\d.])(?P<day>[0-3]?\d){_ORDINAL}\s*(?:(?:{weekdays})(?!{_WORD})\.?,?\s+)?{_PARTICLE}{month},?\s*"
        rf"{_PARTICLE}{_YEAR}",
        rf"{month}\s*(?P<day>[0-3]?\d){_ORDINAL}(?!\d),?\s+{_YEAR}",
        # a two-digit day run into its year, as a date badge's boxes come out in text: "Apr 042013"
        rf"{month}\s*(?P<day>[0-3]\d)(?P<year>(?:19|20)\d\d)(?!\d)",
        rf"(?<!\d)(?P<year>(?:1[89]|20)\d\d)(?:\s*(?:{years})\.?)?[\s.,]*(?P<month>{names})\.?\s*"
        rf"(?P<day>[0-3]?\d)(?!\d)(?:\s*(?:{days}))?",
        # dots around the month's name and a two-digit year ("03.Mär.19"), with a time after it or ending
        # the line
        rf"(?<![\d.])(?P<day>[0-3]?\d)\.\s?{month}(?<=\.)(?P<year>\d\d)(?=\s*$|\D{{1,6}}[0-2]?\d[:.h][0-5]\d)",
    )
    month_first = str(info.get("date_order", "DMY")).startswith("M")
    return Calendar(months, month_first, tuple(map(re.compile, named)), re.compile(names))


def _locale(language: str) -> dict:
    """dateparser's locale data of a language ({} when it has none)."""
    import importlib

    try:
        return importlib.import_module(f"dateparser.data.date_translation_data.{language}").info
    except (ModuleNotFoundError, ValueError):
        return {}


@cache
def _digits() -> tuple[re.Pattern[str], dict[int, str]]:
    """(any decimal digit of a script other than ASCII's, the table that writes each as its ASCII digit):
    "২০২০" is 2020. Made the first time a line of another script is read (about 30 ms)."""
    table = {
        c: str(unicodedata.digit(chr(c)))
        for c in range(0x80, 0x1FC00)
        if unicodedata.category(chr(c)) == "Nd"
    }
    zeros = (c for c, digit in table.items() if digit == "0")  # each script's ten digits run in a block
    return re.compile(f"[{''.join(f'{chr(c)}-{chr(c + 9)}' for c in zeros)}]"), table


_BEYOND_LATIN = re.compile("[\u0660-\U0010ffff]")  # the first script digits: Arabic-Indic, U+0660


def ascii_digits(text: str) -> str:
    """The text with the digits of every script written as ASCII ones, one character for one (offsets
    kept): Bengali, Arabic-Indic, Devanagari, full-width "２０２０". Latin, Greek and Cyrillic text (no
    digits of their own) is passed over at C speed; a search of other scripts costs about 0.15 us a
    character: ask of short lines."""
    if text.isascii() or _BEYOND_LATIN.search(text) is None:
        return text
    other, table = _digits()
    return text.translate(table) if other.search(text) else text


@lru_cache(maxsize=8192)
def page_stamps(line: str, language: str) -> tuple[Stamp, ...]:
    """The explicit dates in one line of a page in `language`: those `stamps` reads, and those written as
    the language writes them, in its own script's digits too."""
    if not YEARISH.search(line) and not YEARISH.search(line := ascii_digits(line)):
        return ()
    book, folded = calendar(language), _folded(line)
    named, numeric = book.month.search(folded) is not None, _NUMERIC.search(line) is not None
    found = list(_english(line, folded, named, numeric))  # its month names hold the English ones
    _add(line, folded, book.named if named else (), found, book)
    _add(line, line, _NUMERIC_FORMS if numeric else (), found, book)
    return tuple(sorted(found, key=lambda s: s.start))
