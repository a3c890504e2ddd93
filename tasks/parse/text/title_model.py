"""The headline above an article body, chosen among the lines above it by a small learned ranker.

Every non-blank line from a little above the body down to its first line is a candidate; each gets a
probability of being the headline from a logistic model over its shape (length, case, punctuation,
digits, stop words), its position (distance to the body, to the page's top, whether a byline or a date
stands between it and the body), how the page treats it (repeated, quoted in other short lines) and the
hand score of tasks.parse.text.heading; the most probable wins, unless it is the standfirst under a
headline scored nearly as high (TitleModel.choice). The weights ship as `title_model.json`,
trained by `bench/train_titles.py` on gold titles and on the headlines pages declare in their HTML where
their text prints that line; nothing here knows any site's words.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from math import log, log1p

import numpy as np

from tasks.parse.text import heading
from tasks.parse.text.blocks import Logistic, Shape

MODEL_FILE = "title_model.json"
ABOVE = 40  # non-blank lines above the body's first line that may hold the headline
_QUOTE_MAX_CHARS = 300  # lines that quote a headline (share text, breadcrumbs, captions) are short
_ECHO_MIN_WORDS = 4  # a shorter line is found inside other lines by chance
_NEAR = 3  # lines either side where other headline-shaped lines make a list of teasers
_BODY_LINES = 12  # the body's first lines, whose words a headline shares (a menu, a teaser, a site name not)
_WORD = re.compile(r"\w{3,}")
_GLUED_MIN_WORDS = 3  # a shorter line ends a longer one by chance
_ELLIPSES = ("...", "…")  # what a teaser prints where it cuts a headline short
# A headline over its standfirst: a headline-shaped line of this many words or more (a kicker is shorter)
# right above a line longer by this many words, the standfirst or dek that sums the article up.
_OVER_STANDFIRST_MIN_WORDS = 4
_STANDFIRST_MORE_WORDS = 4
# A web address in a line ("example.com", "Example.co.uk"): a site's name or a link, not a headline.
_WEB_ADDRESS = re.compile(r"\w\.(?:[a-z]{2,3}\.)?[a-z]{2,4}\b(?![.\w])")
FEATURE_NAMES = (
    "log_words",
    "few_words",
    "many_words",
    "log_chars",
    "full_stop",
    "sentence_end",
    "colon_end",
    "separator",
    "all_caps",
    "cap_ratio",
    "stop_ratio",
    "starts_lower",
    "repeated",
    "digit_share",
    "log_distance",
    "right_above",
    "log_from_top",
    "furniture_between",
    "furniture_after",
    "is_furniture",
    "prose_probability",
    "echoes",
    "no_hand_score",
    "hand_score",
    "gap_before",
    "gap_after",
    "hand_choice",
    "hand_score_below_best",
    "words_below_most",
    "next_prose_probability",
    "next_log_words",
    "previous_log_words",
    "shaped_neighbours",
    "log_lines_to_furniture",
    "furniture_within_two_below",
    "top_of_headline_run",
    "beyond_the_window",
    "body_word_share",
    "web_address",
)


@dataclass(frozen=True)
class Hidden:
    """A few tanh units over the ranker's standardised columns, their sum added to its linear score: what
    one feature says that depends on another (a short line over a longer headline-shaped one is a kicker,
    a long one under it a standfirst), which a linear score cannot say."""

    weights: tuple[tuple[float, ...], ...]  # one row of column weights per unit
    biases: tuple[float, ...]
    out: tuple[float, ...]  # each unit's weight in the score

    @classmethod
    def from_json(cls, fields: dict) -> Hidden:
        return cls(tuple(map(tuple, fields["weights"])), tuple(fields["biases"]), tuple(fields["out"]))

    def score(self, standard: np.ndarray) -> np.ndarray:
        """The units' part of the score of rows already standardised."""
        return np.tanh(standard @ np.asarray(self.weights).T + np.asarray(self.biases)) @ np.asarray(self.out)


