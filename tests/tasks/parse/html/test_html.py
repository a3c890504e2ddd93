"""HTML pages: one small hand-written page per rule (title, authors, date, url, language, no article)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from trafilatura import load_html

from tasks.parse import ParseError, parse_batch
from tasks.parse.html import _main_text, _trafilatura_field, parse_html
from tasks.parse.html.meta import page_meta
from tasks.parse.html.title import host_labels, is_site, strip_site
from tasks.records import TEXT_HTML, RawDocument

PARAGRAPHS = [
    "The city council voted on Tuesday to expand the tram network to the northern suburbs, ending a "
    "debate that had run for more than a decade and divided residents along the planned route.",
    "Supporters said the line would cut commuting times by half and bring new housing within reach "
    "of the centre, while opponents warned that construction would close shops for two years.",
    "The first section is due to open in 2027, the transport department said in a statement, and the "
    "whole line should carry passengers by the end of the decade if funding from the region holds.",
]


def page(
    head: str = "", title: str = "Council approves tram extension", h1: str | None = None, lang: str = "en"
) -> str:
    """A served article page: <title>, an <h1>, three paragraphs inside <article>, site furniture."""
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    heading = h1 if h1 is not None else title.split(" | ")[0]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}'
        f'</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>{heading}</h1>'
        f"{paragraphs}</article><footer>Contact us</footer></body></html>"
    )


def ld(**node: object) -> str:
    data = json.dumps({"@context": "https://schema.org", **node})
    return f'<script type="application/ld+json">{data}</script>'


def meta(key: str, content: str, attr: str = "property") -> str:
    return f'<meta {attr}="{key}" content="{content}">'


def test_body_from_the_article_and_furniture_left_out() -> None:
    a = parse_html(page(), doc_id="d1", source_uri="file:///p.html")
    assert a.body.split("\n") == PARAGRAPHS
    assert (a.doc_id, a.source_uri, a.title, a.language) == ("d1", "file:///p.html", a.title, "en")
    assert a.word_count == sum(len(p.split()) for p in PARAGRAPHS)


def test_site_suffix_stripped_only_when_the_page_names_the_site() -> None:
    named = page(
        meta("og:site_name", "Example Gazette"), title="Council approves tram extension | Example Gazette"
    )
    assert (parse_html(named).title, parse_html(named).site_name) == (
        "Council approves tram extension",
        "Example Gazette",
    )
    # no metadata names the site and no <h1> repeats the title: the suffix is part of what we know
    unnamed_title = "Council approves tram extension | Example Gazette"
    unnamed = page(title=unnamed_title, h1="")
    assert (parse_html(unnamed).title, parse_html(unnamed).site_name) == (unnamed_title, None)


def test_site_prefix_and_section_segments_by_the_h1_and_the_host() -> None:
    head = '<link rel="canonical" href="https://www.examplegazette.com/news/tram">'
    prefixed = page(head, title="Example Gazette - Council approves tram extension", h1="")
    assert parse_html(prefixed).title == "Council approves tram extension"  # the host names the site
    sectioned = page(
        title="Council approves tram extension | Transport | Metro", h1="Council approves tram extension"
    )
    assert parse_html(sectioned).title == "Council approves tram extension"  # <h1> is <title> up to a bar


def test_site_matching_rules() -> None:
    sites = ["CBC", "theglobeandmail"]
    assert is_site("CBC News", sites) and is_site("The Globe and Mail", sites)
    assert not is_site("Council approves tram extension in the northern suburbs", sites)
    assert strip_site("CBC News", sites) == "CBC News"  # never strips a title to nothing
    assert host_labels("https://www.mirror.co.uk/news/x") == ["mirror"]


def test_json_ld_headline_authors_and_date_win() -> None:
    node = ld(
        **{
            "@type": "NewsArticle",
            "headline": "Council approves tram extension after decade of debate",
            "datePublished": "2024-03-05T18:30:00-05:00",
            "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Tom Bell"}],
        }
    )
    head = node + meta("og:title", "Trams are coming") + meta("author", "Web Desk", "name")
    a = parse_html(page(head))
    assert a.title == "Council approves tram extension after decade of debate"
    assert a.authors == ("Ana Ruiz", "Tom Bell")
    assert a.published_at == datetime(2024, 3, 5, 23, 30, tzinfo=UTC)


def test_the_pages_own_day_is_kept_beside_the_utc_instant() -> None:
    # an evening story in a zone west of UTC: its instant falls on the next UTC day, its day is the page's
    node = ld(**{"@type": "NewsArticle", "headline": "Council approves tram", "datePublished": LATE})
    a = parse_html(page(node + meta("article:published_time", LATE)))
    assert (a.published_at, a.published_at.tzinfo) == (datetime(2024, 3, 6, 2, 30, tzinfo=UTC), UTC)
    assert a.published_date == date(2024, 3, 5)
    assert parse_html(page()).published_date is None


LATE = "2024-03-05T21:30:00-05:00"


def test_json_ld_graph_author_by_id_and_truncated_headline_repaired() -> None:
    full = "Council approves tram extension to the northern suburbs after a decade of debate"
    graph = {
        "@graph": [
            {"@type": "Article", "headline": full[:40] + "…", "author": {"@id": "#p1"}},
            {"@type": "Person", "@id": "#p1", "name": "Ana Ruiz"},
        ]
    }
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    a = parse_html(page(head, title=full))
    assert (a.title, a.authors) == (full, ("Ana Ruiz",))


def test_meta_tags_for_authors_and_dates() -> None:
    head = (
        meta("article:published_time", "2023-04-28T18:23:00+0000")
        + meta("article:author", "https://www.facebook.com/example")
        + meta("author", "By Ana Ruiz and Tom Bell", "name")
    )
    a = parse_html(page(head))
    assert a.authors == ("Ana Ruiz", "Tom Bell")
    assert a.published_at == datetime(2023, 4, 28, 18, 23, tzinfo=UTC)
    dublin = meta("dc.creator", "Ruiz, Ana", "name") + meta("dc.creator", "Bell, Tom", "name")
    assert parse_html(page(dublin)).authors == ("Ana Ruiz", "Tom Bell")


def test_time_datetime_marked_as_published() -> None:
    stamp = '<time itemprop="datePublished" datetime="2022-10-10T13:21:17Z">10 October</time>'
    html = page().replace("<h1>", f"{stamp}<h1>")
    assert parse_html(html).published_at == datetime(2022, 10, 10, 13, 21, 17, tzinfo=UTC)


def test_no_date_is_null_and_placeholder_dates_are_ignored() -> None:
    assert parse_html(page()).published_at is None
    bogus = ld(
        **{"@type": "NewsArticle", "headline": "Council approves tram extension"}, datePublished="0001-01-01"
    )
    assert parse_html(page(bogus)).published_at is None


def test_url_from_canonical_else_og_url() -> None:
    canonical = '<link rel="canonical" href="https://example.org/a/1">' + meta(
        "og:url", "https://example.org/b"
    )
    assert parse_html(page(canonical)).url == "https://example.org/a/1"
    assert parse_html(page(meta("og:url", "https://example.org/b"))).url == "https://example.org/b"
    assert parse_html(page('<link rel="canonical" href="/relative">')).url is None


def test_language_from_the_body_over_a_template_declaration() -> None:
    assert parse_html(page(lang="de")).language == "en"  # the site template says de; the text is English
    assert parse_html(page(lang="en-GB")).language == "en"


ERROR_PAGE = (
    "<html><head><title>404 Not Found</title></head><body><h1>Page not found</h1>"
    "<p>Sorry, the page you were looking for does not exist.</p></body></html>"
)
PAYWALL = page(
    ld(**{"@type": "NewsArticle", "headline": "Markets rally", "isAccessibleForFree": False})
).replace(
    "".join(f"<p>{p}</p>" for p in PARAGRAPHS), "<p>Stocks rose on Tuesday.</p><p>Subscribe to read.</p>"
)
TEASERS = "".join(
    f'<li><h3><a href="/s{i}">Story {i} on the council budget vote and its effects</a></h3>'
    f"<p>A teaser sentence for story {i} goes on here.</p></li>"
    for i in range(20)
)
INDEX = (
    '<html><head><title>World | Example</title><meta property="og:type" content="website"></head>'
    f"<body><ul>{TEASERS}</ul></body></html>"
)


@pytest.mark.parametrize(
    ("html", "why"),
    [
        (ERROR_PAGE, "stub"),
        (PAYWALL, "stub"),
        (INDEX, "index page"),
        ("<html><body></body></html>", "no main"),
        (
            '<html><body><noscript>Enable JavaScript.</noscript><div id="app"></div>'
            '<script src="a.js"></script></body></html>',
            "script page",
        ),
    ],
)
def test_pages_without_an_article_are_refused(html: str, why: str) -> None:
    with pytest.raises(ParseError, match=why) as caught:
        parse_html(html)
    assert caught.value.reason_code == "no_article"


def test_a_block_of_prose_is_an_article_beside_many_links_and_no_markup() -> None:
    # a blog post or a government notice: no article markup, a list of linked headlines around it
    prose = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = INDEX.replace("<body>", f"<body><main><h1>Council budget vote</h1>{prose}</main>")
    article = parse_html(html)
    assert article.body.startswith(PARAGRAPHS[0])


SHORT_POST = page(meta("og:type", "article"), title="Tram vote").replace(
    "".join(f"<p>{p}</p>" for p in PARAGRAPHS), f"<p>{PARAGRAPHS[0][:120]}.</p>"
)


def test_a_short_declared_post_with_a_paragraph_is_an_article_unless_declared_paywalled() -> None:
    assert parse_html(SHORT_POST).body == PARAGRAPHS[0][:120] + "."
    locked = ld(**{"@type": "BlogPosting", "headline": "Tram vote", "isAccessibleForFree": "False"})
    with pytest.raises(ParseError, match="stub"):
        parse_html(SHORT_POST.replace("<title>", locked + "<title>"))


def test_jusText_paragraphs_stand_in_when_the_extractor_keeps_too_little_of_a_declared_article() -> None:
    tree = load_html(page(meta("og:type", "article")))
    found = _main_text(tree, page_meta(tree), "Your guide to the city.", "Council approves tram extension")
    assert found.split("\n") == PARAGRAPHS
    # paragraphs that do not name the headline are the site's own text, not the article
    assert _main_text(tree, page_meta(tree), "Your guide.", "What? Where did it go?") == "Your guide."
    undeclared = load_html(page())  # no article markup: nothing to stand in for
    assert _main_text(undeclared, page_meta(undeclared), "Your guide.", "Council approves") == "Your guide."


def test_parse_batch_dispatches_html_and_quarantines_a_page_without_article() -> None:
    good, empty = page(), "<html><head><title>Home</title></head><body><p>Welcome.</p></body></html>"
    docs = [
        RawDocument(d, f"file:///{d}.html", len(h), "utf-8", h, h.encode(), TEXT_HTML)
        for d, h in (("good", good), ("empty", empty))
    ]
    articles, rejected = parse_batch(docs)
    assert [a.doc_id for a in articles] == ["good"]
    assert [(r.doc_id, r.stage, r.reason_code) for r in rejected] == [("empty", "parse", "no_article")]
    assert rejected[0].payload == empty.encode()


def test_xhtml_with_an_xml_declaration() -> None:
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n' + page().replace(
        '<!DOCTYPE html><html lang="en">', '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">'
    )
    a = parse_html(xhtml)
    assert (a.title, a.body.split("\n")) == ("Council approves tram extension", PARAGRAPHS)


def test_the_news_article_node_wins_over_an_embedded_posting_and_svg_titles_are_ignored() -> None:
    embedded = ld(**{"@type": "SocialMediaPosting", "headline": "lol this tram", "author": {"name": "Troll"}})
    article = ld(
        **{"@type": "NewsArticle", "headline": "Council approves tram extension", "author": "Ana Ruiz"}
    )
    svg = "<svg><title>Share on Facebook</title></svg>"
    html = page(embedded + article).replace("<nav>", f"<nav>{svg}")
    a = parse_html(html)
    assert (a.title, a.authors) == ("Council approves tram extension", ("Ana Ruiz",))
    no_head_title = page(title="", h1="").replace("<nav>", f"<nav>{svg}")
    with pytest.raises(ParseError, match="no title"):  # not the icon's "Share on Facebook"
        parse_html(no_head_title)


@pytest.mark.parametrize(
    ("declared", "authors"),
    [
        (["ANA RUIZ, Example Auto Writer"], ("ANA RUIZ",)),  # a job title after the comma
        (["Analysis by Ana Ruiz", "Example Editor-at-large"], ("Ana Ruiz",)),
        (["ANA RUIZ and TOM BELL, Associated Press"], ("ANA RUIZ", "TOM BELL")),
        (["Tom Bell Associated Press"], ("Tom Bell",)),
        (["Ana Ruiz November"], ("Ana Ruiz",)),  # a date's word run onto the name
        (["Ana Ruiz", "November"], ("Ana Ruiz",)),
        (["Ana Ruiz", "Example Business"], ("Ana Ruiz",)),  # a section beside the person
        (["Ana Ruiz", "MS, RDN"], ("Ana Ruiz",)),  # credentials
        (["Brian May"], ("Brian May",)),  # a month that is the name itself
        (["Example News"], ("Example News",)),  # a publisher signing: kept as declared
        (["RT"], ("RT",)),
        (["Example staff reporter"], ("Example staff reporter",)),
        (["新間"], ("新間",)),  # a name in another script
    ],
)
def test_declared_authors_read_as_bylines(declared: list[str], authors: tuple[str, ...]) -> None:
    node = {"@type": "NewsArticle", "headline": "Council approves tram extension"}
    names = [{"@type": "Person", "name": n} for n in declared]
    assert parse_html(page(ld(**node, author=names))).authors == authors


BYLINE = '<p class="byline">By <a rel="author" href="/staff/ana">Ana Ruiz</a></p>'


@pytest.mark.parametrize(
    "text",
    [
        page(head=""),  # no author anywhere, a <title>
        page(head=meta("author", "Ana Ruiz", "name")),
        page(head=meta("author", "aruiz", "name")),  # a handle, dropped by trafilatura
        page(head=ld(**{"@type": "NewsArticle", "author": {"name": "Tom Bell"}})),
        page(title="").replace("<h1>", BYLINE + "<h1>"),  # byline in the markup, no <title>
        page(title="", h1="").replace("<article>", "<article><h2>Trams: the vote</h2>"),
    ],
)
def test_trafilatura_title_and_author_as_its_metadata_pass_gives_them(text: str) -> None:
    from trafilatura import bare_extraction

    found = bare_extraction(load_html(text), with_metadata=True, include_comments=False)
    tree = load_html(text)
    assert (_trafilatura_field(tree, "title"), _trafilatura_field(tree, "author")) == (
        found.title,
        found.author,
    )


def test_undeclared_author_found_in_markup_without_trafilaturas_date_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import trafilatura.metadata

    def no_search(*args: object, **kwargs: object) -> None:
        raise AssertionError("trafilatura's metadata pass searched the page for a date")

    monkeypatch.setattr(trafilatura.metadata, "find_date", no_search)
    a = parse_html(page().replace("<h1>", BYLINE + "<h1>"))
    assert (a.title, a.authors) == ("Council approves tram extension", ("Ana Ruiz",))
