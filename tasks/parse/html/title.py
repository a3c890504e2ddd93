"""An HTML page's headline: the declared one, without the site name the page itself gives, never cut.

Titles carry the site ("... | Reuters", "CNN - ..."). A leading or trailing segment of a title is dropped
when it names the site as the page's own metadata does (og:site_name, application-name, the JSON-LD
publisher or WebSite, the twitter handle, the host name of the canonical URL), or when the page's <h1>
is the <title> up to a separator (then the rest is the site or the section). No list of sites.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tasks.parse.html.meta import PageMeta

# A title segment separator: a bar, dash, bullet or guillemet between spaces, or a bare bar/bullet.
_SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»/]|::)\s+|\s*[|·•»]\s*")
_SITE_MAX_WORDS = 6  # a site name is a short segment; a longer one is part of the headline
_MIN_KEY = 3  # shorter site keys ("cnn" is 3) would match too much when compared by prefix
_ELLIPSIS = ("…", "...")


def headline(meta: PageMeta, fallback: str | None = None) -> str | None:
    """The page's headline: JSON-LD headline, else the <h1> its <title> or og:title starts with, else
    og:title, else <title>, else `fallback` (trafilatura's); site names stripped, truncation undone."""
    sites = [*meta.site_names, *host_labels(meta.url)]
    titles = [strip_site(t, sites) for t in (*meta.titles, *meta.meta.get("og:title", ()))]
    social = [strip_site(t, sites) for t in meta.meta.get("twitter:title", ())]
    shown = next((h for h in meta.h1s if _agrees(h, titles, sites)), None)
    declared, og_title = (strip_site(t or "", sites) for t in (meta.headline, meta.first("og:title")))
    ordered = [declared, shown, og_title, *titles, strip_site(fallback or "", sites)]
    chosen = next((t for t in ordered if t), None)
    if chosen is None:
        return None
    return _untruncated(chosen, [*titles, *social, *meta.h1s])


def strip_site(title: str, sites: list[str]) -> str:
    """The title without leading or trailing segments that name the site."""
    spans = _segments(title)
    while len(spans) > 1 and is_site(title[slice(*spans[-1])], sites):
        spans.pop()
    while len(spans) > 1 and is_site(title[slice(*spans[0])], sites):
        spans.pop(0)
    return title[spans[0][0] : spans[-1][1]].strip() if spans else ""


def is_site(segment: str, sites: list[str]) -> bool:
    """A short segment that is, starts with or ends with one of the site's own names (or the reverse)."""
    key = _key(segment)
    if not key or len(segment.split()) > _SITE_MAX_WORDS:
        return False
    for site in sites:
        other = _key(site)
        short, long_ = sorted((key, other), key=len)
        if len(short) >= _MIN_KEY and (long_.startswith(short) or long_.endswith(short)):
            return True
    return False


def host_labels(url: str | None) -> list[str]:
    """Names in the page's host: "www.theglobeandmail.com" -> ["theglobeandmail"]; "mirror.co.uk" ->
    ["mirror"] (labels of 3 letters or fewer, "www" and the top-level domain left out)."""
    host = urlsplit(url).hostname if url else None
    labels = (host or "").split(".")[:-1]
    return [label for label in labels if len(label) > 3 and label != "www"]


def _segments(title: str) -> list[tuple[int, int]]:
    """(start, end) of each part of the title between separators."""
    spans, start = [], 0
    for match in _SEPARATOR.finditer(title):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(title)))
    return [(a, b) for a, b in spans if title[a:b].strip()]


def _agrees(h1: str, titles: list[str], sites: list[str]) -> bool:
    """The <h1> is a headline the document title repeats (whole, or up to a separator), not the logo."""
    if len(h1.split()) < 2 or is_site(h1, sites):
        return False
    for title in titles:
        rest = title[len(h1) :]
        if title.startswith(h1) and (not rest or _SEPARATOR.match(rest)):
            return True
    return False


def _untruncated(title: str, others: list[str]) -> str:
    """The full title when `title` is another candidate cut short (mid-word, or ending in an ellipsis)."""
    stem = title.removesuffix("…").removesuffix("...").rstrip()
    cut = title.endswith(_ELLIPSIS)
    longer = [
        o for o in others if len(o) > len(stem) and o.startswith(stem) and (cut or o[len(stem)].isalnum())
    ]
    return max(longer, key=len) if longer else title


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())
