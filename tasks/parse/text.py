"""Plain-text pages (text/plain): scraped page text -> an Article (title, byline, date, dateline, section,
clean body)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import pairwise

from tasks.parse import chrome, dates
from tasks.parse.article import ParseError, content_hash, word_count
from tasks.parse.language import detect_language
from tasks.records import Article

_MAX_HEADER_LINES = 6  # byline, date, dateline and furniture sit within a few lines of the title
_SECTION_MAX_WORDS = 5
_MIN_TAIL_BLOCK = 2  # trailing labels count as a widget block from two lines on
_HEADLINE_MAX_WORDS = 30
_AUTHOR_ROLES = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|staff|contributor|analyst|columnist|bureau|desk|"
    r"chief|news|agency|team|press|wire|service|updated|published)\b",
    re.IGNORECASE,
)
_NAME_PARTICLES = "de|da|del|della|der|den|di|du|van|von|le|la|bin|ibn|al|el|y"
_NAME = re.compile(rf"^[A-ZÀ-Þ][\w'’.\-]*(?:\s+(?:[A-ZÀ-Þ][\w'’.\-]*|{_NAME_PARTICLES})){{1,4}}$")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bwith\b)\s*")
_BYLINE = re.compile(r"^by\s+(?P<rest>.+)$", re.IGNORECASE)
_BYLINE_DATE_SEP = re.compile(r"\s+[-–—|•·]\s+|\s*\|\s*")
_AGENCY_BYLINE = re.compile(rf"^(?P<names>.+?),\s*(?P<agency>{chrome.AGENCIES}|Associated Press)$")
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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [_INVISIBLE.sub("", line).strip() for line in text.split("\n")]


def chrome_lines(lines: list[str]) -> set[int]:
    """Indices of lines that are site chrome, including caption text repeated just above its credit line."""
    marked = {i for i, line in enumerate(lines) if line and chrome.is_chrome(line)}
    for i in sorted(marked):
        if i > 0 and lines[i - 1] and chrome.is_credit(lines[i]) and lines[i].startswith(lines[i - 1]):
            marked.add(i - 1)  # galleries print a caption bare, then again with its credit
    return marked


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


def parse_article(text: str, *, doc_id: str = "", source_uri: str = "") -> Article:
    """The article in one scraped page of text; raises ParseError when there is none."""
    refuse_non_text(text)
    lines = text_lines(text)
    skip = chrome_lines(lines)
    content = [i for i, line in enumerate(lines) if line and i not in skip]
    if not content:
        raise ParseError("no_content", "nothing but site chrome and blank lines")
    section, at = _section(lines, content)
    title = lines[content[at]]
    authors, published_at, dateline, body_at = _header(lines, content, at + 1)
    body_idx = _trim_tail(lines, content[body_at:])
    if not body_idx:
        raise ParseError("no_body", f"title {title[:80]!r} but no body text")
    first_dateline, first_date, first = _dateline(lines[body_idx[0]])
    dateline = dateline or first_dateline
    published_at = published_at or first_date
    body = _join(lines, body_idx, first)
    if not body:
        raise ParseError("no_body", f"title {title[:80]!r} but no body text")
    return Article(
        doc_id=doc_id,
        source_uri=source_uri,
        title=title,
        authors=authors,
        published_at=published_at,
        dateline=dateline,
        section=section,
        language=detect_language(body),
        body=body,
        word_count=word_count(body),
        content_hash=content_hash(body),
    )


def parse_authors(names: str) -> tuple[str, ...]:
    """Person names in a byline's name part; agencies and job titles are left out."""
    parts = (p.strip(" .") for p in _NAME_SPLIT.split(names))
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


def _section(lines: list[str], content: list[int]) -> tuple[str | None, int]:
    """(section label, position of the title in content): a kicker above the headline is a section."""
    if len(content) < 2:
        return None, 0
    first, second = lines[content[0]], lines[content[1]]
    if _is_section_label(first) and _is_headline(second):
        return first, 1
    return None, 0


def _is_section_label(line: str) -> bool:
    words = chrome.words(line)
    if not words or len(words) > _SECTION_MAX_WORDS or chrome.is_sentence(line):
        return False
    letters = [ch for ch in line if ch.isalpha()]
    mostly_caps = sum(ch.isupper() for ch in letters) >= 0.6 * len(letters)
    breadcrumb = any(sep in line for sep in (" > ", " » ", " | ", " / ", " - ", " – "))
    return mostly_caps or breadcrumb or chrome.is_label(line, max_words=3)


def _is_headline(line: str) -> bool:
    return len(chrome.words(line)) <= _HEADLINE_MAX_WORDS and not line.endswith(".")


def _header(
    lines: list[str], content: list[int], start: int
) -> tuple[tuple[str, ...], datetime | None, str | None, int]:
    """Byline, date and dateline lines under the title: (authors, published_at, dateline, body start)."""
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    dateline: str | None = None
    at = start
    while at < len(content) and at - start < _MAX_HEADER_LINES:
        line = lines[content[at]]
        if (byline := parse_byline(line)) is not None:
            authors, published_at = authors or byline[0], published_at or byline[1]
        elif (when := dates.parse_date_line(line)) is not None:
            published_at = published_at or when
        elif (m := _DATELINE_DATE.match(line)) and m.end() == len(line):
            dateline, published_at = m["place"].strip(), published_at or dates.parse_date(m["date"])
        else:
            break
        at += 1
    return authors, published_at, dateline, at


def _dateline(paragraph: str) -> tuple[str | None, datetime | None, str]:
    """(place, date, paragraph without them) for "PARIS (Reuters) - ..." or "AL-AIN, UAE 1996-12-06 ..."."""
    if m := _DATELINE_DATE.match(paragraph):
        return m["place"].strip(), dates.parse_date(m["date"]), paragraph[m.end() :]
    if m := _DATELINE_DASH.match(paragraph):
        when = dates.parse_date(m["date"]) if m["date"] else None  # needs a year, like any date here
        return m["place"].strip(), when, paragraph[m.end() :]
    return None, None, paragraph


def _trim_tail(lines: list[str], idx: list[int]) -> list[int]:
    """Drop a block of widget headings after the last paragraph ("Fun Stuff", "The Next Read").

    One short label at the end is kept: on sports pages it is data (a venue, a referee's name).
    """
    end = len(idx)
    while end > 0 and chrome.is_label(lines[idx[end - 1]]):
        end -= 1
    return idx[:end] if len(idx) - end >= _MIN_TAIL_BLOCK else idx


def _join(lines: list[str], idx: list[int], first: str) -> str:
    """Body text: kept lines, a blank line wherever the source had a gap, the first one replaced."""
    parts = [first] if first else []
    for prev, cur in pairwise(idx):
        if parts:
            parts.append("\n" if cur == prev + 1 else "\n\n")
        parts.append(lines[cur])
    return "".join(parts).strip()
