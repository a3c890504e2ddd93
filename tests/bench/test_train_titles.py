from __future__ import annotations

import dataclasses
import json
from pathlib import Path

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


def _standfirst_pages(n: int) -> list[train_titles.Example]:
    """Pages of three candidates over one feature, the third standing right under the second: on a third of
    them the headline is the second, a shade below the third (a standfirst scored just above its headline);
    on the rest the third, far above the second."""
    pages = []
    for k in range(n):
        close = k % 3 == 0
        x = [0.0, 1.0, 1.1] if close else [0.0, 1.0, 3.0]
        labels = np.array([0.0, 1.0, 0.0] if close else [0.0, 0.0, 1.0])
        rows = np.array(x).reshape(3, 1)
        pages.append(
            train_titles.Example(f"site{k}", False, Path(f"p{k}.txt"), rows, labels, False, (-1, -1, 1))
        )
    return pages


def test_the_standfirst_margin_is_chosen_on_held_out_sites_and_takes_the_headline_back() -> None:
    pages = _standfirst_pages(60)
    model = train_titles.fit(pages)
    assert model.standfirst_margin > 0
    assert all(train_titles.right(e, model) for e in pages)
    assert not all(train_titles.right(e, dataclasses.replace(model, standfirst_margin=0.0)) for e in pages)


def test_no_margin_where_no_candidate_stands_under_a_headline() -> None:
    pages = [dataclasses.replace(e, over=(-1, -1, -1)) for e in _standfirst_pages(30)]
    assert train_titles.standfirst_margin(pages) == 0.0


def test_a_miss_is_shown_with_the_chosen_line_and_the_headline(tmp_path: Path) -> None:
    headline = "Storm floods the valley towns after a week of rain"
    paragraph = "The ministers agreed on Monday to share more intelligence, officials said after the meeting."
    page = tmp_path / "p.txt"
    page.write_text(
        "\n".join(["Home", "Weather", headline, "By Jane Doe", "", paragraph, paragraph]), "utf-8"
    )
    labels = np.array([0.0, 0.0, 1.0, 0.0])
    example = train_titles.Example("site", False, page, np.zeros((4, 1)), labels, False)
    shown = train_titles.describe(example, 1).splitlines()
    assert shown[0] == "p.txt (site): chose 3 above the body"
    assert shown[1:] == ["  <   3 'Weather'", f"  +   2 {headline!r}"]
