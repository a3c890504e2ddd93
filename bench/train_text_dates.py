"""Train the text date ranker (tasks/parse/text/date_model.py), with its held-out score and the ceiling.

Examples: the pages of shared/corpora/web/dates/text (htmldate's gold day) and those of pages/text with a gold
date. Each page is parsed as the text parser does up to its dates (tasks.parse.text.page_layout, the body's
language); every date the page prints is a candidate, labelled 1 when its day is the gold day as `make eval`
compares them (the day the page prints, its published_date, against the gold's own day). A page whose
candidates hold no such date teaches nothing and is left out of the fit, but counts in every score. The model
is a conditional logit over date_model.features (bench.train_titles.conditional_logit); a page's date is its
most probable candidate. Cross-validation holds out whole sites (bench.folds) and prints the share of pages
whose date is right on held-out sites, beside the hand rules' (tasks.parse.dates) on the same pages and the
ceiling (pages where some candidate is right); then the model is fitted on every page and written to
tasks/parse/text/date_model.json. About a minute:

    python -m bench.train_text_dates [--corpora ../shared/corpora] [--write] [--misses]

--misses prints every page the held-out model gets wrong: its gold day, the line of the candidate chosen
and the lines of the right ones, to sort the misses by kind.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

from bench import scoring, web_text
from bench.folds import split
from bench.train_titles import conditional_logit
from tasks.ingest import decode_text
from tasks.parse import dates
from tasks.parse.article import ParseError
from tasks.parse.language import detect_language
from tasks.parse.text import body_text, date_model, page_layout
from tasks.parse.text.blocks import Logistic

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
OUT = ROOT / "tasks" / "parse" / "text" / date_model.MODEL_FILE
# L2 on the standardised weights: held-out sites (site folds) gained from strong shrinkage (date right
# 0.815 at 1, 0.831 at 10, 0.835 at 30, 0.839 at 100): many weak, overlapping cues.
L2 = 100.0


@dataclass(frozen=True)
class Example:
    """One page: its site, its candidates' feature rows and labels, and what the hand rules wrote."""

    site: str
    path: Path
    gold: date | None
    days: tuple[date, ...]  # each candidate's day as the page prints it, as `make eval` reads it
    rows: np.ndarray
    labels: np.ndarray
    hand_right: bool


@cache
def load_examples(root: Path) -> tuple[Example, ...]:
    """Every page with a gold date field (a day, or None: the page has none) that the parser reads."""
    pages = web_text.text_pages(root, "published_at", lambda g: "published_at" in g)
    found = (_example(p.site, p.path, scoring.day_of(p.value)) for p in pages)
    return tuple(e for e in found if e is not None)


def _example(site: str, path: Path, gold: date | None) -> Example | None:
    try:
        lines, layout = page_layout(decode_text(path.read_bytes())[0])
    except ParseError:
        return None  # no article is written: every contender scores 0 on it alike
    found = date_model.candidates(lines, layout.body, detect_language(body_text(lines, layout)))
    rows = date_model.features(lines, layout.title_at, layout.body, found) if found else np.zeros((0, 0))
    days = tuple(c.stamp.day for c in found)
    labels = np.array([d == gold for d in days], dtype=float)
    hand = dates.find_published(lines, layout.title_at, layout.body[0])
    return Example(site, path, gold, days, rows, labels, (hand.date() if hand else None) == gold)


def fit(examples: Sequence[Example]) -> date_model.DateModel:
    """The ranker fitted on every page with a date: a conditional logit over the page's candidates and
    a "none" choice (one more row, with every feature at its mean and a column of its own), which is
    right when no candidate is; the none row's score becomes the model's cut."""
    pages = []
    for e in examples:
        if len(e.labels):
            rows = np.vstack(
                [np.hstack([e.rows, np.zeros((len(e.rows), 1))]), np.full(e.rows.shape[1] + 1, np.nan)]
            )
            pages.append((rows, np.append(e.labels, float(not e.labels.any())), 1.0))
    mean = np.nanmean(np.vstack([rows[:-1] for rows, _, _ in pages]), axis=0)
    for rows, _, _ in pages:
        rows[-1, :-1], rows[-1, -1] = mean[:-1], 1.0
    ranker = conditional_logit(pages, L2)
    none_z = (1.0 - ranker.mean[-1]) / ranker.scale[-1] * ranker.weights[-1]
    none_z += sum(
        (m - mu) / sd * w
        for m, mu, sd, w in zip(
            mean[:-1], ranker.mean[:-1], ranker.scale[:-1], ranker.weights[:-1], strict=True
        )
    )
    classifier = Logistic(ranker.mean[:-1], ranker.scale[:-1], ranker.weights[:-1], 0.0)
    return date_model.DateModel(classifier, float(1.0 / (1.0 + np.exp(-none_z))))


