"""What `newsetl run --rebuild` recomputes from raw_documents, and what it keeps as it was.

The rebuild replays every record of raw_documents (its original bytes) through ingest, parse, validate
and enrich, and replaces the REBUILT tables whole. The NER model reads only the texts the ner_cache table
does not hold for it (tasks.enrich.ner_cache): with an unchanged parser and model, none; the extractors
that read one article alone, and the entities' per-article drafts, run only on the articles whose fields
or whose code and data changed (tasks.enrich.extract_cache). raw_documents itself, dq_results and runs
are kept.
Of quarantine, the ingest-stage rows are kept: their records were never decoded, so raw_documents has
nothing to replay for them; every other quarantine row is recomputed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.dataset as ds

from tasks import ingest
from tasks.warehouse import commit, tables
from tasks.warehouse.schemas import ARTICLES, CACHE_TABLES, EXTRACTED, QUARANTINE, STORY_TABLES

REBUILT: tuple[str, ...] = (
    ARTICLES.name,
    *(t.name for t in EXTRACTED),
    *(t.name for t in STORY_TABLES),
    *(t.name for t in CACHE_TABLES),  # the caches: rewritten with the rows the rebuild computed or reused
    QUARANTINE.name,
)
_KEPT_BATCH_ROWS = 1_000  # quarantine rows carry their payloads: read them a bounded batch at a time


def kept_quarantine(warehouse: str | os.PathLike[str]) -> Iterator[pa.Table]:
    """The quarantine rows a rebuild keeps (stage ingest), a bounded batch at a time."""
    dataset = tables.table_dataset(warehouse, QUARANTINE.name)
    if dataset is None:
        return
    scanner = dataset.scanner(filter=ds.field("stage") == ingest.STAGE, batch_size=_KEPT_BATCH_ROWS)
    for batch in scanner.to_batches():
        if batch.num_rows:
            yield pa.Table.from_batches([batch]).select(QUARANTINE.columns)


def stage_kept_quarantine(warehouse: str | os.PathLike[str], rebuild_id: str) -> int:
    """Stage the kept quarantine rows into the rebuild's new quarantine table; returns how many."""
    count = 0
    for number, part in enumerate(kept_quarantine(warehouse)):
        commit.stage_replacement(warehouse, rebuild_id, f"kept-{number:05d}", {QUARANTINE.name: part})
        count += part.num_rows
    return count
