"""Where the article sits in a page of text: a line classifier over line shapes, then the best span.

Each non-blank line gets a probability of being article prose from a small logistic model over its shape
(length, sentence punctuation, capitalisation, stop-word density, separators, repetition in the
page) and its neighbourhood (how much prose stands around it, and how much of the page's prose lies before
and after it). The body is the contiguous run of lines with the highest total evidence (a maximum-sum
segment, so one related-links box inside an article does not split it), and inside that run the lines the
model still calls furniture are dropped. The weights ship as `line_model.json`, trained by
`bench/train_lines.py` from the gold bodies of shared/corpora/pages; nothing here knows any site's words.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import chain
from operator import attrgetter

import numpy as np

from tasks.parse.text.line_shapes import PROSE_WORDS, Shape, shapes

_NEAR, _FAR = 3, 10  # neighbourhood half-widths, in non-blank lines
MODEL_FILE = "line_model.json"
_WORDS = attrgetter("words")


@dataclass(frozen=True)
class Logistic:
    """A logistic regression over standardised columns."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_json(cls, fields: dict) -> Logistic:
        """From a model file's "classifier" object (its lists as tuples)."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})

    def predict(self, rows: np.ndarray) -> np.ndarray:
        mean, scale, weights = _arrays(self)
        z = self.bias + ((rows - mean) / scale) @ weights
        # np.clip's checks cost more than the two bounds themselves on a page's few rows: the same values
        return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(z, -30.0), 30.0)))


# A model's columns as arrays, made once per model (a page is scored by four models; making the arrays
# cost as much as scoring). Kept beside the models, not in them: a model's fields are what it writes out.
_ARRAYS: dict[int, tuple[Logistic, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
_ARRAYS_KEPT = 64  # models of a process: the shipped ones and a held-out run's per-fold refits


def _arrays(model: Logistic) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, scale, weights) of a model as arrays."""
    kept = _ARRAYS.get(id(model))
    if kept is None or kept[0] is not model:  # kept, a model is alive: its id is not reused
        if len(_ARRAYS) >= _ARRAYS_KEPT:
            _ARRAYS.clear()
        kept = _ARRAYS[id(model)] = (model, tuple(map(np.asarray, (model.mean, model.scale, model.weights))))
    return kept[1]


@dataclass(frozen=True)
class LineModel:
    """The line classifier and the cut-offs of the span search."""

    classifier: Logistic
    span_cut: float  # a line adds (p - span_cut) x words to a span's evidence
    keep_cut: float  # inside the span, a line below this probability is furniture
    gap_words: int = 1  # a furniture line weighs at least this many words: a run of them splits a span
    extend_cut: float = 1.0  # a prose line right next to the span joins it from this probability on

    @classmethod
    def from_json(cls, data: dict) -> LineModel:
        classifier = Logistic.from_json(data["classifier"])
        return cls(classifier, data["span_cut"], data["keep_cut"], data["gap_words"], data["extend_cut"])


@cache
def shipped_model() -> LineModel:
    """The model in the package (read once per process)."""
    text = resources.files("tasks.parse.text").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return LineModel.from_json(json.loads(text))


def features(page: Sequence[Shape]) -> np.ndarray:
    """The model's inputs for every line of a page: one row per line, columns as FEATURE_NAMES."""
    width = len(Shape._fields)
    s = np.fromiter(chain.from_iterable(page), float, count=len(page) * width).reshape(len(page), width)
    if not len(page):
        return np.zeros((0, len(FEATURE_NAMES)))
    words, repeated = s[:, 1], s[:, 14] > 1
    prose = (words >= PROSE_WORDS) & (s[:, 3] > 0)
    size = np.log1p(words)
    prose_words = np.where(prose, words, 0.0)
    mass = np.cumsum(prose_words)
    total = mass[-1] or 1.0
    before, after = (mass - prose_words) / total, (mass[-1] - mass) / total
    neighbours = np.zeros((2, len(page)))
    neighbours[0, 1:], neighbours[1, :-1] = prose[:-1], prose[1:]  # the line above and below is prose
    near = _around(np.vstack([prose, size, repeated]).astype(float), _NEAR)
    far = _around(prose[None, :].astype(float), _FAR)
    return np.column_stack(
        [
            size,
            words >= 8,
            words <= 2,
            s[:, 3:14],
            repeated,
            prose,
            np.log1p(s[:, 2]) / 2,
            near[0],
            near[1],
            far[0],
            near[2],
            neighbours.T,
            before,
            after,
            before == 0.0,
            after == 0.0,
            np.minimum(before, after),
        ]
    ).astype(float)


