"""What every parser shares: the error that says a record holds no article, and an article's measures."""

from __future__ import annotations

import hashlib
import re

_WORD_TOKEN = re.compile(r"[^\s\w]*[^\W_][^\s]*")  # a run of non-space holding a letter or digit


class ParseError(ValueError):
    """The record holds no article; reason_code is the quarantine reason."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.reason_code = reason_code


def word_count(text: str) -> int:
    """Whitespace-separated tokens holding a letter or digit ("42.7" and "U.S." are one word each)."""
    return len(_WORD_TOKEN.findall(text))


def content_hash(body: str) -> str:
    """sha256 hex of the body with case and whitespace folded: equal for the same story re-scraped."""
    return hashlib.sha256(" ".join(body.split()).casefold().encode("utf-8")).hexdigest()
