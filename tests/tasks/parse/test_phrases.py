"""Phrases: the ASCII fast path finds exactly what the case-insensitive pattern finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.parse.phrases import Phrases

PATTERN = r"\bshare\s+(?:this|on)\b|news\ ?letter|^©|^error\ 404\b|k\w+s\b"
_PIECES = st.sampled_from(
    ["Share", "THIS", "on", "News", "Letter", "©", "error", "404", "Kits", "kIts", " ", "-"]
)
_LINES = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=12).map("".join)


@given(_LINES)
def test_same_answers_as_the_case_insensitive_pattern(line: str) -> None:
    phrases, reference = Phrases.compile(PATTERN, re.X), re.compile(PATTERN, re.I | re.X)
    assert phrases.search(line) == (reference.search(line) is not None)
    assert phrases.count(line) == len(reference.findall(line))


def test_case_folds_beyond_ascii_still_match() -> None:
    phrases = Phrases.compile(PATTERN, re.X)
    assert phrases.search("Our NEWSLETTER")
    assert phrases.search("\u212aits")  # the Kelvin sign folds to k: the line is not ASCII, searched as is
    assert phrases.count("Share this, share on") == 2
    assert not phrases.search("Shared this")


def test_a_pattern_with_capitals_is_refused() -> None:
    with pytest.raises(ValueError, match="lowercase"):
        Phrases.compile(r"\bShare\b")


@given(_LINES)
def test_match_answers_as_the_case_insensitive_pattern_at_the_start(line: str) -> None:
    phrases, reference = Phrases.compile(PATTERN, re.X), re.compile(PATTERN, re.I | re.X)
    assert phrases.match(line) == (reference.match(line) is not None)
