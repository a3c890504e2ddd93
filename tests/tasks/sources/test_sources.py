"""Listing a SOURCE and reading its files as records, whatever happens to them meanwhile."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks import sources
from tasks.records import doc_id_of


def test_list_sources_dir_glob_file(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("x")
    (tmp_path / "top.TXT").write_text("x")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.txt").write_text("x")
    assert sources.list_sources(tmp_path) == [
        str(tmp_path / "a" / "b" / "deep.txt"),
        str(tmp_path / "top.TXT"),
    ]
    assert sources.list_sources(str(tmp_path / "*" / "*" / "*.txt")) == [
        str(tmp_path / "a" / "b" / "deep.txt")
    ]
    assert sources.list_sources(tmp_path / "notes.md") == [str(tmp_path / "notes.md")]
    with pytest.raises(sources.SourceError, match="no such file"):
        sources.list_sources(tmp_path / "missing")


def test_read_sources_reports_missing_and_too_large(tmp_path: Path) -> None:
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_bytes(b"hello")
    big.write_bytes(b"x" * 100)
    got = sources.read_sources([str(small), str(big), str(tmp_path / "gone.txt")], max_bytes=50)
    assert got[0].data == b"hello" and got[0].source_uri == small.as_uri()
    assert (got[1].data, got[1].error_code) == (b"x" * 100, "too_large")  # the first MiB, kept as payload
    assert got[1].doc_id == doc_id_of(b"x" * 100)  # hashed as a stream, so a rerun can skip it
    assert "100 bytes is over the 50-byte limit" in (got[1].error or "")
    assert (got[2].data, got[2].error_code) == (None, "vanished")


def test_a_file_that_becomes_unreadable_or_vanishes_after_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked, gone = tmp_path / "locked.txt", tmp_path / "gone.txt"
    locked.write_text("Title\n\nBody.")
    gone.write_text("Title\n\nBody.")
    listed = sources.list_sources(tmp_path)
    gone.unlink()  # vanishes between listing and reading
    real_open = open

    def denying_open(path, *args, **kwargs):
        if str(path) == str(locked):  # tests run as root, where chmod 000 does not stop a read
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denying_open)
    files = {Path(f.source_uri).name: f for f in sources.read_sources(listed)}
    assert (files["locked.txt"].error_code, files["gone.txt"].error_code) == ("unreadable", "vanished")
    assert "locked.txt: Permission denied" in files["locked.txt"].error
    assert all(f.data is None and f.doc_id is None for f in files.values())


def test_a_folder_lists_every_suffix_a_reader_takes_and_nothing_else(tmp_path: Path) -> None:
    taken = ["a.txt", "b.jsonl", "c.NDJSON", "d.json", "e.warc", "f.warc.gz", "g.zip", "h.tar", "i.tar.gz"]
    taken += ["j.tgz", "k.jsonl.gz", "l.txt.gz", "q.html", "r.htm", "s.xhtml", "t.html.gz"]
    for name in [*taken, "m.csv", "n.csv.gz", "o.png", "p.gz"]:
        (tmp_path / name).write_bytes(b"")
    assert [Path(p).name for p in sources.list_sources(tmp_path)] == sorted(taken)
    assert {sources.suffix_of(name) for name in taken} == set(sources.READERS)  # each reader is reached
