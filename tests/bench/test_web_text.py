from __future__ import annotations

import gzip
from pathlib import Path

from bench import heldout, web_text
from tasks.parse.text import blocks, title_model

_HTML = """<html><head><meta property="og:title" content="Council approves the new harbour plan | Site">
<script type="application/ld+json">
{"@type": "NewsArticle", "headline": "Council approves the new harbour plan"}</script></head>
<body><h1>Council approves the new harbour plan</h1></body></html>"""


def _page(tmp_path: Path, text: str) -> tuple[Path, Path]:
    html_file, text_file = tmp_path / "p.html.gz", tmp_path / "p.txt"
    html_file.write_bytes(gzip.compress(_HTML.encode()))
    text_file.write_text(text, encoding="utf-8")
    return html_file, text_file


def test_the_silver_title_is_the_text_line_that_prints_the_declared_headline(tmp_path: Path) -> None:
    html_file, text_file = _page(
        tmp_path, "Home\nNews\nCouncil approves the new  harbour plan.\nBody text.\n"
    )
    assert web_text.silver_title(html_file, text_file) == "Council approves the new  harbour plan."


def test_no_silver_title_where_the_text_does_not_hold_the_headline(tmp_path: Path) -> None:
    html_file, text_file = _page(tmp_path, "Home\nCouncil approves the plan\nBody text.\n")
    assert web_text.silver_title(html_file, text_file) is None


def test_a_fold_model_is_used_only_inside_the_block() -> None:
    shipped = blocks.shipped_model()
    fitted = blocks.LineModel(shipped.classifier, 0.9, 0.9)
    with heldout.parsing_with(heldout.Models(lines=fitted, titles=title_model.shipped_model())):
        assert (
            blocks.body_lines(["One line of prose here, a sentence."])[1]
            == blocks.body_lines(["One line of prose here, a sentence."], fitted)[1]
        )
        assert blocks.shipped_model() is fitted
    assert blocks.shipped_model() is shipped


def _declared(html: str, site: str = "example.org") -> list[str]:
    tree = web_text.load_html(html)
    return web_text.declared_titles(web_text.page_meta(tree), site)


def test_of_several_h1s_only_the_one_the_title_names_is_a_headline() -> None:
    html = """<html><head><title>Tide gauges go online along the coast - Example</title></head><body>
    <h1>Main navigation menu</h1><h1>Tide gauges go online along the coast</h1><h1>Most read today</h1>
    </body></html>"""
    assert _declared(html) == ["Tide gauges go online along the coast"]


def test_an_h1_spelling_the_site_address_is_the_site_name_not_a_headline() -> None:
    html = """<html><head><title>Harbour Notes » Archive » Tide gauges go online</title></head>
    <body><h1>Harbour Notes</h1></body></html>"""
    assert _declared(html, "harbournotes.org") == []
    assert _declared(html, "example.org") == ["Harbour Notes"]


def _authored(tmp_path: Path, author: str, text: str, site_name: str = "Example Gazette") -> tuple | None:
    html = f"""<html><head><meta property="og:site_name" content="{site_name}">
    <script type="application/ld+json">
    {{"@type": "NewsArticle", "headline": "Tide gauges go online", "author": {{"name": "{author}"}}}}
    </script></head><body></body></html>"""
    html_file, text_file = tmp_path / "a.html.gz", tmp_path / "a.txt"
    html_file.write_bytes(gzip.compress(html.encode()))
    text_file.write_text(text, encoding="utf-8")
    return web_text.silver_authors(html_file, text_file)


def test_silver_authors_are_the_declared_people_the_text_prints(tmp_path: Path) -> None:
    text = "Tide gauges go online\nBy Jane Doe\nThe gauges went online on Monday.\n"
    assert _authored(tmp_path, "Jane Doe", text) == ("Jane Doe",)
    assert _authored(tmp_path, "John Roe", text) is None  # not printed: the text cannot name him
    assert _authored(tmp_path, "Jane Doe", text, site_name="Jane Doe") is None  # the publisher signing
