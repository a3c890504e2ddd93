"""The plain-file reader on HTML files and gzipped files: media types, expansion, caps and corrupt gzip."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from tasks import ingest, sources
from tasks.records import TEXT_HTML, TEXT_PLAIN, XHTML, doc_id_of
from tasks.sources import files

PAGE = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello.</p></body></html>"


def test_html_suffixes_and_their_gzip_are_listed_with_their_media_type(tmp_path: Path) -> None:
    names = ["a.html", "b.HTM", "c.xhtml", "d.html.gz", "e.txt.gz", "f.txt", "g.gz", "h.csv", "i.htm.bak"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    listed = [Path(p).name for p in sources.list_sources(tmp_path)]
    assert listed == ["a.html", "b.HTM", "c.xhtml", "d.html.gz", "e.txt.gz", "f.txt"]
    types = [files.media_type_of(name) for name in listed]
    assert types == [TEXT_HTML, TEXT_HTML, XHTML, TEXT_HTML, TEXT_PLAIN, TEXT_PLAIN]


def test_a_gzipped_page_is_its_expanded_bytes(tmp_path: Path) -> None:
    plain, packed = tmp_path / "p.html", tmp_path / "p.html.gz"
    plain.write_bytes(PAGE)
    packed.write_bytes(gzip.compress(PAGE))
    record = files.read_file(str(packed), max_bytes=1000)
    assert (record.data, record.media_type, record.error_code) == (PAGE, TEXT_HTML, None)
    # the same page plain or gzipped is the same document, and a re-run knows it before reading it
    assert record.doc_id == files.read_file(str(plain)).doc_id == doc_id_of(PAGE)
    assert files.fingerprint(str(packed), max_bytes=1000) == record.doc_id


def test_a_gzip_expanding_past_the_cap_is_too_large(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b" " * 5_000_000))  # ~5 KB that expands a thousandfold
    record = files.read_file(str(bomb), max_bytes=1_000_000)
    assert (record.data, record.error_code) == (None, "too_large")
    assert "expands to over the 1000000-byte limit" in (record.error or "")
    compressed = hashlib.sha256(bomb.read_bytes()).hexdigest()  # never expanded, so addressed as read
    assert record.doc_id == compressed == files.fingerprint(str(bomb), max_bytes=1_000_000)


def test_a_truncated_gzip_is_a_corrupt_record_that_keeps_its_bytes(tmp_path: Path) -> None:
    cut = tmp_path / "cut.html.gz"
    whole = gzip.compress(PAGE * 50)
    cut.write_bytes(whole[: len(whole) // 2])
    record = files.read_file(str(cut))
    assert (record.error_code, record.data) == ("corrupt", cut.read_bytes())
    assert "not a readable gzip file (EOFError" in (record.error or "")
    assert record.doc_id == doc_id_of(cut.read_bytes()) == files.fingerprint(str(cut))
    (rejected,) = ingest.ingest_batch([record]).rejected
    assert (rejected.stage, rejected.reason_code, rejected.payload) == ("ingest", "corrupt", cut.read_bytes())


def test_a_file_named_gz_that_is_not_gzip_is_corrupt(tmp_path: Path) -> None:
    fake = tmp_path / "fake.html.gz"
    fake.write_bytes(PAGE)
    record = files.read_file(str(fake))
    assert record.error_code == "corrupt" and "BadGzipFile" in (record.error or "")
