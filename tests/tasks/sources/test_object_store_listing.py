"""Listing an S3 prefix (moto's server on 127.0.0.1): its keys and folders, then the folders several at
once, page by page, give every object under it once, with the size, time and ETag a plain listing of
the bucket gives, and no page asks for more than S3's 1,000 keys."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tasks import sources

# Folders beside files of the same name, a folder name sorting before `/` (`a-b`), a nested folder, a
# folder marker, a key that shares the prefix's letters but not its folder (`inside/`), names to escape.
KEYS = [
    "in/top.txt",
    "in/top.md",
    "in/a.txt",
    "in/a/x.txt",
    "in/a/b/c/deep.jsonl",
    "in/a-b/x.txt",
    "in/a-b.txt",
    "in/empty/",
    "in/folder with space/é+%.txt",
    *[f"in/f{n:02d}/{m}.txt" for n in range(11) for m in range(3)],  # more folders than listed at once
    "inside/x.txt",
    "other/y.txt",
]


def _bucket(s3_warehouse: str) -> tuple[Any, str]:
    import boto3

    s3, bucket = boto3.client("s3"), s3_warehouse.removeprefix("s3://").split("/")[0]
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return s3, bucket


def _plain(s3: Any, bucket: str, prefix: str) -> list[tuple[str, int, datetime, str, str]]:
    """One listing of the prefix's pages in turn, botocore parsing every field itself."""
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", ()):
            if sources.suffix_of(obj["Key"]) is not None:
                uri = f"s3://{bucket}/{obj['Key']}"
                found.append((uri, obj["Size"], obj["LastModified"].astimezone(UTC), obj["ETag"], uri))
    return sorted(found)


def _as_rows(listed: list[sources.ListedFile]) -> list[tuple[str, int, datetime | None, str | None, str]]:
    return [(f.path, f.byte_size, f.modified_at, f.etag, f.source_uri) for f in listed]


@pytest.mark.parametrize("page_keys", [1000, 2])  # 2: every folder and the prefix's own listing paginate
def test_a_prefix_lists_every_object_once_as_a_plain_listing_does(
    s3_warehouse: str, moto_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, page_keys: int
) -> None:
    monkeypatch.setattr(sources, "_PAGE_KEYS", page_keys)
    s3, bucket = _bucket(s3_warehouse)
    expected = _plain(s3, bucket, "in/")
    log, logged = moto_server[1], moto_server[1].stat().st_size
    assert len(expected) == 40 and f"s3://{bucket}/inside/x.txt" not in {row[0] for row in expected}
    listed = sources.list_files(f"s3://{bucket}/in")
    assert _as_rows(listed) == expected
    assert _as_rows(sources.list_files(f"s3://{bucket}/in/")) == expected
    assert sources.list_sources(f"s3://{bucket}/in/*/x.txt") == [
        f"s3://{bucket}/in/a-b/x.txt",
        f"s3://{bucket}/in/a/x.txt",
    ]
    assert sources.list_sources(f"s3://{bucket}/in/a.txt") == [f"s3://{bucket}/in/a.txt"]  # and a folder
    with log.open() as requests:
        requests.seek(logged)
        pages = [line for line in requests if f"/{bucket}?list-type=2" in line]
    sizes = [int(found.group(1)) for line in pages if (found := re.search(r"max-keys=(\d+)", line))]
    assert len(sizes) == len(pages) > 11 and set(sizes) == {page_keys}  # every page asks, within 1,000


def test_a_listed_time_is_read_in_utc_whatever_form_the_store_gives() -> None:
    moment = datetime(2026, 12, 3, 18, 47, 14, tzinfo=UTC)
    for text in (
        "2026-12-03T18:47:14.000Z",
        "2026-12-03T18:47:14Z",
        "2026-12-03T19:47:14+01:00",
        "2026-12-03T18:47:14",  # no zone: S3's times are UTC
        "Thu, 03 Dec 2026 18:47:14 GMT",  # not ISO 8601: botocore's parser
    ):
        parsed = sources._modified(text)
        assert parsed == moment and parsed.tzinfo == UTC, text
    assert sources._modified("2026-12-03T18:47:14.123456Z").microsecond == 123456
