"""`python -m bench.story_eval`: near-duplicates and stories, measured (issue 24); `make eval` runs it too.

One run (tasks.run.run_inline: what the flow commits) over pages/ as HTML and as text, every BBC article,
and synthetic copies of BBC articles (bench.story_copies), in that order. Scored:

- twins: every page of pages/ as HTML and as text: share a story, one is the other's duplicate_of;
- duplicate pairs: precision and recall over the pairs that involve a synthetic copy (gold: the copy, its
  original and the original's other copies, plus pairs labelled duplicate), the twin pairs and the
  labelled pairs (bench/story_labels.jsonl, read by a person: duplicate / same_story / different);
- same-story pairs: precision and recall over the labelled pairs.

Thresholds (tasks/stories/model.json) and the same-story model (tasks/stories/story_model.json) are fitted
by bench/train_stories.py with the labelled pairs in held-out folds; held out, each fold is scored with the
containment, weights and threshold fitted without it, beside the shipped model (development).
The run's articles and the names found in them are cached under --cache, and the story_index rows are
signed again from them with the current code each time (tasks.stories.signatures_table), so re-scoring a
change of signatures or model takes seconds, not a run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from bench import story_copies
from bench.folds import fold_of
from tasks.records import Article, RunContext
from tasks.run import run_inline
from tasks.stories import MODEL, Index, assign_batch, signatures_table
from tasks.stories.index import STORY_MODEL, StoryModel
from tasks.warehouse.schemas import ARTICLES, ENTITIES, LOCATIONS, MENTIONED_DATES, STORY_INDEX

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
LABELS = Path(__file__).resolve().parent / "story_labels.jsonl"
COPIES_PER_FOLDER = 40  # BBC originals copied per folder (x4 kinds, fewer where a kind does not apply)
DUPLICATE, SAME_STORY, DIFFERENT = "duplicate", "same_story", "different"
_SIGNED_FROM = {  # what signatures_table reads, kept per batch to sign again
    ARTICLES.name: ["doc_id", "source_uri", "url", "title", "body", "published_at", "published_month"],
    ENTITIES.name: ["doc_id", "label", "canonical"],
    LOCATIONS.name: ["doc_id", "canonical"],
    MENTIONED_DATES.name: ["doc_id", "text", "kind", "resolved_date"],
}


@dataclass
class Collected:
    """What one run wrote for the evaluation set: story_index tables in commit order, each article's
    source path (corpus-relative, `kind/name` for a copy) and the copies' originals."""

    batches: list[pa.Table]
    doc_of: dict[str, str]  # corpus-relative path -> doc_id
    titles: dict[str, str]  # doc_id -> title
    copies: list[tuple[str, str]]  # (copy path, original path), corpus-relative
    seconds: float
    inputs: list[dict[str, pa.Table]] | None = None  # per batch, the columns of _SIGNED_FROM


class _Name(NamedTuple):
    doc_id: str
    canonical: str
    label: str


class _Place(NamedTuple):
    doc_id: str
    canonical: str


class _Date(NamedTuple):
    doc_id: str
    text: str
    kind: str
    resolved_date: date | None


def signed_again(data: Collected) -> Collected:
    """`data` with its story_index batches signed again by the current code from the kept inputs (as the
    run signed them: each batch's articles with the names found in them)."""
    if not data.inputs:
        return data
    run = RunContext.new()
    batches = []
    for kept in data.inputs:
        rows = kept[ARTICLES.name].to_pylist()
        articles = [_article(r) for r in rows]
        found = {
            ENTITIES.name: [_Name(**r) for r in kept[ENTITIES.name].to_pylist()],
            LOCATIONS.name: [_Place(**r) for r in kept[LOCATIONS.name].to_pylist()],
        }
        if MENTIONED_DATES.name in kept:  # a cache written before the dates were kept signs without them
            found[MENTIONED_DATES.name] = [_Date(**r) for r in kept[MENTIONED_DATES.name].to_pylist()]
        months = {r["doc_id"]: r["published_month"] for r in rows}
        batches.append(signatures_table(articles, found, run, months))
    return Collected(batches, data.doc_of, data.titles, data.copies, data.seconds, data.inputs)


