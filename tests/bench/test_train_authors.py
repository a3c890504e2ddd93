from __future__ import annotations

import numpy as np
import pytest

from bench import train_authors
from tasks.parse.text import author_model

WIDTH = len(author_model.FEATURE_NAMES)


def _pages(n: int, unlabelled: bool, seed: int) -> list[train_authors.Example]:
    """Pages of three readings of random features: one of them right, or (unlabelled) none known."""
    rng = np.random.default_rng(seed)
    pages = []
    for _ in range(n):
        rows = rng.normal(size=(3, WIDTH))
        labels = np.zeros(3) if unlabelled else np.eye(3)[rng.integers(3)]
        pages.append(
            train_authors.Example("example.org", False, rows, labels, False, False, True, unlabelled)
        )
    return pages


def test_pages_whose_html_declares_no_author_are_never_fitted() -> None:
    labelled, unlabelled = _pages(30, False, 0), _pages(30, True, 1)
    assert train_authors.fit(labelled + unlabelled) == train_authors.fit(labelled)


@pytest.mark.parametrize("cut", [None, 0.5])
def test_the_cut_is_the_fixed_one_or_tuned(monkeypatch: pytest.MonkeyPatch, cut: float | None) -> None:
    pages = _pages(30, False, 2)
    monkeypatch.setattr(train_authors, "CUT", cut)
    model = train_authors.fit(pages)
    assert model.none_cut == (cut if cut is not None else train_authors._tuned_cut(pages, model.classifier))


def test_only_a_web_page_whose_html_declares_no_author_is_one() -> None:
    assert train_authors._undeclared({"doc": "a", "declares_authors": False})
    assert not train_authors._undeclared({"doc": "a", "declares_authors": True})
    assert not train_authors._undeclared({"doc": "a", "authors": ["Jane Doe"]})  # a pages/ gold row
