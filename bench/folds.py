"""Folds for held-out figures: every development corpus is split by group (a page's site, a wire story's
day or topic), so a weight learned or a threshold tuned is always scored on groups it was not fitted on.

A group's fold is a hash of its key, so it never moves when pages are added or the corpus is re-read, and
two runs (or two tools: bench/train_*.py and `make eval`) agree on it without sharing state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

K = 5  # folds per corpus: each held-out fold is a fifth of the sites
T = TypeVar("T")


def fold_of(group: str, k: int = K) -> int:
    """The fold (0..k-1) of a group key: stable across runs, machines and Python versions."""
    return int.from_bytes(hashlib.sha1(group.encode("utf-8")).digest()[:8], "big") % k


def split(
    items: Iterable[T], group: Callable[[T], str], k: int = K
) -> Iterator[tuple[int, list[T], list[T]]]:
    """(fold, the items of the other folds to fit on, the fold's items to score on), for every fold."""
    items = list(items)
    for f in range(k):
        yield (
            f,
            [x for x in items if fold_of(group(x), k) != f],
            [x for x in items if fold_of(group(x), k) == f],
        )


def site_of(url: str) -> str:
    """A page's site: its URL's host without "www." (how shared/corpora/web splits its halves)."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    return host.removeprefix("www.")
