"""HTML pages (text/html): a served page -> an Article, by trafilatura and the page's own metadata.

trafilatura finds the main text; the title, authors, date, URL and language come first from what the
page declares (JSON-LD article node, OpenGraph and <meta> tags, <time datetime>, canonical link, <html
lang>), then from trafilatura's own metadata heuristics, run only for a field the declared metadata
leaves empty (title or authors), and htmldate (original date). The page is parsed once (page_tree.py);
trafilatura works on a copy.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from datetime import UTC
from typing import Any

from tasks import vocab
from tasks.parse import chrome, names
from tasks.parse.article import ParseError, measures, word_count
from tasks.parse.html import page_tree, published
from tasks.parse.html.meta import PageMeta, page_meta
from tasks.parse.html.title import headline
from tasks.parse.language import UNDETERMINED, detect_language
from tasks.records import TEXT_HTML, XHTML, Article

# Main text shorter than this is a stub (paywall teaser, error page), whatever the page declares.
# Characters, not words: Chinese or Japanese text has no spaces between words.
MIN_ARTICLE_CHARS = 150
# Main text shorter than this from trafilatura's fast mode is tried again with its full cascade.
FULL_CASCADE_BELOW_CHARS = 1000
# htmldate's search for the page's date, one candidate of the date chooser (published.py): the original
# publication date, not the last update, also searched for in the page's text.
_HTMLDATE = {"original_date": True, "extensive_search": True}
# A page that declares no article (no JSON-LD article node, og:type not article) needs more text than
# a teaser list or a section front leaves after boilerplate removal.
MIN_UNDECLARED_CHARS = 400
# A page that declares no article and lists this many linked headlines or <article> cards is a section
# front or a search result: its "main text" is teasers.
INDEX_MIN_TEASERS = 6
# Neither rule above quarantines a page whose main text holds a block of prose: a run of consecutive lines
# of paragraph length (a headline, a link or a label is shorter) this long in all, one real paragraph.
# Characters, not words, for the same reason as MIN_ARTICLE_CHARS.
PROSE_LINE_CHARS = 100
MIN_PROSE_BLOCK_CHARS = 150
_CHROME_MAX_CHARS = 300  # furniture lines are short; a paragraph is not worth the regexes
_LANGUAGE_MIN_CHARS = 200  # below this the declared language beats a guess from the body
# Author meta tags; values that are URLs (article:author often links a profile page) are dropped.
_AUTHOR_META = vocab.words("author_meta_tags")
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\band\b|&|\|)\s*|\s*,\s*(?=\S+\s+\S)")
_BY = re.compile(r"^by\s+", re.IGNORECASE)
_CODE = "//script[not(@type) or contains(@type, 'javascript') or @type = 'module']"  # not JSON-LD data
_HEADLINE_WORD = re.compile(r"\w{4,}")  # a word that names something (not "a", "the", "of"), any script
_INVERTED = re.compile(r"^(?P<last>[^,\s][^,]*),\s*(?P<first>[^,]+)$")  # Dublin Core "Last, First"


def parse_html(text: str, *, doc_id: str = "", source_uri: str = "") -> Article:
    """The article in one HTML page; raises ParseError("no_article") for an index, error or stub page."""
    tree = page_tree.load(text)
    if tree is None:
        raise ParseError("no_article", "not an HTML document lxml can parse")
    meta = page_meta(tree)
    extracted = _extract(tree)
    # trafilatura's title stands in only where the page's own title candidates give none
    title = headline(meta) or (
        headline(meta, _trafilatura_field(tree, "title")) if extracted is not None else None
    )
    title = unicodedata.normalize("NFC", title) if title else title
    text = _main_text(tree, meta, extracted or "", title or "")
    if (shown := _script_drawn(tree, text)) is not None:
        detail = f"script page: {shown} characters of text as served, the rest is drawn by its scripts"
        raise ParseError("no_article", detail)
    if not text and not (extracted or "").strip():
        raise ParseError("no_article", "empty: no main text in the page (an index, error or empty page)")
    body = _body(text, meta)
    if not title:
        raise ParseError("no_title", f"main text of {word_count(body)} words but no title")
    body = _without_headline(body, {title, *meta.h1s})
    words, digest = measures(body)
    when = published.choose(published.evidence(meta, _searched_date(tree, meta)))  # in the page's zone
    return Article(
        doc_id=doc_id,
        source_uri=source_uri,
        title=title,
        authors=_authors(tree, meta, found=extracted is not None),
        published_at=when.astimezone(UTC) if when else None,
        dateline=None,
        section=meta.first("article:section", "parsely-section"),
        language=_language(body, meta.lang),
        body=body,
        word_count=words,
        content_hash=digest,
        url=meta.url,
        site_name=meta.site_name,
        published_date=when.date() if when else None,
    )


def _extract(tree: object) -> str | None:
    """trafilatura's main text (comments left out); None when it finds no document at all.

    Its fast mode first (its own extractor alone, about 40 % quicker); a page where that finds little
    or nothing goes through the full cascade, with readability and jusText as fallbacks. Without its
    metadata pass: the page's own metadata settles the title and authors of nearly every page, and
    _trafilatura_field finds the one field it leaves open."""
    from trafilatura import bare_extraction

    found = bare_extraction(tree, fast=True, include_comments=False)
    if found is None or len(found.text or "") < FULL_CASCADE_BELOW_CHARS:
        found = bare_extraction(tree, include_comments=False)
    return None if found is None else found.text or ""


def _trafilatura_field(tree: Any, field: str) -> str | None:
    """trafilatura's "title" or "author" of the page, as bare_extraction(with_metadata=True) gives it
    (its meta tags and JSON-LD, then its markup heuristics for that field), without the rest of that
    pass: htmldate's date search, the site name, categories, tags and licence go unused here."""
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title

    try:
        found = examine_meta(tree)
        if found.author and " " not in found.author:  # a handle, not a name (as extract_metadata)
            found.author = None
        with contextlib.suppress(Exception):  # as extract_metadata: a JSON-LD it cannot read is skipped
            found = extract_meta_json(tree, found)
        if field == "title" and not found.title:
            found.title = extract_title(tree)
        if field == "author" and not found.author:
            found.author = extract_author(tree)
        found.clean_and_trim()
    except (TypeError, ValueError):  # what bare_extraction catches: no metadata rather than a crash
        return None
    return getattr(found, field)


