"""One document's failure stays its own: run a batch step whole, and only when it raises, find who broke it.

`isolated(items, step)` runs `step` over all items at once (the fast path: one nlp.pipe, one GX run). When
that raises, it runs the two halves, and so on down to single items: every part that succeeds keeps its
results, and each item that fails on its own is returned with its exception. One bad item costs about
one more pass over the batch; a step that fails for every item costs log2(batch) passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def isolated(
    items: Sequence[T],
    step: Callable[[Sequence[T]], list[R]],
    reraise: tuple[type[Exception], ...] = (),
) -> tuple[list[R], list[tuple[T, Exception]]]:
    """(results of every part that ran, [(item, exception)] for each item that failed alone).

    Exceptions of the `reraise` types are not an item's fault (a failed critical expectation fails its
    whole batch): they propagate at once."""
    if not items:
        return [], []
    try:
        return step(items), []
    except reraise:
        raise
    except Exception as exc:
        if len(items) == 1:
            return [], [(items[0], exc)]
    middle = len(items) // 2
    left, left_failed = isolated(items[:middle], step, reraise)
    right, right_failed = isolated(items[middle:], step, reraise)
    return left + right, left_failed + right_failed


def describe(exc: BaseException) -> str:
    """An exception as a quarantine detail: its type and message, cut to a readable length."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 500 else text[:499] + "…"
