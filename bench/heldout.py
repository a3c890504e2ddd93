"""Held-out figures: every learned weight a page's parse uses, refitted without the site fold it is scored on.

The text path uses four learned models: the line classifier (tasks/parse/text/line_model.json, fitted by
bench.train_lines on pages/ gold bodies), the headline ranker (title_model.json, bench.train_titles, on
pages/ gold titles and web/dates/text silver ones), the date ranker (date_model.json,
bench.train_text_dates, on the gold dates of both) and the byline ranker (author_model.json,
bench.train_authors, on pages/ gold authors and web/dates/text silver ones). For each fold of
bench.folds, `fold_models` refits them on the pages of the sites of the other folds (with the recipes of
the shipped files), and `parsing_with` makes the parse use those weights instead of the shipped ones
while a fold's pages run. One leak is left: the headline, date and byline rankers' training rows are read
off the layouts (body, headline) found with the shipped line and headline models, which saw pages of
every fold; web/dates/text pages were never seen by the line model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench import train_authors, train_lines, train_text_dates, train_titles
from bench.folds import K, fold_of
from tasks.parse.text import author_model, blocks, date_model, title_model


@dataclass(frozen=True)
class Models:
    """The learned weights a text page's parse uses."""

    lines: blocks.LineModel
    titles: title_model.TitleModel
    dates: date_model.DateModel | None = None  # None: the shipped one
    authors: author_model.AuthorModel | None = None  # None: the shipped one


@cache
def fold_models(root: Path, fold: int) -> Models:
    """The models fitted on every development page whose site is not in `fold`."""
    pages = [p for p in _line_pages(root) if fold_of(p.site) != fold]
    examples = [e for e in train_titles.load_examples(root) if fold_of(e.site) != fold]
    dated = [e for e in train_text_dates.load_examples(root) if fold_of(e.site) != fold]
    named = [e for e in train_authors.load_examples(root) if fold_of(e.site) != fold]
    return Models(
        train_lines.tuned(pages),
        train_titles.fit(examples),
        train_text_dates.fit(dated),
        train_authors.fit(named),
    )


@cache
def _line_pages(root: Path) -> tuple[train_lines.Page, ...]:
    return tuple(train_lines.load_pages(root))


@contextmanager
def parsing_with(models: Models) -> Iterator[None]:
    """Within the block, the text parser reads `models` where it reads the shipped weights."""
    shipped = blocks.shipped_model, title_model.shipped_model, date_model.shipped_model
    authors_shipped = author_model.shipped_model
    blocks.shipped_model, title_model.shipped_model = lambda: models.lines, lambda: models.titles
    date_model.shipped_model = (lambda: models.dates) if models.dates is not None else shipped[2]
    author_model.shipped_model = (lambda: models.authors) if models.authors is not None else authors_shipped
    try:
        yield
    finally:
        blocks.shipped_model, title_model.shipped_model, date_model.shipped_model = shipped
        author_model.shipped_model = authors_shipped


FOLDS = range(K)
