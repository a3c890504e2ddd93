"""The NER cache without Prefect: the real model's output kept in a warehouse's ner_cache table and read
back; a batch whose texts it knows gives the same entities with no text through the model, a changed text
or another model version is read again, and a rebuild's rows carry the texts it reused."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tasks.enrich import enrich_articles, entities, ner_cache
from tasks.records import Article, RunContext
from tasks.warehouse import commit, tables
from tasks.warehouse.schemas import NER_CACHE
from tests.tasks.enrich.conftest import article

MARCH = datetime(2021, 3, 2, tzinfo=UTC)
HARBOUR = article(
    "harbour",
    "Storm shuts harbour in Bergen",
    "The harbour in Bergen stayed shut on Monday, the Norwegian port authority said.\n\n"
    "Ferries to Oslo were cancelled and Ingrid Dahl, the mayor, asked residents to stay home.",
    published_at=MARCH,
)
TALKS = article(
    "talks",
    "TRADE TALKS RESUME IN GENEVA",
    "Officials from the United States and China met in Geneva on Tuesday.\n\n"
    "Trade talks resume after a pause of six months, said Maria Lopez of the World Trade Organization.",
    dateline="GENEVA",
)
COPY = replace(HARBOUR, doc_id="harbour-copy", source_uri="file:///harbour-copy.txt")  # same text
BATCH = [HARBOUR, TALKS, COPY]
MONTHS = {"harbour": "2021-03", "talks": "unknown", "harbour-copy": "2021-03"}
FIRST = RunContext("run-first", MARCH)


class CountingModel:
    """The real model, counting the texts it is given."""

    def __init__(self) -> None:
        self.nlp, self.texts = entities.load_nlp(), []

    def pipe(self, texts: Iterable[str], **kwargs: Any) -> Iterator[Any]:
        for text in texts:
            self.texts.append(text)
            yield from self.nlp.pipe([text], **kwargs)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose ner_cache holds the batch's texts, committed as a run commits them."""
    root = tmp_path_factory.mktemp("wh")
    memo = ner_cache.Memo(entities.model_key(), ner_cache.Source(str(root)), MONTHS)
    entities.extract_entities(BATCH, nlp=CountingModel(), memo=memo)
    commit.commit_batch(root, "b1", {NER_CACHE.name: memo.table(FIRST, MONTHS)})
    return root


def _run(batch: list[Article], memo: ner_cache.Memo) -> tuple[list[entities.Entity], CountingModel]:
    model = CountingModel()
    return entities.extract_entities(batch, nlp=model, memo=memo), model


def test_each_distinct_text_goes_through_the_model_once_and_is_kept_once(warehouse: Path) -> None:
    cached = tables.read_table(warehouse, NER_CACHE.name)
    assert sorted(cached.column("doc_id").to_pylist()) == ["harbour", "talks"]  # the copy shares a row
    assert set(cached.column("run_id").to_pylist()) == {"run-first"}
    talks = entities.View.of(TALKS.body, TALKS.title).text
    row = cached.filter(pc.equal(cached.column("doc_id"), "talks"))
    assert row.column("text_sha256")[0].as_py() == ner_cache.text_key(talks)
    assert row.column("text_chars")[0].as_py() == len(talks)
    assert row.column("published_month")[0].as_py() == "unknown"
    model, memo = CountingModel(), ner_cache.Memo(entities.model_key())
    entities.extract_entities(BATCH, nlp=model, memo=memo)
    assert len(model.texts) == 2  # without a warehouse: the two distinct texts, read once each


def test_a_batch_the_cache_knows_gives_the_models_entities_without_the_model(warehouse: Path) -> None:
    fresh, _ = _run(BATCH, ner_cache.Memo(entities.model_key()))
    memo = ner_cache.Memo(entities.model_key(), ner_cache.Source(str(warehouse)), MONTHS)
    cached, model = _run(BATCH, memo)
    assert model.texts == [] and cached == fresh  # row for row, labels decided with the batch's evidence
    assert memo.table(RunContext("run-next", MARCH), MONTHS).num_rows == 0  # a run adds nothing known


def test_a_changed_text_is_read_again_and_the_others_are_not(warehouse: Path) -> None:
    edited = replace(TALKS, body=TALKS.body.replace("six months", "seven months"))
    memo = ner_cache.Memo(entities.model_key(), ner_cache.Source(str(warehouse)), MONTHS)
    cached, model = _run([HARBOUR, edited], memo)
    assert model.texts == [entities.View.of(edited.body, edited.title).text]
    fresh, _ = _run([HARBOUR, edited], ner_cache.Memo(entities.model_key()))
    assert cached == fresh
    rows = memo.table(RunContext("run-next", MARCH), MONTHS)
    assert rows.column("doc_id").to_pylist() == ["talks"] and rows.column("run_id")[0].as_py() == "run-next"


def test_another_model_version_reads_every_text_again(warehouse: Path) -> None:
    other = entities.model_key().replace(f"{entities.MODEL}==", f"{entities.MODEL}==0.0.0-")
    memo = ner_cache.Memo(other, ner_cache.Source(str(warehouse)), MONTHS)
    _, model = _run(BATCH, memo)
    assert len(model.texts) == 2


def test_a_text_of_another_length_under_the_same_key_is_not_trusted(tmp_path: Path) -> None:
    root = tmp_path
    memo = ner_cache.Memo(entities.model_key(), ner_cache.Source(str(root)), MONTHS)
    entities.extract_entities([HARBOUR], nlp=CountingModel(), memo=memo)
    damaged = memo.table(FIRST, MONTHS).set_column(2, "text_chars", pa.array([1], pa.int32()))
    commit.commit_batch(root, "b1", {NER_CACHE.name: damaged})
    _, model = _run([HARBOUR], ner_cache.Memo(entities.model_key(), ner_cache.Source(str(root)), MONTHS))
    assert len(model.texts) == 1


def test_a_rebuild_commits_the_rows_it_reused_with_the_run_that_computed_them(warehouse: Path) -> None:
    source = ner_cache.Source(str(warehouse), rebuild=True)
    memo = ner_cache.Memo(entities.model_key(), source, MONTHS)
    enrich_articles([HARBOUR, TALKS], memo)
    rows = memo.table(RunContext("run-rebuild", MARCH), MONTHS)
    assert sorted(rows.column("doc_id").to_pylist()) == ["harbour", "talks"]
    assert set(rows.column("run_id").to_pylist()) == {"run-first"}
    committed: set[str] = set()
    first = ner_cache.first_of_run({NER_CACHE.name: rows}, committed)[NER_CACHE.name]
    again = ner_cache.first_of_run({NER_CACHE.name: rows}, committed)[NER_CACHE.name]
    assert (first.num_rows, again.num_rows) == (2, 0)  # a later batch of the run does not repeat a text


def test_an_object_store_warehouse_serves_the_cache_as_a_local_one_does(s3_warehouse: str) -> None:
    memo = ner_cache.Memo(entities.model_key(), ner_cache.Source(s3_warehouse), MONTHS)
    fresh = entities.extract_entities(BATCH, nlp=CountingModel(), memo=memo)
    commit.commit_batch(s3_warehouse, "b1", {NER_CACHE.name: memo.table(FIRST, MONTHS)})
    cached, model = _run(BATCH, ner_cache.Memo(entities.model_key(), ner_cache.Source(s3_warehouse), MONTHS))
    assert model.texts == [] and cached == fresh
