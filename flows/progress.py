"""A rich progress bar on a terminal; nothing when output goes to a file or a pipe."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(total: int | None, description: str) -> Iterator[Callable[[int], None]]:
    """Yields advance(n); draws a bar on stderr only when stderr is a terminal (`total` None: a count
    with no end known, as records streaming out of their files)."""
    if not sys.stderr.isatty() or total == 0:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with _quiet_console_logs(), Progress(*columns, console=Console(stderr=True)) as progress:
        bar = progress.add_task(description, total=total)
        yield lambda n: progress.advance(bar, n)


@contextmanager
def _quiet_console_logs(level: int = logging.WARNING) -> Iterator[None]:
    """Keep per-task INFO lines off the terminal while the bar draws; Prefect's API still gets them all."""
    handlers = [h for h in logging.getLogger().handlers if type(h).__name__ == "PrefectConsoleHandler"]
    levels = [h.level for h in handlers]
    for handler in handlers:
        handler.setLevel(max(level, handler.level))
    try:
        yield
    finally:
        for handler, old in zip(handlers, levels, strict=True):
            handler.setLevel(old)
