"""Source files the tests build: WARCs written with warcio as crawlers write them, archives with the
standard library."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Sequence

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_DATE = "2024-03-05T06:07:08Z"


def http_response(
    body: bytes, content_type: str = "text/html; charset=utf-8", encoded: bool = False
) -> tuple:
    """(HTTP headers, payload bytes); `encoded`: gzip content encoding sent chunked, as servers do."""
    if not encoded:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        return StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"), body
    packed = gzip.compress(body)
    pieces = [packed[: len(packed) // 2], packed[len(packed) // 2 :]]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    headers = [("Content-Type", content_type), ("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]
    return StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"), chunked


def warc_bytes(
    pages: Sequence[tuple[str, bytes]], gzipped: bool = True, encoded: bool = False, extras: bool = True
) -> bytes:
    """A WARC of `pages` (url, html) as responses; `extras` adds a warcinfo, a request per page and an
    image response, which a reader must pass over."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    if extras:
        writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "newsetl tests"}))
    for url, html in pages:
        if extras:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
        headers, payload = http_response(html, encoded=encoded)
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(payload),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": WARC_DATE},
        )
        writer.write_record(record)
    if extras:
        headers, payload = http_response(b"\x89PNG\r\n\x1a\n", content_type="image/png")
        image = writer.create_warc_record(
            "http://example.org/a.png", "response", payload=io.BytesIO(payload), http_headers=headers
        )
        writer.write_record(image)
    return buffer.getvalue()


def tar_bytes(members: Sequence[tuple[str, bytes]], mode: str = "w:gz") -> bytes:
    """A tar archive (gzipped by default) of (name, bytes) members, names as given (even unsafe ones)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
