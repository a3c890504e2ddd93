"""web/dates/text as a development corpus of the text path: 483 pages of ~470 sites the hand rules were
never written for, each with its gold publication date, and a silver headline from its HTML.

The silver headline is what the page declares for itself (the JSON-LD article's headline, og:title,
twitter:title, an <h1>), taken only where a line of the page's text is that declaration
(compared as bench.scoring compares titles): the text holds the headline and we know which line it is.
A page whose text holds none of them has no title gold. Gold rows have bench.scoring's form: `doc` (the
text file's stem), `url`, `site`, `published_at` (the gold day, or None: nothing is to be predicted),
and `title` where a silver one is found.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from trafilatura import load_html

from bench import scoring
from bench.folds import site_of
from tasks.ingest import decode_text
from tasks.parse.html.meta import PageMeta, page_meta
from tasks.parse.text import text_lines

NAME = "web/dates/text"
_MIN_WORDS = 2


def files(root: Path) -> list[Path]:
    """The rendered text pages (those of gold pages that rendered offline)."""
    return sorted((root / "web" / "dates" / "text").glob("*.txt"))


@cache
def gold(root: Path) -> list[dict[str, Any]]:
    """One gold row per rendered text page (a file annotated under two URLs counts once: its first)."""
    rows: dict[str, dict[str, Any]] = {}
    for line in (root / "web" / "dates" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        doc = g["file"].removesuffix(".html")
        text_file = root / "web" / "dates" / "text" / f"{doc}.txt"
        if doc in rows or not text_file.exists():
            continue
        row = {"doc": doc, "url": g["url"], "site": site_of(g["url"]), "published_at": g["date"]}
        title = silver_title(root / "web" / "dates" / "html" / f"{g['file']}.gz", text_file)
        if title is not None:
            row["title"] = title
        rows[doc] = row
    return list(rows.values())


def silver_title(html_file: Path, text_file: Path) -> str | None:
    """The headline the HTML declares, as the line of the text that prints it; None when no line does."""
    lines = {
        scoring.normal(line): line for line in text_lines(decode_text(text_file.read_bytes())[0]) if line
    }
    for declared in declared_titles(_meta(html_file)):
        if (line := lines.get(scoring.normal(declared))) is not None:
            return line
    return None


def declared_titles(meta: PageMeta) -> list[str]:
    """The headlines a page declares, most specific first (not <title>, which carries the site's name, nor
    a one-word declaration: "Loading", a site's name in an <h1>)."""
    named = (meta.headline, meta.first("og:title"), meta.first("twitter:title"))
    return [t for t in (*named, *meta.h1s) if t and len(t.split()) >= _MIN_WORDS]


def _meta(html_file: Path) -> PageMeta:
    tree = load_html(decode_text(gzip.decompress(html_file.read_bytes()))[0])  # as tasks.parse.html reads
    return page_meta(tree) if tree is not None else PageMeta({}, (), ())
