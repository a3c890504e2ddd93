"""Publication dates from header text, parsed with dateparser; never guessed from the clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

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