@dataclass(frozen=True)
class TitleModel:
    """The headline ranker: a linear score over the candidates' features, plus the hidden units' when the
    model has them; a page's most probable candidate is the one with the highest score, unless it stands
    right under a shorter headline-shaped line that scores within `standfirst_margin` of it (`choice`)."""

    classifier: Logistic
    hidden: Hidden | None = None
    standfirst_margin: float = 0.0  # 0: the best scored candidate always

    @classmethod
    def from_json(cls, data: dict) -> TitleModel:
        hidden = data.get("hidden")
        return cls(
            Logistic.from_json(data["classifier"]),
            None if hidden is None else Hidden.from_json(hidden),
            float(data.get("standfirst_margin", 0.0)),
        )

    def choice(self, rows: np.ndarray, over: Callable[[int], int | None]) -> int:
        """Which candidate (a row) is the headline: the best scored, or the line `over(best)` names right
        above it (the headline over its standfirst, `standfirst_under`) when that scores within
        `standfirst_margin` of it: a standfirst is longer and shares more of the body's words than its
        headline, so the ranker's score leans to it where the two are close."""
        scores = self.scores(rows)
        best = int(np.argmax(scores))
        above = over(best) if self.standfirst_margin > 0 else None
        return above if above is not None and scores[best] - scores[above] < self.standfirst_margin else best

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """One score per row (a candidate): the softmax over a page's scores is its headline's probability."""
        c = self.classifier
        standard = (rows - np.asarray(c.mean)) / np.asarray(c.scale)
        linear = c.bias + standard @ np.asarray(c.weights)
        return linear if self.hidden is None else linear + self.hidden.score(standard)


@cache
def shipped_model() -> TitleModel:
    """The model in the package (read once per process)."""
    text = resources.files("tasks.parse.text").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return TitleModel.from_json(json.loads(text))


def candidates(body_first: int, hand: int | None = None) -> tuple[int, ...]:
    """Positions in the page of the lines the headline may be: those a little above the body, and the hand
    rules' choice `hand` when it stands further up (a headline the page quotes in its share text or
    breadcrumb, above a long run of widgets)."""
    near = range(max(0, body_first - ABOVE), body_first)
    return (hand, *near) if hand is not None and hand < near.start else tuple(near)


def ranked(
    lines: Sequence[str], page: Sequence[Shape], probs: Sequence[float], body_first: int
) -> tuple[tuple[int, ...], np.ndarray]:
    """(the candidates, one feature row per candidate with columns as FEATURE_NAMES)."""
    choice = heading.headline_at(lines, page, body_first)
    at = candidates(body_first, choice)
    return at, _rows(lines, page, probs, body_first, at, choice)


def features(
    lines: Sequence[str], page: Sequence[Shape], probs: Sequence[float], body_first: int
) -> np.ndarray:
    """One row per candidate (as `ranked`), columns as FEATURE_NAMES."""
    return ranked(lines, page, probs, body_first)[1]


def _rows(
    lines: Sequence[str],
    page: Sequence[Shape],
    probs: Sequence[float],
    body_first: int,
    at: tuple[int, ...],
    choice: int | None,
) -> np.ndarray:
    """The feature rows of `at`, read off every line from the first candidate down to the body."""
    span = range(at[0], body_first) if at else range(0)
    quoting = "\n".join({lines[s.index] for s in page if s.chars <= _QUOTE_MAX_CHARS})
    furniture = [heading.is_header_furniture(lines[page[k].index]) for k in span]
    hands = [heading._headline_score(lines[page[k].index], page[k]) for k in span]
    best_hand = max((h for h in hands if h is not None), default=0.0)
    most_words = max((page[k].words for k, h in zip(span, hands, strict=True) if h is not None), default=1)
    shaped = np.array([h is not None for h in hands], dtype=float)
    total = np.concatenate([[0.0], np.cumsum(shaped)])
    ends = np.arange(len(span))
    lows, highs = np.maximum(ends - _NEAR, 0), np.minimum(ends + _NEAR + 1, len(span))
    neighbours = total[highs] - total[lows] - shaped  # headline-shaped lines around: a list of teasers
    below = [j for j, f in enumerate(furniture) if f]
    opening = "\n".join(lines[b.index] for b in page[body_first : body_first + _BODY_LINES])
    body_words = set(_WORD.findall(opening.casefold()))
    last_below = below[-1] if below else -1
    rows = []
    for k in at:  # the rows of the candidates only (the lines between a far hand choice and the rest not)
        j = k - span.start
        s, line, hand = page[k], lines[page[k].index], hands[j]
        ahead = bisect_right(below, j)  # the first furniture line under this one, in `below`
        echoes = quoting.count(line) - 1 if s.words >= _ECHO_MIN_WORDS and s.chars <= _QUOTE_MAX_CHARS else 0
        rows.append(
            (
                log1p(s.words),
                s.words <= 3,
                s.words > 20,
                log1p(s.chars),
                s.strict_end,
                s.sentence_end,
                s.colon_end,
                s.separator,
                s.all_caps,
                s.cap_ratio,
                s.stop_ratio,
                s.starts_lower,
                log(s.repeats),
                heading._digits(line) / s.chars,
                log1p(body_first - k),
                k == body_first - 1,
                log1p(k),
                last_below > j,  # furniture anywhere under it
                j + 1 < len(furniture) and furniture[j + 1],
                furniture[j],
                probs[k],
                log1p(max(echoes, 0)),
                hand is None,
                hand or 0.0,
                s.gap_before,
                s.gap_after,
                k == choice,
                best_hand - (hand or 0.0),
                log1p(max(most_words - s.words, 0)),
                probs[k + 1],
                log1p(page[k + 1].words),
                log1p(page[k - 1].words) if k else 0.0,
                neighbours[j],
                log1p(below[ahead] - j if ahead < len(below) else len(span) - j + _NEAR),
                any(furniture[j + 1 : j + 3]),
                hand is not None
                and j + 1 < len(span)
                and hands[j + 1] is not None
                and not (j and hands[j - 1] is not None),
                k < body_first - ABOVE,
                _shared(line, body_words),
                "." in line and _WEB_ADDRESS.search(line) is not None,
            )
        )
    return np.array(rows, dtype=float).reshape(len(rows), len(FEATURE_NAMES))


