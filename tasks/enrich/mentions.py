"""Frozen records the extractors emit; each points into an article's body by [start_char, end_char).

Invariant for every record: ``body[start_char:end_char] == record.text`` (``record.quote`` for quotes).
load.py turns lists of them into the tables declared in tasks.schemas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Entity:
    """One named-entity mention (grain of entities)."""

    doc_id: str
    text: str
    canonical: str  # the full name this mention refers to within the article ("Kerry" -> "John Kerry")
    label: str  # spaCy label: PERSON / ORG / GPE / LOC / NORP / EVENT / ...
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Place:
    """One place mention resolved against the gazetteer (grain of locations)."""

    doc_id: str
    text: str
    canonical: str  # gazetteer name
    feature: str  # country / city / region / continent
    country_code: str | None  # ISO-3166 alpha-2
    latitude: float | None
    longitude: float | None
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Quote:
    """One quotation without its quotation marks (grain of quotes)."""

    doc_id: str
    quote: str
    speaker: str | None  # canonical full name of the speaker, None when unattributed
    verb: str | None  # reporting verb as written: "said", "told", "added", "according to"
    start_char: int
    end_char: int


@dataclass(frozen=True)
class EventCount:
    """One counted fact (grain of event_counts): '<qualifier> <number> <object> <count_type>'."""

    doc_id: str
    text: str  # the whole matched phrase
    count_type: str  # killed / injured / arrested / raids / strikes / evacuated / ...
    number: int
    qualifier: str | None  # "at least" / "nearly" / "more than" / "about" / ...
    object: str | None  # "people", "anti-terrorism raids"
    start_char: int
    end_char: int


@dataclass(frozen=True)
class MentionedDate:
    """One date expression (grain of mentioned_dates), resolved against the article's published_at."""

    doc_id: str
    text: str
    kind: str  # weekday / relative / explicit
    resolved_date: date | None  # None without an anchor (no published_at) or when ambiguous
    start_char: int
    end_char: int
