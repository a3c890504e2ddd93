"""`python -m bench.story_speed`: the speed and size figures of near-duplicates and stories (issue 24).

On BBC (parsed as a run parses it; entity names left out, they come from the enrich stage):
- articles/s of the step on one core: signatures (tasks.stories.signatures_table, in the batch worker)
  and assignment against the index (tasks.stories.assign_batch, at commit), in this one thread;
- the index's size per 1,000 articles: story_index committed as the warehouse commits it (zstd Parquet);
- lookup time: one article decided against an index of 1x and of 5x BBC (5x as `make bench` makes it:
  copies of every file, so each article has four duplicates in the index), and loading that index from
  the warehouse (`load_index`, once per run).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from bench.corpus import corpus_files
from tasks import ingest, parse, stories
from tasks.records import RunContext, SourceRecord
from tasks.stories.index import Index
from tasks.warehouse import commit, rows, tables
from tasks.warehouse.schemas import ARTICLES, STORY_INDEX

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def parsed(files: list[Path]) -> list[Any]:
    """The BBC files as parsed articles."""
    records = [SourceRecord(p.as_uri(), p.read_bytes()) for p in files]
    articles, _ = parse.parse_batch(ingest.ingest_batch(records).documents)
    return articles


def signed(articles: list[Any], run: RunContext, copy: int = 0) -> pa.Table:
    """story_index rows of the articles (for copy k > 0: doc_ids made unique, signatures the same)."""
    months = {a.doc_id: rows.published_month(a.published_at) for a in articles}
    table = stories.signatures_table(articles, {}, run, months)
    if copy:
        ids = pa.array([f"{d}-{copy}" for d in table.column("doc_id").to_pylist()])
        table = table.set_column(0, "doc_id", ids).set_column(1, "story_id", ids)
    return table


def step_speed(articles: list[Any], run: RunContext) -> dict[str, float]:
    """Articles per second of signatures + assignment, one thread: per CPU second of this process (one
    core, whatever else the machine runs) and per wall second."""
    wall, cpu = time.perf_counter(), time.process_time()
    table = signed(articles, run)
    signing = time.process_time() - cpu
    cpu_assign = time.process_time()
    stories.assign_batch(Index(), {STORY_INDEX.name: table, ARTICLES.name: table})
    assigning = time.process_time() - cpu_assign
    elapsed = time.perf_counter() - wall
    return {
        "articles": len(articles),
        "signatures_per_cpu_s": round(len(articles) / signing),
        "assign_per_cpu_s": round(len(articles) / assigning),
        "step_articles_per_cpu_s": round(len(articles) / (signing + assigning)),
        "step_articles_per_wall_s": round(len(articles) / elapsed),
    }


def lookups(index: Index, queries: pa.Table, repeat: int = 3) -> float:
    """Mean CPU microseconds to decide one query article against `index` (nothing added), best of runs."""
    rows_ = queries.to_pylist()
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for row in rows_:
            index.decide(row)
        best = min(best, time.process_time() - started)
    return round(best / len(rows_) * 1e6, 1)


def at_scale(
    articles: list[Any], queries: dict[str, pa.Table], copies: int, run: RunContext
) -> dict[str, Any]:
    """Commit `copies` x the articles' index rows to a warehouse; its size, load time and lookup time."""
    with tempfile.TemporaryDirectory() as tmp:
        index = Index()
        for k in range(copies):
            table = signed(articles, run, k)
            table = stories.assign_batch(index, {STORY_INDEX.name: table, ARTICLES.name: table})[
                STORY_INDEX.name
            ]
            commit.commit_batch(tmp, f"bench-{k:03d}", {STORY_INDEX.name: table})
        size = sum(Path(f).stat().st_size for f in tables.table_files(tmp, STORY_INDEX.name))
        started = time.process_time()
        index = stories.load_index(tmp)
        loading = time.process_time() - started
    return {
        "indexed": len(index),
        "bytes_per_1000_articles": round(size / len(index) * 1000),
        "load_index_cpu_s": round(loading, 3),
        **{f"lookup_us_per_{name}_article": lookups(index, table) for name, table in queries.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-folder", type=int, default=None, help="BBC files per folder (all by default)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args(argv)
    run = RunContext.new()
    articles = parsed(corpus_files(CORPORA / "bbc", args.per_folder))
    queries = parsed(sorted((CORPORA / "pages" / "text").glob("*.txt")))  # new articles: none in the index
    again = signed(articles[::10], run, copy=99)  # every tenth BBC article once more: found in the index
    query_rows = {"new": signed(queries, run), "copied": again}
    figures = {
        "step": step_speed(articles, run),
        "1x": at_scale(articles, query_rows, 1, run),
        "5x": at_scale(articles, query_rows, 5, run),
    }
    print(render(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


def render(figures: dict[str, Any]) -> str:
    """The `make bench` lines of near-duplicates and stories."""
    step, one, five = figures["step"], figures["1x"], figures["5x"]
    return "\n".join(
        [
            f"stories step: {step['step_articles_per_cpu_s']:,} articles per CPU second (target 1,000)"
            f" (signatures {step['signatures_per_cpu_s']:,}/s, assignment {step['assign_per_cpu_s']:,}/s)",
            f"story_index: {one['bytes_per_1000_articles'] / 1e6:.2f} MB per 1,000 articles at 1x,"
            f" {five['bytes_per_1000_articles'] / 1e6:.2f} MB at 5x",
            f"lookup of a new article: {one['lookup_us_per_new_article']:,.0f} us at 1x,"
            f" {five['lookup_us_per_new_article']:,.0f} us at 5x;"
            f" of a copy: {one['lookup_us_per_copied_article']:,.0f} us,"
            f" {five['lookup_us_per_copied_article']:,.0f} us; index load {one['load_index_cpu_s']} s,"
            f" {five['load_index_cpu_s']} s (CPU)",
        ]
    )


if __name__ == "__main__":
    main()
