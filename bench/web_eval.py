"""`python -m bench.web_eval`: newsetl's HTML path beside the specialists, on their own benchmarks.

Two halves of the peers' evaluation sets (../shared/corpora/web, see its README), scored their way:

- `web/extraction` (trafilatura's set): the main text newsetl writes (title, blank line, body; nothing for
  a quarantined page) against each page's `with` / `without` snippets, whitespace runs collapsed: a `with`
  snippet found is a true positive, missing a false negative; a `without` snippet found a false positive,
  missing a true negative; P, R, F1, accuracy over all snippets. Beside it, trafilatura 2.3.1 `extract()`
  with its benchmark settings (comments off, tables on, no formatting, full cascade) and with defaults.
- `web/dates` (htmldate's set): the day newsetl dates the page, `published_date` (the page's own day, as
  the gold gives it), against the gold day (a page with no gold date is right when nothing is predicted);
  the UTC day of `published_at` beside it; htmldate `find_date(html, original_date=True)` and
  `find_date(html)`.

Every figure newsetl reaches by something fitted (the date chooser's weights) is shown twice: dev (the
shipped weights, fitted on every page scored) and held-out (each site-grouped fold parsed with weights
fitted on the other four, bench/folds.py). The main text fits nothing: its figures are held-out as they
stand. A peer fits nothing: one figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from bench import folds, train_dates
from tasks import ingest, parse, sources
from tasks.parse.html.published import DateEvidence
from tasks.records import Article, RawDocument, Rejected

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT.parent / "shared" / "corpora" / "web"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Page:
    """One benchmark page: its gold row, its file's bytes, and its document as newsetl's ingest stage
    makes it (or the ingest stage's quarantine row)."""

    gold: dict[str, Any]
    data: bytes
    doc: RawDocument | Rejected

    @property
    def file(self) -> str:
        return self.gold["file"]

    @property
    def site(self) -> str:
        return self.gold["site"]


def load_pages(corpus: Path) -> list[Page]:
    """The corpus's gold rows with their documents read and decoded exactly as a run does."""
    gold = [json.loads(line) for line in (corpus / "gold.jsonl").read_text("utf-8").splitlines() if line]
    paths = {g["file"]: corpus / "html" / f"{g['file']}.gz" for g in gold}
    batch = ingest.ingest_batch(sources.read_sources([str(p) for p in sorted(set(paths.values()))]))
    by_file = {
        unquote(d.source_uri.rsplit("/", 1)[-1]).removesuffix(".gz"): d
        for d in [*batch.documents, *batch.rejected]
    }
    return [Page(g, gzip.decompress(paths[g["file"]].read_bytes()), by_file[g["file"]]) for g in gold]


def parsed(pages: Iterable[Page]) -> dict[str, Article | parse.ParseError]:
    """file -> the article newsetl's parse stage writes for the page, or the error that quarantines it
    (at ingest or at parse)."""
    out: dict[str, Article | parse.ParseError] = {}
    for page in pages:
        if isinstance(page.doc, Rejected):
            out[page.file] = parse.ParseError(f"{page.doc.stage}:{page.doc.reason_code}", page.doc.detail)
            continue
        try:
            out[page.file] = parse.parse_document(page.doc)
        except parse.ParseError as exc:
            out[page.file] = exc
    return out


# --- web/extraction: snippets, trafilatura's scoring ------------------------------------------------------


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def snippet_counts(gold: dict[str, Any], text: str | None) -> Counter[str]:
    """tp/fp/fn/tn of one page's snippets in `text` (None: the page has no output)."""
    found = _norm(text or "")
    tp = sum(1 for s in gold["with"] if text is not None and _norm(s) in found)
    fp = sum(1 for s in gold["without"] if text is not None and _norm(s) in found)
    return Counter(tp=tp, fn=len(gold["with"]) - tp, fp=fp, tn=len(gold["without"]) - fp)


def snippet_figures(counts: Counter[str]) -> dict[str, float]:
    """Precision, recall, F1 and accuracy over all snippets."""
    tp, fp, fn, tn = (counts[k] for k in ("tp", "fp", "fn", "tn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / (tp + fp + fn + tn),
    }


def score_texts(pages: list[Page], texts: dict[str, str | None]) -> dict[str, float]:
    total: Counter[str] = Counter()
    for page in pages:
        total += snippet_counts(page.gold, texts.get(page.file))
    empty = sum(1 for t in texts.values() if not t)
    return {**snippet_figures(total), "pages": len(pages), "no_output": empty}


def newsetl_text(found: Article | parse.ParseError, titled: bool = False) -> str | None:
    """The page's main text as newsetl writes it (`body`; with `titled`, its title over it); None for a
    quarantined page. The body is the field trafilatura's main text stands for: its benchmark output
    carries no title."""
    if isinstance(found, parse.ParseError):
        return None
    return f"{found.title}\n\n{found.body}" if titled else found.body


TRAFILATURA_BENCHMARK = {"include_comments": False, "include_tables": True, "include_formatting": False}


def trafilatura_texts(pages: list[Page], **options: Any) -> dict[str, str | None]:
    """file -> trafilatura.extract()'s text of the page's raw bytes (as its benchmark feeds it)."""
    from trafilatura import extract

    return {p.file: extract(p.data, **options) for p in pages}


def lost_articles(pages: list[Page], found: dict[str, Article | parse.ParseError]) -> dict[str, Any]:
    """Pages whose `with` snippets are prose (a sentence's worth of words) that newsetl quarantined, by
    reason, with the detail of each."""
    lost = [
        (p.file, found[p.file])
        for p in pages
        if isinstance(found[p.file], parse.ParseError) and _has_prose(p.gold["with"])
    ]
    return {
        "count": len(lost),
        "reasons": dict(Counter(e.reason_code for _, e in lost)),
        "pages": {f: f"{e.reason_code}: {e}" for f, e in lost},
    }


def _has_prose(snippets: list[str]) -> bool:
    return any(len(s.split()) >= 8 for s in snippets)


def extraction(pages: list[Page]) -> dict[str, Any]:
    """newsetl and trafilatura (benchmark settings, defaults) on web/extraction, scored the same way."""
    start = time.process_time()
    found = parsed(pages)
    seconds = time.process_time() - start
    newsetl = {p.file: newsetl_text(found[p.file]) for p in pages}
    titled = {p.file: newsetl_text(found[p.file], titled=True) for p in pages}
    return {
        "newsetl title + body": score_texts(pages, titled),
        "newsetl": {
            **score_texts(pages, newsetl),
            "quarantined": _quarantined(found),
            "pages_per_cpu_s": len(pages) / seconds,
        },
        "trafilatura benchmark": score_texts(pages, trafilatura_texts(pages, **TRAFILATURA_BENCHMARK)),
        "trafilatura defaults": score_texts(pages, trafilatura_texts(pages)),
        "lost_articles": lost_articles(pages, found),
    }


# --- web/dates: the publication day -----------------------------------------------------------------------


def date_right(gold: str | None, predicted: str | None) -> bool:
    """The calendar day against the gold day; no gold date is right only when nothing is predicted."""
    return (predicted or None) == gold if gold is None else bool(predicted) and predicted[:10] == gold


def date_accuracy(pages: list[Page], days: dict[str, str | None]) -> dict[str, float]:
    right = sum(date_right(p.gold["date"], days.get(p.file)) for p in pages)
    none = sum(1 for p in pages if not days.get(p.file))
    return {"accuracy": right / len(pages), "pages": len(pages), "no_date": none}


def newsetl_days(found: dict[str, Article | parse.ParseError], utc: bool = False) -> dict[str, str | None]:
    """file -> the day newsetl dates the page: its published_date (the page's own day), or with `utc` the
    UTC day of its published_at; None for a page without a date or not written."""

    def day(a: Article) -> str | None:
        when = a.published_at.date() if utc and a.published_at else a.published_date
        return when.isoformat() if when else None

    return {f: day(a) if isinstance(a, Article) else None for f, a in found.items()}


def htmldate_days(pages: list[Page], **options: Any) -> dict[str, str | None]:
    from htmldate import find_date

    return {p.file: find_date(p.data, **options) for p in pages}


def date_examples(pages: list[Page]) -> list[train_dates.Example]:
    """Each page's date candidates as the parser gathers them, with its gold day (for the chooser)."""
    return [
        train_dates.Example(
            p.site,
            train_dates.page_evidence(p.doc.raw_text) if isinstance(p.doc, RawDocument) else DateEvidence(()),
            date.fromisoformat(p.gold["date"]) if p.gold["date"] else None,
        )
        for p in pages
    ]


def held_out(pages: list[Page]) -> dict[str, Article | parse.ParseError]:
    """What newsetl writes for each page when the date chooser is fitted without the page's site fold."""
    examples = dict(zip((p.file for p in pages), date_examples(pages), strict=False))
    found: dict[str, Article | parse.ParseError] = {}
    for _, train, test in folds.split(pages, lambda p: p.site):
        with train_dates.dating_with(train_dates.fit([examples[p.file] for p in train])):
            found |= parsed(test)
    return found


def _quarantined(found: dict[str, Article | parse.ParseError]) -> dict[str, int]:
    return dict(Counter(e.reason_code for e in found.values() if isinstance(e, Exception)))


def dates(pages: list[Page]) -> dict[str, Any]:
    """newsetl on development folds (the shipped chooser, fitted on every page) and held out (each site
    fold parsed with the chooser fitted on the other folds), and htmldate (original date, default), on
    web/dates. newsetl's day is the page's own (published_date); the UTC day of published_at beside it."""
    dev, held = parsed(pages), held_out(pages)
    return {
        "newsetl dev": {**date_accuracy(pages, newsetl_days(dev)), "quarantined": _quarantined(dev)},
        "newsetl held-out": {**date_accuracy(pages, newsetl_days(held)), "quarantined": _quarantined(held)},
        "newsetl held-out, UTC day": date_accuracy(pages, newsetl_days(held, utc=True)),
        "htmldate original_date": date_accuracy(pages, htmldate_days(pages, original_date=True)),
        "htmldate default": date_accuracy(pages, htmldate_days(pages)),
    }


BENCHMARKS: dict[str, Callable[[list[Page]], dict[str, Any]]] = {"extraction": extraction, "dates": dates}


def evaluate(web: Path = WEB, only: Iterable[str] = ()) -> dict[str, Any]:
    return {name: run(load_pages(web / name)) for name, run in BENCHMARKS.items() if not only or name in only}


def render(figures: dict[str, Any]) -> str:
    lines = []
    if "extraction" in figures:
        fig = figures["extraction"]
        lines.append(f"{'web/extraction (snippets)':32}{'P':>8}{'R':>8}{'F1':>8}{'acc':>8}{'no output':>11}")
        for name in ("newsetl", "newsetl title + body", "trafilatura benchmark", "trafilatura defaults"):
            f = fig[name]
            cells = "".join(f"{f[k]:8.3f}" for k in ("precision", "recall", "f1", "accuracy"))
            lines.append(f"  {name:30}{cells}{f['no_output']:>7}/{f['pages']}")
        lines.append("  (nothing fitted acts on the main text: newsetl's held-out figures are these)")
        lost = fig["lost_articles"]
        lines.append(f"  newsetl quarantined: {fig['newsetl'].get('quarantined', {})}")
        lines.append(f"  quarantined with prose snippets: {lost['count']} {lost['pages']}")
    if "dates" in figures:
        fig = figures["dates"]
        lines.append(f"{'web/dates (same day)':32}{'accuracy':>10}{'no date':>11}")
        for name, f in fig.items():
            lines.append(f"  {name:30}{f['accuracy']:10.3f}{f['no_date']:>7}/{f['pages']}")
        lines.append(f"  newsetl quarantined: {fig.get('newsetl dev', {}).get('quarantined', {})}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--web", type=Path, default=WEB, help="the shared corpora's web/ folder")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), help="one benchmark")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    figures = evaluate(args.web, args.only or ())
    print(render(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
