"""What a worker loads before its watched batches: a rebuild's worker whose texts are all in the NER
cache never loads the model (nor imports spaCy), and gives the entities the model gave; a batch with a
text the cache lacks has it read by the model in its child, after which the worker loads the model once
for the batches that follow. Run in a fresh interpreter: this test process has the model loaded already."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks import pipeline
from tasks.enrich import ner_cache
from tasks.records import RunContext, SourceRecord
from tasks.warehouse import commit
from tasks.warehouse.schemas import ENTITIES, NER_CACHE
from tests.conftest import ROOT, SEED_000, SEED_001

RUN = RunContext("20260101T000000Z-warm", datetime(2026, 1, 1, tzinfo=UTC))
CHANGED = (
    b"Ferries stay in port as the storm turns\n\nThe harbour in Tromso stayed shut on Tuesday, and Kari "
    b"Nilsen, who runs the ferry company, said crossings to Bodo would resume once the wind dropped.\n"
)
_WORKER = """
import json, sys
import pytest

from tasks import pipeline
from tasks.enrich import entities, ner_cache
from tasks.records import RunContext, SourceRecord
from tasks.warehouse.schemas import ENTITIES, NER_CACHE

warehouse, paths = sys.argv[1], sys.argv[2:]
records = [SourceRecord(p, open(p, "rb").read()) for p in paths]
source = ner_cache.Source(warehouse, rebuild=True)
run = RunContext.new()
cached = pipeline.process_batch(records[:2], run, "b0", doc_timeout=60, model_cache=source)
report = {
    "cached_read_by_model": ner_cache.read_by_model(cached.tables[NER_CACHE.name], run),
    "spacy_after_cached": "spacy" in sys.modules,
    "model_after_cached": entities._nlp.cache_info().currsize,
    "entities": sorted(map(json.dumps, cached.tables[ENTITIES.name].drop(["run_id"]).to_pylist())),
}
changed = pipeline.process_batch(records, run, "b1", doc_timeout=60, model_cache=source)
report["changed_read_by_model"] = ner_cache.read_by_model(changed.tables[NER_CACHE.name], run)
report["model_after_changed"] = entities._nlp.cache_info().currsize
print(json.dumps(report))
"""


def test_a_rebuild_worker_loads_the_model_only_once_a_text_is_not_in_the_cache(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    records = [SourceRecord(p.as_uri(), p.read_bytes()) for p in (SEED_000, SEED_001)]
    first = pipeline.process_batch(records, RUN, "b0", model_cache=ner_cache.Source(str(warehouse)))
    commit.commit_batch(warehouse, "b0", {NER_CACHE.name: first.tables[NER_CACHE.name]})
    changed = tmp_path / "changed.txt"
    changed.write_bytes(CHANGED)
    paths = [str(SEED_000), str(SEED_001), str(changed)]
    command = [sys.executable, "-c", _WORKER, str(warehouse), *paths]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["cached_read_by_model"] == 0
    assert (report["spacy_after_cached"], report["model_after_cached"]) == (False, 0)
    model_rows = first.tables[ENTITIES.name].drop(["run_id"]).to_pylist()
    assert report["entities"] == sorted(map(json.dumps, model_rows)) and model_rows  # the model's, unread
    assert report["changed_read_by_model"] == 1  # the new text, read in the batch's child
    assert report["model_after_changed"] == 1  # then loaded here, for the next batches' children


def test_the_warm_up_batch_runs_once_however_its_flag_is_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork server warms with `warm(model=False)` and a worker's batch asks `warm(False)`: one warm-up
    batch, not a second one in every worker before its first batch."""
    ran: list[str] = []
    real = pipeline._process_batch
    monkeypatch.setattr(pipeline, "_process_batch", lambda *a, **k: ran.append(a[2]) or real(*a, **k))
    pipeline._warm.cache_clear()
    pipeline.warm(model=False)
    pipeline.warm(False)
    pipeline.warm(model=False)
    assert ran == ["warm-up"]


_AFTER_WARM_UP = """
import sys
from tasks import pipeline
from tasks.records import RunContext, SourceRecord

pipeline.warm()
before = set(sys.modules)
page = b"Council backs the new bridge\\n\\nBy A. Reporter\\nTuesday 4 June 2019\\n\\n" + sys.argv[1].encode()
result = pipeline.process_batch([SourceRecord("dated.txt", page)], RunContext.new(), "b0")
assert result.articles == 1, result.rejected
print(sorted(set(sys.modules) - before))
"""


def test_a_batch_after_the_warm_up_imports_nothing_more() -> None:
    """A watched batch's child loses what it loads when it ends, so every batch would load it again:
    the warm-up loads what a batch of dated pages needs (dateparser with its English data, not imported
    by a page without a date line), and a batch after it imports no module."""
    body = "The council voted on Tuesday to fund the bridge, the mayor said after the meeting. " * 3
    command = [sys.executable, "-c", _AFTER_WARM_UP, body]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
