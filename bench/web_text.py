"""web/dates/text as a development corpus of the text path: 483 pages of ~470 sites the hand rules were
never written for, each with its gold publication date, and a silver headline from its HTML.

The silver headline is what the page declares for itself (the JSON-LD article's headline, og:title,
twitter:title, an <h1>), taken only where a line of the page's text is that declaration
(compared as bench.scoring compares titles): the text holds the headline and we know which line it is.
A page whose text holds none of them has no title gold. An <h1> is the headline's declaration only when
it is the page's one <h1>, or the one whose words its <title> or og:title name most (half of them or
more), and it is not the site's name (a name the page declares, a short heading spelling the site's
address): a page's menus, widgets, teasers and site banner are <h1>s too. Gold rows have bench.scoring's
form: `doc` (the text file's stem), `url`, `site`, `published_at` (the gold day, or None: nothing is to be
predicted), and `title` and `authors` where silver ones are found; `declares_authors` says whether the
HTML declares any author at all.

Silver authors likewise: the people the HTML declares (its JSON-LD author, else its author meta tags,
read as tasks.parse.html reads them), kept only when each is shaped as a person's name, is not what the
page calls its site or its <title> names (a publisher, a newsroom, a blog named after its owner), and the
text prints every one of them. A page that declares a site, an agency or a handle as its author, or none,
has no authors gold: the text would not name a person, and the HTML does not say whom it does name.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from trafilatura import load_html

from bench import scoring
from bench.folds import site_of
from tasks.ingest import decode_text
from tasks.parse.html import declared_authors
from tasks.parse.html.meta import PageMeta, page_meta
from tasks.parse.names import is_name
from tasks.parse.text import text_lines

NAME = "web/dates/text"
_MIN_WORDS = 2
_WORD = re.compile(r"\w+")
_SITE_NAME_WORDS = 4
_SHARE_NAMED = 0.5
_ADDRESS_MIN = 4  # letters of a site's address that a heading must start with to be its name


def files(root: Path) -> list[Path]:
    """The rendered text pages (those of gold pages that rendered offline)."""
    return sorted((root / "web" / "dates" / "text").glob("*.txt"))


@cache
def text_pages(root: Path, field: str, keep: Callable[[dict[str, Any]], bool]) -> list[TextPage]:
    """The development text pages whose gold row `keep`s: pages/ gold rows (a person's labels), then the
    web/dates/text rows of `gold` (htmldate's dates and silver titles), each with `field`'s value."""
    from bench.train_lines import page_site  # bench.train_lines reads no web page: no cycle

    pages_gold = (root / "pages" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [
        TextPage(page_site(g), True, root / "pages" / "text" / f"{g['doc']}.txt", g[field])
        for g in map(json.loads, pages_gold)
        if keep(g)
    ] + [
        TextPage(g["site"], False, root / "web" / "dates" / "text" / f"{g['doc']}.txt", g[field])
        for g in gold(root)
        if keep(g)
    ]


class TextPage(NamedTuple):
    site: str
    from_pages: bool  # a pages/ row (a person's label), not a web/dates one
    path: Path
    value: Any


def gold(root: Path) -> list[dict[str, Any]]:
    """One gold row per rendered text page (a file annotated under two URLs counts once: its first)."""
    rows = []
    for g, html_file, text_file in rendered(root):
        row = {"doc": text_file.stem, "url": g["url"], "site": site_of(g["url"]), "published_at": g["date"]}
        meta, lines = _meta(html_file), _lines(text_file)
        if (title := _printed_title(meta, lines, row["site"])) is not None:
            row["title"] = title
        if (authors := _printed_authors(meta, lines)) is not None:
            row["authors"] = authors
        row["declares_authors"] = bool(declared_authors(meta))  # any author at all, printed or not
        rows.append(row)
    return rows


def rendered(root: Path) -> Iterator[tuple[dict[str, Any], Path, Path]]:
    """(gold.jsonl row, HTML file, text file) of each web/dates page that rendered to text, once (a file
    annotated under two URLs: its first row)."""
    seen = set()
    for line in (root / "web" / "dates" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        doc = g["file"].removesuffix(".html")
        text_file = root / "web" / "dates" / "text" / f"{doc}.txt"
        if doc not in seen and text_file.exists():
            seen.add(doc)
            yield g, root / "web" / "dates" / "html" / f"{g['file']}.gz", text_file


def silver_title(html_file: Path, text_file: Path, site: str = "") -> str | None:
    """The headline the HTML declares, as the line of the text that prints it; None when no line does."""
    return _printed_title(_meta(html_file), _lines(text_file), site)


def silver_authors(html_file: Path, text_file: Path) -> tuple[str, ...] | None:
    """The people the HTML declares as its authors (read as tasks.parse.html reads them), when each is a
    person's name that the text prints; None when the page declares no one, names a site, an agency or a
    handle (no person for the text to find), or its text does not print them all."""
    return _printed_authors(_meta(html_file), _lines(text_file))


def _printed_title(meta: PageMeta, lines: list[str], site: str) -> str | None:
    found = printed_declarations(meta, lines, site)
    return found[0][1] if found else None


def printed_declarations(meta: PageMeta, lines: list[str], site: str = "") -> list[tuple[str, str]]:
    """(source, the text line that prints it) for each headline the page declares (declarations) that a
    line of its text prints, in declarations' order."""
    printed = {scoring.normal(line): line for line in lines if line}
    found = ((source, printed.get(scoring.normal(text))) for source, text in declarations(meta, site))
    return [(source, line) for source, line in found if line is not None]


def _printed_authors(meta: PageMeta, lines: list[str]) -> tuple[str, ...] | None:
    people = declared_authors(meta)
    text = scoring.normal("\n".join(lines))
    site = scoring.normal(" ".join((*meta.site_names, *meta.titles)))  # the publisher signing as itself
    if people and all(
        is_name(p) and scoring.normal(p) in text and scoring.normal(p) not in site for p in people
    ):
        return people
    return None


def _lines(text_file: Path) -> list[str]:
    return text_lines(decode_text(text_file.read_bytes())[0])


def declared_titles(meta: PageMeta, site: str = "") -> list[str]:
    """The headlines a page declares, most specific first (not <title>, which carries the site's name, nor
    a one-word declaration: "Loading", a site's name in an <h1>)."""
    return [text for _, text in declarations(meta, site)]


def declarations(meta: PageMeta, site: str = "") -> list[tuple[str, str]]:
    """(source, text) of each headline the page declares, as declared_titles orders them: the JSON-LD
    article's "headline", og:title, twitter:title, then the <h1>s that are the headline's."""
    named = (("headline", meta.headline), ("og:title", meta.first("og:title")))
    named += (("twitter:title", meta.first("twitter:title")),)
    h1s = (("h1", h) for h in meta.h1s if _headline_h1(h, meta, site))
    return [(source, t) for source, t in (*named, *h1s) if t and len(t.split()) >= _MIN_WORDS]


def _headline_h1(h1: str, meta: PageMeta, site: str) -> bool:
    """Whether an <h1> is the page's headline: the one of several that its <title> or og:title names, and
    not the site's name (a name it declares, or a short heading spelling its address: "Example Blog" on
    exampleblog.org)."""
    if len(meta.h1s) > 1:  # the heading the <title> names most words of, half its own words or more
        shared, share = _named(meta, h1)
        if shared < max(_named(meta, h)[0] for h in meta.h1s) or share < _SHARE_NAMED:
            return False
    if any(scoring.normal(h1) == scoring.normal(name) for name in meta.site_names):
        return False
    address = "".join(ch for ch in site.rsplit(".", 2)[-2 if "." in site else -1] if ch.isalnum())
    letters = "".join(ch for ch in scoring.normal(h1) if ch.isalnum())
    short = len(h1.split()) <= _SITE_NAME_WORDS
    return not (len(address) >= _ADDRESS_MIN and short and letters.startswith(address))


def _named(meta: PageMeta, h1: str) -> tuple[int, float]:
    """(how many, what share) of an <h1>'s words the page's <title> or og:title use too."""
    named = set(_WORD.findall(scoring.normal(" ".join((*meta.titles, meta.first("og:title") or "")))))
    words = set(_WORD.findall(scoring.normal(h1)))
    return len(words & named), len(words & named) / len(words) if words else 0.0


def _meta(html_file: Path) -> PageMeta:
    tree = load_html(decode_text(gzip.decompress(html_file.read_bytes()))[0])  # as tasks.parse.html reads
    return page_meta(tree) if tree is not None else PageMeta({}, (), ())
