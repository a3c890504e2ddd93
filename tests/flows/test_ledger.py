"""The ledger of files read through the flow: a re-run opens no file and says how many it skipped unread;
an added and a changed file are the only ones read; `--rescan` reads all and adds nothing. Opens are
counted at the filesystem layer, by Python's audit hook on `open` (every file open of the process)."""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tasks.warehouse import views
from tests.conftest import BBC, SEED_000

pytestmark = pytest.mark.e2e

_OPENED: list[list[str]] = []  # while a recorder is on: the paths opened, in order


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and _OPENED and isinstance(args[0], str):
        _OPENED[-1].append(args[0])


sys.addaudithook(_audit)  # a hook cannot be removed: it records only inside `opened`


@contextmanager
def opened(folder: Path) -> Iterator[list[str]]:
    """The names of the files under `folder` opened inside the block (each once)."""
    _OPENED.append([])
    names: list[str] = []
    try:
        yield names
    finally:
        paths = _OPENED.pop()
        names += sorted({Path(p).name for p in paths if p.startswith(f"{folder}/")})


def _line(name: str) -> str:
    title, _, body = (BBC / "business" / name).read_text(encoding="utf-8").partition("\n")
    return json.dumps({"title": title.strip(), "text": body.strip()}) + "\n"


def _landing(root: Path) -> Path:
    """A landing zone: a page, a JSON Lines feed of two records, a zip of one page."""
    root.mkdir()
    (root / "seed.txt").write_bytes(SEED_000.read_bytes())
    (root / "feed.jsonl").write_text(_line("001.txt") + _line("002.txt"))
    with zipfile.ZipFile(root / "bundle.zip", "w") as archive:
        archive.writestr("pages/003.txt", (BBC / "business" / "003.txt").read_bytes())
    return root


def test_a_rerun_opens_only_new_or_changed_files(prefect_api: str, tmp_path: Path) -> None:
    from flows.etl import etl

    source, warehouse = _landing(tmp_path / "in"), str(tmp_path / "wh")
    first = etl(source=str(source), warehouse=warehouse)
    assert (first.files_seen, first.files_unread, first.records_seen, first.articles_written) == (3, 0, 4, 4)

    with opened(source) as names:
        again = etl(source=str(source), warehouse=warehouse)
    assert names == []  # not one byte of the landing zone read
    assert (again.files_unread, again.records_seen, again.skipped, again.articles_written) == (3, 4, 4, 0)
    assert again.accounted
    assert "3 files (3 unchanged, skipped unread) and 4 records seen" in again.counts_line()

    (source / "new.txt").write_bytes((BBC / "business" / "004.txt").read_bytes())
    with (source / "feed.jsonl").open("a") as feed:
        feed.write(_line("005.txt"))
    with opened(source) as names:
        third = etl(source=str(source), warehouse=warehouse)
    assert names == ["feed.jsonl", "new.txt"]
    assert (third.files_unread, third.articles_written, third.quarantined, third.skipped) == (2, 2, 0, 4)

    with opened(source) as names:
        rescan = etl(source=str(source), warehouse=warehouse, rescan=True)
    assert names == ["bundle.zip", "feed.jsonl", "new.txt", "seed.txt"]
    assert (rescan.files_unread, rescan.records_seen, rescan.skipped, rescan.articles_written) == (0, 6, 6, 0)
    assert rescan.quarantined == 0

    con = views.connect(warehouse)
    runs = con.execute("select files_seen, files_unread from runs order by started_at").fetchall()
    assert runs == [(3, 0), (3, 3), (4, 2), (4, 0)]
    read = con.execute("select count(*), count(distinct source_uri) from source_files").fetchone()
    assert read == (3 + 2 + 4, 4)  # one row per file read to its end, per run that read it
    feed = con.execute(
        "select records from source_files where source_uri like '%feed.jsonl' order by read_at"
    ).fetchall()
    assert feed == [(2,), (3,), (3,)]
