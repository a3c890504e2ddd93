from __future__ import annotations

import gzip
from pathlib import Path

from bench import title_labels, web_text

_HTML = """<html><head><meta property="og:title" content="Tide gauges go online">
<title>Tide gauges go online along the coast - Example</title></head>
<body><h1>Tide gauges go online along the coast</h1></body></html>"""


def _audit(tmp_path: Path, text: str) -> title_labels.Audit:
    html_file, text_file = tmp_path / "p.html.gz", tmp_path / "p.txt"
    html_file.write_bytes(gzip.compress(_HTML.encode()))
    text_file.write_text(text, encoding="utf-8")
    return title_labels.audit(html_file, text_file, "example.org")


def test_each_declaration_is_named_by_its_source_in_declaration_order() -> None:
    meta = web_text.page_meta(web_text.load_html(_HTML))
    assert web_text.declarations(meta, "example.org") == [
        ("og:title", "Tide gauges go online"),
        ("h1", "Tide gauges go online along the coast"),
    ]


def test_the_label_is_the_first_printed_declaration_or_the_printed_h1_first(tmp_path: Path) -> None:
    both = _audit(
        tmp_path,
        "Tide gauges go online along the coast\nShare: Tide gauges go online\nTide gauges go online\n",
    )
    assert both.label() == ("og:title", "Tide gauges go online")
    assert both.label(h1_first=True) == ("h1", "Tide gauges go online along the coast")
    assert both.disagree
    only_h1 = _audit(tmp_path, "Tide gauges go online along the coast\nThe gauges went online.\n")
    assert only_h1.label() == only_h1.label(h1_first=True) == ("h1", "Tide gauges go online along the coast")
    assert not only_h1.disagree
    none = _audit(tmp_path, "Something else\n")
    assert none.label() is None and not none.disagree
