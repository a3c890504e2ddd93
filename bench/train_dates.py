"""Train the HTML date chooser (tasks/parse/html/published.py) on shared/corpora/web/dates, sites held out.

Every page's date candidates are read as the parser reads them (published.evidence over its metadata and
htmldate's search); each distinct day among them is a row, labelled 1 when it is the gold day. An L2
logistic regression (bench.train_lines' Newton fit) rates the rows; the page's date is its best-rated
day. Cross-validation holds out whole sites (bench/folds.py, 5 folds) and prints the held-out accuracy
beside the training folds' one; `--write` fits every page and writes tasks/parse/html/date_model.json.
A few minutes (htmldate's search of 502 pages):

    python -m bench.train_dates [--web ../shared/corpora/web] [--write]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

from bench import folds
from bench.train_lines import _logistic
from tasks.parse import html
from tasks.parse.html import page_tree, published
from tasks.parse.text.blocks import Logistic

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT.parent / "shared" / "corpora" / "web"
OUT = ROOT / "tasks" / "parse" / "html" / published.MODEL_FILE


@dataclass(frozen=True)
class Example:
    """One page's date evidence and its gold day (None: the page has no date)."""

    site: str
    evidence: published.DateEvidence
    gold: date | None


@cache
def page_evidence(text: str) -> published.DateEvidence:
    """The date candidates of one page, exactly as parse_html gathers them (once per page and process:
    `make eval` asks for them in its pages/html and web blocks)."""
    tree = page_tree.load(text)
    if tree is None:
        return published.DateEvidence(())
    meta = html.page_meta(tree)
    return published.evidence(meta, html._searched_date(tree, meta))


def web_examples(web: Path = WEB) -> list[Example]:
    """Every web/dates page's date candidates with its gold day: the chooser's training examples."""
    from bench import web_eval

    return web_eval.date_examples(web_eval.load_pages(web / "dates"))


@cache
def fold_model(web: Path, fold: int) -> Logistic:
    """The chooser fitted on the web/dates pages of every site outside `fold` (bench/folds.py): the
    weights a page of that fold is scored held-out with, whatever corpus it is from."""
    return fit([e for e in web_examples(web) if folds.fold_of(e.site) != fold])


@contextmanager
def dating_with(model: Logistic) -> Iterator[None]:
    """Within the block, the HTML parser chooses dates with `model` where it reads the shipped weights."""
    shipped = published.shipped_model
    published.shipped_model = lambda: model  # type: ignore[assignment]
    try:
        yield
    finally:
        published.shipped_model = shipped  # type: ignore[assignment]


def fit(examples: Sequence[Example]) -> Logistic:
    """The chooser's logistic regression fitted on the candidate days of `examples`."""
    x, y = [], []
    for example in examples:
        for day, _, row in published.rows(example.evidence):
            x.append(row)
            y.append(float(day == example.gold))
    return _logistic(np.array(x, dtype=float), np.array(y, dtype=float))


def chosen_day(example: Example, model: Logistic) -> date | None:
    """The day the chooser picks, in the zone the page writes it (the gold's own calendar)."""
    scored = published.rows(example.evidence)
    if not scored:
        return None
    probabilities = model.predict(np.array([r for _, _, r in scored], dtype=float))
    return scored[int(np.argmax(probabilities))][0]


def accuracy(examples: Sequence[Example], model: Logistic) -> float:
    return sum(chosen_day(e, model) == e.gold for e in examples) / len(examples)


def cross_validate(examples: Sequence[Example]) -> tuple[float, float]:
    """(accuracy on the training folds, accuracy on held-out sites), pooled over the folds."""
    dev = held = 0.0
    for _, train, test in folds.split(examples, lambda e: e.site):
        model = fit(train)
        dev += accuracy(train, model) * len(train) / (folds.K - 1)
        held += accuracy(test, model) * len(test)
    return dev / len(examples), held / len(examples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", type=Path, default=WEB)
    parser.add_argument("--write", action="store_true", help=f"write the model fitted on all pages to {OUT}")
    args = parser.parse_args(argv)
    examples = web_examples(args.web)
    dev, held = cross_validate(examples)
    print(f"{len(examples)} pages: same day, training folds {dev:.3f}, held-out sites {held:.3f}")
    if args.write:
        model = fit(examples)
        data = {"features": list(published.FEATURES), "classifier": model.__dict__}
        data = json.loads(json.dumps(data), parse_float=lambda x: round(float(x), 6))
        OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"written {OUT}")


if __name__ == "__main__":
    main()
