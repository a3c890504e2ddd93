"""Mentioned dates: weekdays, relative days and explicit dates in a body, resolved to the calendar.

The anchor is the article's published_at (UTC date). A bare weekday ("on Tuesday") is the latest such
day on or before the anchor; "last Friday" the latest strictly before, "next Monday" the first strictly
after. "yesterday" / "today" / "tomorrow" / "last week" / "next month" / "two days ago" shift the anchor.
An explicit date with a year needs no anchor; one without a year ("Nov. 17") takes the anchor's year,
or the year before when that would put it more than a month after the anchor. Without an anchor, only
explicit dates with a year resolve. Month-only expressions ("in March") are not dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tasks import vocab
from tasks.enrich.event_counts import parse_number
from tasks.parse.dates import MONTH_NUMBERS, MONTHS, WEEKDAYS
from tasks.records import Article


@dataclass(frozen=True)
class MentionedDate:
    """One date expression (grain of mentioned_dates), resolved against the article's published_at."""

    doc_id: str
    text: str
    kind: str  # weekday / relative / explicit
    resolved_date: date | None  # None without an anchor (no published_at) or when ambiguous
    start_char: int
    end_char: int


NEEDS: tuple[str, ...] = ()
LANGUAGES = ("en",)  # English date expressions
ALONE = True  # its rows depend on its article alone: reused for an unchanged one (extract_cache)


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[MentionedDate]:
    """The extractor's entry point (see tasks.enrich): each article's dates, against its published_at."""
    return [d for a in articles for d in extract_dates(a.doc_id, a.body, a.published_at)]


_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
EXPLICIT = [
    re.compile(rf"\b{_DAY}\s+(?P<month>{MONTHS})\.?(?:,?\s+{_YEAR})?\b"),
    re.compile(rf"(?<!mid-)\b(?P<month>{MONTHS})\.?\s+{_DAY}(?:,?\s+{_YEAR})?\b(?![:.]\d)"),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
]
# Not part of a name: "Black Friday", "Super Tuesday", "Sunday Times", "Sunday's paper" stay out.
WEEKDAY = re.compile(
    rf"(?<![A-Z][a-z] )(?<![A-Z][a-z][a-z] )(?<![A-Z][a-z]{{3}} )(?<![A-Z][a-z]{{4}} )"
    rf"\b(?:(?P<which>(?i:last|next|this|on|until|since|by|from|before))\s+)?"
    rf"(?P<weekday>{'|'.join(WEEKDAYS)})\b(?!['’]s\b)"
)
RELATIVE = re.compile(
    rf"\b(?:(?P<word>yesterday|today|tonight|tomorrow)|(?P<which>last|next)\s+(?P<unit>week|month|year)"
    rf"|(?P<n>\d+|a|{vocab.alternation(list(vocab.mapping('number_words')))})\s+(?P<units>days|weeks|day|week)\s+ago)\b",
    re.I,
)


def extract_dates(doc_id: str, body: str, published_at: datetime | None) -> list[MentionedDate]:
    """Every date expression of the body, in order, resolved against published_at's UTC date."""
    anchor = published_at.date() if published_at else None
    found: list[MentionedDate] = []
    for kind, pattern, resolver in (
        ("explicit", EXPLICIT[0], _explicit),
        ("explicit", EXPLICIT[1], _explicit),
        ("explicit", EXPLICIT[2], _explicit),
        ("weekday", WEEKDAY, _weekday),
        ("relative", RELATIVE, _relative),
    ):
        for match in pattern.finditer(body):
            span = _span(kind, match, body)
            if span is None or any(d.start_char < span[1] and span[0] < d.end_char for d in found):
                continue
            found.append(MentionedDate(doc_id, body[span[0] : span[1]], kind, resolver(match, anchor), *span))
    return sorted(found, key=lambda d: d.start_char)


def _span(kind: str, match: re.Match[str], body: str) -> tuple[int, int] | None:
    """The expression's offsets, or None when the match is a name rather than a date."""
    if kind == "relative" and match.group(0).isupper():
        return None  # "USA TODAY" is a newspaper, not a day
    if kind != "weekday":
        return match.span()
    which = (match.group("which") or "").lower()
    if not which and re.match(r" [A-Z]", body[match.end() : match.end() + 2]):
        return None  # "Sunday Times", "Monday Night Football"
    start = match.start() if which in ("last", "next", "this") else match.start("weekday")
    return start, match.end()


def _explicit(match: re.Match[str], anchor: date | None) -> date | None:
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else MONTH_NUMBERS[month_text]
    day = int(match.group("day"))
    year = match.group("year")
    try:
        if year:
            return date(int(year), month, day)
        if anchor is None:
            return None
        resolved = date(anchor.year, month, day)
        return resolved.replace(year=anchor.year - 1) if resolved > anchor + timedelta(days=31) else resolved
    except ValueError:  # 31 February
        return None


def _weekday(match: re.Match[str], anchor: date | None) -> date | None:
    if anchor is None:
        return None
    target = WEEKDAYS.index(match.group("weekday").capitalize())
    which = (match.group("which") or "").lower()
    back = (anchor.weekday() - target) % 7
    if which == "next":
        return anchor + timedelta(days=(target - anchor.weekday()) % 7 or 7)
    if which == "last":
        return anchor - timedelta(days=back or 7)
    return anchor - timedelta(days=back)


def _relative(match: re.Match[str], anchor: date | None) -> date | None:
    if anchor is None:
        return None
    if word := match.group("word"):
        return anchor + timedelta(
            days={"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[word.lower()]
        )
    if unit := match.group("unit"):
        sign = -1 if match.group("which").lower() == "last" else 1
        if unit.lower() == "week":
            return anchor + timedelta(days=7 * sign)
        if unit.lower() == "year":
            return _safe(anchor.year + sign, anchor.month, anchor.day)
        month = anchor.month + sign
        return _safe(anchor.year + (month - 1) // 12, (month - 1) % 12 + 1, anchor.day)
    n = parse_number(match.group("n")) or 1
    days = n * (7 if match.group("units").lower().startswith("week") else 1)
    return anchor - timedelta(days=days)


def _safe(year: int, month: int, day: int) -> date:
    """The date, with the day clamped to the month's length (31 March - 1 month = 28/29 February)."""
    for d in range(day, 27, -1):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, month, min(day, 28))
