"""WARC: HTML responses as records (payload decoded, url and fetched_at kept), the rest passed over."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks import sources
from tasks.records import TEXT_HTML, SourceRecord
from tasks.sources import Ignored, ReadOptions
from tasks.sources.warc import read_warc
from tests.tasks.sources.builders import WARC_DATE, warc_bytes

PAGES = [
    (f"https://example.org/news/{i}", f"<html><body><p>Story {i}.</p></body></html>".encode())
    for i in range(3)
]


@pytest.mark.parametrize(("gzipped", "encoded"), [(True, False), (False, False), (True, True)])
def test_html_responses_are_records_and_the_rest_is_ignored(
    tmp_path: Path, gzipped: bool, encoded: bool
) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    data = warc_bytes(PAGES, gzipped=gzipped, encoded=encoded)
    path.write_bytes(data)
    items = list(sources.iter_records(str(path)))
    records = [i for i in items if isinstance(i, SourceRecord)]
    ignored = [i.kind for i in items if isinstance(i, Ignored)]
    assert ignored == [
        "warc:warcinfo",
        "warc:request",
        "warc:request",
        "warc:request",
        "warc:response(image/png)",
    ]
    assert [(r.data, r.url) for r in records] == [
        (html, url) for url, html in PAGES
    ]  # headers, chunks, gzip undone
    assert all(r.media_type == TEXT_HTML and r.source_uri == path.as_uri() for r in records)
    assert {r.fetched_at for r in records} == {datetime.fromisoformat(WARC_DATE).astimezone(UTC)}
    for record in records:  # the locator is the record's offset: a reader can start there
        offset = int(record.locator.removeprefix("offset:"))
        (again, *_) = read_warc(io.BytesIO(data[offset:]), "u", ReadOptions())
        assert isinstance(again, SourceRecord) and again.data == record.data


@pytest.mark.parametrize("gzipped", [True, False])
def test_a_corrupt_record_is_quarantined_and_the_records_after_it_are_read(
    tmp_path: Path, gzipped: bool
) -> None:
    clean = warc_bytes(PAGES, gzipped=gzipped, extras=False)
    offsets = [int(r.locator[7:]) for r in read_warc(io.BytesIO(clean), "u", ReadOptions())]  # type: ignore[union-attr]
    broken = bytearray(clean)
    broken[offsets[1] + 3 : offsets[1] + 60] = b"\x00" * 57  # the second record's header, or its gzip stream
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    path.write_bytes(bytes(broken))
    records = list(sources.iter_records(str(path)))
    assert [(r.locator, r.error_code) for r in records] == [  # type: ignore[union-attr]
        (f"offset:{offsets[0]}", None),
        (f"offset:{offsets[1]}", "corrupt_warc_record"),
        (f"offset:{offsets[2]}", None),
    ]
    bad = records[1]
    assert (
        isinstance(bad, SourceRecord)
        and bad.data
        and bad.data.startswith(bytes(broken[offsets[1] : offsets[1] + 100]))
    )
    assert f"reading goes on at offset {offsets[2]}" in (bad.error or "")


def test_a_payload_over_the_limit_keeps_its_first_megabyte_url_and_date(tmp_path: Path) -> None:
    big = b"<html><body>" + b"<p>word</p>" * 300_000 + b"</body></html>"
    path = tmp_path / "big.warc.gz"
    path.write_bytes(warc_bytes([("https://example.org/big", big), *PAGES[:1]], extras=False))
    large, small = sources.iter_records(str(path), ReadOptions(max_record_bytes=500_000))
    assert isinstance(large, SourceRecord) and isinstance(small, SourceRecord)
    assert (large.error_code, large.url, len(large.data or b"")) == (
        "too_large",
        "https://example.org/big",
        1024 * 1024,
    )
    assert large.data == big[: 1024 * 1024] and f"{len(big):,} bytes" in (large.error or "")
    assert small.error_code is None and small.data == PAGES[0][1]


@pytest.mark.parametrize(
    ("cut", "code"),
    [(40, "truncated"), (300, "corrupt_warc_record")],  # in the last payload; its headers
)
def test_a_truncated_warc_keeps_the_records_before_the_cut(tmp_path: Path, cut: int, code: str) -> None:
    pages = [(url, html * 40) for url, html in PAGES]
    data = warc_bytes(pages, extras=False)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) - cut])
    records = list(sources.iter_records(str(path)))
    assert [r.error_code for r in records] == [None, None, code]  # type: ignore[union-attr]
    assert [r.data for r in records[:2]] == [html for _, html in pages[:2]]  # type: ignore[union-attr]
