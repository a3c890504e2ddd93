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
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate, chain, compress, count, product, repeat
from operator import add, and_, attrgetter, ge, itemgetter, ne
from typing import NamedTuple

import numpy as np

_SENTENCE_END = frozenset(".!?…\"'”’)]:;。！？」")
_CLOSERS = "\"'”’)]"
_FULL_STOPS = frozenset(".!?…")
_SEPARATOR = re.compile(r" [|·•/»>] ")  # "Home | World", "News · Politics": menus and breadcrumbs
_SEPARATOR_CHARS = 200
# English function words: their density tells running text from labels and lists.
_STOP = frozenset(
    """a an and are as at be been but by for from had has have he her his i if in into is it its not of on
    or our she so than that the their them there they this to was we were what when which who will with
    would you your""".split()  # noqa: SIM905 (one word list reads better than 54 quoted strings)
)
# The stop words in every mix of cases, so that a token is looked up as it stands instead of lowering a copy
# of it first (only the Kelvin sign lowers to an ASCII letter from outside ASCII, and no stop word holds a k).
_STOP_ANY_CASE = frozenset(
    "".join(cased) for word in _STOP for cased in product(*({c, c.upper()} for c in word))
)
_UNSPACED = 15  # a line with fewer spaces than one per this many characters is unspaced script
_CHARS_PER_WORD = 3  # in unspaced script
_SAMPLE_TOKENS = 24
_PROSE_WORDS = 10  # a line this long ending like a sentence is prose for the neighbourhood features
_NEAR, _FAR = 3, 10  # neighbourhood half-widths, in non-blank lines
MODEL_FILE = "line_model.json"
_WORDS = attrgetter("words")
_OPENING = itemgetter(slice(_SEPARATOR_CHARS))
_FIRST, _LAST, _LAST_SLICE = itemgetter(0), itemgetter(-1), itemgetter(slice(-1, None))


class Shape(NamedTuple):
    """What one non-blank line looks like, measured once: the inputs of every feature."""

    index: int  # position in the page's lines
    words: int
    chars: int
    sentence_end: bool
    strict_end: bool
    stop_ratio: float
    cap_ratio: float
    all_caps: bool
    commas: int
    separator: bool
    colon_end: bool
    starts_lower: bool
    gap_before: bool
    gap_after: bool
    repeats: int

    @property
    def prose(self) -> bool:
        return self.words >= _PROSE_WORDS and self.sentence_end


@dataclass(frozen=True)
class Logistic:
    """A logistic regression over standardised columns."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def predict(self, rows: np.ndarray) -> np.ndarray:
        z = self.bias + ((rows - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


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
        classifier = Logistic(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in data["classifier"].items()}
        )
        return cls(classifier, data["span_cut"], data["keep_cut"], data["gap_words"], data["extend_cut"])


@cache
def shipped_model() -> LineModel:
    """The model in the package (read once per process)."""
    text = resources.files("tasks.parse").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return LineModel.from_json(json.loads(text))


def shapes(lines: Sequence[str]) -> list[Shape]:
    """One Shape per non-blank line, in page order."""
    # Measured a column at a time, map() over all of a page's lines: a Python call per line and measure
    # cost more than the measures themselves (a page has ~150 lines; this is a quarter of the parse time).
    kept = list(compress(count(), lines))
    text = list(filter(None, lines))
    heads, tokens = _split_heads(text)
    chars = list(map(len, text))
    # Chinese, Japanese: no spaces; a few characters make a word
    words = [c // _CHARS_PER_WORD if c > _UNSPACED * t else t for c, t in zip(chars, tokens, strict=True)]
    ends = list(map(_LAST, text))
    sentence_end = list(map(_SENTENCE_END.__contains__, ends))
    before_closers = map(_LAST_SLICE, map(str.rstrip, text, repeat(_CLOSERS)))
    counts = Counter(lines)
    columns = (
        kept,
        words,
        chars,
        sentence_end,
        list(map(and_, sentence_end, map(_FULL_STOPS.__contains__, before_closers))),
        *_head_ratios(heads, words),
        list(map(and_, map(ge, chars, repeat(4)), map(str.isupper, text))),
        list(map(str.count, text, repeat(","))),
        _separated(text),
        list(map(":".__eq__, ends)),
        list(map(str.islower, map(_FIRST, text))),
        *_gaps(kept),
        list(map(counts.__getitem__, text)),
    )
    return list(map(tuple.__new__, repeat(Shape), zip(*columns, strict=True)))  # Shape(*row), no Python call


def _split_heads(text: list[str]) -> tuple[list[list[str]], list[int]]:
    """(first whitespace tokens, number of whitespace tokens) of each line: C-speed, and close enough to words
    for shapes. A long paragraph's tail is counted, not split into strings."""
    heads = list(map(str.split, text, repeat(None), repeat(_SAMPLE_TOKENS)))  # the last item is the rest
    tokens = list(map(len, heads))
    for k in [k for k, n in enumerate(tokens) if n > _SAMPLE_TOKENS]:
        tokens[k] = _SAMPLE_TOKENS + _count_tokens(heads[k].pop())
    return heads, tokens


def _count_tokens(text: str) -> int:
    """Whitespace tokens in a text that opens with one: its single spaces, when they are its only spacing."""
    if text.isprintable() and "  " not in text and not text.endswith(" "):  # no spacing but single " "
        return text.count(" ") + 1
    return len(text.split())


def _separated(text: list[str]) -> list[bool]:
    """Whether each line shows a menu or breadcrumb separator early on (menus and breadcrumbs are short)."""
    # One search over the page's line openings joined, instead of a regex call per line: no separator
    # holds a newline, so every match lies inside one line's opening.
    openings = list(map(_OPENING, text))
    starts = list(accumulate(map(add, map(len, openings), repeat(1)), initial=0))  # each and its newline
    found = [False] * len(text)
    for m in _SEPARATOR.finditer("\n".join(openings)):
        found[bisect_right(starts, m.start()) - 1] = True
    return found


def _head_ratios(heads: list[list[str]], words: list[int]) -> tuple[list[float], list[float]]:
    """(stop_ratio, cap_ratio) of each line: shares of stop words and of capitalised tokens among its first
    tokens (a paragraph's first words tell); no stop ratio under three words."""
    sampled = [len(head) or 1 for head in heads]
    stops = [
        sum(map(_STOP_ANY_CASE.__contains__, head)) / n if w >= 3 else 0.0
        for head, n, w in zip(heads, sampled, words, strict=True)
    ]
    caps = [sum(map(str.isupper, map(_FIRST, head))) / n for head, n in zip(heads, sampled, strict=True)]
    return stops, caps


def _gaps(kept: list[int]) -> tuple[list[bool], list[bool]]:
    """(gap_before, gap_after) of each non-blank line at `kept` positions: a blank line or the page's edge."""
    if not kept:
        return [], []
    gap_before = [True, *map(ne, kept[1:], map(add, kept, repeat(1)))]  # map(): no Python call per line
    return gap_before, [*gap_before[1:], True]


def features(page: Sequence[Shape]) -> np.ndarray:
    """The model's inputs for every line of a page: one row per line, columns as FEATURE_NAMES."""
    width = len(Shape._fields)
    s = np.fromiter(chain.from_iterable(page), float, count=len(page) * width).reshape(len(page), width)
    if not len(page):
        return np.zeros((0, len(FEATURE_NAMES)))
    words, repeated = s[:, 1], s[:, 14] > 1
    prose = (words >= _PROSE_WORDS) & (s[:, 3] > 0)
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
