"""Plain-text pages (text/plain): scraped page text -> an Article (title, byline, date, dateline, section,
clean body)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, count, pairwise

from tasks import vocab
from tasks.parse import chrome, dates
from tasks.parse.article import ParseError, measures
from tasks.parse.language import detect_language
from tasks.parse.names import NAME_SPLIT
from tasks.parse.stamps import Stamp
from tasks.parse.text import author_model, blocks, date_model, heading, title_model
from tasks.parse.text.ending import before_the_end, without_link_runs
from tasks.parse.text.line_shapes import PROSE_WORDS, shapes
from tasks.records import Article

_MAX_HEADER_LINES = 6  # byline, date, dateline and furniture sit within a few lines of the title
_SURE_PROSE = 0.9  # a found line the classifier is this sure of is not checked against the chrome rules
_STUB_MAX_WORDS = 200  # a page of text with fewer words around no paragraph is a stub, not an article
_TEASER_MAX_WORDS = 20
_INDEX_SHARE = 0.5  # an index page: at least this share of its lines are teaser or label lines
_CHROME_MAX_WORDS = 25
_CREDIT_MAX_WORDS = 8  # "Photo: Jane Doe / AFP" stands alone; a longer line carrying a credit is the caption
_CAPTION_MAX_WORDS = 40
_WIRE_HEAD = 4  # wire copy: headline, maybe a byline line, then the `CITY YYYY-MM-DD` line
_MIN_TAIL_BLOCK = 2  # trailing labels count as a widget block from two lines on
_AUTHOR_ROLES = re.compile(rf"\b(?:{vocab.alternation(vocab.words('byline_non_names'))})\b", re.IGNORECASE)
_NAME_PARTICLES = vocab.alternation(vocab.words("name_particles"))
_NAME = re.compile(rf"^[A-ZÀ-Þ][\w'’.\-]*(?:\s+(?:[A-ZÀ-Þ][\w'’.\-]*|{_NAME_PARTICLES})){{1,4}}$")
_BYLINE = re.compile(r"^by\s+(?P<rest>.+)$", re.IGNORECASE)
_BYLINE_DATE_SEP = re.compile(r"\s+[-–—|•·]\s+|\s*\|\s*")
_AGENCY_BYLINE = re.compile(rf"^(?P<names>.+?),\s*(?P<agency>{chrome.AGENCIES})$")
_CAPS_WORD = r"[A-ZÀ-Þ][A-ZÀ-Þ.'’\-]+"
_NOT_MONTH = rf"(?!(?i:{dates.MONTHS})\b)"
_PLACE = (
    rf"{_CAPS_WORD}(?:\s{_CAPS_WORD}){{0,3}}(?:,\s*{_NOT_MONTH}[A-ZÀ-Þ][\w.'’\-]*(?:\s[\w.'’\-]+){{0,3}}?)?"
)
_DATELINE_WHEN = rf"(?i:{dates.MONTHS})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
_DATELINE_DASH = re.compile(
    rf"^(?P<place>{_PLACE})(?:,\s*(?P<date>{_DATELINE_WHEN}))?\s*(?:\((?P<agency>[^()]{{2,40}})\))?\s*[-–—]{{1,2}}\s+"
)
_DATELINE_DATE = re.compile(rf"^(?P<place>{_PLACE})\s+(?P<date>\d{{4}}-\d{{2}}-\d{{2}})(?:\s+|$)")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_lines(text: str) -> list[str]:
    """The text's lines, whatever the line ending, without invisible characters or outer spaces."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return list(map(str.strip, text.split("\n")))


_MARKUP = re.compile(r"^\s*(?:<!doctype\s+html|<html\b|<\?xml\b|<(?:head|body|div|article|p)\b)", re.I)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?>")


def refuse_non_text(text: str) -> None:
    """HTML/XML or JSON saved under a .txt name is not article text: say so instead of parsing tags."""
    head = text[:4096]
    if _MARKUP.match(head) or len(_TAG.findall(head)) >= 8:
        raise ParseError("markup", "HTML/XML markup saved as text; not parsed as an article")
    stripped = text.strip()
    if stripped[:1] in "{[" and stripped[-1:] in "}]":
        try:
            json.loads(stripped)
        except ValueError:
            return
        raise ParseError("structured_data", "JSON saved as text; not parsed as an article")


@dataclass(frozen=True)
class Layout:
    """Where the article stands in a page's lines: the headline, the body's lines, the kicker if any."""

    title_at: int
    body: tuple[int, ...]
    section: str | None = None
    title: str | None = None  # the headline line without what is glued to it, when that differs


def parse_article(text: str, *, doc_id: str = "", source_uri: str = "") -> Article:
    """The article in one page of text; raises ParseError when the page holds none."""
    lines, layout = page_layout(text)
    title = layout.title or lines[layout.title_at]
    body = body_text(lines, layout)
    if not body:
        raise ParseError("no_body", f"title {title[:80]!r} but no body text")
    language = detect_language(body)
    authors, published, dateline = _header_fields(lines, layout, language)
    words, digest = measures(body)
    return Article(
        doc_id=doc_id,
        source_uri=source_uri,
        title=title,
        authors=authors,
        published_at=published.when if published else None,
        dateline=dateline,
        section=layout.section,
        language=language,
        body=body,
        word_count=words,
        content_hash=digest,
        published_date=published.day if published else None,
    )


