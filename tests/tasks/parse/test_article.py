"""An article's word count: whitespace tokens holding a letter or digit, whatever the script or spacing."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tasks.parse.article import content_hash, measures, word_count

# The definition, as a regex: a run of non-space opening with non-word marks, then a letter or digit.
_WORD = re.compile(r"[^\s\w]*[^\W_][^\s]*")
_PIECES = st.sampled_from(
    [" ", "\t", "\n", "\u00a0", "\u3000", "_", "-", "—", ".", "'", "“", "|", "U.S.", "42.7"]
)


def test_words_are_tokens_with_a_letter_or_digit() -> None:
    assert word_count("By — Jane Doe | 42.7 per cent of U.S. voters ... _ -") == 9


@given(st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=30).map("".join))
def test_word_count_agrees_with_the_regex_definition(text: str) -> None:
    assert word_count(text) == len(_WORD.findall(text))


@given(st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=30).map("".join))
def test_measures_are_the_word_count_and_hash(text: str) -> None:
    assert measures(text) == (word_count(text), content_hash(text))
    assert content_hash(text) == content_hash(" \n".join(text.upper().split()).lower()) or not text.isascii()
