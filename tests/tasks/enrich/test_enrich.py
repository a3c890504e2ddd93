"""Golden values on the seeds for every extractor, and the offset invariant on every row."""

from __future__ import annotations

from datetime import date

from tasks.records import Article
from tests.tasks.enrich.conftest import rows_of

TEXT_FIELD = {"quotes": "quote"}


def test_every_row_points_at_its_text_in_its_field(seeds: dict[str, Article], enriched: dict) -> None:
    by_id = {a.doc_id: a for a in seeds.values()}
    for table, rows in enriched.items():
        assert rows, table
        for r in rows:
            if not hasattr(r, "start_char"):  # tone: one row per article, no offsets
                continue
            text = getattr(r, TEXT_FIELD.get(table, "text"))
            field = getattr(by_id[r.doc_id], getattr(r, "field", "body"))
            assert field[r.start_char : r.end_char] == text, (table, r)


def test_people_have_their_full_names(enriched: dict) -> None:
    people = {
        d: {e.canonical for e in rows_of(enriched, "entities", d) if e.label == "PERSON"}
        for d in ("000", "001")
    }
    assert {
        "Jean-Yves Le Drian",
        "Gilles Jaron",
        "John Kerry",
        "François Hollande",
        "Barack Obama",
    } <= people["000"]
    assert {
        "Charles Michel",
        "Manuel Valls",
        "Salah Abdeslam",
        "Mohamed Abrini",
        "Abdelhamid Abaaoud",
    } <= people["001"]
    assert "Kerry" not in people["000"] and "Valls" not in people["001"]
    canonicals = {e.canonical for e in enriched["entities"]}
    assert not any("Cheri Cheng" in c for c in canonicals)  # the author, not a body entity
    kerry = [e for e in rows_of(enriched, "entities", "000") if e.text == "Kerry"]
    assert kerry and all(e.canonical == "John Kerry" and e.label == "PERSON" for e in kerry)
    valls = [e for e in rows_of(enriched, "entities", "001") if e.text == "Valls"]
    assert valls and all(
        e.canonical == "Manuel Valls" and e.label == "PERSON" for e in valls
    )  # model said ORG


def test_one_label_per_name_within_an_article(enriched: dict) -> None:
    for doc_id in ("000", "001"):
        labels: dict[str, set[str]] = {}
        for e in rows_of(enriched, "entities", doc_id):
            labels.setdefault(e.canonical, set()).add(e.label)
        assert all(len(v) == 1 for v in labels.values()), labels


def test_places_resolve_to_countries(enriched: dict) -> None:
    places = {(p.text, p.country_code) for p in enriched["locations"]}
    for expected in [
        ("France", "FR"),
        ("Belgium", "BE"),
        ("Syria", "SY"),
        ("Iraq", "IQ"),
        ("Paris", "FR"),
        ("Brussels", "BE"),
        ("Raqqa", "SY"),
    ]:
        assert expected in places, expected
    paris = next(p for p in enriched["locations"] if p.text == "Paris")
    assert (paris.feature, round(paris.latitude), round(paris.longitude)) == ("city", 49, 2)


def test_quotes_are_attributed_to_full_names(enriched: dict) -> None:
    speakers = {q.quote: (q.speaker, q.verb) for q in enriched["quotes"]}

    def said(prefix: str) -> tuple[str | None, str | None]:
        return next(v for q, v in speakers.items() if q.startswith(prefix))

    assert said("The level of cooperation could not be higher") == ("John Kerry", "said")
    assert said("We gained more territory") == ("John Kerry", "added")
    assert said("The main message is that we stand side by side") == ("Charles Michel", "told")
    assert said("We must be united around our values") == ("Manuel Valls", "added")


def test_event_counts(enriched: dict) -> None:
    def counts(doc_id: str) -> set[tuple]:
        return {
            (c.count_type, c.number, c.qualifier, c.object) for c in rows_of(enriched, "event_counts", doc_id)
        }

    assert ("killed", 129, "at least", "people") in counts("000")
    assert ("raids", 120, "at least", "anti-terrorism raids") in counts("000")
    assert ("raids", 300, "nearly", "raids") in counts("000")
    assert ("killed", 130, None, "people") in counts("001")
    assert ("arrested", 11, None, "people") in counts("001")


def test_mentioned_dates_resolve_against_publication(enriched: dict) -> None:
    dates = {(d.text, d.resolved_date) for d in rows_of(enriched, "mentioned_dates", "000")}
    assert ("Tuesday", date(2015, 11, 17)) in dates and ("Sunday", date(2015, 11, 15)) in dates
    assert ("yesterday", date(2015, 11, 16)) in dates and ("next week", date(2015, 11, 24)) in dates
    undated = rows_of(enriched, "mentioned_dates", "001")  # seed 001 has no publication date
    assert undated and all(d.resolved_date is None for d in undated if d.kind != "explicit")