def _authors(tree: Any, meta: PageMeta, found: bool) -> tuple[str, ...]:
    """The authors the page declares, else those trafilatura finds in its markup (when it found the
    page's text at all)."""
    if declared := declared_authors(meta):
        return declared
    author = _trafilatura_field(tree, "author") if found else None
    return names.declared_people(_split_authors((author or "").split("; ")))


def _main_text(tree: object, meta: PageMeta, extracted: str, title: str) -> str:
    """The page's main text without furniture lines: trafilatura's; where that leaves too little for the
    article a page declares (its container chosen amiss on a page of odd markup), jusText's paragraphs of
    the whole page, when they hold a block of prose about the headline (a word of it: not the site's
    about-us text under an error page's heading)."""
    text = _without_furniture(extracted)
    if len(text) >= MIN_ARTICLE_CHARS or not meta.is_article:
        return text
    from trafilatura.external import try_justext

    paragraphs = try_justext(tree, meta.url, meta.lang)  # trafilatura's own second safety net, alone
    found = _without_furniture("\n".join(p.text for p in paragraphs if p.text))
    about = found.casefold()
    named = any(w in about for w in _HEADLINE_WORD.findall(title.casefold()))
    return found if named and prose_block(found) >= MIN_PROSE_BLOCK_CHARS else text


def _script_drawn(tree: Any, text: str) -> int | None:
    """For a page whose scripts draw its text (an app shell: nothing to read as served), the characters
    of text its <body> shows (scripts, styles and <noscript> aside); None for any other page."""
    if len(text) >= MIN_ARTICLE_CHARS or prose_block(text) >= PROSE_LINE_CHARS or not tree.xpath(_CODE):
        return None
    shown = tree.xpath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
    size = sum(len(t.strip()) for t in shown)
    return size if size < MIN_ARTICLE_CHARS else None


