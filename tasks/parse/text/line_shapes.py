"""The shape of each line of a page of text: what the line classifier of tasks.parse.text.blocks reads.

Measured a column at a time, map() over all of a page's lines: a Python call per line and measure cost
more than the measures themselves (a page has ~150 lines; this is a quarter of the parse time).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate, compress, count, product, repeat
from operator import add, and_, ge, itemgetter, ne
from typing import NamedTuple

from tasks import vocab

# Full stops of other scripts too: Devanagari and Bengali danda, Armenian, Arabic and Urdu, Ethiopic, Myanmar.
_SCRIPT_STOPS = "।॥։؟۔።፧။"
_SENTENCE_END = frozenset(f".!?…\"'”’)]:;。！？」{_SCRIPT_STOPS}")
_CLOSERS = "\"'”’)]"
_FULL_STOPS = frozenset(f".!?…{_SCRIPT_STOPS}")
_SEPARATOR = re.compile(r" [|·•/»>] ")  # "Home | World", "News · Politics": menus and breadcrumbs
_SEPARATOR_CHARS = 200
# English function words: their density tells running text from labels and lists.
_STOP = frozenset(vocab.words("stop_words"))
# The stop words in every mix of cases, so that a token is looked up as it stands instead of lowering a copy
# of it first (only the Kelvin sign lowers to an ASCII letter from outside ASCII, and no stop word holds a k).
_STOP_ANY_CASE = frozenset(
    "".join(cased) for word in _STOP for cased in product(*({c, c.upper()} for c in word))
)
_UNSPACED = 15  # a line with fewer spaces than one per this many characters is unspaced script
_CHARS_PER_WORD = 3  # in unspaced script
_SAMPLE_TOKENS = 24
PROSE_WORDS = 10  # a line this long ending like a sentence is prose for the neighbourhood features
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
        return self.words >= PROSE_WORDS and self.sentence_end


def shapes(lines: Sequence[str]) -> list[Shape]:
    """One Shape per non-blank line, in page order."""
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
