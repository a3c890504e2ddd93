"""Train the line classifier (tasks/parse/text/blocks.py) from shared/corpora/pages, with its held-out score.

Recipe: every non-blank line of a page's text is labelled article (1) when its word tokens occur as a run
in the gold body (a line of three tokens or fewer must be a whole gold paragraph: a subhead), else 0.
With `--silver` (not the shipped recipe), the pages of web/dates/text add silver lines to fit on: labelled
the same way against trafilatura's main text of each page's HTML twin (~470 sites more than pages/ has;
the cut-offs are still chosen on gold pages). It took `make eval`'s held-out pages/text body F1 from 0.919
to 0.926 but cost web/dates/text headlines and pages written (docs/extraction.md, "Text pages").
Features are blocks.features(); the model is an L2 logistic regression fitted by Newton's method (numpy).
Cross-validation holds out whole sites (bench.folds: the folds `make eval` scores on), picks the cut-offs
on the training folds and reports body token precision/recall/F1 on the held-out ones; then the model is
fitted on every page and written to tasks/parse/text/line_model.json. Runs in seconds:

    python -m bench.train_lines [--corpora ../shared/corpora] [--silver] [--write]
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

from bench import scoring
from bench.folds import fold_of, site_of, split
from tasks.ingest import decode_text
from tasks.parse.text import blocks, text_lines

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
OUT = ROOT / "tasks" / "parse" / "text" / blocks.MODEL_FILE
_TOKEN = re.compile(r"\w+")
_L2 = 1.0
_SPAN_CUTS = (0.3, 0.4)
_KEEP_CUTS = (0.2, 0.3, 0.4)
_GAP_WORDS = (1, 3, 6)
_EXTEND_CUTS = (0.1, 0.2, 1.0)  # 1.0: no extension
_SILVER_MIN_WORDS = 50  # a shorter silver body is a page trafilatura did not find the article of


@dataclass(frozen=True)
class Page:
    """One page prepared for training: its lines, shapes, feature rows, line labels and gold body."""

    site: str
    lines: list[str]
    shapes: list[blocks.Shape]
    rows: np.ndarray
    labels: np.ndarray
    gold_body: str
    scored: dict[tuple[int, ...], tuple[float, float]] = field(default_factory=dict, compare=False)

    def body_scores(self, found: Sequence[int]) -> tuple[float, float]:
        """(precision, recall) of the body made of the lines at `found` (memoised: cut-offs often agree)."""
        key = tuple(found)
        if key not in self.scored:
            body = "\n".join(self.lines[self.shapes[k].index] for k in found)
            self.scored[key] = scoring.body_scores(body, self.gold_body)
        return self.scored[key]


def _tokens(text: str) -> str:
    return " ".join(t.lower() for t in _TOKEN.findall(scoring.normal(text)))


def load_pages(root: Path) -> list[Page]:
    """Every page with a gold body, featurised and labelled."""
    pages = []
    for line in (root / "pages" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        text, _ = decode_text((root / "pages" / "text" / f"{gold['doc']}.txt").read_bytes())
        pages.append(_page(text, gold["body"], page_site(gold)))
    return pages


def load_silver(root: Path) -> list[Page]:
    """The web/dates/text pages labelled by trafilatura's main text of their HTML twin (a silver body: its
    mistakes are labels' noise, so these pages only add lines to fit on, never a cut-off or a score)."""
    from trafilatura import extract  # the HTML path's library, here only to label training lines

    pages, seen = [], set()
    for line in (root / "web" / "dates" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        stem = gold["file"].removesuffix(".html")
        path, html = (
            root / "web" / "dates" / "text" / f"{stem}.txt",
            root / "web" / "dates" / "html" / f"{gold['file']}.gz",
        )
        if not path.exists() or not html.exists() or stem in seen:
            continue
        seen.add(stem)
        body = extract(gzip.decompress(html.read_bytes()).decode("utf-8", "replace"), include_comments=False)
        if not body or len(body.split()) < _SILVER_MIN_WORDS:
            continue
        pages.append(_page(decode_text(path.read_bytes())[0], body, gold["site"]))
    return pages


def silver_outside(silver: Sequence[Page], fold: int, pages: Sequence[Page]) -> list[Page]:
    """The silver pages to fit on when `fold` is held out: those of sites outside it, and not of a site
    whose gold pages are in it under another key (a publisher's name, "NewsSite", for "newssite.com")."""
    held = {_site_key(p.site) for p in pages if fold_of(p.site) == fold}
    return [p for p in silver if fold_of(p.site) != fold and _site_key(p.site) not in held]


def _site_key(site: str) -> str:
    """A site's name as both keys spell it: the host without its last label, letters and digits only."""
    return re.sub(r"\W|_", "", site.rsplit(".", 1)[0] if "." in site else site).lower()


def _page(text: str, gold_body: str, site: str) -> Page:
    lines = text_lines(text)
    page = blocks.shapes(lines)
    body = f" {_tokens(gold_body)} "
    paragraphs = {_tokens(p) for p in gold_body.split("\n")}
    labels = [_label(_tokens(lines[s.index]), body, paragraphs) for s in page]
    return Page(site, lines, page, blocks.features(page), np.array(labels, dtype=float), gold_body)


def page_site(gold: dict[str, str]) -> str:
    """A pages/ gold row's site: its URL's (bench.folds.site_of), else the publisher its doc name starts
    with (the fundus pages carry no URL: `<publisher>_<n>`)."""
    return site_of(gold["url"]) if gold.get("url") else gold["doc"].split("_")[0]


def _label(tokens: str, body: str, paragraphs: set[str]) -> int:
    if not tokens:
        return 0
    if tokens.count(" ") < 3:
        return int(tokens in paragraphs)
    return int(f" {tokens} " in body)


def fit(pages: Sequence[Page]) -> blocks.LineModel:
    """The line classifier fitted on `pages` (cut-offs still to choose)."""
    y = np.concatenate([p.labels for p in pages])
    return blocks.LineModel(_logistic(np.vstack([p.rows for p in pages]), y), 0.5, 0.5)


def _logistic(x: np.ndarray, y: np.ndarray) -> blocks.Logistic:
    """L2 logistic regression on standardised columns (Newton's method)."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], _L2)
    penalty[0] = 0.0
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return blocks.Logistic(tuple(mean.tolist()), tuple(scale.tolist()), tuple(w[1:].tolist()), float(w[0]))


def body_scores(pages: Sequence[Page], model: blocks.LineModel) -> tuple[float, float, float]:
    """Mean body token (precision, recall) over pages and their F1, with this model's body lines."""
    precisions, recalls = [], []
    for page in pages:
        probs = blocks.probabilities(page.rows, model)
        p, r = page.body_scores(blocks.choose(page.shapes, probs, model))
        precisions.append(p)
        recalls.append(r)
    p, r = float(np.mean(precisions)), float(np.mean(recalls))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def tuned(pages: Sequence[Page], silver: Sequence[Page] = ()) -> blocks.LineModel:
    """The model fitted on `pages` and `silver` ones, with the cut-offs that give `pages` the best body F1."""
    base = fit([*pages, *silver])
    grid = [
        (s, k, g, e)
        for s in _SPAN_CUTS
        for k in _KEEP_CUTS
        if k <= s
        for g in _GAP_WORDS
        for e in _EXTEND_CUTS
    ]
    scored = [(body_scores(pages, _with_cuts(base, *cuts))[2], cuts) for cuts in grid]
    return _with_cuts(base, *max(scored)[1])


def _with_cuts(
    model: blocks.LineModel, span: float, keep: float, gap: int, extend: float
) -> blocks.LineModel:
    return dataclasses.replace(model, span_cut=span, keep_cut=keep, gap_words=gap, extend_cut=extend)


def cross_validate(pages: Sequence[Page], silver: Sequence[Page] = ()) -> tuple[float, float, float]:
    """Body (precision, recall, F1) on held-out sites, pooled over folds (pages weighted equally); the
    silver pages of a held-out fold's sites are left out of its fit too."""
    precision = recall = 0.0
    for fold, fit_on, held in split(pages, attrgetter("site")):
        model = tuned(fit_on, silver_outside(silver, fold, pages))
        p, r, _ = body_scores(held, model)
        precision += p * len(held)
        recall += r * len(held)
        print(
            f"fold {fold}: {len(held)} pages held out, P {p:.3f} R {r:.3f}, cuts "
            f"{model.span_cut}/{model.keep_cut}/{model.gap_words}/{model.extend_cut}"
        )
    p, r = precision / len(pages), recall / len(pages)
    return p, r, 2 * p * r / (p + r)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--write", action="store_true", help=f"write the model fitted on all pages to {OUT}")
    parser.add_argument(
        "--silver",
        action="store_true",
        help="fit on web/dates/text's silver lines too (not the shipped recipe)",
    )
    args = parser.parse_args(argv)
    pages = load_pages(args.corpora)
    silver = load_silver(args.corpora) if args.silver else []
    print(
        f"{len(pages)} pages, {len({p.site for p in pages})} sites, {sum(len(p.shapes) for p in pages)}"
        f" lines; {len(silver)} silver pages, {sum(len(p.shapes) for p in silver)} lines"
    )
    p, r, f1 = cross_validate(pages, silver)
    print(f"held-out sites: body token P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    model = tuned(pages, silver)
    p, r, f1 = body_scores(pages, model)
    print(f"training pages (not a quality figure): P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    if args.write:
        write_model(model, OUT)


def write_model(model: Any, out: Path) -> None:
    """Write a model dataclass as the small JSON file the package ships (floats to six places)."""
    data = json.loads(json.dumps(dataclasses.asdict(model)), parse_float=lambda x: round(float(x), 6))
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