def page_layout(text: str) -> tuple[list[str], Layout]:
    """(the page's lines, where its article stands); raises ParseError when the page holds none."""
    refuse_non_text(text)
    lines = text_lines(text)
    if not any(lines):
        raise ParseError("no_content", "nothing but blank lines")
    plain = _plain_layout(lines)
    layout = plain[0] if plain is not None and plain[1] else _page_layout_or(lines, plain)
    if not layout.body:
        raise ParseError(
            "no_body", f"title {(layout.title or lines[layout.title_at])[:80]!r} but no body text"
        )
    return lines, layout


def body_text(lines: list[str], layout: Layout) -> str:
    """The article's body: its lines joined, without the dateline that opens it."""
    return _join(lines, layout.body, _dateline(lines[layout.body[0]])[2])


def _plain_layout(lines: list[str]) -> tuple[Layout, bool] | None:
    """Clean article text (headline, blank line, no site chrome; or wire copy with its `CITY YYYY-MM-DD`
    line near the top): the first line is the title and everything under the header is body. With it,
    whether it is sure: wire copy, or a paragraph within the few lines under the first one (a web page
    whose lines each stand alone looks clean too, with menus and widgets above its prose)."""
    content = list(compress(count(), lines))
    wire_at = next((k for k, i in enumerate(content[1:_WIRE_HEAD], 1) if _is_date_dateline(lines[i])), None)
    clean = content[0] + 1 == len(lines) or not lines[content[0] + 1]
    if wire_at is None and not (clean and not any(chrome.is_chrome(lines[i]) for i in content)):
        return None
    if wire_at is None:  # a place line may stand above a date line of its own ("FARMINGTON HILLS, Mich.")
        dated = (k for k, i in enumerate(content[1:_WIRE_HEAD], 1) if dates.parse_date_line(lines[i]))
        wire_at = next(dated, None)
    at = wire_at + 1 if wire_at is not None else _header_end(lines, content, 1)
    head = content[1 : _MAX_HEADER_LINES + 2] if wire_at is None else []  # one at a time: the first is prose
    sure = wire_at is not None or any(shapes([lines[i]])[0].prose for i in head)
    return Layout(content[0], tuple(_trim_tail(lines, content[at:]))), sure


def _page_layout_or(lines: list[str], plain: tuple[Layout, bool] | None) -> Layout:
    """The page's layout, or the doubtful clean-text one `plain` when the page holds no article prose."""
    try:
        return _page_layout(lines)
    except ParseError:
        if plain is None:
            raise
        return plain[0]


def _page_layout(lines: list[str]) -> Layout:
    """A whole page's text: the body is the block of prose blocks.body_lines finds, the title above it."""
    page, probs, body = article_block(lines)
    title = title_model.headline_at(lines, page, probs, body[0])
    if title is not None and (top := heading.teaser_list_top(lines, page, title, body)) is not None:
        above = title_model.headline_at(lines, page, probs, top)  # teasers: the page's headline is above
        title = title if above is None else above
    if title is None:
        raise ParseError("no_title", "article prose but no line above it")
    kicker = heading.kicker_at(lines, page, title)
    section = None if kicker is None else lines[page[kicker].index]
    line = lines[page[title].index]
    clean = heading.without_glued(line)
    return Layout(
        page[title].index, tuple(page[k].index for k in body), section, None if clean == line else clean
    )


def article_block(lines: list[str]) -> tuple[list[blocks.Shape], list[float], list[int]]:
    """(the page's line shapes, P(prose) per shape, positions of the body's lines without their lead);
    raises ParseError when the page holds no block of article prose."""
    page, found, probs = blocks.body_lines(lines)
    if found:  # furniture the classifier let through, and credits that tell a caption above them
        doubtful = [k for k in range(found[0], found[-1] + 1) if probs[k] < _SURE_PROSE]
        found = without_link_runs(lines, page, _without_chrome(lines, page, doubtful, set(found)))
        found = before_the_end(lines, page, found)
    if not any(page[k].prose or (page[k].words >= PROSE_WORDS and probs[k] >= _SURE_PROSE) for k in found):
        if all(chrome.is_chrome(line) for line in lines if line):
            raise ParseError("no_content", "nothing but site chrome and blank lines")
        raise ParseError("no_article", f"no block of article prose: {_no_article_kind(lines, page)}")
    return page, probs, heading.skip_lead(lines, page, found)


def _no_article_kind(lines: list[str], page: list[blocks.Shape]) -> str:
    """What a page without article prose is, by its shape: too little text for an article (an error page,
    a stub, a paywall or a media page with captions only), or lines most of which are headline- or
    label-shaped (an index of teasers, a menu)."""
    words = sum(s.words for s in page)
    if words < _STUB_MAX_WORDS:
        return f"stub ({words} words: an error, paywall or media page)"
    short = sum(2 <= s.words <= _TEASER_MAX_WORDS and not s.strict_end for s in page)
    if short >= _INDEX_SHARE * len(page):
        return f"index ({short} of {len(page)} lines are headline- or label-shaped, none is a paragraph)"
    return f"no prose ({len(page)} lines, {words} words, no paragraph among them)"


