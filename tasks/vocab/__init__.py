"""The vocabularies the parsing and enrichment rules read: one data file per concept, in this folder.

Each `<name>.txt` is plain text, one entry per line, `#` starting a comment; its header says what the
list is for and why its entries hold for news in general, not for one page or corpus. An entry is a word
or a phrase, or (in the files whose header says so) a word and its forms on one line ("September Sept
Sep"), or a key and its value ("US United States"). The rules' shapes (anchors, optional parts, what may
stand around a word) stay in the code; the words they alternate over come from here. Read once per process.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def words(name: str) -> tuple[str, ...]:
    """The entries of `<name>.txt`, in file order, comments and blank lines left out."""
    try:
        text = resources.files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise KeyError(f"no vocabulary file {name}.txt in {__name__}") from exc
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(" ".join(line.split()) for line in lines if line)


def forms(name: str) -> tuple[tuple[str, ...], ...]:
    """Each entry's whitespace-separated forms ("September Sept Sep" -> ("September", "Sept", "Sep"))."""
    return tuple(tuple(entry.split()) for entry in words(name))


def mapping(name: str) -> dict[str, str]:
    """key -> value of entries written "key value" (the key is the first word; the value is the rest)."""
    pairs = (entry.split(" ", 1) for entry in words(name))
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def keyed(name: str) -> dict[str, str]:
    """value -> key of entries written "key value", for files where one key has many values: the rest of
    the line is what its first word names ("GB Northern Ireland" -> {"Northern Ireland": "GB"})."""
    pairs = (entry.split(" ", 1) for entry in words(name))
    return {pair[1]: pair[0] for pair in pairs if len(pair) == 2}


def alternation(entries: tuple[str, ...] | list[str], spaced: bool = False) -> str:
    """A regex alternation matching each entry literally, longest first (so that a longer phrase wins over
    its opening word); with `spaced`, a space in an entry matches any run of white space and a hyphen a
    hyphen or white space ("Agence France-Presse", "Agence France Presse")."""
    escaped = (re.escape(e) for e in sorted(entries, key=len, reverse=True))
    if spaced:
        escaped = (e.replace("\\ ", r"\s+").replace("\\-", r"[\s-]") for e in escaped)
    return "|".join(escaped)


def lower_cased(folding: re.Pattern[str], lower: re.Pattern[str], text: str) -> tuple[re.Pattern[str], str]:
    """(pattern, text) to search: the case-sensitive pattern over the lower-cased text when lowering keeps
    every offset (it does but for a few letters such as "İ"), else the re.I pattern over the text."""
    folded = text.lower()
    return (lower, folded) if len(folded) == len(text) else (folding, text)
