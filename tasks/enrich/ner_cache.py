"""The NER cache: what the model found in each text it read, kept in the warehouse's `ner_cache` table.

The model's output depends only on the text it reads and on the model, so it is kept per (model, text):
`model` names the model package and its version, spaCy's version and the components left out
(tasks.enrich.entities.model_key), and `text_sha256` hashes the exact text the model read: the article's
View (its title, a blank line and its body, lines in capitals given their case back). A parser change that
alters a body, a title or a restored case makes a new text, which the model reads again; another model
version is another key. What is kept is the model's raw output, the spans (start, end, label) of every
entity it found: the rules after it (tasks.enrich.entity_rules, canonical names, labels by the batch's
evidence) run again on them, so a rule change still takes effect without the model. Nothing else reads
the model's Doc: quotes, locations and the rest read the entities rows.

A batch's `Memo` looks its texts up in the committed table (only the partitions of its articles' months),
sends the others through the model, and gives the rows to commit with the batch (`Memo.table`): in a run
those it computed (the others are in the table already); in a rebuild, whose table replaces the old one,
every row it used, so the rebuilt cache holds the current articles' texts only (changed texts and other
models' rows are dropped). A hit keeps the run_id of the run that ran the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.dataset as ds

from tasks.records import RunContext
from tasks.warehouse import tables
from tasks.warehouse.rows import UNKNOWN_MONTH
from tasks.warehouse.schemas import NER_CACHE

Span = tuple[int, int, str]  # (start_char, end_char, label) of one entity in the text the model read


@dataclass(frozen=True)
class Source:
    """Where a batch finds the model's earlier output (a warehouse), and whether it is a rebuild's batch,
    whose rows replace the whole table (so it commits every row it used, not only those it computed)."""

    warehouse: str
    rebuild: bool = False


def text_key(text: str) -> str:
    """The cache key of a text the model reads: sha256 hex of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class _Row:
    """One cache row as the batch will commit it, less the partition (its article's month)."""

    chars: int
    spans: tuple[Span, ...]
    doc_id: str
    run_id: str | None  # None: computed by this batch's run


@dataclass
class Memo:
    """One batch's model output per text key: found in the warehouse (`source`) or computed here."""

    model: str
    source: Source | None = None  # None: no warehouse to read, every text goes through the model
    months: Mapping[str, str] = field(default_factory=dict)  # doc_id -> published_month: where to look
    offline: bool = False  # True: a text it does not know gets no model spans, and no model is loaded
    found: dict[str, _Row] = field(default_factory=dict)
    computed: dict[str, _Row] = field(default_factory=dict)
    _asked: set[str] = field(default_factory=set)  # keys looked up already (a retried half asks again)

    def known(
        self, keys: Sequence[str], texts: Sequence[str], doc_ids: Sequence[str]
    ) -> dict[str, tuple[Span, ...]]:
        """key -> spans of every key found or computed before; the warehouse is read once per key, in the
        partitions of the articles' months (a text met again in another month is read by the model)."""
        wanted: dict[str, tuple[str, str]] = {}  # key -> (text, doc_id) of its first article
        for key, text, doc_id in zip(keys, texts, doc_ids, strict=True):
            if key not in self._asked:
                wanted.setdefault(key, (text, doc_id))
        if wanted and self.source is not None:
            months = sorted({self.months.get(d, UNKNOWN_MONTH) for _, d in wanted.values()})
            for key, chars, spans, run_id in _read(self.source.warehouse, self.model, set(wanted), months):
                text, doc_id = wanted[key]
                if chars == len(text) and key not in self.found:
                    self.found[key] = _Row(chars, spans, doc_id, run_id)
        self._asked.update(wanted)
        rows = {**self.found, **self.computed}
        return {k: rows[k].spans for k in keys if k in rows}

    def add(self, key: str, text: str, doc_id: str, spans: tuple[Span, ...]) -> tuple[Span, ...]:
        """Record the model's output for a text it just read; returns the spans."""
        self.computed.setdefault(key, _Row(len(text), spans, doc_id, None))
        return spans

    def table(self, run: RunContext, months: Mapping[str, str]) -> pa.Table:
        """The batch's ner_cache rows (see the module docstring), of the articles in `months` (doc_id ->
        published_month: the kept ones)."""
        rows = {**(self.found if self.source and self.source.rebuild else {}), **self.computed}
        return pa.Table.from_pylist(
            [
                {
                    "text_sha256": key,
                    "model": self.model,
                    "text_chars": row.chars,
                    "spans": [{"start_char": s, "end_char": e, "label": label} for s, e, label in row.spans],
                    "doc_id": row.doc_id,
                    "run_id": row.run_id or run.run_id,
                    "published_month": months[row.doc_id],
                }
                for key, row in rows.items()
                if row.doc_id in months
            ],
            schema=NER_CACHE.schema,
        )


def _read(
    warehouse: str, model: str, keys: set[str], months: list[str]
) -> list[tuple[str, int, tuple[Span, ...], str]]:
    """(key, text_chars, spans, run_id) of the committed rows of `model` for `keys` in `months`."""
    dataset = tables.partitions_dataset(warehouse, NER_CACHE.name, months)
    if dataset is None:
        return []
    wanted = (ds.field("model") == model) & ds.field("text_sha256").isin(sorted(keys))
    columns = ["text_sha256", "text_chars", "spans", "run_id"]
    found = dataset.to_table(columns=columns, filter=wanted).to_pylist()
    return [
        (
            r["text_sha256"],
            r["text_chars"],
            tuple((s["start_char"], s["end_char"], s["label"]) for s in r["spans"]),
            r["run_id"],
        )
        for r in found
    ]


def read_by_model(cached: pa.Table | None, run: RunContext) -> int:
    """How many of a batch's ner_cache rows (`Memo.table`) the model computed in this run: rows reused
    from the warehouse keep the run that computed them."""
    if cached is None:
        return 0
    return sum(run_id == run.run_id for run_id in cached.column("run_id").to_pylist())


def first_of_run(result_tables: dict[str, pa.Table], committed: set[str]) -> dict[str, pa.Table]:
    """The batch's tables without the ner_cache rows of texts an earlier batch of the run committed (two
    batches in flight may both read a text, or both reuse it in a rebuild); `committed` is updated."""
    cached = result_tables.get(NER_CACHE.name)
    if cached is None or not cached.num_rows:
        return result_tables
    first = []
    for key in cached.column("text_sha256").to_pylist():
        first.append(key not in committed)
        committed.add(key)
    return {**result_tables, NER_CACHE.name: cached.filter(pa.array(first, pa.bool_()))}
