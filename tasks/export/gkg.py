"""The warehouse as GDELT GKG 2.1 records: one tab-separated line of 27 fields per article, in the
codebook's order, with its delimiters (`;` between blocks, `#` within a count or location block, `,`
within a name, theme, amount and tone block, `#` between quotations and `|` within one).

Offsets (the V2 columns) count characters in the article's text as GKG sees one document: the title, a
newline, the dateline and a newline when there is one, then the body (`document_offset`). Country codes
are FIPS 10-4, from the ISO crosswalk in tasks/vocab/fips_countries.txt. Fields newsetl has nothing for
(GCAM, images, embeds) are empty, as GKG leaves them. What GKG has no column for goes in V2EXTRASXML.
README "GDELT GKG 2.1 export" maps every column to its table.column.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tasks import vocab
from tasks.sources import source_of

COLUMNS = (
    "GKGRECORDID", "V2.1DATE", "V2SOURCECOLLECTIONIDENTIFIER", "V2SOURCECOMMONNAME", "V2DOCUMENTIDENTIFIER",
    "V1COUNTS", "V2.1COUNTS", "V1THEMES", "V2ENHANCEDTHEMES", "V1LOCATIONS", "V2ENHANCEDLOCATIONS",
    "V1PERSONS", "V2ENHANCEDPERSONS", "V1ORGANIZATIONS", "V2ENHANCEDORGANIZATIONS", "V1.5TONE",
    "V2.1ENHANCEDDATES", "V2GCAM", "V2.1SHARINGIMAGE", "V2.1RELATEDIMAGES", "V2.1SOCIALIMAGEEMBEDS",
    "V2.1SOCIALVIDEOEMBEDS", "V2.1QUOTATIONS", "V2.1ALLNAMES", "V2.1AMOUNTS", "V2.1TRANSLATIONINFO",
    "V2EXTRASXML",
)  # fmt: skip
WEB, CITATION_ONLY = "1", "2"  # V2SOURCECOLLECTIONIDENTIFIER: a URL, or a textual citation (our file URI)
FIPS = vocab.mapping("fips_countries")  # ISO 3166-1 alpha-2 -> FIPS 10-4
COUNT_TYPES = vocab.mapping("gkg_count_types")  # event_counts.count_type -> GKG count type
_DELIMITERS = re.compile(r"[\t\r\n;#,|<>]+")  # what a value inside a block may not hold
_QUOTE_DELIMITERS = re.compile(r"[\t\r\n#|]+")  # a quotation keeps its commas and semicolons


def clean(value: object) -> str:
    """A value as GKG can hold it inside a block: no tab, newline or delimiter, white space collapsed."""
    return " ".join(_DELIMITERS.sub(" ", "" if value is None else str(value)).split())


def clean_quote(value: object) -> str:
    """A quotation or its verb as V2.1QUOTATIONS can hold it: no tab, newline, '#' or '|'."""
    return " ".join(_QUOTE_DELIMITERS.sub(" ", "" if value is None else str(value)).split())


def number(value: float | int | None) -> str:
    """1250.0 -> '1250', 2.5 -> '2.5', None -> ''."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def document_offset(article: Mapping[str, Any], field: str, start: int) -> int:
    """An offset into articles.<field> as an offset into the whole document: title, dateline, body."""
    dateline = article.get("dateline") or ""
    origin = {"title": 0, "dateline": len(article["title"]) + 1}
    origin["body"] = origin["dateline"] + (len(dateline) + 1 if dateline else 0)
    return origin[field] + start


def gkg_date(moment: datetime) -> str:
    """V2.1DATE: YYYYMMDDHHMMSS (UTC)."""
    return moment.strftime("%Y%m%d%H%M%S")


