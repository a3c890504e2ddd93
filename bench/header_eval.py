"""`python -m bench.header_eval`: bylines and publication dates alone, on the development corpora's gold.

The header functions are scored without the body finder: on the 22 pages of `pages/gold.jsonl` that have
a title, the headline is the line equal to the gold title (the last such line above the body, or one the
gold title starts) and the body starts at the line where the gold body's first paragraph does; on
`wire/docs`, the headline is line 0, the body starts after the dateline line (`CITY YYYY-MM-DD`), and a
line between the two is the byline (a bare name), so wire authors are scored too (none expected elsewhere).
Shares use bench.scoring's definitions (authors as an exact set, dates by calendar day).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import scoring
from bench.evaluate import CORPORA, _wire_gold
from tasks.parse.dates import find_published
from tasks.parse.text import text_lines
from tasks.parse.text.byline import find_authors


@dataclass(frozen=True)
class Case:
    """One page with its header positions and gold: authors (None when unknown) and the gold day."""

    doc: str
    lines: list[str]
    title_at: int
    body_at: int
    authors: list[str] | None
    published: str | None


def page_cases(root: Path = CORPORA) -> list[Case]:
    """The gold pages with a title, their headline and body lines located from the gold text."""
    cases = []
    for row in map(json.loads, (root / "pages" / "gold.jsonl").read_text(encoding="utf-8").splitlines()):
        if not row.get("title"):
            continue
        lines = text_lines((root / "pages" / "text" / f"{row['doc']}.txt").read_text(encoding="utf-8"))
        body_at = _body_line(lines, row["body"].split("\n")[0].strip())
        title_at = _title_line(lines, row["title"], body_at)
        if body_at == len(lines):  # the page's text is another revision of the gold: its first long line
            body_at = next(
                (i for i in range(title_at + 1, len(lines)) if len(lines[i].split()) >= 20), body_at
            )
        cases.append(Case(row["doc"], lines, title_at, body_at, row["authors"], row["published_at"]))
    return cases


def wire_cases(root: Path = CORPORA) -> list[Case]:
    """The wire stories with a dateline date: headline line 0, body from the line after the dateline."""
    cases = []
    for row in _wire_gold(root):
        if "dateline_date" not in row:
            continue
        lines = text_lines((root / "wire" / "docs" / row["doc"]).read_text(encoding="utf-8"))
        at = next(i for i, line in enumerate(lines) if line.endswith(row["dateline_date"]))
        body_at = next((i for i in range(at + 1, len(lines)) if lines[i]), at + 1)
        above = [i for i in range(1, at) if lines[i]]
        # A line between headline and a `CITY YYYY-MM-DD` dateline is the story's byline, a bare name.
        byline = [lines[above[-1]]] if above and lines[at] != row["dateline_date"] else []
        cases.append(Case(row["doc"], lines, 0, body_at, byline, row["dateline_date"]))
    return cases


def _body_line(lines: list[str], first: str) -> int:
    key = scoring.normal(first)[:40]
    return next((i for i, line in enumerate(lines) if line and scoring.normal(line)[:40] == key), len(lines))


def _title_line(lines: list[str], title: str, body_at: int) -> int:
    key = scoring.normal(title)
    hits = [i for i, line in enumerate(lines[:body_at]) if line and scoring.normal(line).startswith(key)]
    return hits[-1] if hits else 0


def score(cases: list[Case]) -> dict[str, Any]:
    """Authors exact-set share, date same-day share, and the misses of each, over `cases`."""
    authors_hit, date_hit, misses = 0, 0, []
    authors_n = sum(c.authors is not None for c in cases)
    start = time.perf_counter()
    found = [
        (find_authors(c.lines, c.title_at, c.body_at), find_published(c.lines, c.title_at, c.body_at))
        for c in cases
    ]
    per_page_ms = (time.perf_counter() - start) * 1000 / max(1, len(cases))
    for case, (authors, when) in zip(cases, found, strict=True):
        a_ok = case.authors is None or scoring.author_set(authors) == scoring.author_set(case.authors)
        d_ok = scoring.day_of(when) == scoring.day_of(case.published)
        authors_hit += case.authors is not None and a_ok
        date_hit += d_ok
        if not (a_ok and d_ok):
            misses.append(
                {
                    "doc": case.doc,
                    "authors": authors,
                    "gold_authors": case.authors,
                    "date": str(when),
                    "gold_date": case.published,
                }
            )
    out: dict[str, Any] = {"n": len(cases), "date": round(date_hit / max(1, len(cases)), 4)}
    if authors_n:
        out["authors"] = round(authors_hit / authors_n, 4)
    return out | {"ms_per_page": round(per_page_ms, 3), "misses": misses}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=CORPORA)
    parser.add_argument("--misses", action="store_true", help="list the pages each field gets wrong")
    args = parser.parse_args(argv)
    for name, cases in (("pages (gold header)", page_cases(args.root)), ("wire", wire_cases(args.root))):
        figures = score(cases)
        shares = ", ".join(f"{k} {figures[k]:.3f}" for k in ("authors", "date") if k in figures)
        print(f"{name}: {figures['n']} docs, {shares}, {figures['ms_per_page']} ms/page")
        for miss in figures["misses"] if args.misses else ():
            print("  ", miss)


if __name__ == "__main__":
    main()