FEATURE_NAMES = (
    "log_words",
    "many_words",
    "few_words",
    "sentence_end",
    "strict_end",
    "stop_ratio",
    "cap_ratio",
    "all_caps",
    "commas",
    "separator",
    "colon_end",
    "starts_lower",
    "gap_before",
    "gap_after",
    "repeated",
    "prose",
    "log_chars",
    "near_prose",
    "near_size",
    "far_prose",
    "near_repeated",
    "prev_prose",
    "next_prose",
    "mass_before",
    "mass_after",
    "first_prose_ahead",
    "last_prose_behind",
    "mass_middle",
)


def _around(values: np.ndarray, half: int) -> np.ndarray:
    """Mean of per-line values (one row each) over the neighbours within `half` lines, the line left out."""
    n = values.shape[1]
    prefix = np.zeros((values.shape[0], n + 1))
    prefix[:, 1:] = np.cumsum(values, axis=1, dtype=float)
    k = np.arange(n)
    lo, hi = np.maximum(0, k - half), np.minimum(n, k + half + 1)
    return (prefix[:, hi] - prefix[:, lo] - values) / np.maximum(hi - lo - 1, 1)


def probabilities(rows: np.ndarray, model: LineModel) -> np.ndarray:
    """P(article prose) per line."""
    return model.classifier.predict(rows)


def best_span(
    page: Sequence[Shape], probs: np.ndarray, cut: float, gap_words: int = 1
) -> tuple[int, int] | None:
    """(first, last) positions in `page` of the run with the most evidence; None when no line is prose.

    Evidence of a line: (p - cut) x its words, a furniture line counting at least `gap_words`. The best run
    is the maximum-sum segment: the largest rise of the running total over its lowest point before it.
    """
    words = np.fromiter(map(_WORDS, page), dtype=float, count=len(page))
    excess = probs - cut
    evidence = excess * np.where(excess >= 0, np.maximum(words, 1), np.maximum(words, gap_words))
    total = np.concatenate([[0.0], np.cumsum(evidence)])
    low_at = _running_argmin(total)
    gain = total[1:] - total[low_at[:-1]]
    last = int(np.argmax(gain))
    return (int(low_at[last]), last) if gain[last] > 0 else None


def _running_argmin(values: np.ndarray) -> np.ndarray:
    """For each position, where the lowest value up to and including it stands (the earliest of ties)."""
    lows = np.minimum.accumulate(values)
    first_of = np.flatnonzero(np.concatenate([[True], lows[1:] < lows[:-1]]))
    return first_of[np.searchsorted(first_of, np.arange(len(values)), side="right") - 1]


def choose(page: Sequence[Shape], probs: np.ndarray, model: LineModel) -> list[int]:
    """Positions in `page` of the body's lines: the best span, less the furniture inside it."""
    span = best_span(page, probs, model.span_cut, model.gap_words)
    if span is None:
        return []
    first, last = _extended(page, probs, *span, model.extend_cut)
    inside = probs[first : last + 1].tolist()
    return [first + j for j, p in enumerate(inside) if p >= model.keep_cut or j in (0, last - first)]


def _extended(page: Sequence[Shape], probs: np.ndarray, first: int, last: int, cut: float) -> tuple[int, int]:
    """The span grown by the prose lines adjoining it: a short last paragraph has little prose after it, so
    the position features undersell it."""
    while first > 0 and page[first - 1].prose and probs[first - 1] >= cut:
        first -= 1
    while last < len(page) - 1 and page[last + 1].prose and probs[last + 1] >= cut:
        last += 1
    return first, last


def body_lines(
    lines: Sequence[str], model: LineModel | None = None
) -> tuple[list[Shape], list[int], list[float]]:
    """(the page's shapes, positions in it of the body's lines, P(prose) per shape); no positions when the
    page has no prose."""
    page = shapes(lines)
    if not page:
        return page, [], []
    model = model or shipped_model()
    probs = probabilities(features(page), model)
    return page, choose(page, probs, model), probs.tolist()
