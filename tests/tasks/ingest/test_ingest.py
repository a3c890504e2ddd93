from __future__ import annotations

import codecs

import pytest

from tasks.ingest import DecodeError, decode_text, ingest_batch, ingest_record
from tasks.records import RawDocument, Rejected, SourceRecord, doc_id_of
from tests.conftest import SEED_000

TEXT = "Ministers met in Brussels on Monday. “We stand together,” Michel said. Prices rose by £5 – again."


def test_doc_id_is_sha256_of_bytes() -> None:
    assert doc_id_of(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # with BOM
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_text_round_trips(data: bytes, encoding: str) -> None:
    assert decode_text(data) == (TEXT, encoding)


def test_latin1_pound_in_bbc_sport_199(bbc) -> None:
    data = (bbc / "sport" / "199.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding = decode_text(data)
    assert encoding == "cp1252"
    assert "a £15.8m signing" in text


def test_truncated_multibyte_character_at_end_is_dropped() -> None:
    data = "Café au lait é".encode()[:-1]
    assert decode_text(data) == ("Café au lait ", "utf-8")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"plain text with a \x00 inside it", "binary"),
        (b"\x01\x02\x03\x04 text \x05\x06\x07\x08\x0e\x0f", "binary"),
    ],
)
def test_binary_bytes_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_text(data)
    assert info.value.reason_code == reason


def test_a_few_stray_nul_bytes_in_a_long_page_leave_it_text_without_them() -> None:
    page = "<html><body><p>" + "A sentence of the article goes on here. " * 100 + "</p></body></html>"
    data = page.replace("<p>", "<p>" + "\x00" * 11, 1).encode()
    assert decode_text(data) == (page, "utf-8")


def test_ingest_record_quarantines_empty_and_whitespace_with_payload() -> None:
    for data, detail in ((b"", "empty file"), (b" \n\t\r\n", "whitespace only (5 bytes)")):
        outcome = ingest_record(SourceRecord("file:///x.txt", data))
        assert isinstance(outcome, Rejected)
        assert (outcome.stage, outcome.reason_code, outcome.detail) == ("ingest", "empty", detail)
        assert outcome.payload == data
        assert outcome.doc_id == doc_id_of(data)


def test_ingest_record_unreadable_source_is_rejected_without_doc_id() -> None:
    outcome = ingest_record(SourceRecord("file:///gone.txt", None, "vanished", "gone.txt: gone"))
    assert outcome == Rejected("file:///gone.txt", None, "ingest", "vanished", "gone.txt: gone", None)


def test_ingest_record_seed_is_a_raw_document() -> None:
    data = SEED_000.read_bytes()
    doc = ingest_record(SourceRecord(SEED_000.as_uri(), data))
    assert isinstance(doc, RawDocument)
    assert (doc.doc_id, doc.byte_size, doc.encoding) == (doc_id_of(data), 2559, "utf-8")
    assert doc.raw_text.startswith("France Requests EU Invoke")
    assert "François Hollande" in doc.raw_text


def test_ingest_batch_accounts_for_every_record() -> None:
    files = [
        SourceRecord("file:///b.txt", b"new article text"),
        SourceRecord("file:///b-copy.txt", b"new article text"),
        SourceRecord("file:///c.txt", b""),
    ]
    result = ingest_batch(files)
    assert [d.source_uri for d in result.documents] == ["file:///b.txt"]
    assert [(r.source_uri, r.reason_code, r.detail) for r in result.rejected] == [
        ("file:///b-copy.txt", "duplicate_content", "same bytes as file:///b.txt"),
        ("file:///c.txt", "empty", "empty file"),
    ]
    assert len(result.documents) + len(result.rejected) == len(files)
    assert result.seen() == {
        doc_id_of(b"new article text"): "file:///b.txt",
        doc_id_of(b""): "file:///c.txt",
    }


def test_a_bad_record_inside_a_file_is_quarantined_with_its_bytes_and_where_it_sat() -> None:
    from tasks.sources.common import bad_record

    cut = bad_record(
        "file:///d.jsonl", "line:7", "malformed_json", "file:///d.jsonl line:7: malformed", b"{x"
    )
    rejected = ingest_record(cut)
    assert isinstance(rejected, Rejected) and (rejected.reason_code, rejected.payload) == (
        "malformed_json",
        b"{x",
    )
    assert rejected.doc_id == cut.doc_id and rejected.detail == "file:///d.jsonl line:7: malformed"
    binary = SourceRecord("file:///a.zip!x.txt", b"\x00\x01" * 50, locator="")
    blank = SourceRecord("file:///d.jsonl", b"   ", locator="line:2")
    assert isinstance(rejected := ingest_record(blank), Rejected)
    assert rejected.detail == "line:2: whitespace only (3 bytes)"  # the quarantine row says which record
    assert isinstance(rejected := ingest_record(binary), Rejected) and not rejected.detail.startswith(":")