def _without_furniture(text: str) -> str:
    """Non-blank lines, stripped, in composed Unicode (NFC), without site furniture."""
    # trafilatura keeps furniture lines inside the article container ("Advertisement", "Read more",
    # app promos, photo credits): the same vocabulary the text parser drops
    # composed Unicode (NFC), as a reader types it: a page served decomposed would not match a search
    lines = (line.strip() for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(
        line for line in lines if line and not (len(line) <= _CHROME_MAX_CHARS and chrome.is_chrome(line))
    )


def _searched_date(tree: object, meta: PageMeta) -> str | None:
    """htmldate's original publication date of the page (an ISO date), from its URL, markup and text."""
    from htmldate import find_date

    return find_date(tree, url=meta.url, **_HTMLDATE)


def _body(body: str, meta: PageMeta) -> str:
    """The main text, or ParseError when there is no article in the page."""
    size = len(body)
    if size < MIN_ARTICLE_CHARS and not _short_article(body, meta):
        raise ParseError(
            "no_article", f"stub: {size} characters of main text (a paywall, error or teaser page)"
        )
    if meta.is_article or (prose := prose_block(body)) >= MIN_PROSE_BLOCK_CHARS:
        return body  # a block of prose is an article, whatever the page declares or links to
    if size < MIN_UNDECLARED_CHARS:
        detail = f"stub: {size} characters of main text, no paragraph and no article markup"
        raise ParseError("no_article", f"{detail} (an error or teaser page)")
    if meta.teasers >= INDEX_MIN_TEASERS:
        detail = f"index page: {meta.teasers} linked headlines or article cards, no article markup"
        raise ParseError("no_article", f"{detail} and no block of prose ({prose} characters)")
    return body


def _short_article(body: str, meta: PageMeta) -> bool:
    """A short article: the page declares an article, not one behind a paywall, and its main text holds
    a paragraph (a short blog post, a notice); a teaser or error page has no paragraph of its own."""
    return meta.is_article and not meta.paywalled and prose_block(body) >= PROSE_LINE_CHARS


def prose_block(text: str) -> int:
    """Characters in the longest run of consecutive paragraph-long lines of `text`: an article's prose,
    where a listing alternates short linked headlines with teasers."""
    best = run = 0
    for line in text.splitlines():
        run = run + len(line) if len(line) >= PROSE_LINE_CHARS else 0
        best = max(best, run)
    return best


def _without_headline(body: str, headlines: set[str]) -> str:
    """The body without its first line when that line is the headline (trafilatura keeps an <h1> that
    sits inside the article container)."""
    first, _, rest = body.partition("\n")
    return rest if rest and first.casefold() in {h.casefold() for h in headlines} else body


def _language(body: str, declared: str | None) -> str:
    """The body's language when there is enough of it to tell (templates declare one language for every
    page of a site), else the page's declared one."""
    if declared and len(body) < _LANGUAGE_MIN_CHARS:
        return declared
    detected = detect_language(body)
    return declared if detected == UNDETERMINED and declared else detected


def declared_authors(meta: PageMeta) -> tuple[str, ...]:
    """The authors the JSON-LD article names, else the first author meta tag that names someone."""
    if meta.ld_authors:
        return names.declared_people(_split_authors(meta.ld_authors, split=False))
    for name in _AUTHOR_META:
        values = meta.meta.get(name, ())
        if name == "dc.creator":
            values = tuple(_uninverted(v) for v in values)
        if authors := _split_authors(values, split=name != "dc.creator"):
            return names.declared_people(authors)
    return ()


def _split_authors(values: tuple[str, ...] | list[str], split: bool = True) -> tuple[str, ...]:
    """Names, each once, without "By", URLs or handles; a joined value ("A and B; C") split when asked."""
    names: dict[str, str] = {}
    for value in values:
        for part in _AUTHOR_SPLIT.split(value) if split else [value]:
            name = _BY.sub("", part.strip(" ,.;|")).strip()
            if name and not name.startswith(("http:", "https:", "@", "www.")):
                names.setdefault(name.casefold(), name)
    return tuple(names.values())


def _uninverted(name: str) -> str:
    """ "Brazil, Rachel" -> "Rachel Brazil" (Dublin Core lists creators family name first)."""
    match = _INVERTED.match(name.strip())
    return f"{match['first'].strip()} {match['last'].strip()}" if match else name


__all__ = ["TEXT_HTML", "XHTML", "parse_html"]
