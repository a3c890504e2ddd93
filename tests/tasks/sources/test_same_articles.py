"""The same pages as HTML files, as a WARC (built with warcio) and as JSON Lines give the same articles."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tasks import ingest, parse, sources
from tasks.records import Article, SourceRecord
from tests.conftest import ROOT
from tests.tasks.sources.builders import warc_bytes

PAGES = ROOT.parent / "shared" / "corpora" / "pages" / "html"
COUNT = 6


def _articles(paths: list[str], options: sources.ReadOptions | None = None) -> list[Article]:
    records = [i for p in paths for i in sources.iter_records(p, options) if isinstance(i, SourceRecord)]
    articles, rejected = parse.parse_batch(ingest.ingest_batch(records).documents)
    assert not rejected, [(r.source_uri, r.reason_code, r.detail) for r in rejected]
    return articles


def _what(article: Article) -> tuple:
    return (article.title, article.authors, article.published_at, article.language, article.body)


def test_html_files_a_warc_and_json_lines_of_the_same_pages_give_the_same_articles(tmp_path: Path) -> None:
    files = sorted(PAGES.glob("*.html.gz"))[:COUNT]
    assert len(files) == COUNT, f"pages corpus not found at {PAGES}"
    pages = [gzip.decompress(f.read_bytes()) for f in files]
    urls = [f"https://example.org/{f.name.split('.')[0]}" for f in files]
    warc = tmp_path / "pages.warc.gz"
    warc.write_bytes(warc_bytes(list(zip(urls, pages, strict=True))))
    lines = tmp_path / "pages.jsonl"
    texts = [ingest.decode_text(p)[0] for p in pages]  # as ingest decodes the files
    lines.write_text(
        "".join(json.dumps({"url": u, "html": t}) + "\n" for u, t in zip(urls, texts, strict=True))
    )
    from_files = [_what(a) for a in _articles([str(f) for f in files])]
    from_warc = _articles([str(warc)])
    assert [_what(a) for a in from_warc] == from_files
    assert [a.url for a in from_warc] == urls  # the WARC's target URI wins over the page's own link
    from_lines = _articles([str(lines)], sources.ReadOptions(fields=(("body", "html"),)))
    assert [_what(a) for a in from_lines] == from_files
