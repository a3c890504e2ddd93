"""Locations: GPE/LOC entities the gazetteer knows, resolved to a country code and coordinates.

Names the gazetteer does not know stay in entities and are left out of locations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tasks.enrich.entities import Entity, by_doc
from tasks.places import resolve
from tasks.records import Article

PLACE_LABELS = ("GPE", "LOC")


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
    field: str = "body"  # title / dateline / body: the article field the offsets index


NEEDS = ("entities",)
LANGUAGES = ("en",)  # places among the English model's entities


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[Place]:
    """The extractor's entry point (see tasks.enrich): each article's places from its entities."""
    mentions = by_doc(found["entities"])
    return [p for a in articles for p in extract_places(a.doc_id, a.body, mentions.get(a.doc_id, []))]


def extract_places(doc_id: str, body: str, entities: Sequence[Entity]) -> list[Place]:
    """One Place per GPE/LOC entity of the article the gazetteer knows."""
    places = []
    for e in entities:
        if e.label not in PLACE_LABELS or e.doc_id != doc_id:
            continue
        entry = resolve(e.canonical) or resolve(e.text)
        if entry is None:
            continue
        places.append(
            Place(
                doc_id,
                e.text,
                entry.canonical,
                entry.feature,
                entry.country_code,
                entry.latitude,
                entry.longitude,
                e.start_char,
                e.end_char,
                e.field,
            )
        )
    return places
