"""What every parser shares: the error that says a record holds no article, and an article's measures."""

from __future__ import annotations

import hashlib
import re
from operator import itemgetter

_FIRST = itemgetter(0)
_NOT_ALNUM = re.compile(r"[\W_]")  # a character str.isalnum() refuses: re's \w is alphanumerics and "_"


class ParseError(ValueError):
    """The record holds no article; reason_code is the quarantine reason."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.reason_code = reason_code


def word_count(text: str) -> int:
    """Whitespace-separated tokens holding a letter or digit ("42.7" and "U.S." are one word each)."""
    return _words_in(text.split())


def content_hash(body: str) -> str:
    """sha256 hex of the body with case and whitespace folded: equal for the same story re-scraped."""
    return _hash_of(body.split())


def measures(body: str) -> tuple[int, str]:
    """(word_count, content_hash) of a body, from one split of it."""
    tokens = body.split()
    return _words_in(tokens), _hash_of(tokens)


def _words_in(tokens: list[str]) -> int:
    # Nearly every token opens with a letter or digit: only the others are looked at whole, found by one
    # search over the tokens' first characters (a regex finding the words cost three times as much).
    firsts = "".join(map(_FIRST, tokens))
    others = (tokens[m.start()] for m in _NOT_ALNUM.finditer(firsts))
    return len(tokens) - sum(1 for token in others if not any(map(str.isalnum, token)))


def _hash_of(tokens: list[str]) -> str:
    return hashlib.sha256(" ".join(tokens).casefold().encode("utf-8")).hexdigest()
