"""What an HTML page says of itself: JSON-LD, OpenGraph and <meta> tags, <title>, <h1>, canonical link.

Read once from the parsed tree, before trafilatura takes a copy of it. Structured metadata is what the
publisher declares for search engines and social cards, so it is preferred over text heuristics.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

# schema.org types whose node is the page's article: NewsArticle, ReportageNewsArticle, BlogPosting, ...
_ARTICLE_TYPE = re.compile(r"(?:Article|Posting|^Report)$")
_SITE_TYPES = {"Organization", "NewsMediaOrganization", "WebSite"}
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_LD_XPATH = '//script[@type="application/ld+json"]'
_LINKED_HEADINGS = "//*[self::h2 or self::h3 or self::h4][.//a[@href]]"


@dataclass(frozen=True)
class PageMeta:
    """The page's own metadata, as declared (strings unescaped and stripped, nothing chosen yet)."""

    meta: dict[str, tuple[str, ...]]  # lower-cased meta name/property/itemprop -> contents, page order
    titles: tuple[str, ...]  # <title>
    h1s: tuple[str, ...]
    headline: str | None = None  # of the JSON-LD article node
    ld_authors: tuple[str, ...] = ()
    ld_published: str | None = None
    ld_modified: str | None = None
    is_article: bool = False  # a JSON-LD article node, or og:type article
    site_name: str | None = None  # og:site_name, else application-name, else the JSON-LD publisher
    site_names: tuple[str, ...] = ()  # every name the page gives its site (twitter handle included)
    url: str | None = None
    lang: str | None = None
    teasers: int = 0  # linked headings or <article> cards: what a listing page is made of
    time_published: tuple[str, ...] = ()  # <time> marked as the publication
    paywalled: bool = False  # the JSON-LD article (or a part of it) is declared not free to read

    def first(self, *names: str) -> str | None:
        """The first non-empty content among meta tags `names`, in the order of `names`."""
        return next((v for n in names for v in self.meta.get(n, ()) if v), None)


def page_meta(tree: HtmlElement) -> PageMeta:
    """Everything the page declares about itself, read from its parsed tree."""
    meta = _meta_tags(tree)
    nodes = list(_ld_nodes(tree))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    # a news article before any other article, before a blog or social posting (an embedded post's node)
    articles = sorted((n for n in nodes if _is_article(n)), key=_article_rank)
    article = next((n for n in articles if n.get("headline") or n.get("author")), None)
    article = article or (articles[0] if articles else {})
    og_type = next(iter(meta.get("og:type", ())), "")
    sites = _site_names(meta, nodes, by_id, article)
    published = tree.xpath("//time[@datetime][@pubdate or @itemprop='datePublished']/@datetime")
    return PageMeta(
        meta=meta,
        titles=_texts(tree, "//title[not(ancestor::svg)]"),  # an inline icon's <title> is no headline
        h1s=_texts(tree, "//h1"),
        headline=_clean(article.get("headline")),
        ld_authors=tuple(_names(article.get("author") or article.get("creator"), by_id)),
        ld_published=_clean(article.get("datePublished") or article.get("dateCreated")),
        ld_modified=_clean(article.get("dateModified")),
        is_article=bool(articles) or og_type.lower() == "article",
        site_name=next(iter(sites), None),
        site_names=(*sites, *(h.lstrip("@") for h in meta.get("twitter:site", ()) if h.startswith("@"))),
        url=_page_url(tree, meta),
        lang=_declared_language(tree, meta),
        teasers=max(len(tree.xpath(_LINKED_HEADINGS)), len(tree.xpath("//article"))),
        time_published=tuple(str(v) for v in published),
        paywalled=_not_free(article),
    )


def _not_free(article: dict[str, Any]) -> bool:
    """Whether the article node, or a part it lists, declares isAccessibleForFree false (schema.org's
    paywall markup: a boolean or the text "False")."""
    parts = article.get("hasPart")
    nodes = [article, *(p for p in (parts if isinstance(parts, list) else [parts]) if isinstance(p, dict))]
    return any(str(n.get("isAccessibleForFree", "")).strip().lower() == "false" for n in nodes)


def _meta_tags(tree: HtmlElement) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = _clean(element.get("content"))
        if key and content:
            found.setdefault(key.strip().lower(), []).append(content)
    return {k: tuple(v) for k, v in found.items()}


def _texts(tree: HtmlElement, xpath: str) -> tuple[str, ...]:
    texts = (_clean(e.text_content()) for e in tree.xpath(xpath) if isinstance(e, HtmlElement))
    return tuple(t for t in texts if t)


def _ld_nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page: top level, in lists and in @graph; a broken script is skipped."""
    for script in tree.xpath(_LD_XPATH):
        try:
            data = json.loads(_CDATA.sub("", script.text or ""), strict=False)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph"))
        main = data.get("mainEntity")
        if isinstance(main, dict):
            yield from _flatten(main)


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type")
    return [t for t in (kind if isinstance(kind, list) else [kind]) if isinstance(t, str)]


def _is_article(node: dict[str, Any]) -> bool:
    return any(_ARTICLE_TYPE.search(t) for t in _types(node))


def _article_rank(node: dict[str, Any]) -> int:
    types = _types(node)
    return (
        0
        if any(t.endswith("NewsArticle") for t in types)
        else 1
        if any(t.endswith("Article") for t in types)
        else 2
    )


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> Iterator[str]:
    """Names of the persons or organisations a JSON-LD author value lists (an @id is looked up)."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = by_id.get(item["@id"], item)
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = name[0] if name else None
        text = _clean(name) if isinstance(name, str) else None
        if text and not _is_url(text):
            yield text


def _site_names(
    meta: dict[str, tuple[str, ...]],
    nodes: list[dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
    article: dict[str, Any],
) -> tuple[str, ...]:
    """Names the page gives its site: og:site_name, application-name, the publisher, the WebSite node."""
    names = [*meta.get("og:site_name", ()), *meta.get("application-name", ())]
    names += meta.get("apple-mobile-web-app-title", ())
    names += _names(article.get("publisher"), by_id)
    names += [n for node in nodes if set(_types(node)) & _SITE_TYPES for n in _names(node, by_id)]
    return tuple(dict.fromkeys(n for n in names if n))


def _page_url(tree: HtmlElement, meta: dict[str, tuple[str, ...]]) -> str | None:
    """The canonical link, else og:url: an absolute http(s) URL or nothing."""
    links = [
        e.get("href", "") for e in tree.xpath("//link[@href]") if "canonical" in e.get("rel", "").split()
    ]
    return next((u.strip() for u in [*links, *meta.get("og:url", ())] if _is_url(u.strip())), None)


def _declared_language(tree: HtmlElement, meta: dict[str, tuple[str, ...]]) -> str | None:
    """The ISO 639-1 code the page declares (<html lang>, content-language, og:locale), if any."""
    http_equiv = [e.get("content", "") for e in tree.xpath("//meta[@http-equiv]")
                  if e.get("http-equiv", "").lower() == "content-language"]  # fmt: skip
    for value in [tree.getroottree().getroot().get("lang") or "", *http_equiv, *meta.get("og:locale", ())]:
        code = re.split(r"[-_,\s]", value.strip().lower(), maxsplit=1)[0]
        if re.fullmatch(r"[a-z]{2}", code):
            return code
    return None


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _clean(value: Any) -> str | None:
    """A declared string with HTML entities undone (some publishers escape twice) and spaces folded."""
    if not isinstance(value, str):
        return None
    text = html.unescape(html.unescape(value)) if "&" in value else value
    return " ".join(text.split()) or None
