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
