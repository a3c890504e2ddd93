"""`make eval` / `python -m bench.evaluate`: extraction quality on the development corpora, in one run.

newsetl runs over each corpus as the flow runs (tasks.run.run_inline: the same reading, batches,
batch function and settling in batch order), in this process, without the Prefect server or a warehouse
commit, so the figures are the articles a run would write. Each corpus is
scored by bench.scoring against its gold; the figures are printed as a table and written as JSON.
Beside newsetl on pages/html, trafilatura alone (bench.html_peer) runs on the same decoded pages in
this process and is scored the same way, in its own column.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import entity_eval, entity_scoring, html_peer, scoring, story_eval, tone_eval, web_eval
from tasks import ingest, parse, sources
from tasks.enrich import entities
from tasks.run import run_inline
from tasks.warehouse.schemas import ARTICLES

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
WEB = "web"  # the peers' own benchmarks, scored their way (bench/web_eval.py)
_DATELINE = re.compile(r"^(?:.*\s)?(\d{4}-\d{2}-\d{2})$")  # wire: `CITY YYYY-MM-DD`, or the date alone


@dataclass(frozen=True)
class Corpus:
    """One development set: its files, the gold row per file, and the doc key of a file."""

    name: str
    files: Callable[[Path], list[Path]]
    gold: Callable[[Path], list[dict[str, Any]]]
    doc_of: Callable[[str], str]  # source_uri -> the gold's `doc`


def _pages_gold(root: Path) -> list[dict[str, Any]]:
    with (root / "pages" / "gold.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _wire_gold(root: Path) -> list[dict[str, Any]]:
    """Wire stories carry their publication date on the dateline line (`CITY YYYY-MM-DD`, near the top)."""
    gold = []
    for path in sorted((root / "wire" / "docs").glob("*.txt")):
        row: dict[str, Any] = {"doc": path.name}
        head = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:5]
        dates = [m.group(1) for m in map(_DATELINE.match, head) if m]
        if dates:
            row["dateline_date"] = dates[0]
        gold.append(row)
    return gold


def _stem(uri: str) -> str:
    name = uri.rsplit("/", 1)[-1]
    for suffix in (".gz", ".txt", ".html", ".htm"):
        name = name.removesuffix(suffix)
    return name


CORPUS_LIST = (
    Corpus("pages/text", lambda r: sorted((r / "pages" / "text").glob("*.txt")), _pages_gold, _stem),
    Corpus("pages/html", lambda r: sorted((r / "pages" / "html").glob("*.html.gz")), _pages_gold, _stem),
    Corpus(
        "wire",
        lambda r: sorted((r / "wire" / "docs").glob("*.txt")),
        _wire_gold,
        lambda u: u.rsplit("/", 1)[-1],
    ),
)


@dataclass
class Written:
    """What newsetl writes for a corpus: articles by source_uri, their entity rows by doc_id, and the
    quarantine reasons."""

    articles: dict[str, dict[str, Any]]
    entities: dict[str, list[dict[str, Any]]]
    reasons: Counter[str]


def run_newsetl(files: list[Path]) -> Written:
    """The articles (and entity mentions) newsetl writes for `files`, and its quarantine reasons."""
    articles: dict[str, dict[str, Any]] = {}
    entities: dict[str, list[dict[str, Any]]] = {}
    reasons: Counter[str] = Counter()
    for result in run_inline([str(f) for f in files]):
        for row in result.tables[ARTICLES.name].to_pylist():
            articles[row["source_uri"]] = row
        for row in result.tables[ENTITIES].to_pylist():
            entities.setdefault(row["doc_id"], []).append(row)
        written = {a["doc_id"] for a in articles.values()}
        for r in [*result.rejected, *result.rejected_rows]:
            if r.doc_id not in written:  # rows dropped from a written article's extracted tables aside
                reasons[f"{r.stage}:{r.reason_code}"] += 1
    return Written(articles, entities, reasons)


def parse_speed(files: list[Path], min_seconds: float = 2.0) -> float:
    """Pages per second of the parse stage alone, one thread, over decoded documents, once its imports,
    models and tables are loaded (one pass before the clock starts). The pages are parsed over and over
    to fill the time: every pass starts with the parsers' per-line memos emptied, as if each page were new.
    """
    documents = ingest.ingest_batch(sources.read_sources([str(f) for f in files])).documents
    parse.parse_batch(documents)
    done, elapsed = 0, 0.0
    while elapsed < min_seconds or not done:
        _forget_lines()
        start = time.process_time()  # CPU seconds: one core's work, whatever else runs
        parse.parse_batch(documents)
        elapsed += time.process_time() - start
        done += len(documents)
    return done / elapsed


def _forget_lines() -> None:
    """Empty the bounded memos of tasks.parse (keyed by a line's or a date's text); the unbounded ones hold
    what is loaded once per process (the line model, the gazetteer) and stay."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("tasks.parse"):
            for value in vars(module).values():
                info = getattr(value, "cache_info", None)
                if info is not None and info().maxsize is not None:
                    value.cache_clear()


