from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tasks.enrich.entities import Entity
from tasks.ingest import ingest_record
from tasks.parse.text import parse_article
from tasks.quality import suites
from tasks.quality.validate import (
    CriticalExpectationError,
    Validator,
    suite_from_json,
    validate_batch,
    validation_frame,
)
from tasks.records import Article, RunContext, SourceRecord
from tasks.warehouse import rows
from tasks.warehouse.schemas import TABLES
from tests.conftest import SEED_000, SEED_001

RUN = RunContext("20261122T100000Z-abcd1234", datetime(2026, 11, 22, 10, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(suites.load_suites())


def _seed_batch(*extra_articles):
    docs = [ingest_record(SourceRecord(p.as_uri(), p.read_bytes())) for p in (SEED_000, SEED_001)]
    articles = [parse_article(d.raw_text, doc_id=d.doc_id, source_uri=d.source_uri) for d in docs]
    return docs, [*articles, *extra_articles]


def test_every_suite_is_named_after_its_table_and_tags_each_expectation() -> None:
    loaded = suites.load_suites()
    # story_index holds signatures newsetl computes, not data read from a source: like run tables, no suite
    # ner_cache holds the model's raw output, checked against its text's length and hash when reused;
    # extract_cache the rules' raw output per article, reused only for its content and code fingerprint
    # source_files is the ledger of the files a run read (listing facts), written by newsetl itself
    runs_and_derived = {
        "quarantine",
        "dq_results",
        "dq_metrics",
        "runs",
        "story_index",
        "ner_cache",
        "extract_cache",
        "source_files",
    }
    assert set(loaded) == set(TABLES) - runs_and_derived
    for name, suite in loaded.items():
        assert suite["name"] == name and suite["expectations"]
        for e in suite["expectations"]:
            assert e["meta"]["severity"] in ("critical", "quarantine", "warning"), (name, e["type"])
            columns = [v for k, v in e["kwargs"].items() if k.startswith("column")]
            # added by validation_frame: for extracted tables, and for articles
            derived = {"field_slice", "field_length", "published_day_gap"}
            assert set(columns) <= set(TABLES[name].columns) | derived, (name, columns)
        # one rule per expectation and column: dq_flags, quarantine reasons and dq_results name it so
        names = [
            (e["type"], tuple(v for k, v in e["kwargs"].items() if k.startswith("column")))
            for e in suite["expectations"]
        ]
        assert len(names) == len(set(names)), name


def test_no_content_rule_of_an_article_quarantines_it() -> None:
    """Only an article with no body is unusable; everything else about its content is a warning."""
    for e in suites.load_suites()["articles"]["expectations"]:
        if e["meta"]["severity"] == "quarantine":
            assert (e["type"], e["kwargs"]["column"]) == ("expect_column_values_to_match_regex", "body")
        if "mostly" in e["kwargs"]:
            assert e["meta"]["severity"] == "warning" and e["meta"]["measure"]


def test_a_suite_without_severity_is_refused() -> None:
    suite = {"name": "t", "expectations": [{"type": "expect_column_to_exist", "kwargs": {"column": "a"}}]}
    with pytest.raises(ValueError, match=r"meta\.severity"):
        suite_from_json(suite)


def test_seeds_pass_every_expectation(validator: Validator) -> None:
    docs, articles = _seed_batch()
    checked = validate_batch(validator, rows.batch_tables(RUN, docs, articles, []), RUN, "b0")
    assert checked.rejected == []
    assert checked.tables["articles"].num_rows == 2
    assert len(checked.checks) == sum(
        len(suites.load_suites()[n]["expectations"]) for n in ("raw_documents", "articles")
    )
    assert all(c.success for c in checked.checks)


def test_quarantine_failures_move_rows_warnings_keep_them_flagged(validator: Validator) -> None:
    docs, (a, b) = _seed_batch()
    empty = replace(b, doc_id="1" * 64, body=" \n ", word_count=0)
    when = datetime(2099, 1, 1, tzinfo=UTC)  # the page's own day with it: the parser writes both
    future = replace(a, doc_id="2" * 64, published_at=when, published_date=when.date())
    brief = replace(b, doc_id="6" * 64, body="Results: Arsenal 2 Chelsea 1.", word_count=5)
    tables = rows.batch_tables(RUN, docs, [a, b, empty, future, brief], [])
    checked = validate_batch(validator, tables, RUN, "b0")
    kept = checked.tables["articles"]
    assert kept.column("doc_id").to_pylist() == [a.doc_id, b.doc_id, "2" * 64, "6" * 64]
    assert kept.column("dq_flags").to_pylist() == [
        [],
        [],
        ["expect_column_values_to_be_between(published_at)"],
        [],  # a short brief is real news: it only lowers the batch's body_words_share
    ]
    (moved,) = checked.rejected
    assert (moved.doc_id, moved.stage) == ("1" * 64, "validate")
    assert moved.reason_code == "expect_column_values_to_match_regex(body)"
    payload = json.loads(moved.payload)
    assert payload["body"] == " \n " and payload["source_uri"] == b.source_uri
    failed = {c.reason_code: c for c in checked.checks if not c.success}
    assert failed["expect_column_values_to_match_regex(body)"].severity == "quarantine"
    published = failed["expect_column_values_to_be_between(published_at)"]
    assert published.severity == "warning" and published.unexpected_count == 1
    assert "2099-01-01" in published.sample_values[0]


def test_configurations_built_once_give_what_gx_gives(validator: Validator, monkeypatch) -> None:
    from great_expectations.expectations.expectation import Expectation

    from tasks.quality import validate

    docs, (a, b) = _seed_batch()
    empty = replace(b, doc_id="1" * 64, body=" \n ", word_count=0)  # fails, so results carry indexes
    tables = rows.batch_tables(RUN, docs, [a, b, empty], [])
    shipped = Expectation.__dict__["configuration"]
    memoised = validate_batch(validator, tables, RUN, "b0")
    assert Expectation.__dict__["configuration"] is shipped  # restored on leaving
    monkeypatch.setattr(validate, "memoised_configurations", contextlib.nullcontext)
    plain = validate_batch(validator, tables, RUN, "b0")
    assert memoised.checks == plain.checks and memoised.rejected == plain.rejected

    def without_ids(result: object) -> object:
        if isinstance(result, dict):
            return {k: without_ids(v) for k, v in result.items() if k not in ("id", "run_id", "ge_load_time")}
        return [without_ids(v) for v in result] if isinstance(result, list) else result

    assert without_ids(memoised.results) == without_ids(plain.results)


def test_metric_ids_kept_across_validations_are_gxs_own(validator: Validator) -> None:
    import pandas as pd
    from great_expectations.core.id_dict import IDDict

    from tasks.quality import gx_configs

    shipped = IDDict.__dict__["to_id"]
    docs, (a, b) = _seed_batch()
    gx_configs._IDS.clear()
    first = validate_batch(validator, rows.batch_tables(RUN, docs, [a], []), RUN, "b0")
    kept = len(gx_configs._IDS)
    assert kept > 20 and IDDict.__dict__["to_id"] is shipped  # kept for the next validation; GX restored
    second = validate_batch(validator, rows.batch_tables(RUN, docs, [a, b], []), RUN, "b1")
    assert len(gx_configs._IDS) == kept  # other rows, the same metric kwargs: every id was kept
    assert [c.success for c in first.checks] == [c.success for c in second.checks]
    for (kind, _, _), text_id in list(gx_configs._IDS.items())[:20]:
        assert kind is IDDict or issubclass(kind, IDDict)
        assert isinstance(text_id, str | tuple)
    plain = IDDict({"column": "body", "mostly": 0.9, "value_set": ["a", "b"], "result_format": {"k": 1}})
    framed = IDDict({"column": "body", "batch": pd.DataFrame({"x": range(100)})})
    with gx_configs.memoised_configurations():
        assert plain.to_id() == shipped(IDDict(plain)) and framed.to_id() == shipped(framed)
        assert plain.to_id(id_keys=["column"]) == "column=body"
    assert not any("DataFrame" in text or "range" in text for _, _, text in gx_configs._IDS)


def test_a_repeated_doc_id_is_critical(validator: Validator) -> None:
    docs, (a, b) = _seed_batch()
    tables = rows.batch_tables(RUN, docs, [a, b, replace(b, title="Another title here")], [])
    with pytest.raises(CriticalExpectationError) as failure:
        validate_batch(validator, tables, RUN, "b7")
    message = str(failure.value)
    assert "batch b7" in message and "expect_column_values_to_be_unique(doc_id)" in message
    assert b.doc_id[:20] in message  # sample values name the repeated key
    assert set(failure.value.results) == {"raw_documents", "articles"}  # kept for the Data Docs


def test_real_news_oddities_are_warnings_that_keep_the_article(validator: Validator) -> None:
    docs, (a, b) = _seed_batch()
    chrome = replace(a, doc_id="3" * 64, body=a.body + "\nAdvertisement\nMore text follows here.")
    byline = replace(b, doc_id="4" * 64, authors=("By Jane Doe 17 Nov 2015",))
    shouting = replace(b, doc_id="5" * 64, title="SOCCER - ENGLISH LEAGUE RESULTS")
    german = replace(b, doc_id="7" * 64, language="de", title="CLICK HERE NOW")
    articles = [chrome, byline, shouting, german]
    checked = validate_batch(validator, rows.batch_tables(RUN, docs, articles, []), RUN, "b")
    assert checked.rejected == []
    flags = dict(
        zip(*checked.tables["articles"].select(["doc_id", "dq_flags"]).to_pydict().values(), strict=True)
    )
    assert flags == {
        "3" * 64: ["expect_column_values_to_not_match_regex(body)"],
        "4" * 64: ["expect_column_values_to_not_match_regex(authors)"],
        "5" * 64: ["expect_column_values_to_not_match_regex(title)"],
        "7" * 64: [
            "expect_column_values_to_not_match_regex(title)",
            "expect_column_values_to_be_in_set(language)",
        ],
    }


def _texts(a: Article) -> dict[str, dict[str, str]]:
    return {a.doc_id: {"title": a.title, "dateline": a.dateline or "", "body": a.body}}


def test_extracted_rows_must_match_their_body_slice(validator: Validator) -> None:
    _, (a, _) = _seed_batch()
    start = a.body.index("Jean-Yves Le Drian")
    good = Entity(a.doc_id, "Jean-Yves Le Drian", "Jean-Yves Le Drian", "PERSON", start, start + 18)
    shifted = replace(good, start_char=start + 1, end_char=start + 19)
    past_end = replace(good, start_char=len(a.body), end_char=len(a.body) + 18)
    table = rows.extracted_table("entities", [good, shifted, past_end], RUN, {a.doc_id: "2015-11"})
    checked = validate_batch(validator, {"entities": table}, RUN, "b", _texts(a), {a.doc_id: "u"})
    assert checked.tables["entities"].num_rows == 1
    assert checked.flags == {}
    assert [r.reason_code for r in checked.rejected] == [
        "expect_column_pair_values_to_be_equal(text/field_slice)",
        "expect_column_pair_values_a_to_be_greater_than_b(field_length/end_char)",
    ]
    assert {r.source_uri for r in checked.rejected} == {"u"}


def test_title_rows_must_match_the_title_they_point_into(validator: Validator) -> None:
    """Offsets of an entity index the field the row names: the title's "EU" is right there, the same
    offsets read as the body's are not, and a field that is no article text is refused."""
    _, (a, _) = _seed_batch()
    at = a.title.index("EU")
    assert a.body[at : at + 2] != "EU"
    in_title = Entity(a.doc_id, "EU", "European Union", "ORG", at, at + 2, "title")
    as_body = replace(in_title, field="body")
    elsewhere = replace(in_title, field="url")
    table = rows.extracted_table("entities", [in_title, as_body, elsewhere], RUN, {a.doc_id: "2015-11"})
    checked = validate_batch(validator, {"entities": table}, RUN, "b", _texts(a), {a.doc_id: "u"})
    assert checked.tables["entities"].column("field").to_pylist() == ["title"]
    assert sorted(r.reason_code for r in checked.rejected) == [
        "expect_column_pair_values_to_be_equal(text/field_slice)",
        "expect_column_values_to_be_in_set(field)",
    ]


def test_validation_frame_joins_lists_and_adds_body_slices() -> None:
    _, (a, _) = _seed_batch()
    frame = validation_frame(rows.articles_table([a], RUN))
    assert frame.loc[0, "authors"] == "Cheri Cheng"
    entity = Entity(a.doc_id, "France", "France", "GPE", 0, 6)
    frame = validation_frame(rows.extracted_table("entities", [entity], RUN, {a.doc_id: "x"}), _texts(a))
    assert (frame.loc[0, "field_slice"], frame.loc[0, "field_length"]) == ("France", len(a.body))


def test_warnings_on_extracted_rows_flag_their_article(validator: Validator) -> None:
    _, (a, _) = _seed_batch()
    start = a.body.index("Jean-Yves Le Drian")
    odd = Entity(a.doc_id, "Jean-Yves Le Drian", "Jean-Yves Le Drian", "MINISTER", start, start + 18)
    entities = rows.extracted_table("entities", [odd], RUN, {a.doc_id: "x"})
    checked = validate_batch(validator, {"entities": entities}, RUN, "b", _texts(a))
    assert checked.tables["entities"].num_rows == 1  # kept
    assert checked.flags == {a.doc_id: ["entities.expect_column_values_to_be_in_set(label)"]}
    flagged = rows.with_dq_flags(rows.articles_table([a], RUN), checked.flags)
    assert flagged.column("dq_flags").to_pylist() == [["entities.expect_column_values_to_be_in_set(label)"]]
    assert rows.with_dq_flags(flagged, checked.flags).column("dq_flags").to_pylist() == [
        ["entities.expect_column_values_to_be_in_set(label)"]
    ]  # each name once
