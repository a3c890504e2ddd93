from __future__ import annotations

import pytest

from tasks.parse.names import is_capitalised_word, is_name, parse_names


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Jane Doe and John Roe, Staff Writers", ("Jane Doe", "John Roe")),  # "and", job titles dropped
        ("Jane Doe April 25, 2023", ("Jane Doe",)),  # a trailing date
        ("Jane Doe, updated April 25", ("Jane Doe",)),  # ... also without its year
        ("Jane Doe - 2016-02-01 08:00 GMT", ("Jane Doe",)),
        ("Jane Doe, Reuters and Staff Writer", ("Jane Doe",)),
        ("Jane Doe Transport editor", ("Jane Doe",)),  # a topic word before a lower-case title is the title's
        ("Jane Doe Europe Correspondent", ("Jane Doe",)),  # ... and a place before one
        ("Jane Mary Doe Staff Writer", ("Jane Mary Doe",)),  # a capitalised name word before one stays
    ],
)
def test_names_in_a_byline(text: str, people: tuple[str, ...]) -> None:
    names = parse_names(text)
    assert names is not None and names[0] == people


@pytest.mark.parametrize(
    "text", ["Jane Doe", "Marie de la Tour", "J.R. Smith", "CHRIS WILSON-SMITH", "Al Root"]
)
def test_name_shapes(text: str) -> None:
    assert is_name(text)


@pytest.mark.parametrize(
    "text",
    [
        "Jane",
        "Staff Writer",
        "Getty Images",
        "and John",
        "Jane Doe said",
        "A B C D E F",
        "New Delhi",
        "AUTO NEWS",
        "Example's Aircraft",  # a possessive
        "Redaktion Example.de",  # a web address
        "JANE DOEToday",  # a name in capitals run onto the next word
    ],
)
def test_not_name_shapes(text: str) -> None:
    assert not is_name(text)


@pytest.mark.parametrize(
    "word",
    [
        "Jane",
        "O'Neil",
        "D’Arcy",
        "Wilson-Smith",
        "J.R.",
        "Émile",
        "Ørsted",
        "jane",
        "",
        "'Jane",
        "Jane2",
        "Jane²",
        "Ⅻ",
        "ǅemal",
        "Jane_Doe",
        "J..",
        "A-",
        "Ж",
    ],
)
def test_capitalised_word_is_the_per_character_rule(word: str) -> None:
    # the one-pass form must say what a test of every character says, superscript digits and
    # title-case letters included
    by_character = word[:1].isupper() and all(ch.isalpha() or ch in "'’-." for ch in word)
    assert is_capitalised_word(word) == by_character
