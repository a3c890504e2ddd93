"""JSON Lines and JSON arrays: one record per line or element, fields by common names or --field."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tasks import sources
from tasks.records import RECORD_JSON, SourceRecord
from tasks.sources import ReadOptions
from tasks.sources.jsonl import canonical_bytes, field_mapping, mapped_fields

ARTICLE = {"headline": "Rates rise", "maintext": "The bank raised rates.", "publishedAt": "2024-01-02"}


def _records(path: Path, options: ReadOptions | None = None) -> list[SourceRecord]:
    items = list(sources.iter_records(str(path), options))
    assert all(isinstance(i, SourceRecord) for i in items)
    return items  # type: ignore[return-value]


def test_common_field_names_are_found_and_kept_as_canonical_bytes(tmp_path: Path) -> None:
    path = tmp_path / "crawl.jsonl"
    extra = {**ARTICLE, "link": "https://example.org/a", "byline": "Ann Lee", "views": 7}
    path.write_text(json.dumps(extra) + "\n")
    (record,) = _records(path)
    fields = json.loads(record.data or b"")
    assert fields == {
        "title": "Rates rise",
        "body": "The bank raised rates.",
        "published": "2024-01-02",
        "authors": "Ann Lee",
        "url": "https://example.org/a",
    }  # "views" is not an article field: not kept
    assert record.data == canonical_bytes(fields) and record.media_type == RECORD_JSON
    assert (record.url, record.locator, record.source_uri) == (
        "https://example.org/a",
        "line:1",
        path.as_uri(),
    )


def test_the_same_record_with_keys_reordered_or_spaced_has_the_same_doc_id(tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.ndjson"
    one.write_text(json.dumps(ARTICLE) + "\n")
    two.write_text(json.dumps(dict(reversed(ARTICLE.items())), indent=None, separators=(" , ", " : ")) + "\n")
    assert _records(one)[0].doc_id == _records(two)[0].doc_id


def test_field_options_name_keys_and_dotted_paths(tmp_path: Path) -> None:
    path = tmp_path / "custom.jsonl"
    path.write_text(json.dumps({"story": {"words": "Body here.", "head": "Head"}, "text": "not this"}) + "\n")
    options = ReadOptions(fields=field_mapping(["body=story.words", "title = story.head"]))
    (record,) = _records(path, options)
    assert json.loads(record.data or b"") == {"body": "Body here.", "title": "Head"}
    with pytest.raises(ValueError, match="FIELD=KEY"):
        field_mapping(["bodyy=text"])
    with pytest.raises(ValueError, match="FIELD=KEY"):
        field_mapping(["body"])


def test_mapped_fields_skip_empty_values_for_the_next_common_name() -> None:
    assert mapped_fields({"text": "", "body": "B", "title": None, "headline": "H"}) == {
        "body": "B",
        "title": "H",
    }


def test_a_malformed_line_is_a_bad_record_and_the_lines_after_it_are_read(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b'{"text": "one"}\n{"text": "two"\n\n[1, 2]\n{"id": 3}\n{"text": "four"}\n')
    records = _records(path)
    assert [(r.locator, r.error_code) for r in records] == [
        ("line:1", None),
        ("line:2", "malformed_json"),
        ("line:4", "not_an_object"),  # line 3 is blank: no record
        ("line:5", "no_body"),
        ("line:6", None),
    ]
    bad = records[1]
    assert bad.data == b'{"text": "two"\n' and bad.doc_id and "line:2: malformed JSON" in (bad.error or "")
    assert "id" in (records[3].error or "") and "--field body=" in (records[3].error or "")


def test_a_line_over_the_limit_keeps_its_first_megabyte_and_size_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    huge = json.dumps({"text": "x" * 3_000_000})
    path.write_text(f"{huge}\n{json.dumps(ARTICLE)}\n")
    big, after = _records(path, ReadOptions(max_record_bytes=100_000))
    assert (big.error_code, big.locator, len(big.data or b"")) == ("too_large", "line:1", 1024 * 1024)
    assert f"{len(huge) + 1:,} bytes is over the 100,000-byte limit" in (big.error or "")
    assert (after.error_code, after.locator) == (None, "line:2")


def test_a_json_array_gives_one_record_per_element(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    elements = [ARTICLE, {"text": "Ünïcode body " * 100_000}]  # an element longer than one read chunk
    path.write_text(json.dumps(elements, ensure_ascii=False, indent=2), encoding="utf-8")
    records = _records(path)
    assert [r.locator for r in records] == ["index:0", "index:1"]
    assert json.loads(records[1].data or b"")["body"] == elements[1]["text"]


def test_a_malformed_array_element_stops_the_array_as_one_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"text": "fine"}, {"text": broken}, {"text": "unreachable"}]')
    first, bad = _records(path)
    assert (first.locator, bad.locator, bad.error_code) == ("index:0", "index:1", "malformed_json")
    assert bad.data == b'{"text": broken}, {"text": "unreachable"}]'  # the rest, kept as the payload


def test_a_json_file_of_one_object_of_several_or_of_lines(tmp_path: Path) -> None:
    single, several, lines = tmp_path / "one.json", tmp_path / "several.json", tmp_path / "lines.json"
    single.write_text(json.dumps(ARTICLE, indent=2))
    several.write_text(
        json.dumps(ARTICLE, indent=2) + "\n" + json.dumps({"text": "two"}, indent=1) + "\n{oops"
    )
    lines.write_text(f"{json.dumps(ARTICLE)}\n{{broken\n{json.dumps({'text': 'two'})}\n")
    (one,) = _records(single)
    assert (one.locator, json.loads(one.data or b"")["title"]) == ("index:0", "Rates rise")
    assert [(r.locator, r.error_code) for r in _records(several)] == [
        ("index:0", None),
        ("index:1", None),
        ("index:2", "malformed_json"),
    ]
    assert [(r.locator, r.error_code) for r in _records(lines)] == [
        ("line:1", None),
        ("line:2", "malformed_json"),  # JSON Lines under a .json name: a bad line is skipped
        ("line:3", None),
    ]


def test_a_truncated_gzip_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    lines = b"".join(json.dumps({"text": f"record {i} " + "w" * i}).encode() + b"\n" for i in range(3000))
    packed = gzip.compress(lines)
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    records = _records(path)
    good, last = records[:-1], records[-1]
    assert 500 < len(good) < 3000 and all(r.error_code is None for r in good)
    assert [r.locator for r in good] == [f"line:{i}" for i in range(1, len(good) + 1)]
    assert last.error_code == "truncated" and last.locator == f"after:line:{len(good)}" and last.doc_id
    again = _records(path)[-1]
    assert again.doc_id == last.doc_id  # a re-run meets the same id, and skips it