def evaluate(root: Path = CORPORA, only: set[str] | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for corpus in CORPUS_LIST:
        if only and corpus.name not in only:
            continue
        files, gold = corpus.files(root), corpus.gold(root)
        written = run_newsetl(files)
        found = {corpus.doc_of(uri): row for uri, row in written.articles.items()}
        figures[corpus.name] = {**scoring.score(found, gold).figures(), "quarantined": dict(written.reasons)}
        if corpus.name == "wire":
            figures[ENTITIES] = entity_columns(root, written, corpus)
            figures[ENTITY_FOLDS] = entity_eval.evaluate(root)  # held-out folds: bench.entity_eval
        if corpus.name == "pages/text":
            figures[corpus.name]["parse_pages_per_s"] = round(parse_speed(files), 1)
        if corpus.name == "pages/html":
            figures[corpus.name]["html_pages_per_s"] = round(parse_speed(files), 1)
            figures[PEER] = trafilatura_figures(files, gold)
    return figures


ENTITIES = "entities"
ENTITY_FOLDS = "entities by fold"
RAW_MODEL = "raw model"  # the entity column of spaCy's model alone over each whole story


def entity_columns(root: Path, written: Written, corpus: Corpus) -> dict[str, Any]:
    """The entity score on wire/ of newsetl's entities table, and of the raw model over whole stories."""
    gold = [json.loads(line) for line in (root / "wire" / "gold.jsonl").read_text("utf-8").splitlines()]
    found = {
        corpus.doc_of(a["source_uri"]): [
            (e["text"], e["label"]) for e in written.entities.get(a["doc_id"], [])
        ]
        for a in written.articles.values()
    }
    return {"newsetl": entity_scoring.entity_figures(found, gold), RAW_MODEL: raw_model_figures(root, gold)}


def raw_model_figures(root: Path, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """spaCy's English model (the one newsetl loads) alone over each story's whole text, unchanged."""
    nlp = entities.load_nlp()
    texts = [(root / "wire" / "docs" / g["doc"]).read_text(encoding="utf-8") for g in gold]
    found = {
        g["doc"]: [(e.text, e.label_) for e in doc.ents] for g, doc in zip(gold, nlp.pipe(texts), strict=True)
    }
    return entity_scoring.entity_figures(found, gold)


PEER = "trafilatura"  # the column of trafilatura alone on pages/html


def trafilatura_figures(files: list[Path], gold: list[dict[str, Any]]) -> dict[str, Any]:
    """trafilatura alone on the pages newsetl read, scored like newsetl, with its pages/s."""
    pages = html_peer.decoded_pages(files)
    found = {_stem(uri): row for uri, row in html_peer.trafilatura_articles(pages).items()}
    speed = html_peer.trafilatura_speed(list(pages.values()))
    return {**scoring.score(found, gold).figures(), "html_pages_per_s": round(speed, 1)}


ROWS = (  # (key, label, target)
    ("written", "articles written / pages", None),
    ("title", "title exact", 0.90),
    ("authors", "authors exact set", 0.80),
    ("date", "publication date, same day", 0.90),
    ("body_precision", "body token precision", None),
    ("body_recall", "body token recall", None),
    ("body_f1", "body token F1", 0.92),
    ("dateline_date", "wire dateline date right", 1.0),
    ("parse_pages_per_s", "parse stage, pages/s on one core (CPU time)", 400),
    ("html_pages_per_s", "HTML extraction, pages/s on one core", 30),
)


def render(figures: dict[str, Any]) -> str:
    names = [n for n in figures if n not in (ENTITIES, ENTITY_FOLDS)]
    lines = [f"{'':44}" + "".join(f"{n:>14}" for n in names)]
    for key, label, target in ROWS:
        cells = [_cell(figures[n], key) for n in names]
        if any(cells):
            goal = f"  (target {target})" if target is not None else ""
            lines.append(f"{label:44}" + "".join(f"{c:>14}" for c in cells) + goal)
    if PEER in figures:
        lines.append(f"{PEER}: trafilatura alone (bare_extraction, with_metadata=True) on pages/html")
    for n in names:
        if figures[n].get("quarantined"):
            counts = ", ".join(f"{k} {v}" for k, v in figures[n]["quarantined"].items())
            lines.append(f"quarantined in {n}: {counts}")
    if ENTITIES in figures:
        lines += ["", entity_scoring.render(figures[ENTITIES])]
        lines.append(
            f"{RAW_MODEL}: {entities.MODEL} alone over each whole story (headline and dateline included)"
        )
    if ENTITY_FOLDS in figures:
        lines += ["", entity_eval.render(figures[ENTITY_FOLDS])]
    return "\n".join(lines)


def _cell(fig: dict[str, Any], key: str) -> str:
    if key == "written":
        return f"{fig['written']}/{fig['pages']}"
    if key not in fig:
        return ""
    value, n = fig[key], fig.get(f"{key}_n")
    if key.endswith("_per_s"):
        return f"{value:,.0f}"
    return f"{value:.3f}" + (f" ({n})" if n and n != fig["pages"] else "")


SECTIONS: dict[str, tuple[Callable[[Path], dict[str, Any]], Callable[[dict[str, Any]], str]]] = {
    # beside the corpora: name -> (its figures from the corpora folder, how they print)
    WEB: (lambda root: web_eval.evaluate(root / WEB), web_eval.render),  # the peers' benchmarks, their way
    "stories": (story_eval.evaluate, story_eval.render),  # near-duplicates and stories
    tone_eval.NAME: (lambda root: tone_eval.figures(), tone_eval.render),  # tone against human ratings
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.evaluate", description=__doc__)
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="the shared corpora folder")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "eval.json", help="figures as JSON")
    parser.add_argument(
        "--corpus",
        action="append",
        choices=[*(c.name for c in CORPUS_LIST), *SECTIONS],
        help="only this corpus or section (repeatable); without it, all of them",
    )
    args = parser.parse_args(argv)
    only = set(args.corpus or ())
    corpora = {c.name for c in CORPUS_LIST} & only
    figures = evaluate(args.corpora, corpora) if corpora or not only else {}
    parts = [render(figures)] if figures else []
    for name, (measure, shown) in SECTIONS.items():
        if not only or name in only:
            figures[name] = measure(args.corpora)
            parts.append(shown(figures[name]))
    print("\n\n".join(parts))
    args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
