"""Hostile inputs through `newsetl run`: every file ends up an article or a quarantine row with a reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from tasks.warehouse import views
from tasks.warehouse.schemas import TABLES
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

BODY = "The minister said on Tuesday that the talks would continue, officials in Paris added. " * 4
LIMIT = 1_500_000


def _outcomes(con) -> list[tuple[str, str]]:
    """(file name, "article" or "stage:reason") for every row of articles and quarantine."""
    return con.execute(
        "select regexp_extract(source_uri, '[^/]+$'), 'article' from articles union all"
        " select regexp_extract(source_uri, '[^/]+$'), stage || ':' || reason_code from quarantine"
    ).fetchall()


def _hostile_corpus(root: Path) -> dict[str, str]:
    """Write every hostile input; returns file name (as in its URI) -> expected outcome."""
    files: dict[str, tuple[bytes, str]] = {
        "empty.txt": (b"", "ingest:empty"),
        "blank.txt": (b"  \n\t\n", "ingest:empty"),
        "image.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "ingest:binary"),
        # a stray NUL in a page of text (a CMS pasting one) is dropped; the page stays the article it is
        "nul.txt": (b"Title\n\nSome text\x00 with a NUL " + BODY.encode(), "article"),
        "latin1.txt": (("Caf\u00e9 prices rise\n\n" + BODY).encode("latin-1"), "article"),
        "cp1252.txt": (
            ("\u201cSmart\u201d quotes here\n\n" + BODY + " \u2014 \u2018yes\u2019.").encode("cp1252"),
            "article",
        ),
        "utf16.txt": (("UTF-16 headline here\n\n" + BODY).encode("utf-16"), "article"),
        "utf8bom.txt": (b"\xef\xbb\xbf" + ("BOM headline here\n\n" + BODY).encode(), "article"),
        "crlf.txt": (("CRLF headline here\r\n\r\n" + BODY).encode(), "article"),
        "cr.txt": (("Lone CR headline\r\r" + BODY).encode(), "article"),
        "truncated.txt": (("Truncated headline\n\n" + BODY + " caf\u00e9").encode()[:-1], "article"),
        "control.txt": (("Control headline\n\n" + BODY + "\x07\x1b[31m red").encode(), "article"),
        "oneline.txt": (b"word " * 200_000, "parse:no_body"),  # a single 1 MB line: a title, no body
        "huge.txt": (b"Huge\n\n" + b"x" * (LIMIT + 1), "ingest:too_large"),
        "page.txt": (f"<!DOCTYPE html><html><body><p>{BODY}</p></body></html>".encode(), "parse:markup"),
        "data.txt": (f'{{"title": "Talks", "body": "{BODY}"}}'.encode(), "parse:structured_data"),
        "title-only.txt": (b"Just a headline\n", "parse:no_body"),
        "chrome.txt": (b"Skip to main content\nPage not found\nShare :\n", "parse:no_content"),
        "same%20b.txt": (("Same content headline\n\n" + BODY).encode(), "article"),
        "same-copy.txt": (("Same content headline\n\n" + BODY).encode(), "ingest:duplicate_content"),
        "caf%C3%A9%20n%C3%A4me.txt": (("Non-ASCII name headline\n\n" + BODY).encode(), "article"),
        "new%0Aline.txt": (("Newline in name headline\n\n" + BODY).encode(), "article"),
    }
    for name, (data, _) in files.items():
        (root / unquote(name)).write_bytes(data)
    deep = root.joinpath(*(f"d{i}" for i in range(30)))
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("Deep folder headline\n\n" + BODY)
    os.symlink("loop", root / "loop")  # a symlink loop
    (root / "sub").mkdir()
    os.symlink("..", root / "sub" / "up")  # a loop through a directory symlink
    os.symlink("missing-target.txt", root / "dangling.txt")
    (root / "folder.txt").mkdir()  # a directory named like a source file
    return {name: outcome for name, (_, outcome) in files.items()} | {
        "deep.txt": "article",
        "dangling.txt": "ingest:vanished",
    }


def test_hostile_inputs_all_accounted_for(prefect_api: str, tmp_path: Path) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    source.mkdir()
    expected = _hostile_corpus(source)
    command = [sys.executable, "-m", "flows.etl", str(source), "--warehouse", str(warehouse)]
    command += ["--max-file-bytes", str(LIMIT)]
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    con = views.connect(warehouse)
    outcomes = _outcomes(con)
    assert dict(outcomes) == expected and len(outcomes) == len(expected)  # each file exactly once
    nul = "select count(*) from articles where contains(title, chr(0)) or contains(body, chr(0))"
    assert con.execute(nul).fetchone() == (0,)
    first = con.execute(
        "select files_seen, articles_written, quarantined, skipped, status from runs"
    ).fetchone()
    assert first == (
        len(expected),
        list(expected.values()).count("article"),
        len(expected) - list(expected.values()).count("article"),
        0,
        "completed",
    )
    for table in TABLES:
        con.execute(f"select count(*) from {table}").fetchone()  # every table readable
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0
    con = views.connect(warehouse)
    rerun = con.execute("select files_seen, skipped from runs order by started_at").fetchall()
    assert (
        rerun[-1][0] == len(expected) and rerun[-1][1] == len(expected) - 1
    )  # only the dangling link retried


def test_a_text_of_tens_of_megabytes_among_good_ones(prefect_api: str, tmp_path: Path) -> None:
    """A 30 MB text (under the default file-size cap, over what an article is parsed up to) is
    quarantined with its reason; the articles beside it load and the run exits 0."""
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    source.mkdir()
    for name in ("000_5d18932342450ac8.txt", "001_ace7b6f46e57d16b.txt"):
        (source / name).write_bytes((ROOT / "seeds" / name).read_bytes())
    (source / "good.txt").write_text("A good headline\n\n" + BODY)
    paragraph = ("The committee met again on Thursday and the talks went on into the night. " * 10).encode()
    with (source / "dump.txt").open("wb") as handle:
        handle.write(b"A dump, not an article\n\n")
        for _ in range(30 * 1024 * 1024 // (len(paragraph) + 2)):
            handle.write(paragraph + b"\n\n")
    assert (source / "dump.txt").stat().st_size > 29 * 1024 * 1024
    command = [str(ROOT / ".venv" / "bin" / "newsetl"), "run", str(source), "--warehouse", str(warehouse)]
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    con = views.connect(warehouse)
    outcomes = _outcomes(con)
    assert sorted(outcomes) == [
        ("000_5d18932342450ac8.txt", "article"),
        ("001_ace7b6f46e57d16b.txt", "article"),
        ("dump.txt", "parse:too_long"),
        ("good.txt", "article"),
    ]
    assert con.execute("select files_seen, articles_written, quarantined from runs").fetchone() == (4, 3, 1)
    kept = con.execute("select octet_length(payload) from quarantine").fetchone()[0]
    assert kept == (source / "dump.txt").stat().st_size  # its bytes are kept, nothing is lost


# `newsetl run` in a process whose quote extractor first runs a careless rule over every article: a regular
# expression that backtracks for ever on a long run of one letter. A real hang, not a sleep.
CARELESS_RUN = """
import re, sys
from flows import cli
from tasks.enrich import quotes

