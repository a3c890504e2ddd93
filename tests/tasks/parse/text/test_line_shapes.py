"""Line shapes: the fast paths (case variants of stop words, a paragraph's tail counted by its spaces, one
search for separators) give what the plain definitions give."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.parse.text.line_shapes import (
    _SEPARATOR,
    _SEPARATOR_CHARS,
    _STOP,
    _STOP_ANY_CASE,
    _separated,
    _split_heads,
)


def test_stop_words_in_any_case_are_exactly_those_lowering_to_a_stop_word() -> None:
    assert {word.lower() for word in _STOP_ANY_CASE} == _STOP
    assert {"The", "THE", "tHe"} <= _STOP_ANY_CASE and "Thé" not in _STOP_ANY_CASE
    # A character from outside ASCII lowering to a letter of a stop word would be missed by the table.
    lowering_to_ascii = {chr(c).lower() for c in range(0x80, 0x110000) if chr(c).lower().isascii()}
    assert not lowering_to_ascii & set("".join(_STOP))


_SPACING = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", " \n "])
_TOKEN = st.sampled_from(["word", "The", "a", "x.", "—", "42"])


@given(
    st.lists(st.tuples(_TOKEN, _SPACING), min_size=1, max_size=60)
    | st.lists(st.tuples(_TOKEN, _SPACING), min_size=25),
    _SPACING,
)
def test_split_heads_are_the_first_tokens_and_count_them_all(pairs: list[tuple[str, str]], tail: str) -> None:
    line = "".join(token + space for token, space in pairs)
    line = line.rstrip() + (tail if len(pairs) % 2 else "")  # with and without trailing spacing
    heads, tokens = _split_heads([line])
    assert heads == [line.split()[:24]] and tokens == [len(line.split())]


@pytest.mark.parametrize("spacing", [" ", "  ", "\t", "\u00a0", " \u3000"])
@pytest.mark.parametrize("end", ["", " "])
def test_a_long_paragraphs_tail_is_counted_whatever_its_spacing(spacing: str, end: str) -> None:
    line = " ".join(["word"] * 30) + spacing.join(["", "tail", "of", "it"]) + end
    assert _split_heads([line]) == ([["word"] * 24], [len(line.split())])


@given(
    st.lists(
        st.integers(0, 205).map(lambda n: "x" * n + " | " + "y" * (n % 7)) | st.text(max_size=30), max_size=8
    )
)
def test_separators_are_found_in_each_lines_opening_only(text: list[str]) -> None:
    expected = [_SEPARATOR.search(line, 0, _SEPARATOR_CHARS) is not None for line in text]
    assert _separated(text) == expected