def _shared(line: str, words: set[str]) -> float:
    """The share of a line's words that the body's first lines use too."""
    own = _WORD.findall(line.casefold())
    return sum(map(words.__contains__, own)) / len(own) if own else 0.0


def headline_at(
    lines: Sequence[str],
    page: Sequence[Shape],
    probs: Sequence[float],
    body_first: int,
    model: TitleModel | None = None,
) -> int | None:
    """Position in `page` of the most probable headline for the body starting at `body_first` (the page's
    own line of it when that line has something glued to it or cuts it short); None when nothing stands
    above the body."""
    if not body_first:
        return None
    at, rows = ranked(lines, page, probs, body_first)
    best = at[(model or shipped_model()).choice(rows, lambda j: standfirst_under(lines, page, at, j))]
    return _uncut(lines, page, _unglued(lines, page, best))


def standfirst_under(lines: Sequence[str], page: Sequence[Shape], at: Sequence[int], j: int) -> int | None:
    """The candidate right above candidate `j` (its index in `at`) when `j` may be that line's standfirst:
    the line above is headline-shaped and of a few words at least (not a kicker), and `j` is longer by a
    few words and not a byline or a date; None otherwise."""
    if not j or at[j - 1] != at[j] - 1:
        return None
    over, under = page[at[j - 1]], page[at[j]]
    if over.words < _OVER_STANDFIRST_MIN_WORDS or under.words < over.words + _STANDFIRST_MORE_WORDS:
        return None
    if heading.is_header_furniture(lines[under.index]):
        return None
    return j - 1 if heading._headline_score(lines[over.index], over) is not None else None


def _unglued(lines: Sequence[str], page: Sequence[Shape], k: int) -> int:
    """`k`, or the line next to it that `k` ends with, run into what precedes it without a space, when the
    page prints that line on its own too: the headline, with a breadcrumb, a date or a kicker glued to it
    in `k` ("HomeNews<headline>"). A kicker printed with a space ("Italy: <headline>") stays."""
    line = lines[page[k].index]
    for n in (k + 1, k - 1, k + 2, k - 2):
        if 0 <= n < len(page) and page[n].words >= _GLUED_MIN_WORDS:
            other = lines[page[n].index]
            if len(other) < len(line) and line.endswith(other) and not line[-len(other) - 1].isspace():
                return n
    return k


def _uncut(lines: Sequence[str], page: Sequence[Shape], k: int) -> int:
    """`k`, or the first line of the page that prints in full what `k` cuts short with an ellipsis: a
    teaser's copy of the headline ("Storm floods the valley towns after..."), where the page prints the
    whole headline too (a headline's few words to a few dozen, not a paragraph that opens with them)."""
    line = lines[page[k].index]
    cut = next((line.removesuffix(e).rstrip() for e in _ELLIPSES if line.endswith(e)), None)
    if cut is None or len(cut.split()) < _GLUED_MIN_WORDS:
        return k
    whole = (
        n
        for n, s in enumerate(page)
        if s.words <= heading.HEADLINE_MAX_WORDS
        and len(other := lines[s.index]) > len(cut)
        and other.startswith(cut)
        and not other.endswith(_ELLIPSES)
    )
    return next(whole, k)
