"""`make eval` / `python -m bench.evaluate`: extraction quality on the development corpora, in one run.

newsetl runs over each corpus as the flow runs (tasks.run.run_inline: the same reading, batches,
batch function and settling in batch order), in this process, without the Prefect server or a warehouse
commit, so the figures are the articles a run would write. Each corpus is scored by bench.scoring against
its gold; the figures are printed and written as JSON. Every block prints, per field, the development
figure (the shipped weights over every page), the held-out figure and the gap: on text pages each site
fold (bench.folds) is parsed with every learned weight refitted without that fold (bench.heldout), and
web/dates/text is a corpus of ~470 sites the hand rules were never written for. A block is a Section:
its run returns columns, each {"dev": figures, "held_out": figures or None}; a new corpus or peer is one
more Section in SECTIONS. Beside newsetl on pages/html, trafilatura alone (bench.html_peer) runs on the
same decoded pages in this process and is scored the same way, in its own column.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from bench import (
    entity_eval,
    entity_scoring,
    entity_vocab,
    heldout,
    html_peer,
    scoring,
    story_eval,
    tone_eval,
    train_dates,
    train_lines,
    web_eval,
    web_text,
)
from bench.folds import fold_of
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
    name = unquote(uri.rsplit("/", 1)[-1])  # a file URI escapes a name's non-ASCII letters
    for suffix in (".gz", ".txt", ".html", ".htm"):
        name = name.removesuffix(suffix)
    return name


PAGES_TEXT = Corpus("pages/text", lambda r: sorted((r / "pages" / "text").glob("*.txt")), _pages_gold, _stem)
PAGES_HTML = Corpus(
    "pages/html", lambda r: sorted((r / "pages" / "html").glob("*.html.gz")), _pages_gold, _stem
)
WEB_TEXT = Corpus(web_text.NAME, web_text.files, web_text.gold, _stem)
WIRE = Corpus(
    "wire", lambda r: sorted((r / "wire" / "docs").glob("*.txt")), _wire_gold, lambda u: u.rsplit("/", 1)[-1]
)


@dataclass
class Written:
    """What newsetl writes for a corpus: articles by source_uri, their entity rows by doc_id, and the
    quarantine reasons."""

    articles: dict[str, dict[str, Any]]
    entities: dict[str, list[dict[str, Any]]]
    reasons: Counter[str]

    def add(self, other: Written) -> None:
        """Take in what another run (of other files) wrote."""
        self.articles |= other.articles
        self.entities |= other.entities
        self.reasons += other.reasons


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


@dataclass(frozen=True)
class Section:
    """One block of `make eval`: a name, what it says of its held-out figure, and the run that returns its
    columns (a contender or a corpus each), every column {"dev": figures, "held_out": figures or None, ...}.
    """

    name: str
    run: Callable[[Path], dict[str, dict[str, Any]]]


def _text_models(root: Path, fold: int) -> AbstractContextManager[None]:
    """The text parser with every learned weight fitted without `fold` (bench.heldout)."""
    return heldout.parsing_with(heldout.fold_models(root, fold))


def _html_models(root: Path, fold: int) -> AbstractContextManager[None]:
    """The HTML parser with its one learned weight, the date chooser, fitted on the web/dates pages of
    the sites outside `fold` (bench.train_dates); its title, authors and body rules fit nothing."""
    return train_dates.dating_with(train_dates.fold_model(root / WEB, fold))


def text_section(
    corpus: Corpus,
    site: Callable[[dict[str, Any]], str],
    speed: bool = False,
    refitted: Callable[[Path, int], AbstractContextManager[None]] = _text_models,
) -> Section:
    """A corpus of text pages: dev is the shipped weights over every page; held-out is each site fold's
    pages parsed with the weights fitted without that fold (`refitted`)."""

    def run(root: Path) -> dict[str, dict[str, Any]]:
        files, gold = corpus.files(root), corpus.gold(root)
        sites = {g["doc"]: site(g) for g in gold}
        dev = run_newsetl(files)
        held = Written({}, {}, Counter())
        for fold in heldout.FOLDS:
            fold_files = [f for f in files if fold_of(sites.get(corpus.doc_of(str(f)), "")) == fold]
            with refitted(root, fold):
                held.add(run_newsetl(fold_files))
        column = _column(corpus, dev, held, gold)
        if speed:
            column["dev"]["parse_pages_per_s"] = round(parse_speed(files), 1)
        return {corpus.name: column}

    return Section(corpus.name, run)


def html_section(corpus: Corpus) -> Section:
    """HTML pages: dev and held-out as for text pages (held-out: the date chooser refitted without the
    fold's sites), with the HTML parse speed, and trafilatura alone beside it (it fits nothing here)."""
    pages = text_section(corpus, train_lines.page_site, refitted=_html_models)

    def run(root: Path) -> dict[str, dict[str, Any]]:
        columns = pages.run(root)
        files, gold = corpus.files(root), corpus.gold(root)
        columns[corpus.name]["dev"]["html_pages_per_s"] = round(parse_speed(files), 1)
        columns[PEER] = {"dev": trafilatura_figures(files, gold), "held_out": NOTHING_FITTED}
        return columns

    return Section(corpus.name, run)


def _column(corpus: Corpus, dev: Written, held: Written | None, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """A corpus's figures: dev, held-out (NOTHING_FITTED when nothing on its path is), quarantine reasons."""

    def figures(written: Written) -> dict[str, Any]:
        found = {corpus.doc_of(uri): row for uri, row in written.articles.items()}
        return {**scoring.score(found, gold).figures(), "quarantined": dict(written.reasons)}

    return {"dev": figures(dev), "held_out": NOTHING_FITTED if held is None else figures(held)}


# The held-out column of a corpus or contender whose path fits nothing on our data: its figures are
# held-out as they stand (the hand rules were still written looking at the corpus: see HELD_OUT_NOTE).
NOTHING_FITTED: dict[str, Any] = {"nothing_fitted": True}


def dev_section(corpus: Corpus) -> Section:
    """A corpus no learned weight on its path was fitted on: its held-out column says so."""

    def run(root: Path) -> dict[str, dict[str, Any]]:
        files, gold = corpus.files(root), corpus.gold(root)
        written = run_newsetl(files)
        columns = {corpus.name: _column(corpus, written, None, gold)}
        if corpus.name == "wire":
            columns[ENTITIES] = entity_columns(root, written, corpus)
            stories = entity_eval.wire_stories(root)
            model = entity_eval.MemoModel(entities.load_nlp())  # the model's spans read once for both
            columns[ENTITY_FOLDS] = entity_eval.evaluate(root, stories=stories, model=model)  # held-out folds
            columns[ENTITY_VOCAB] = entity_vocab.evaluate(root, stories, model)  # vocabularies held out
        return columns

    return Section(corpus.name, run)


def evaluate(root: Path = CORPORA, only: set[str] | None = None) -> dict[str, Any]:
    """Every section's columns (or those of `only`), with each section's seconds."""
    figures: dict[str, Any] = {}
    for section in SECTIONS:
        if only and section.name not in only:
            continue
        start = time.perf_counter()
        figures |= section.run(root)
        figures.setdefault("seconds", {})[section.name] = round(time.perf_counter() - start, 1)
    return figures


ENTITIES = "entities"
ENTITY_FOLDS = "entities by fold"
ENTITY_VOCAB = "entities without their fold's vocabulary"
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


SECTIONS = [  # in the order printed; a new corpus or peer is one more Section
    text_section(PAGES_TEXT, train_lines.page_site, speed=True),
    text_section(WEB_TEXT, lambda g: g["site"]),
    html_section(PAGES_HTML),
    dev_section(WIRE),
]
HELD_OUT_NOTE = {
    PAGES_TEXT.name: "held-out: each site fold parsed with the line and headline models fitted without it",
    WEB_TEXT.name: "sites no rule was written for; held-out: models fitted without the fold's sites",
    PAGES_HTML.name: "held-out: each site fold parsed with the date chooser fitted on web/dates without it",
    PEER: "trafilatura alone (bare_extraction, with_metadata=True) on pages/html; it fits nothing here",
    WIRE.name: "no learned weight on wire copy's path: held-out is dev",
}

ROWS = (  # (key, label, target)
    ("written", "articles written / pages", None),
    ("title", "title exact", 0.85),
    ("authors", "authors exact set", 0.85),
    ("date", "publication date, same day", 0.85),
    ("body_precision", "body token precision", None),
    ("body_recall", "body token recall", None),
    ("body_f1", "body token F1", 0.95),
    ("dateline_date", "wire dateline date right", 1.0),
    ("parse_pages_per_s", "parse stage, pages/s on one core (CPU time)", 400),
    ("html_pages_per_s", "HTML extraction, pages/s on one core", 30),
)


def render(figures: dict[str, Any]) -> str:
    """Per corpus or contender: every field's dev figure, held-out figure and the gap, then quarantines."""
    blocks = []
    for name, column in figures.items():
        if name in (ENTITIES, ENTITY_FOLDS, ENTITY_VOCAB, "seconds"):
            continue
        dev, held = column["dev"], column.get("held_out") or NOTHING_FITTED
        lines = [f"{name}: {HELD_OUT_NOTE.get(name, '')}", f"{'':44}{'dev':>14}{'held-out':>14}{'gap':>8}"]
        for key, label, target in ROWS:
            if not _cell(dev, key):
                continue
            gap = f"{held[key] - dev[key]:+.3f}" if isinstance(held.get(key), float) else ""
            shown = "= dev, no fit" if held.get("nothing_fitted") else _cell(held, key)
            goal = f"  (target {target})" if target is not None else ""
            lines.append(f"{label:44}{_cell(dev, key):>14}{shown:>14}{gap:>8}{goal}")
        for which, fig in (("dev", dev), ("held-out", held)):
            if fig.get("quarantined"):
                counts = ", ".join(f"{k} {v}" for k, v in sorted(fig["quarantined"].items()))
                lines.append(f"quarantined ({which}): {counts}")
        blocks.append("\n".join(lines))
    if ENTITIES in figures:
        blocks.append(
            entity_scoring.render(figures[ENTITIES])
            + f"\n{RAW_MODEL}: {entities.MODEL} alone over each whole story (headline and dateline included)"
        )
    if ENTITY_FOLDS in figures:
        blocks.append(entity_eval.render(figures[ENTITY_FOLDS]))
    if ENTITY_VOCAB in figures:
        blocks.append(entity_vocab.summary(figures[ENTITY_VOCAB]))
    if "seconds" in figures:
        blocks.append("seconds per section: " + ", ".join(f"{k} {v}" for k, v in figures["seconds"].items()))
    return "\n\n".join(blocks)


def _cell(fig: dict[str, Any], key: str) -> str:
    if key == "written":
        return f"{fig['written']}/{fig['pages']}" if "written" in fig else ""
    if key not in fig:
        return ""
    value, n = fig[key], fig.get(f"{key}_n")
    if key.endswith("_per_s"):
        return f"{value:,.0f}"
    return f"{value:.3f}" + (f" ({n})" if n and n != fig["pages"] else "")


BESIDE: dict[str, tuple[Callable[[Path], dict[str, Any]], Callable[[dict[str, Any]], str]]] = {
    # blocks with their own scoring, after the sections: name -> (figures from the corpora folder, print)
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
        choices=[*(section.name for section in SECTIONS), *BESIDE],
        help="only this corpus or block (repeatable); without it, all of them",
    )
    args = parser.parse_args(argv)
    only = set(args.corpus or ())
    sections = {section.name for section in SECTIONS} & only
    figures = evaluate(args.corpora, sections) if sections or not only else {}
    parts = [render(figures)] if figures else []
    for name, (measure, shown) in BESIDE.items():
        if not only or name in only:
            start = time.perf_counter()
            figures[name] = measure(args.corpora)
            figures.setdefault("seconds", {})[name] = round(time.perf_counter() - start, 1)
            parts.append(shown(figures[name]))
    print("\n\n".join(parts))
    args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
