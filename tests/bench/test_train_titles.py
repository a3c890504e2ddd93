from __future__ import annotations

import dataclasses
import json

import numpy as np

from bench import train_titles
from tasks.parse.text import title_model


def _xor_pages(n: int, seed: int) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Pages of four candidates, one per pair of two binary features; the headline is the one whose two
    features agree and, of those two, the one the page's coin names: no linear score ranks them."""
    rng = np.random.default_rng(seed)
    grid = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    pages = []
    for _ in range(n):
        rows = np.column_stack([grid, rng.normal(size=4)])
        agree = grid[:, 0] == grid[:, 1]
        labels = (agree & (rows[:, 2] == rows[agree, 2].max())).astype(float)
        pages.append((rows, labels, 1.0))
    return pages


def _right(model: title_model.TitleModel, pages: list[tuple[np.ndarray, np.ndarray, float]]) -> float:
    return float(np.mean([labels[int(np.argmax(model.scores(rows)))] for rows, labels, _ in pages]))


def test_hidden_units_rank_what_a_linear_score_cannot() -> None:
    train, test = _xor_pages(300, 1), _xor_pages(200, 2)
    linear = train_titles.conditional_logit(train)
    hidden = train_titles.with_hidden(train, linear, 4, l2_hidden=0.01)
    assert _right(title_model.TitleModel(linear), test) < 0.6
    assert _right(hidden, test) > 0.95


def test_the_hidden_model_reads_back_from_its_json_the_same() -> None:
    pages = _xor_pages(50, 3)
    model = train_titles.with_hidden(pages, train_titles.conditional_logit(pages), 3)
    back = title_model.TitleModel.from_json(json.loads(json.dumps(_as_json(model))))
    rows = pages[0][0]
    assert np.allclose(back.scores(rows), model.scores(rows))
    assert back.hidden is not None and len(back.hidden.out) == 3


def test_the_hidden_gradient_matches_finite_differences() -> None:
    pages = _xor_pages(20, 4)
    linear = train_titles.conditional_logit(pages)
    loss = train_titles.hidden_loss(pages, linear, 2)
    theta = np.random.default_rng(5).normal(size=loss.size)
    value, grad = loss(theta)
    step = 1e-6
    for i in range(0, loss.size, 3):
        bump = np.zeros(loss.size)
        bump[i] = step
        assert abs((loss(theta + bump)[0] - value) / step - grad[i]) < 1e-3


def _as_json(model: title_model.TitleModel) -> dict:
    return json.loads(json.dumps(dataclasses.asdict(model)))
