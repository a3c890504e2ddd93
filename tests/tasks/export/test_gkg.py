"""`newsetl export gkg` without Prefect: the seeds run into a warehouse, exported, read back with a GKG
2.1 reader written from the codebook (gkg_reader), every field checked against the warehouse; the seeds'
export targets (27 fields, FIPS codes, KILL#129, Kerry's and Valls's quotes with their verbs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tasks.export import gkg
from tasks.export.read import ROW_TABLES
from tasks.export.read import records as records_of
from tasks.warehouse import views
from tests.conftest import seeds_warehouse
from tests.tasks.export.gkg_reader import CODEBOOK_COLUMNS, Record, read_gkg

CODES = {"France": "FR", "Iraq": "IZ", "Syria": "SY", "Belgium": "BE"}  # FIPS 10-4, as GKG writes them


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeds_warehouse(tmp_path_factory.mktemp("wh"))


@pytest.fixture(scope="module")
def records(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    out = tmp_path_factory.mktemp("out") / "seeds.gkg.csv"
    assert gkg.export_gkg(warehouse, out) == 2
    return read_gkg(out.read_text(encoding="utf-8"))


def _table(warehouse: Path, sql: str) -> list[dict[str, Any]]:
    return records_of(views.connect(warehouse, read_only=True).execute(sql))


def _doc_id(record: Record) -> str:
    return record.extras().findtext("NEWSETL_DOC_ID") or ""


def test_the_exporter_and_the_codebook_reader_agree_on_the_27_columns(records: list[Record]) -> None:
    assert gkg.COLUMNS == CODEBOOK_COLUMNS and len(CODEBOOK_COLUMNS) == 27
    assert len(records) == 2


def test_the_seeds_export_targets(records: list[Record]) -> None:
    first = records[0]  # the dated seed, 2015-11-17, is the older
    assert "KILL#129#people#" in first.fields["V1COUNTS"]
    countries = {loc["name"]: loc["country"] for r in records for loc in r.locations()}
    assert {name: countries.get(name) for name in CODES} == CODES
    quotes = {
        (q.get("speaker"), r.quotations()[i]["verb"]) for r in records for i, q in enumerate(_speakers(r))
    }
    assert ("John Kerry", "said") in quotes and ("Manuel Valls", "added") in quotes


def _speakers(record: Record) -> list[dict[str, str]]:
    """Each quotation's speaker from V2EXTRASXML, in the quotations' order (matched by offset)."""
    by_offset = {q.get("offset"): q.get("speaker") for q in record.extras().iter("QUOTE")}
    return [{"speaker": by_offset.get(q["offset"])} for q in record.quotations()]


@dataclass
class _Article:
    """An article of the warehouse with its rows, and GKG's document text the offsets count in."""

    row: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]

    @property
    def document(self) -> str:
        a = self.row
        return a["title"] + "\n" + (a["dateline"] + "\n" if a["dateline"] else "") + a["body"]

    def at(self, row: dict[str, Any]) -> int:
        a = self.row
        origin = {"title": 0, "dateline": len(a["title"]) + 1, "body": len(self.document) - len(a["body"])}
        return origin[row.get("field", "body")] + row["start_char"]


def _articles(warehouse: Path) -> dict[str, _Article]:
    sql = (
        "SELECT a.*, coalesce(a.published_at, a.fetched_at, r.ingested_at) AS dated_at "
        "FROM articles a JOIN raw_documents r USING (doc_id)"
    )
    order = "ORDER BY doc_id, start_char, end_char"
    tables = {t: _table(warehouse, f"SELECT * FROM {t} {order if t != 'tone' else ''}") for t in ROW_TABLES}
    return {
        a["doc_id"]: _Article(
            a, {t: [r for r in rows if r["doc_id"] == a["doc_id"]] for t, rows in tables.items()}
        )
        for a in _table(warehouse, sql)
    }


def _in_document_order(article: _Article) -> _Article:
    rows = {t: sorted(r, key=article.at) if t != "tone" else r for t, r in article.rows.items()}
    return _Article(article.row, rows)


def test_every_field_matches_the_warehouse(warehouse: Path, records: list[Record]) -> None:
    articles = _articles(warehouse)
    assert {_doc_id(r) for r in records} == set(articles)
    for number, record in enumerate(records, 1):
        art = _in_document_order(articles[_doc_id(record)])
        a, f = art.row, record.fields
        stamp = a["dated_at"].strftime("%Y%m%d%H%M%S")
        assert (f["GKGRECORDID"], f["V2.1DATE"]) == (f"{stamp}-{number}", stamp)
        assert f["V2SOURCECOLLECTIONIDENTIFIER"] == ("1" if a["url"] else "2")
        assert f["V2DOCUMENTIDENTIFIER"] == (a["url"] or a["source_uri"])
        assert f["V2SOURCECOMMONNAME"] == (a["site_name"] or "/".join(a["source_uri"][7:].split("/")[:-1]))
        assert f["V2.1TRANSLATIONINFO"] == ("" if a["language"] == "en" else f["V2.1TRANSLATIONINFO"])
        assert record.extras().findtext("PAGE_TITLE") == " ".join(a["title"].split())
        for empty in ("V2GCAM", "V2.1SHARINGIMAGE", "V2.1RELATEDIMAGES", "V2.1SOCIALIMAGEEMBEDS"):
            assert f[empty] == f["V2.1SOCIALVIDEOEMBEDS"] == ""
        for check in (_names, _themes, _locations, _counts, _tone, _dates, _quotations, _amounts):
            check(record, art)


