"""Train the headline ranker (tasks/parse/text/title_model.py), with its held-out score.

Examples: the pages of shared/corpora/pages with a gold title, and the pages of web/dates/text whose HTML
declares a headline their text prints (bench.web_text's silver title). Each page is parsed as the text
parser does up to its body (tasks.parse.text.article_block); every candidate line above the body is
labelled 1 when it is the (silver) title, else 0; a page whose candidates hold no such line is left out
(its headline is glued to other text, or stands outside the candidates). The model is an L2 logistic
regression over title_model.features (bench.train_lines' fitting); a page's headline is its most probable
candidate. Cross-validation holds out whole sites (bench.folds), and reports the share of held-out pages
whose headline is chosen right, beside the hand rules' (tasks.parse.text.heading) on the same pages; then
the model is fitted on every page and written to tasks/parse/text/title_model.json. Runs in a minute:

    python -m bench.train_titles [--corpora ../shared/corpora] [--write]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from bench import scoring, web_text
from bench.folds import split
from bench.train_lines import write_model
from tasks.ingest import decode_text
from tasks.parse.article import ParseError
from tasks.parse.text import article_block, heading, text_lines, title_model
from tasks.parse.text.blocks import Logistic

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
_L2 = 1.0
# A person's title weighs this many silver ones in the fit. Held-out (site folds) here: 2 won a pages/ gold
# title back (19/21 from 18/21) for 0.003 in all (0.730 from 0.733); 4 won 20/21 but lost 0.015 in all,
# 10 lost 0.022. In make eval's held-out columns 2 beat 1 on web/dates/text (title 0.652 against 0.647)
# with pages/text title the same (0.909).
GOLD_WEIGHT = 2.0
OUT = ROOT / "tasks" / "parse" / "text" / title_model.MODEL_FILE


@dataclass(frozen=True)
class Example:
    """One page: its site, its candidates' feature rows and labels, and whether the hand rules got it."""

    site: str
    gold: bool  # a person's title (pages/), not a silver one
    rows: np.ndarray
    labels: np.ndarray
    hand_right: bool


@cache
def load_examples(root: Path) -> tuple[Example, ...]:
    """Every page with a gold or silver title that its candidates hold."""
    pages = web_text.text_pages(root, "title", lambda g: bool(g.get("title")))
    found = (_example(*page) for page in pages)
    return tuple(e for e in found if e is not None)


def _example(site: str, gold: bool, path: Path, title: str) -> Example | None:
    lines = text_lines(decode_text(path.read_bytes())[0])
    try:
        page, probs, body = article_block(lines)
    except ParseError:
        return None
    at, rows = title_model.ranked(lines, page, probs, body[0])
    labels = np.array(
        [scoring.normal(lines[page[k].index]) == scoring.normal(title) for k in at], dtype=float
    )
    if not labels.any():
        return None
    hand = heading.headline_at(lines, page, body[0])
    hand_right = hand is not None and hand in at and bool(labels[at.index(hand)])
    return Example(site, gold, rows, labels, hand_right)


def fit(examples: Sequence[Example]) -> title_model.TitleModel:
    """The ranker fitted on `examples` (bench.train_titles.conditional_logit), a person's title weighing
    GOLD_WEIGHT silver ones."""
    return title_model.TitleModel(conditional_logit([(e.rows, e.labels, _weight(e)) for e in examples]))


def conditional_logit(pages: Sequence[tuple[np.ndarray, np.ndarray, float]], l2: float = _L2) -> Logistic:
    """A ranker over each page's candidates: (feature rows, 0/1 labels, the page's weight) per page; a
    softmax over a page's candidates, the log-probability of its right ones maximised, L2 on standardised
    weights, by L-BFGS. Its `predict` orders a page's candidates as the softmax does."""
    x = np.vstack([rows for rows, _, _ in pages])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    standard = [((rows - mean) / scale, weight * labels / labels.sum()) for rows, labels, weight in pages]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * w @ w / 2, l2 * w
        for z, y in standard:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            total -= y @ np.log(p + 1e-12)
            grad = grad + z.T @ (p * y.sum() - y)
        return total, grad

    w = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x
    return Logistic(tuple(mean.tolist()), tuple(scale.tolist()), tuple(w.tolist()), 0.0)


def _weight(example: Example) -> float:
    """A page's weight in the fit: a person's title counts GOLD_WEIGHT times a silver one."""
    return GOLD_WEIGHT if example.gold else 1.0


def right(example: Example, model: title_model.TitleModel) -> bool:
    """Whether the model's most probable candidate is the page's headline."""
    return bool(example.labels[int(np.argmax(model.classifier.predict(example.rows)))])


def cross_validate(examples: Sequence[Example]) -> tuple[float, float]:
    """(model, hand rules): share of pages whose headline is chosen right, on held-out sites."""
    model_right = hand_right = gold_right = 0
    for fold, fit_on, held in split(examples, attrgetter("site")):
        model = fit(fit_on)
        got = sum(right(e, model) for e in held)
        gold_right += sum(right(e, model) for e in held if e.gold)
        hand = sum(e.hand_right for e in held)
        print(
            f"fold {fold}: {len(held)} pages held out, "
            f"model {got / len(held):.3f}, hand rules {hand / len(held):.3f}"
        )
        model_right += got
        hand_right += hand
    golds = [e for e in examples if e.gold]
    hand_golds = sum(e.hand_right for e in golds)
    print(f"pages/ gold titles held out: model {gold_right}/{len(golds)}, hand rules {hand_golds}")
    return model_right / len(examples), hand_right / len(examples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--write", action="store_true", help=f"write the model fitted on all pages to {OUT}")
    args = parser.parse_args(argv)
    examples = load_examples(args.corpora)
    print(
        f"{len(examples)} pages, {len({e.site for e in examples})} sites, "
        f"{sum(len(e.labels) for e in examples)} candidates"
    )
    model_share, hand_share = cross_validate(examples)
    print(f"held-out sites: headline right {model_share:.3f} (hand rules on the same pages {hand_share:.3f})")
    model = fit(examples)
    print(f"training pages (not a quality figure): {np.mean([right(e, model) for e in examples]):.3f}")
    if args.write:
        write_model(model, OUT)


if __name__ == "__main__":
    main()
