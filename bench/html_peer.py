"""trafilatura alone on HTML pages: the peer `make eval` and `make bench` put beside newsetl's HTML path.

`bare_extraction(page, with_metadata=True)` with its defaults, on the same decoded pages newsetl's parse
stage gets; its fields mapped onto an article row the way trafilatura means them: `author` is the
authors joined with "; ", `date` an ISO date (htmldate's original date), `text` the main text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tasks import ingest, sources


def decoded_pages(files: Sequence[Path]) -> dict[str, str]:
    """source_uri -> the page's text, read and decoded exactly as newsetl's ingest stage does."""
    documents = ingest.ingest_batch(sources.read_sources([str(f) for f in files])).documents
    return {d.source_uri: d.raw_text for d in documents}


def trafilatura_row(page: str) -> dict[str, Any] | None:
    """One page through trafilatura alone, as an article row (None when it finds no text)."""
    from trafilatura import bare_extraction

    found = bare_extraction(page, with_metadata=True)
    if found is None or not found.text:
        return None
    authors = [a.strip() for a in (found.author or "").split(";") if a.strip()]
    return {"title": found.title, "authors": authors, "published_at": found.date, "body": found.text}


def trafilatura_articles(pages: dict[str, str]) -> dict[str, dict[str, Any]]:
    """source_uri -> trafilatura's article row, for the pages where it found one."""
    rows = {uri: trafilatura_row(page) for uri, page in pages.items()}
    return {uri: row for uri, row in rows.items() if row is not None}


def trafilatura_speed(pages: Sequence[str], min_seconds: float = 2.0) -> float:
    """Pages per second of trafilatura alone, one thread, over decoded pages (a few pages extracted
    before the clock starts, as for newsetl's parse stage)."""
    from trafilatura import bare_extraction

    for page in pages[:5]:
        bare_extraction(page, with_metadata=True)
    done, start = 0, time.process_time()  # CPU seconds: one core's work, whatever else runs
    while (elapsed := time.process_time() - start) < min_seconds or not done:
        for page in pages:
            bare_extraction(page, with_metadata=True)
        done += len(pages)
    return done / elapsed
