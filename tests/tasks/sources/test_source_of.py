"""source_of: the one name of a record's source, for coverage per source, quarantine and the reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.sources import source_of


@pytest.mark.parametrize(
    ("uri", "url", "source"),
    [
        ("file:///data/feeds/reuters/0001.txt", None, "/data/feeds/reuters"),
        ("/data/feeds/reuters/0002.txt", None, "/data/feeds/reuters"),  # a bare path names the same folder
        ("file:///data/in%20box/a.txt", None, "/data/in box"),
        ("file:///data/crawl.warc.gz", "https://www.example.com/a/b", "example.com"),
        ("https://www.example.org/news/1", None, "example.org"),
        ("s3://bucket/in/x.txt", None, "bucket/in"),
        ("s3://bucket/in/x.txt", "http://news.example/y", "news.example"),
    ],
)
def test_a_source_is_the_site_of_a_page_else_the_folder_of_its_file(uri: str, url: str | None, source: str):
    assert source_of(uri, url) == source


def test_a_file_named_as_a_uri_or_as_a_path_is_one_source(tmp_path: Path) -> None:
    page = tmp_path / "site-a" / "1.html"
    assert source_of(page.as_uri()) == source_of(str(page)) == str(page.parent)