def _article(row: dict[str, Any]) -> Article:
    return Article(
        doc_id=row["doc_id"],
        source_uri=row["source_uri"],
        title=row["title"],
        authors=(),
        published_at=row["published_at"],
        dateline=None,
        section=None,
        language="en",
        body=row["body"],
        word_count=0,
        content_hash="",
        url=row["url"],
    )


def key_of(uri: str, copies_root: Path) -> str:
    """A source_uri as the labels name it: `bbc/business/001.txt`, `pages/text/<doc>.txt`, `copies/...`."""
    path = uri.removeprefix("file://")
    for root, prefix in ((str(CORPORA) + "/", ""), (str(copies_root) + "/", "copies/")):
        if path.startswith(root):
            return prefix + path.removeprefix(root)
    return path


def collect(root: Path = CORPORA, per_folder: int = COPIES_PER_FOLDER) -> Collected:
    """Run newsetl over pages (html, text), BBC and the synthetic copies; keep what the scoring needs."""
    with tempfile.TemporaryDirectory() as tmp:
        written = story_copies.copies(root / "bbc", root / "pages" / "text", Path(tmp), per_folder)
        files = [
            *sorted((root / "pages" / "html").glob("*.html.gz")),
            *sorted((root / "pages" / "text").glob("*.txt")),
            *sorted((root / "bbc").glob("*/*.txt")),
            *(c.path for c in written),
        ]
        started = time.perf_counter()
        batches, doc_of, titles, inputs = [], {}, {}, []
        for result in run_inline([str(f) for f in files]):
            batches.append(result.tables[STORY_INDEX.name])
            inputs.append({name: result.tables[name].select(cols) for name, cols in _SIGNED_FROM.items()})
            for row in result.tables[ARTICLES.name].select(["doc_id", "source_uri", "title"]).to_pylist():
                doc_of[key_of(row["source_uri"], Path(tmp))] = row["doc_id"]
                titles[row["doc_id"]] = row["title"]
        copies = [(f"copies/{c.kind}/{c.path.name}", key_of(str(c.original), Path(tmp))) for c in written]
    return Collected(batches, doc_of, titles, copies, time.perf_counter() - started, inputs)


def assigned(
    batches: Iterable[pa.Table], model: dict[str, Any] = MODEL, story: StoryModel = STORY_MODEL
) -> dict[str, tuple[str, str]]:
    """doc_id -> (original, story_id) of every article, assigned afresh with `model`'s thresholds and the
    `story` model."""
    index = Index(model, story)
    out: dict[str, tuple[str, str]] = {}
    for table in batches:
        for row in assign_batch(index, {STORY_INDEX.name: table, ARTICLES.name: table})[
            STORY_INDEX.name
        ].to_pylist():
            out[row["doc_id"]] = (row["duplicate_of"] or row["doc_id"], row["story_id"])
    return out


