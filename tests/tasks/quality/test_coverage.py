from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks import parse, run
from tasks.enrich.entities import Entity
from tasks.enrich.quotes import Quote
from tasks.ingest import ingest_record
from tasks.parse.text import parse_article
from tasks.quality import coverage, metrics
from tasks.records import Check, RunContext, SourceRecord
from tasks.warehouse import rows
from tests.conftest import ROOT, SEED_000, SEED_001

RUN = RunContext("20261124T100000Z-abcd1234", datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
PAGES = ROOT.parent / "shared" / "corpora" / "pages" / "text"


def dateless_pages(count: int) -> list[Path]:
    """Real pages (English) on which today's parser finds no publication date, chosen by parsing them."""
    found = []
    for path in sorted(PAGES.glob("*.txt")):
        articles, _ = parse.parse_batch([ingest_record(SourceRecord(path.as_uri(), path.read_bytes()))])
        if articles and articles[0].published_at is None and articles[0].language == "en":
            found.append(path)
        if len(found) == count:
            return found
    raise AssertionError(f"fewer than {count} pages of {PAGES} without a parsed date")


@pytest.fixture(scope="module")
def dateless_batch():
    """A real batch: pages whose dates the parser missed, through every stage and settled as the flow
    settles it, short of the commit."""
    (result,) = run.run_inline([str(p) for p in dateless_pages(8)], run=RUN)
    return result


def test_pages_whose_dates_the_parser_missed_raise_the_date_coverage_warning(dateless_batch) -> None:
    found = {(m.measure, m.source): m for m in dateless_batch.metrics}
    batch = found[("published_at_share", "")]
    assert (batch.value, batch.threshold, batch.success) == (0.0, 0.5, False)
    at_folder = found[("published_at_share", str(PAGES))]
    assert at_folder.value == 0.0 and len(at_folder.examples) == coverage.EXAMPLES
    doc_ids = dateless_batch.tables["articles"].column("doc_id").to_pylist()
    assert {e.split()[0] for e in at_folder.examples} <= {d[:12] for d in doc_ids}
    gx = next(
        c
        for c in dateless_batch.checks
        if c.reason_code == "expect_column_values_to_not_be_null(published_at)"
    )
    assert (gx.measure, gx.success, gx.unexpected_count, gx.failed_rows) == (
        "published_at_share",
        False,
        8,
        (),
    )
    flags = dateless_batch.tables["articles"].column("dq_flags").to_pylist()
    assert not any("published_at" in f for fs in flags for f in fs)  # a coverage check flags no row


def test_the_gx_coverage_verdicts_agree_with_the_measures(dateless_batch) -> None:
    verdicts = {c.measure: c.success for c in dateless_batch.checks if c.measure}
    measured = {
        m.measure: m.success for m in dateless_batch.metrics if m.source == "" and m.success is not None
    }
    assert set(verdicts) == set(measured)  # every coverage measure judged once, by GX or by coverage_checks
    assert verdicts == measured


def _seed_articles():
    docs = [ingest_record(SourceRecord(p.as_uri(), p.read_bytes())) for p in (SEED_000, SEED_001)]
    return [parse_article(d.raw_text, doc_id=d.doc_id, source_uri=d.source_uri) for d in docs]


def test_measures_per_source_entities_per_1000_english_words_and_quote_speakers() -> None:
    a, b = _seed_articles()
    german = replace(b, doc_id="d" * 64, language="de", url="https://zeitung.example/x", word_count=1000)
    on_site = replace(a, doc_id="e" * 64, url="https://news.example/y", published_at=None, authors=())
    entity = Entity(a.doc_id, "France", "France", "GPE", 0, 6)
    quotes = [
        Quote(a.doc_id, "We will", "Jean-Yves Le Drian", "said", 0, 7),
        Quote(a.doc_id, "No", None, "said", 9, 11),
    ]
    tables = {
        "articles": rows.articles_table([a, b, german, on_site], RUN),
        "entities": rows.extracted_table("entities", [entity] * 3, RUN, {a.doc_id: "x"}),
        "quotes": rows.extracted_table("quotes", quotes, RUN, {a.doc_id: "x"}),
    }
    found = {(m.measure, m.source): m for m in coverage.coverage_measures("b", tables, metrics.declared())}
    english_words = a.word_count + b.word_count + on_site.word_count  # the German article is not read
    assert found[("entities_per_1000_words", "")].value == pytest.approx(3000 / english_words)
    assert found[("entities_per_1000_words", "zeitung.example")].value is None
    assert found[("published_at_share", "")].value == 0.25  # only the first seed has a date
    site = found[("published_at_share", "news.example")]
    assert (site.value, site.success) == (0.0, False)
    assert site.examples == (f"{'e' * 12} {a.title[:69] + '…'!r}",)  # doc_id and the title, shortened
    assert found[("quotes_with_speaker_share", "")].value == 0.5
    assert found[("quotes_with_speaker_share", "news.example")].value is None  # no quote to measure
    assert {s for _, s in found} == {"", "news.example", "zeitung.example", str(SEED_000.parent)}


def test_pass_rate_per_suite_and_the_entity_rate_check() -> None:
    def check(table: str, success: bool) -> Check:
        return Check(table, "expect_x", "c", "warning", success, 1, 0, 0.0, (), ())

    rates = coverage.pass_rates(
        "b", [check("articles", True), check("articles", False), check("quotes", True)]
    )
    assert [(m.table_name, m.measure, m.value, m.threshold) for m in rates] == [
        ("articles", "pass_rate", 0.5, None),
        ("quotes", "pass_rate", 1.0, None),
    ]
    a, _ = _seed_articles()
    tables = {"articles": rows.articles_table([a], RUN)}  # no entity at all: NER stopped working
    measured = coverage.coverage_measures("b", tables, metrics.declared())
    (entity_check,) = coverage.coverage_checks(measured, metrics.declared())
    assert (entity_check.table_name, entity_check.reason_code) == (
        "entities",
        "coverage(entities_per_1000_words)",
    )
    assert not entity_check.success and entity_check.sample_values[0] == "0.0 < 20"


def test_every_measure_and_threshold_is_the_one_expectations_declares() -> None:
    """The measures come from the suites' JSON alone: their names, tables, thresholds and severities."""
    declared = {(d.table, d.measure): (d.threshold, d.severity) for d in metrics.declared()}
    assert declared == {
        ("articles", "published_at_share"): (0.5, "warning"),
        ("articles", "authors_share"): (0.3, "warning"),
        ("articles", "headline_title_share"): (0.8, "warning"),
        ("articles", "body_words_share"): (0.5, "warning"),
        ("entities", "entities_per_1000_words"): (20.0, "warning"),
        ("quotes", "quotes_with_speaker_share"): (0.3, "warning"),
    }


def test_a_share_counts_rows_as_the_expectation_reads_them() -> None:
    suite = {
        "name": "articles",
        "expectations": [
            {
                "type": "expect_column_value_lengths_to_be_between",
                "kwargs": {
                    "column": "title",
                    "min_value": 3,
                    "max_value": {"$PARAMETER": "top"},
                    "mostly": 0.9,
                },
                "meta": {"severity": "warning", "measure": "short_title_share"},
            }
        ],
    }
    (m,) = coverage.declared_measures({"articles": suite}, {"top": 5})
    assert m.holds is not None and m.threshold == 0.9
    assert [m.holds({"title": t}) for t in ("ab", "abc", "abcde", "abcdef", None)] == [
        False,
        True,
        True,
        False,
        False,
    ]