def chosen(example: Example, model: date_model.DateModel) -> int | None:
    """The candidate the model writes for the page, or None."""
    if not len(example.labels):
        return None
    scores = model.classifier.predict(example.rows)
    best = int(np.argmax(scores))
    return best if scores[best] > model.none_cut else None


def right(example: Example, model: date_model.DateModel) -> bool:
    """Whether the page's date is right with this model: its chosen candidate's day, or none for no date."""
    best = chosen(example, model)
    return example.gold is None if best is None else bool(example.labels[best])


def cross_validate(
    examples: Sequence[Example], misses: list[tuple[Example, int | None]] | None = None
) -> tuple[float, float, float]:
    """(model on held-out sites, hand rules, ceiling): shares of the pages whose date is right; each page
    the held-out model gets wrong is appended to `misses` with its chosen candidate."""
    model_right = 0
    for fold, fit_on, held in split(examples, lambda e: e.site):
        model = fit(fit_on)
        got = sum(right(e, model) for e in held)
        print(f"fold {fold}: {len(held)} pages held out, model {got / len(held):.3f}")
        model_right += got
        if misses is not None:
            misses += [(e, chosen(e, model)) for e in held if not right(e, model)]
    n = len(examples)
    ceiling = sum(e.labels.any() or (e.gold is None and not len(e.labels)) for e in examples)
    return model_right / n, sum(e.hand_right for e in examples) / n, ceiling / n


def describe(example: Example, best: int | None) -> str:
    """A held-out miss as lines to read: the page, its gold day, the chosen candidate's line (or none) and
    the right candidates' lines (marked "+"), each with its line number."""
    lines, layout = page_layout(decode_text(example.path.read_bytes())[0])
    found = date_model.candidates(lines, layout.body, detect_language(body_text(lines, layout)))
    head = (
        f"{example.path.name} ({example.site}): gold {example.gold}, {len(found)} candidates, "
        f"headline line {layout.title_at}, body lines {layout.body[0]}-{layout.body[-1]}"
    )
    out = [head, "  chose none" if best is None else f"  chose {_shown(lines, found[best])}"]
    out += [f"  + {_shown(lines, c)}" for c, ok in zip(found, example.labels, strict=True) if ok]
    return "\n".join(out)


def _shown(lines: Sequence[str], c: date_model.Candidate) -> str:
    return f"{c.stamp.day} line {c.line}: {lines[c.line][:140]!r}"


def write(model: date_model.DateModel, out: Path = OUT) -> None:
    """The model as the small JSON file the package ships, with the feature names it was trained on."""
    data = {
        "features": list(date_model.FEATURE_NAMES),
        "classifier": model.classifier.__dict__,
        "none_cut": model.none_cut,
    }
    data = json.loads(json.dumps(data), parse_float=lambda x: round(float(x), 6))
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"written {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--write", action="store_true", help=f"write the model fitted on all pages to {OUT}")
    parser.add_argument("--misses", action="store_true", help="print each page the held-out model misses")
    args = parser.parse_args(argv)
    examples = load_examples(args.corpora)
    print(
        f"{len(examples)} pages, {len({e.site for e in examples})} sites, "
        f"{sum(len(e.labels) for e in examples)} candidates"
    )
    misses: list[tuple[Example, int | None]] = []
    held, hand, ceiling = cross_validate(examples, misses)
    if args.misses:
        wrong = [m for m in misses if m[1] is not None and len(m[0].labels) and m[0].labels.any()]
        print(f"{len(misses)} held-out misses, {len(wrong)} with a wrong candidate chosen over a right one:")
        for example, best in sorted(misses, key=lambda m: (not m[0].labels.any(), m[0].path.name)):
            print(describe(example, best))
    print(f"held-out sites: date right {held:.3f} (hand rules {hand:.3f}, a right candidate {ceiling:.3f})")
    model = fit(examples)
    print(f"training pages (not a quality figure): {np.mean([right(e, model) for e in examples]):.3f}")
    if args.write:
        write(model)


if __name__ == "__main__":
    main()
