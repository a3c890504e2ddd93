"""Archives: members read by their own format, named `archive!member`; bombs, traversal and links refused."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from tasks import sources
from tasks.records import SourceRecord
from tasks.sources import Ignored, Item, ReadOptions
from tests.tasks.sources.builders import tar_bytes, warc_bytes

PAGE = b"Headline\n\nA body paragraph of the story."
LINES = b'{"title": "One", "text": "First."}\n{"title": "Two", "text": "Second."}\n'


def _zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def _items(path: Path, options: ReadOptions | None = None) -> list[Item]:
    return list(sources.iter_records(str(path), options))


def test_zip_members_are_read_by_their_format_and_named_archive_bang_member(tmp_path: Path) -> None:
    warc = warc_bytes([("https://example.org/a", b"<html><p>A</p></html>")], extras=False)
    path = _zip(
        tmp_path / "dump.zip",
        [("docs/page.txt", PAGE), ("feed.jsonl", LINES), ("crawl.warc.gz", warc), ("logo.png", b"\x89PNG")],
    )
    items = _items(path)
    uris = [(i.source_uri, i.locator) for i in items]
    base = path.as_uri()
    assert uris == [
        (f"{base}!docs/page.txt", ""),
        (f"{base}!feed.jsonl", "line:1"),
        (f"{base}!feed.jsonl", "line:2"),
        (f"{base}!crawl.warc.gz", "offset:0"),
        (f"{base}!logo.png", ""),
    ]
    page, warc_record, logo = items[0], items[3], items[4]
    assert isinstance(page, SourceRecord) and page.data == PAGE and page.media_type == "text/plain"
    assert isinstance(warc_record, SourceRecord) and warc_record.url == "https://example.org/a"
    assert isinstance(logo, Ignored) and logo.kind == "member:.png"


def test_the_same_records_in_a_tar_gz_and_nested_one_level(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("feed.jsonl", LINES)
    path = tmp_path / "bundle.tgz"
    path.write_bytes(tar_bytes([("a/page.txt", PAGE), ("a/inner.zip", inner.getvalue())]))
    items = _items(path)
    assert [(i.source_uri.removeprefix(path.as_uri()), i.locator) for i in items] == [
        ("!a/page.txt", ""),
        ("!a/inner.zip!feed.jsonl", "line:1"),
        ("!a/inner.zip!feed.jsonl", "line:2"),
    ]
    flat = _items(_zip(tmp_path / "flat.zip", [("feed.jsonl", LINES)]))
    assert [i.doc_id for i in items[1:]] == [i.doc_id for i in flat]  # type: ignore[union-attr]


def test_an_archive_two_levels_down_is_refused(tmp_path: Path) -> None:
    deepest = io.BytesIO()
    with zipfile.ZipFile(deepest, "w") as archive:
        archive.writestr("page.txt", PAGE)
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as archive:
        archive.writestr("deepest.zip", deepest.getvalue())
    (item,) = _items(_zip(tmp_path / "outer.zip", [("middle.zip", middle.getvalue())]))
    assert isinstance(item, SourceRecord) and item.error_code == "nested_too_deep"
    assert item.source_uri.endswith("outer.zip!middle.zip!deepest.zip") and item.data == deepest.getvalue()


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "a/../../b.txt", "..\\..\\win.txt"])
def test_a_member_name_climbing_out_is_quarantined_with_its_bytes(tmp_path: Path, name: str) -> None:
    path = _zip(tmp_path / "evil.zip", [(name, b"root:x:0:0"), ("ok.txt", PAGE)])
    bad, good = _items(path)
    assert isinstance(bad, SourceRecord) and bad.error_code == "unsafe_member_name"
    assert bad.data == b"root:x:0:0" and bad.doc_id and "unsafe member name" in (bad.error or "")
    assert isinstance(good, SourceRecord) and good.error_code is None


def test_tar_links_are_quarantined_not_followed(tmp_path: Path) -> None:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        link = tarfile.TarInfo("passwd.txt")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    path = tmp_path / "links.tar"
    path.write_bytes(buffer.getvalue())
    (item,) = _items(path)
    assert (
        isinstance(item, SourceRecord) and item.error_code == "unsafe_member" and item.data == b"/etc/passwd"
    )


def test_a_zip_bomb_member_stops_at_the_record_limit_with_its_first_megabyte(tmp_path: Path) -> None:
    path = _zip(tmp_path / "bomb.zip", [("zeros.txt", b"\0" * 50_000_000), ("ok.txt", PAGE)])
    assert path.stat().st_size < 100_000  # ~1,000 : 1
    bomb, good = _items(path, ReadOptions(max_record_bytes=2_000_000))
    assert (
        isinstance(bomb, SourceRecord) and bomb.error_code == "too_large" and bomb.data == b"\0" * 1024 * 1024
    )
    assert "over 32,000,000 bytes is over the 2,000,000-byte limit" in (bomb.error or "")
    assert isinstance(good, SourceRecord) and good.data == PAGE


def test_an_archive_expanding_past_its_limit_stops_as_one_bad_record(tmp_path: Path) -> None:
    members = [(f"page{i}.txt", PAGE + b" " * 400_000) for i in range(10)]
    path = _zip(tmp_path / "many.zip", members)
    items = _items(path, ReadOptions(max_expanded_bytes=1_500_000))
    assert [i.error_code for i in items] == [None, None, None, "expansion_limit"]  # type: ignore[union-attr]
    assert items[-1].locator == "after:!page2.txt" and "1,500,000-byte limit" in (items[-1].error or "")  # type: ignore[union-attr]


def test_a_gzip_of_one_file_is_read_by_its_inner_name(tmp_path: Path) -> None:
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(PAGE))
    (tmp_path / "feed.ndjson.gz").write_bytes(gzip.compress(LINES))
    (tmp_path / "table.csv.gz").write_bytes(gzip.compress(b"a,b\n"))  # no reader: not listed
    listed = sources.list_sources(tmp_path)
    assert [Path(p).name for p in listed] == ["feed.ndjson.gz", "page.txt.gz"]
    items = [i for p in listed for i in sources.iter_records(p)]
    assert [(Path(i.source_uri).name, i.locator) for i in items] == [
        ("feed.ndjson.gz", "line:1"),
        ("feed.ndjson.gz", "line:2"),
        ("page.txt.gz", ""),
    ]
    assert items[2].data == PAGE  # type: ignore[union-attr]
    assert json.loads(items[0].data or b"")["title"] == "One"  # type: ignore[union-attr]


def test_a_corrupt_zip_or_gzip_is_one_bad_record(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08 not deflate data at all")
    codes = [i.error_code for p in sources.list_sources(tmp_path) for i in sources.iter_records(p)]  # type: ignore[union-attr]
    assert codes == ["corrupt_compression", "corrupt_archive"]


def test_a_gzipped_page_cut_short_is_one_bad_record_never_a_shorter_page(tmp_path: Path) -> None:
    page = b"Headline\n\n" + b"".join(
        b"Paragraph %d of a long story, told at length.\n\n" % k for k in range(4000)
    )
    packed = gzip.compress(page)
    (tmp_path / "page.txt.gz").write_bytes(packed[: len(packed) // 2])
    (item,) = _items(tmp_path / "page.txt.gz")
    assert isinstance(item, SourceRecord) and item.error_code == "truncated"
    assert item.data and page.startswith(item.data) and len(item.data) < len(page)
    assert "the record is incomplete" in (item.error or "")