careless, real = re.compile(r"(a+)+b"), quotes.extract

def extract(articles, found):
    for article in articles:
        careless.search(article.body)
    return real(articles, found)

quotes.extract = extract
sys.argv = ["newsetl", "run", *sys.argv[1:]]
cli.main()
"""


def test_a_document_that_hangs_an_extractor_is_quarantined_and_the_run_completes(
    prefect_api: str, tmp_path: Path
) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    source.mkdir()
    for name in ("000_5d18932342450ac8.txt", "001_ace7b6f46e57d16b.txt"):
        (source / name).write_bytes((ROOT / "seeds" / name).read_bytes())
    cheer = (
        'The stadium rose as one, and the cry of "Waaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaah!" went on. '
    )
    (source / "cheer.txt").write_text("Fans cheer the late winner\n\n" + cheer + BODY)
    command = [sys.executable, "-c", CARELESS_RUN, str(source), "--warehouse", str(warehouse)]
    command += ["--doc-timeout", "5"]
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    con = views.connect(warehouse)
    assert sorted(_outcomes(con)) == [
        ("000_5d18932342450ac8.txt", "article"),
        ("001_ace7b6f46e57d16b.txt", "article"),
        ("cheer.txt", "enrich:timeout"),
    ]
    assert con.execute("select detail, octet_length(payload) from quarantine").fetchone() == (
        "stopped after 5 s in stage enrich/quotes",
        (source / "cheer.txt").stat().st_size,
    )
    assert con.execute("select files_seen, articles_written, quarantined, status from runs").fetchone() == (
        3,
        2,
        1,
        "completed",
    )
