"""Extraction quality against gold: the definitions `make eval` prints, as plain functions.

Fields compare after `normal()`: Unicode NFKC, curly quotes made straight, whitespace collapsed and none
before `: ; ! ?` (French typography prints "Storm : the toll", the same headline as "Storm: the toll"), a
trailing full stop dropped, case folded. Authors compare as a set of such names. A date compares as the
day our article is dated, `published_date` (the page's own day; `published_at` is the UTC instant),
against the gold value's own date. A body compares as a bag of
lower-cased `\\w+` tokens: precision and recall per page, averaged over pages; F1 from the two averages.
A page with no article scores 0 on every field it has gold for.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

_QUOTES = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"')
)
_TOKEN = re.compile(r"\w+")
_SPACED_PUNCTUATION = re.compile(r"\s+(?=[:;!?])")


def normal(value: str | None) -> str:
    """A field as compared: NFKC, straight quotes, one space and none before `: ; ! ?`, no trailing full
    stop, case folded."""
    text = " ".join(unicodedata.normalize("NFKC", value or "").translate(_QUOTES).split())
    return _SPACED_PUNCTUATION.sub("", text).removesuffix(".").strip().casefold()


def author_set(authors: Iterable[str] | None) -> frozenset[str]:
    return frozenset(n for n in (normal(a) for a in authors or ()) if n)


def day_of(value: str | date | datetime | None) -> date | None:
    """The calendar date a value names: an ISO string's own date (its offset kept), a datetime's date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()


def published_day(article: Mapping[str, Any]) -> date | None:
    """The day an article is dated: its published_date (the page's own day) where it has one, else the
    day of its published_at (a peer's row)."""
    return day_of(article.get("published_date") or article.get("published_at"))


def tokens(text: str | None) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text or ""))


def body_scores(found: str | None, gold: str) -> tuple[float, float]:
    """(precision, recall) of one page's body tokens against the gold body's, as bags."""
    ours, theirs = tokens(found), tokens(gold)
    overlap = sum((ours & theirs).values())
    precision = overlap / sum(ours.values()) if ours else 0.0
    recall = overlap / sum(theirs.values()) if theirs else (1.0 if not ours else 0.0)
    return precision, recall


@dataclass
class Score:
    """One contender's figures on one corpus: counts per field, and per-page body precision/recall."""

    pages: int = 0
    written: int = 0
    hits: Counter[str] = field(default_factory=Counter)  # field -> pages right
    golds: Counter[str] = field(default_factory=Counter)  # field -> pages with a gold value
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)

    def share(self, name: str) -> float | None:
        return self.hits[name] / self.golds[name] if self.golds[name] else None

    def figures(self) -> dict[str, Any]:
        precision = _mean(self.precisions)
        recall = _mean(self.recalls)
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
        out: dict[str, Any] = {"pages": self.pages, "written": self.written}
        for name in ("title", "authors", "date", "dateline_date"):
            if self.golds[name]:
                out[name] = round(self.share(name) or 0.0, 4)
                out[f"{name}_n"] = self.golds[name]
        if self.precisions:
            out |= {"body_precision": round(precision, 4), "body_recall": round(recall, 4)}
            out["body_f1"] = round(f1, 4)
        return out


def score(found: Mapping[str, Mapping[str, Any]], gold: Sequence[Mapping[str, Any]]) -> Score:
    """Score extracted articles (doc -> {title, authors, published_at, body}) against gold rows (each
    with `doc` and any of title, authors, published_at, body, dateline_date)."""
    result = Score(pages=len(gold))
    for g in gold:
        article = found.get(g["doc"])
        result.written += article is not None
        article = article or {}
        if "title" in g and g["title"] is not None:
            result.golds["title"] += 1
            result.hits["title"] += bool(article) and normal(article.get("title")) == normal(g["title"])
        if "authors" in g and g["authors"] is not None:
            result.golds["authors"] += 1
            same = author_set(article.get("authors")) == author_set(g["authors"])
            result.hits["authors"] += bool(article) and same
        for name, key in (("date", "published_at"), ("dateline_date", "dateline_date")):
            if key in g:
                result.golds[name] += 1
                expected = day_of(g[key])
                result.hits[name] += bool(article) and published_day(article) == expected
        if g.get("body") is not None:
            p, r = body_scores(article.get("body"), g["body"]) if article else (0.0, 0.0)
            result.precisions.append(p)
            result.recalls.append(r)
    return result


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