def gkg_record(
    sequence: int, article: Mapping[str, Any], found: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[str]:
    """One article's 27 GKG fields; `article` carries `dated_at` (V2.1DATE), `found` its rows per table
    (each table's blocks are written in document order: title, dateline, body)."""
    at = lambda row: document_offset(article, row.get("field", "body"), row["start_char"])  # noqa: E731
    found = {name: sorted(rows, key=at) if name != "tone" else rows for name, rows in found.items()}
    date = gkg_date(article["dated_at"])
    places = [p for p in found.get("locations", ()) if p["country_code"] or p["feature"] == "region"]
    entities = found.get("entities", ())
    persons = [e for e in entities if e["label"] == "PERSON"]
    orgs = [e for e in entities if e["label"] == "ORG"]
    counts = [c for c in found.get("event_counts", ()) if c["count_type"] in COUNT_TYPES]
    themes, amounts = found.get("themes", ()), found.get("amounts", ())
    url = article.get("url")
    return [
        f"{date}-{sequence}",
        date,
        WEB if url else CITATION_ONLY,
        clean(article.get("site_name")) if article.get("site_name") and not url else source_name(article),
        url or article["source_uri"],
        ";".join(_count_block(c, places, article) for c in counts),
        ";".join(f"{_count_block(c, places, article)}#{at(c)}" for c in counts),
        ";".join(dict.fromkeys(t["theme"] for t in themes)),
        ";".join(f"{t['theme']},{at(t)}" for t in themes),
        ";".join(dict.fromkeys("#".join(_place(p, enhanced=False)) for p in places)),
        ";".join("#".join([*_place(p, enhanced=True), str(at(p))]) for p in places),
        ";".join(dict.fromkeys(clean(e["canonical"]) for e in persons)),
        ";".join(f"{clean(e['canonical'])},{at(e)}" for e in persons),
        ";".join(dict.fromkeys(clean(e["canonical"]) for e in orgs)),
        ";".join(f"{clean(e['canonical'])},{at(e)}" for e in orgs),
        _tone(found.get("tone", ())),
        ";".join(_date_block(d, at(d)) for d in found.get("mentioned_dates", ()) if d["resolved_date"]),
        "",  # V2GCAM: GDELT's own content-analysis dictionaries; none here
        "",  # V2.1SHARINGIMAGE
        "",  # V2.1RELATEDIMAGES
        "",  # V2.1SOCIALIMAGEEMBEDS
        "",  # V2.1SOCIALVIDEOEMBEDS
        _quotations(found.get("quotes", ()), at),
        ";".join(f"{clean(e['canonical'])},{at(e)}" for e in entities),
        ";".join(f"{number(a['amount'])},{clean(amount_object(a))},{at(a)}" for a in amounts),
        translation_info(article["language"]),
        extras_xml(article, found.get("quotes", ()), at),
    ]  # fmt: skip


def _quotations(quotes: Sequence[Mapping[str, Any]], at: Any) -> str:
    """Offset|Length|Verb|Quote blocks, '#' between them."""
    return "#".join(
        f"{at(q)}|{q['end_char'] - q['start_char']}|{clean_quote(q['verb'])}|{clean_quote(q['quote'])}"
        for q in quotes
    )


def source_name(article: Mapping[str, Any]) -> str:
    """V2SOURCECOMMONNAME: the site (host without www.) of the article's URL, else the folder its file
    was read from (tasks.sources.source_of, the source of every per-source figure)."""
    return clean(source_of(article["source_uri"], article.get("url")))


def amount_object(row: Mapping[str, Any]) -> str:
    """GKG's amount object: the unit then what is counted ("USD aid", "member union", "people")."""
    return " ".join(v for v in (row["unit"], row["object"]) if v)


def _count_block(
    count: Mapping[str, Any], places: Sequence[Mapping[str, Any]], article: Mapping[str, Any]
) -> str:
    """COUNTTYPE#number#object#<the location block of the place mentioned nearest the count>."""
    body = [p for p in places if p.get("field", "body") == "body"]
    near = min(body, key=lambda p: abs(p["start_char"] - count["start_char"]), default=None)
    place = _place(near, enhanced=False) if near else [""] * 7
    return "#".join([COUNT_TYPES[count["count_type"]], str(count["number"]), clean(count["object"]), *place])


def location_type(place: Mapping[str, Any]) -> str:
    """GKG's location type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (region)."""
    us = place["country_code"] == "US"
    return {"country": "1", "region": "2" if us else "5", "city": "3" if us else "4"}.get(
        place["feature"], "5"
    )


def _place(place: Mapping[str, Any], enhanced: bool) -> list[str]:
    """Type#FullName#CountryCode#ADM1Code[#ADM2Code]#Lat#Long#FeatureID, codes FIPS 10-4; a country's
    ADM1 code and feature id are its FIPS code, as GKG writes them; other places have none here."""
    fips = FIPS.get(place["country_code"] or "", "")
    country = place["feature"] == "country"
    adm = [fips if country else "", ""] if enhanced else [fips if country else ""]
    lat, lon = (number(place[k]) if place[k] is not None else "" for k in ("latitude", "longitude"))
    return [location_type(place), clean(place["canonical"]), fips, *adm, lat, lon, fips if country else ""]


def _tone(rows: Sequence[Mapping[str, Any]]) -> str:
    """Tone,Positive,Negative,Polarity,ActivityDensity,SelfGroupDensity,WordCount; empty without a row."""
    if not rows:
        return ""
    t = rows[0]
    keys = ("tone", "positive_score", "negative_score", "polarity", "activity_density", "self_group_density")
    return ",".join([*(number(t[k]) for k in keys), str(t["word_count"])])


def _date_block(row: Mapping[str, Any], offset: int) -> str:
    """Resolution#Month#Day#Year#Offset; newsetl resolves to the day: resolution 4 (day, month, year)."""
    d = row["resolved_date"]
    return f"4#{d.month}#{d.day}#{d.year}#{offset}"


def translation_info(language: str) -> str:
    """srclc:<ISO 639-3> for an article not in English; empty for English, as GKG leaves it."""
    if language == "en":
        return ""
    import pycountry

    found = pycountry.languages.get(alpha_2=language)
    return f"srclc:{found.alpha_3 if found else clean(language)}"


def extras_xml(article: Mapping[str, Any], quotes: Sequence[Mapping[str, Any]], at: Any) -> str:
    """V2EXTRASXML: the title and authors (GKG's PAGE_TITLE, PAGE_AUTHORS), newsetl's doc_id, and each
    quotation's speaker by its offset (GKG has no speaker)."""
    text = lambda v: escape(" ".join(str(v).split()), {'"': "&quot;"})  # noqa: E731
    speakers = "".join(
        f'<QUOTE offset="{at(q)}" speaker="{text(q["speaker"])}"/>' for q in quotes if q["speaker"]
    )
    return (
        f"<PAGE_TITLE>{text(article['title'])}</PAGE_TITLE>"
        f"<PAGE_AUTHORS>{text(';'.join(article['authors']))}</PAGE_AUTHORS>"
        f"<NEWSETL_DOC_ID>{article['doc_id']}</NEWSETL_DOC_ID>"
        f"<NEWSETL_QUOTE_SPEAKERS>{speakers}</NEWSETL_QUOTE_SPEAKERS>"
    )


def gkg_lines(records: Iterator[list[str]]) -> Iterator[str]:
    """Each record as one tab-separated line."""
    for record in records:
        if len(record) != len(COLUMNS) or any("\t" in f or "\n" in f for f in record):
            raise ValueError(f"not a GKG 2.1 record: {record[:2]}")
        yield "\t".join(record) + "\n"


def export_gkg(
    warehouse: str | os.PathLike[str], out_file: str | os.PathLike[str], since: date | None = None
) -> int:
    """Write every article of the warehouse (dated on or after `since`) to `out_file` as GKG 2.1 records,
    oldest first; returns how many. The file appears whole or not at all (written aside, then renamed)."""
    from tasks.export.read import articles_with_rows

    out = Path(out_file)
    partial = out.with_name(f".{out.name}.partial")
    written = 0
    with partial.open("w", encoding="utf-8", newline="") as handle:
        records = (
            gkg_record(n, a, found) for n, (a, found) in enumerate(articles_with_rows(warehouse, since), 1)
        )
        for line in gkg_lines(records):
            handle.write(line)
            written += 1
    partial.replace(out)
    return written