def _names(record: Record, art: _Article) -> None:
    entities = art.rows["entities"]
    for column, label in (
        ("V2ENHANCEDPERSONS", "PERSON"),
        ("V2ENHANCEDORGANIZATIONS", "ORG"),
        ("V2.1ALLNAMES", None),
    ):
        expected = [(gkg.clean(e["canonical"]), art.at(e)) for e in entities if label in (None, e["label"])]
        assert record.pairs(column) == expected, column
    assert record.blocks("V1PERSONS") == list(dict.fromkeys(n for n, _ in record.pairs("V2ENHANCEDPERSONS")))
    assert all(art.document[art.at(e) : art.at(e) + len(e["text"])] == e["text"] for e in entities)


def _themes(record: Record, art: _Article) -> None:
    themes = art.rows["themes"]
    assert record.pairs("V2ENHANCEDTHEMES") == [(t["theme"], art.at(t)) for t in themes]
    assert all(art.document[art.at(t) : art.at(t) + len(t["text"])] == t["text"] for t in themes)
    assert record.blocks("V1THEMES") == list(dict.fromkeys(t["theme"] for t in themes))


def _locations(record: Record, art: _Article) -> None:
    places = [p for p in art.rows["locations"] if p["country_code"] or p["feature"] == "region"]
    enhanced = record.locations(enhanced=True)
    assert [(loc["name"], loc["country"], int(loc["offset"])) for loc in enhanced] == [
        (p["canonical"], gkg.FIPS.get(p["country_code"] or "", ""), art.at(p)) for p in places
    ]
    assert all(
        float(loc["lat"]) == p["latitude"] for loc, p in zip(enhanced, places, strict=True) if loc["lat"]
    )


def _counts(record: Record, art: _Article) -> None:
    counts = [c for c in art.rows["event_counts"] if c["count_type"] in gkg.COUNT_TYPES]
    assert [
        (c["type"], int(c["number"]), c["object"], int(c["offset"])) for c in record.counts(enhanced=True)
    ] == [(gkg.COUNT_TYPES[c["count_type"]], c["number"], gkg.clean(c["object"]), art.at(c)) for c in counts]


def _tone(record: Record, art: _Article) -> None:
    (t,) = art.rows["tone"]
    tone = record.tone()
    assert float(tone["tone"]) == pytest.approx(t["tone"]) and int(tone["word_count"]) == t["word_count"]
    assert float(tone["positive"]) == pytest.approx(t["positive_score"])
    assert float(tone["negative"]) == pytest.approx(t["negative_score"])
    assert float(tone["polarity"]) == pytest.approx(t["polarity"])
    assert float(tone["self_group"]) == pytest.approx(t["self_group_density"]) and tone["activity"] == ""


def _dates(record: Record, art: _Article) -> None:
    dates = [d for d in art.rows["mentioned_dates"] if d["resolved_date"]]
    assert [(d["year"], d["month"], d["day"], d["offset"]) for d in record.dates()] == [
        (d["resolved_date"].year, d["resolved_date"].month, d["resolved_date"].day, art.at(d)) for d in dates
    ]


def _quotations(record: Record, art: _Article) -> None:
    quotes, parsed = art.rows["quotes"], record.quotations()
    assert [(q["verb"], q["quote"]) for q in parsed] == [
        (q["verb"] or "", gkg.clean_quote(q["quote"])) for q in quotes
    ]
    for q in parsed:  # offset and length cut the quote out of the document
        cut = art.document[int(q["offset"]) : int(q["offset"]) + int(q["length"])]
        assert gkg.clean_quote(cut) == q["quote"]
    assert [s["speaker"] for s in _speakers(record)] == [q["speaker"] for q in quotes]


def _amounts(record: Record, art: _Article) -> None:
    amounts = art.rows["amounts"]
    assert record.amounts() == [(x["amount"], gkg.amount_object(x), art.at(x)) for x in amounts]
    assert all(art.document[art.at(x) : art.at(x) + len(x["text"])] == x["text"] for x in amounts)


def test_since_keeps_the_articles_dated_from_that_day(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "later.gkg.csv"
    assert gkg.export_gkg(warehouse, out, since=date(2015, 11, 18)) == 1  # the dated seed is of 2015-11-17
    (record,) = read_gkg(out.read_text(encoding="utf-8"))
    assert "Belgium" in record.extras().findtext("PAGE_TITLE")


def test_an_empty_or_older_warehouse_exports_nothing_but_a_valid_file(tmp_path: Path) -> None:
    out = tmp_path / "none.gkg.csv"
    assert gkg.export_gkg(tmp_path / "empty", out) == 0
    assert out.read_text() == ""


def test_a_value_cannot_break_its_block() -> None:
    assert gkg.clean("Washington, D.C.;#x|y\tz\n") == "Washington D.C. x y z"
    assert gkg.clean_quote("a, b; c # d | e") == "a, b; c d e"
    assert gkg.number(1250.0) == "1250" and gkg.number(2.5) == "2.5" and gkg.number(None) == ""


def test_translation_info_names_a_language_other_than_english_in_iso_639_3() -> None:
    assert (gkg.translation_info("en"), gkg.translation_info("fr"), gkg.translation_info("pt")) == (
        "",
        "srclc:fra",
        "srclc:por",
    )


def test_articles_come_in_chunks_with_their_rows(warehouse: Path) -> None:
    from tasks.export.read import articles_with_rows

    whole = [
        (a["doc_id"], {t: len(r) for t, r in found.items()}) for a, found in articles_with_rows(warehouse)
    ]
    chunked = [
        (a["doc_id"], {t: len(r) for t, r in f.items()}) for a, f in articles_with_rows(warehouse, chunk=1)
    ]
    assert chunked == whole and len(whole) == 2
    assert all(counts["entities"] and counts["tone"] == 1 for _, counts in whole)
