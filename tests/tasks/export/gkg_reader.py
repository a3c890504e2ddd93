"""A GKG 2.1 reader written from the GDELT GKG 2.1 codebook, independent of tasks.export: the tests read
the exported file back with it. No package on the index parses GKG 2.1 files offline (the GDELT
clients on PyPI download GDELT's own files), so this is the codebook's grammar, field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree

CODEBOOK_COLUMNS = (
    "GKGRECORDID", "V2.1DATE", "V2SOURCECOLLECTIONIDENTIFIER", "V2SOURCECOMMONNAME", "V2DOCUMENTIDENTIFIER",
    "V1COUNTS", "V2.1COUNTS", "V1THEMES", "V2ENHANCEDTHEMES", "V1LOCATIONS", "V2ENHANCEDLOCATIONS",
    "V1PERSONS", "V2ENHANCEDPERSONS", "V1ORGANIZATIONS", "V2ENHANCEDORGANIZATIONS", "V1.5TONE",
    "V2.1ENHANCEDDATES", "V2GCAM", "V2.1SHARINGIMAGE", "V2.1RELATEDIMAGES", "V2.1SOCIALIMAGEEMBEDS",
    "V2.1SOCIALVIDEOEMBEDS", "V2.1QUOTATIONS", "V2.1ALLNAMES", "V2.1AMOUNTS", "V2.1TRANSLATIONINFO",
    "V2EXTRASXML",
)  # fmt: skip
COUNT = (
    "type",
    "number",
    "object",
    "loc_type",
    "loc_name",
    "loc_country",
    "loc_adm1",
    "lat",
    "lon",
    "feature",
)
LOCATION = ("type", "name", "country", "adm1", "lat", "lon", "feature")
ENHANCED_LOCATION = ("type", "name", "country", "adm1", "adm2", "lat", "lon", "feature", "offset")
TONE = ("tone", "positive", "negative", "polarity", "activity", "self_group", "word_count")


@dataclass
class Record:
    fields: dict[str, str]

    def blocks(self, column: str, sep: str = ";") -> list[str]:
        return [b for b in self.fields[column].split(sep) if b]

    def counts(self, enhanced: bool = False) -> list[dict[str, str]]:
        names = (*COUNT, "offset") if enhanced else COUNT
        return [_fields(b, "#", names) for b in self.blocks("V2.1COUNTS" if enhanced else "V1COUNTS")]

    def locations(self, enhanced: bool = False) -> list[dict[str, str]]:
        names = ENHANCED_LOCATION if enhanced else LOCATION
        return [
            _fields(b, "#", names) for b in self.blocks("V2ENHANCEDLOCATIONS" if enhanced else "V1LOCATIONS")
        ]

    def pairs(self, column: str) -> list[tuple[str, int]]:
        """name,offset blocks (themes, persons, organizations, all names)."""
        return [(b.rsplit(",", 1)[0], int(b.rsplit(",", 1)[1])) for b in self.blocks(column)]

    def tone(self) -> dict[str, str]:
        return _fields(self.fields["V1.5TONE"], ",", TONE) if self.fields["V1.5TONE"] else {}

    def dates(self) -> list[dict[str, int]]:
        return [
            dict(zip(("resolution", "month", "day", "year", "offset"), map(int, b.split("#")), strict=True))
            for b in self.blocks("V2.1ENHANCEDDATES")
        ]

    def quotations(self) -> list[dict[str, str]]:
        return [
            _fields(b, "|", ("offset", "length", "verb", "quote")) for b in self.blocks("V2.1QUOTATIONS", "#")
        ]

    def amounts(self) -> list[tuple[float, str, int]]:
        return [(float(a), o, int(off)) for a, o, off in (b.split(",") for b in self.blocks("V2.1AMOUNTS"))]

    def extras(self) -> ElementTree.Element:
        return ElementTree.fromstring(f"<EXTRAS>{self.fields['V2EXTRASXML']}</EXTRAS>")


def _fields(block: str, sep: str, names: tuple[str, ...]) -> dict[str, str]:
    values = block.split(sep)
    if len(values) != len(names):
        raise ValueError(f"a block of {len(names)} fields expected: {block!r}")
    return dict(zip(names, values, strict=True))


def read_gkg(text: str) -> list[Record]:
    """Every record of a GKG 2.1 file: one line each, 27 tab-separated fields."""
    records = []
    for line in text.split("\n"):
        if not line:
            continue
        values = line.split("\t")
        if len(values) != len(CODEBOOK_COLUMNS):
            raise ValueError(f"a GKG 2.1 record has 27 fields, this one {len(values)}")
        records.append(Record(dict(zip(CODEBOOK_COLUMNS, values, strict=True))))
    return records