def load_labels(path: Path = LABELS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def twin_pairs(data: Collected) -> list[tuple[str, str]]:
    """(html, text) doc_ids of every page both forms of which became articles."""
    pairs = []
    for key, doc in data.doc_of.items():
        if key.startswith("pages/html/"):
            text = "pages/text/" + key.removeprefix("pages/html/").removesuffix(".html.gz") + ".txt"
            if text in data.doc_of:
                pairs.append((doc, data.doc_of[text]))
    return pairs


Counts = dict[int, list[int]]  # fold -> [true positives, false positives, false negatives]


def _pr(counts: Counts, folds: set[int] | None = None) -> dict[str, Any]:
    """Precision and recall pooled over the chosen folds (all when None)."""
    tp, fp, fn = (sum(v[i] for f, v in counts.items() if folds is None or f in folds) for i in range(3))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return {"precision": _round(precision), "recall": _round(recall), "tp": tp, "fp": fp, "fn": fn}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _add(counts: Counts, fold: int, gold: bool, said: bool) -> None:
    row = counts.setdefault(fold, [0, 0, 0])
    row[0] += gold and said
    row[1] += said and not gold
    row[2] += gold and not said


def copy_groups(data: Collected, labels: list[dict[str, str]]) -> dict[str, set[str]]:
    """Gold duplicate groups of the synthetic copies by original path: the original, its copies, and what
    is labelled (by a person) a duplicate of one of them."""
    groups: dict[str, set[str]] = {}
    for copy, original in data.copies:
        if copy in data.doc_of:  # an original with the bytes of an earlier file is that file's article
            doc = data.doc_of.get(original) or hashlib.sha256((CORPORA / original).read_bytes()).hexdigest()
            groups.setdefault(original, {doc}).add(data.doc_of[copy])
    for label in labels:
        a, b = data.doc_of.get(label["a"]), data.doc_of.get(label["b"])
        if label["label"] == DUPLICATE and a and b:
            for group in groups.values():
                if a in group or b in group:
                    group |= {a, b}
    return groups


def copy_counts(data: Collected, result: dict[str, tuple[str, str]], labels: list[dict[str, str]]) -> Counts:
    """Duplicate pairs that involve a synthetic copy, by the fold of the copy's original: each copy against
    every article (a predicted pair is a shared original; a gold pair is in the copy's group)."""
    members: dict[str, set[str]] = {}
    for doc, (original, _) in result.items():
        members.setdefault(original, set()).add(doc)
    counts: Counts = {}
    seen: set[frozenset[str]] = set()
    for original, group in copy_groups(data, labels).items():
        fold = fold_of(original)
        copies = group & {data.doc_of[c] for c, o in data.copies if o == original and c in data.doc_of}
        for copy in sorted(copies):
            predicted = members.get(result[copy][0], set())
            for other in sorted((predicted | group) - {copy}):
                pair = frozenset((copy, other))
                if pair not in seen:
                    seen.add(pair)
                    _add(counts, fold, other in group, other in predicted)
    return counts


def kind_recall(data: Collected, result: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Per kind of copy: copies given their original's duplicate group / copies."""
    out = {}
    for kind in story_copies.KINDS:
        pairs = [
            (data.doc_of[c], data.doc_of[o])
            for c, o in data.copies
            if c.startswith(f"copies/{kind}/") and c in data.doc_of and o in data.doc_of
        ]
        found = sum(1 for c, o in pairs if result[c][0] == result[o][0])
        out[kind] = f"{found}/{len(pairs)}"
    return out


def twin_counts(data: Collected, result: dict[str, tuple[str, str]]) -> tuple[Counts, Counts]:
    """(duplicate, same-story) counts of the html/text twins of pages/: every twin pair is gold for both."""
    dup: Counts = {}
    story: Counts = {}
    for a, b in twin_pairs(data):
        fold = fold_of(a)
        _add(dup, fold, True, result[a][0] == result[b][0])
        _add(story, fold, True, result[a][1] == result[b][1])
    return dup, story


def labelled_counts(
    data: Collected, result: dict[str, tuple[str, str]], labels: list[dict[str, str]]
) -> tuple[Counts, Counts]:
    """(duplicate, same-story) counts over the labelled pairs, by each pair's fold."""
    dup: Counts = {}
    story: Counts = {}
    for label in labels:
        a, b = data.doc_of.get(label["a"]), data.doc_of.get(label["b"])
        if not a or not b:
            continue
        fold = label_fold(label)
        _add(dup, fold, label["label"] == DUPLICATE, result[a][0] == result[b][0])
        _add(story, fold, label["label"] in (DUPLICATE, SAME_STORY), result[a][1] == result[b][1])
    return dup, story


def label_fold(label: dict[str, str]) -> int:
    """A labelled pair's fold: the hash of the path of its first article."""
    return fold_of(min(label["a"], label["b"]))


def all_counts(
    data: Collected, result: dict[str, tuple[str, str]], labels: list[dict[str, str]]
) -> dict[str, Counts]:
    """Every count the figures are made of, by fold."""
    twin_dup, twin_story = twin_counts(data, result)
    labelled_dup, labelled_story = labelled_counts(data, result, labels)
    return {
        "copies": copy_counts(data, result, labels),
        "twins_duplicate": twin_dup,
        "twins_story": twin_story,
        "labelled_duplicate": labelled_dup,
        "labelled_story": labelled_story,
    }


def summary(counts: dict[str, Counts], folds: set[int] | None = None) -> dict[str, Any]:
    """The reported figures: duplicate pairs (copies, twins and labelled pooled) and same-story pairs
    (labelled), with each part."""
    dup = _merge(counts["copies"], counts["twins_duplicate"], counts["labelled_duplicate"])
    return {
        "duplicate_pairs": _pr(dup, folds),
        "same_story_pairs": _pr(counts["labelled_story"], folds),
        "parts": {name: _pr(c, folds) for name, c in counts.items()},
    }


def _merge(*parts: Counts) -> Counts:
    merged: Counts = {}
    for part in parts:
        for fold, row in part.items():
            into = merged.setdefault(fold, [0, 0, 0])
            for i in range(3):
                into[i] += row[i]
    return merged


def figures_of(
    data: Collected, labels: list[dict[str, str]], model: dict[str, Any] = MODEL
) -> dict[str, Any]:
    """The figures of the shipped thresholds on everything (development)."""
    result = assigned(data.batches, model)
    return {
        "articles": len(result),
        "labelled_pairs": len(labels),
        **summary(all_counts(data, result, labels)),
        "copies_recognised_by_kind": kind_recall(data, result),
    }


def evaluate(root: Path = CORPORA, cache: Path | None = None, held_out: bool = True) -> dict[str, Any]:
    """The `make eval` figures: the shipped thresholds on everything (development) and, with `held_out`,
    each fold scored with thresholds chosen without it (bench.train_stories)."""
    data = cached(cache, refresh=False, root=root)
    labels = load_labels()
    figures = {"development": figures_of(data, labels), "collect_seconds": round(data.seconds, 1)}
    if held_out:
        from bench import train_stories

        trained = train_stories.run(data, labels)
        figures["held_out"], figures["held_out_thresholds"] = trained["held_out"], trained["per_fold"]
    return figures


def render(figures: dict[str, Any]) -> str:
    """The duplicates and stories lines of `make eval`."""
    lines = ["", "near-duplicates and stories (bench.story_eval)     precision   recall   (target P/R)"]
    for column in ("development", "held_out"):
        for key, target in (("duplicate_pairs", "0.99/0.95"), ("same_story_pairs", "0.95/0.85")):
            if column in figures:
                f = figures[column][key]
                counts = f"tp {f['tp']} fp {f['fp']} fn {f['fn']}"
                lines.append(
                    f"  {key:18} {column:12} {f['precision']!s:>8} {f['recall']!s:>8}  ({target})  {counts}"
                )
    parts = figures["development"]["parts"]
    twins, story = parts["twins_duplicate"], parts["twins_story"]
    pairs = twins["tp"] + twins["fn"]
    lines.append(
        f"  pages as html and as text: duplicates {twins['tp']}/{pairs}, same story {story['tp']}/{pairs}"
    )
    lines.append(
        f"  synthetic copies recognised, by kind: {figures['development']['copies_recognised_by_kind']}"
    )
    return "\n".join(lines)


def cached(cache: Path | None, refresh: bool, root: Path = CORPORA) -> Collected:
    """The evaluation run's data: from `cache` when it exists (unless `refresh`), else run (and keep it)."""
    if cache is not None and cache.exists() and not refresh:
        return signed_again(Collected(**pickle.loads(cache.read_bytes())))
    data = collect(root)
    if cache is not None:
        cache.write_bytes(pickle.dumps(vars(data)))  # a dict: readable whichever module ran it
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="keep the run's signatures here")
    parser.add_argument("--refresh", action="store_true", help="run newsetl again even with a cache")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument("--no-held-out", action="store_true", help="only the shipped thresholds (fast)")
    args = parser.parse_args(argv)
    if args.refresh:
        cached(args.cache, refresh=True)
    figures = evaluate(CORPORA, args.cache, held_out=not args.no_held_out)
    print(render(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