def _without_chrome(
    lines: list[str], page: list[blocks.Shape], doubtful: list[int], found: set[int]
) -> list[int]:
    """The found lines less those of the doubtful ones that are site chrome, and less photo captions: the
    text standing right above a credit line, or repeated in it."""
    for k in doubtful:
        s = page[k]
        line = lines[s.index]
        own_line = k > 0 and s.words <= _CREDIT_MAX_WORDS and page[k - 1].words <= _CAPTION_MAX_WORDS
        if own_line and chrome.is_credit(line):  # a credit line of its own: the line above is its caption
            found.difference_update((k - 1, k))
            continue
        if k not in found or (s.words > _CHROME_MAX_WORDS and s.strict_end):  # a long paragraph is no chrome
            continue
        after = lines[page[k + 1].index] if k + 1 < len(page) else ""
        if chrome.is_chrome(line) or (after.startswith(line) and chrome.is_credit(after)):
            found.discard(k)
    return sorted(found)


def _header_fields(
    lines: list[str], layout: Layout, language: str
) -> tuple[tuple[str, ...], Stamp | None, str | None]:
    """(authors, publication date, dateline): the byline the ranker of tasks.parse.text.author_model chooses,
    the date the ranker of tasks.parse.text.date_model chooses among those the page prints, the dateline's
    place from a `CITY YYYY-MM-DD` line under the headline or the body's opening `PARIS (Reuters) -`."""
    title_at, body_at = layout.title_at, layout.body[0]
    places = (
        m["place"].strip() for line in lines[title_at + 1 : body_at] if (m := _DATELINE_DATE.fullmatch(line))
    )
    dateline = next(places, None) or _dateline(lines[body_at])[0]
    return (
        author_model.authors(lines, title_at, layout.body),
        date_model.published(lines, title_at, layout.body, language),
        dateline,
    )


def _is_date_dateline(line: str) -> bool:
    """A line that is only a wire dateline with its date: `CITY YYYY-MM-DD`."""
    m = _DATELINE_DATE.match(line)
    return m is not None and m.end() == len(line)


def parse_authors(names: str) -> tuple[str, ...]:
    """Person names in a byline's name part; agencies and job titles are left out."""
    parts = (p.strip(" .") for p in NAME_SPLIT.split(names))
    return tuple(p for p in parts if _NAME.match(p) and not _AUTHOR_ROLES.search(p))


def parse_byline(line: str) -> tuple[tuple[str, ...], datetime | None] | None:
    """(authors, date) from "By NAME[ and NAME][ - DATE]" or "NAME, Agency"; None if not a byline."""
    if match := _BYLINE.match(line):
        parts = _BYLINE_DATE_SEP.split(match["rest"], maxsplit=1)
        authors = parse_authors(parts[0])
        when = dates.parse_date(parts[1]) if len(parts) == 2 else None
        return (authors, when) if authors or when else None  # "By any measure, ..." is a sentence
    if (match := _AGENCY_BYLINE.match(line)) and (authors := parse_authors(match["names"])):
        return authors, None
    return None


def _header_end(lines: list[str], content: list[int], start: int) -> int:
    """Position in `content` of the first line under the title that is not a byline or a date line."""
    at = start
    while at < len(content) and at - start < _MAX_HEADER_LINES:
        line = lines[content[at]]
        if parse_byline(line) is None and dates.parse_date_line(line) is None:
            break
        at += 1
    return at


def _dateline(paragraph: str) -> tuple[str | None, datetime | None, str]:
    """(place, date, paragraph without them) for "PARIS (Reuters) - ..." or "AL-AIN, UAE 1996-12-06 ..."."""
    if m := _DATELINE_DATE.match(paragraph):
        return m["place"].strip(), dates.parse_date(m["date"]), paragraph[m.end() :]
    if m := _DATELINE_DASH.match(paragraph):
        when = dates.parse_date(m["date"]) if m["date"] else None  # needs a year, like any date here
        return m["place"].strip(), when, paragraph[m.end() :]
    return None, None, paragraph


def _trim_tail(lines: list[str], idx: list[int]) -> list[int]:
    """Drop a block of widget headings after the last paragraph ("Most Popular", "Related Topics").

    One short label at the end is kept: on sports pages it is data (a venue, a referee's name).
    """
    end = len(idx)
    while end > 0 and chrome.is_label(lines[idx[end - 1]]):
        end -= 1
    return idx[:end] if len(idx) - end >= _MIN_TAIL_BLOCK else idx


def _join(lines: list[str], idx: Sequence[int], first: str) -> str:
    """Body text: kept lines, a blank line wherever the source had a gap, the first one replaced."""
    parts = [first] if first else []
    for prev, cur in pairwise(idx):
        if parts:
            parts.append("\n" if cur == prev + 1 else "\n\n")
        parts.append(lines[cur])
    return "".join(parts).strip()
