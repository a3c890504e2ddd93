"""`python -m bench.ledger_speed --files N --out OUT.json`: a no-op re-run over N small files (issue 26).

Local: N files of a few bytes in folders of 1,000, each with a NUL byte, so a real first `newsetl run`
quarantines them at ingest (`binary`) and costs reading and committing, not NLP; then the re-run, timed as
a fresh CLI process (imports included), with every file open under the folder counted in that process
(bench.counted_run: Python's audit hook on `open`).

S3: the same N objects in a bucket of moto's server, run in this process and filled through its backend
(N PUTs over HTTP would take about N/20 s here). Reading them in a first run would cost two requests per
object on moto, an hour at N=100,000, so the ledger that run would commit is written from the objects
themselves (key, size, ETag, one record each) in one commit; the re-run is then timed the same way, and
the server's request log counts GET and HEAD requests on the source objects, and the listing pages.
moto lists in O(keys) per 1,000-key page, so at N=100,000 the listing is most of the S3 figure
(`seconds_list` of the run's `runs` row); S3 itself returns a page in tens of milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import free_port, prefect_server, run_measured
from tasks.ingest import ledger
from tasks.quality import suites
from tasks.records import RunContext
from tasks.reports import data_docs
from tasks.sources import ListedFile, ReadOptions
from tasks.warehouse import commit, rows, tables
from tasks.warehouse.schemas import SOURCE_FILES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PER_FOLDER = 1000
S3_ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
_REQUEST = re.compile(r'"(GET|HEAD|PUT|POST|DELETE) (\S+) HTTP')


def landing_names(count: int) -> list[str]:
    """The files' names relative to the landing zone: `000/000000.txt`, ..."""
    return [f"{n // PER_FOLDER:03d}/{n:06d}.txt" for n in range(count)]


def content(number: int) -> bytes:
    """A small file's bytes: distinct per file, with a NUL byte (quarantined at ingest as binary)."""
    return b"\x00bench file %d\n" % number


def local_line(count: int, work: Path, env: dict[str, str], logs: Path) -> dict[str, Any]:
    """A real first run over `count` local files, then the no-op re-run: wall seconds and files opened."""
    folder = work / "landing"
    for number, name in enumerate(landing_names(count)):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content(number))
    warehouse = work / "wh-local"
    first = [sys.executable, "-m", "flows.etl", str(folder), "--warehouse", str(warehouse)]
    first_run = run_measured([*first, "--batch-size", "5000"], env, ROOT, logs / "ledger_first.log")
    _checked(first_run.returncode, logs / "ledger_first.log")
    again = _counted(
        str(folder), str(folder), str(warehouse), work / "opens.json", env, logs / "ledger_noop.log"
    )
    return {"seconds_first": first_run.seconds, **again, **_newest_run(str(warehouse))}


def s3_line(count: int, work: Path, env: dict[str, str], logs: Path) -> dict[str, Any]:
    """The no-op re-run over `count` objects of moto's server (in this process): wall seconds, GET and
    HEAD requests on the source objects, listing pages."""
    from moto.server import ThreadedMotoServer

    requests: list[tuple[str, str]] = []
    _log_requests(requests)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    s3_env = {**S3_ENV, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    os.environ.update(s3_env)  # this process writes the seeded ledger; the child inherits them
    try:
        source = _fill_bucket(count)
        warehouse = "s3://bench-warehouse/wh"
        _seed_ledger(source, warehouse)
        requests.clear()
        run_env = {**env, **s3_env}
        again = _counted(
            str(work), source, warehouse, work / "opens-s3.json", run_env, logs / "ledger_s3.log"
        )
        objects = [(m, p) for m, p in requests if p.startswith("/bench-landing/")]
        listings = [(m, p) for m, p in requests if p.startswith("/bench-landing?list-type")]
        return {
            **again,
            "object_requests": len(objects),
            "list_pages": len(listings),
            **_newest_run(warehouse),
        }
    finally:
        server.stop()


def _fill_bucket(count: int) -> str:
    """`count` objects in bucket bench-landing, put through moto's backend; returns the SOURCE prefix."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    backend.create_bucket("bench-landing", S3_ENV["AWS_DEFAULT_REGION"])
    backend.create_bucket("bench-warehouse", S3_ENV["AWS_DEFAULT_REGION"])
    for number, name in enumerate(landing_names(count)):
        backend.put_object("bench-landing", f"in/{name}", content(number))
    return "s3://bench-landing/in"


def _seed_ledger(source: str, warehouse: str) -> None:
    """The ledger rows a first run over the bucket would commit (one record per object), in one commit,
    and the Data Docs its report would have built (a re-run builds them only when the suites changed)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    bucket = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket("bench-landing")
    reads = [
        ledger.FileRead(ListedFile(f"s3://bench-landing/{key.name}", key.size, None, key.etag), 1)
        for key in bucket.keys.values()
    ]
    digest = ledger.options_digest(ReadOptions())
    table = rows.source_files_table(reads, RunContext.new(), digest)
    commit.commit_batch(warehouse, "seeded-ledger", {SOURCE_FILES.name: table})
    data_docs.build_data_docs(warehouse, suites.load_suites())  # as that first run's report would have


def _log_requests(requests: list[tuple[str, str]]) -> None:
    """Keep (method, path) of every request moto's server logs (werkzeug's request log)."""

    class Requests(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if found := _REQUEST.search(record.getMessage()):
                requests.append((found.group(1), found.group(2)))

    log = logging.getLogger("werkzeug")
    log.setLevel(logging.INFO)
    log.addHandler(Requests())
    log.propagate = False


def _counted(
    folder: str, source: str, warehouse: str, out: Path, env: dict[str, str], log: Path
) -> dict[str, Any]:
    """`newsetl run SOURCE` as a fresh process, file opens under `folder` counted (bench.counted_run)."""
    command = [sys.executable, "-m", "bench.counted_run", str(out), folder, "--", "run", source]
    measured = run_measured([*command, "--warehouse", warehouse], env, ROOT, log)
    _checked(measured.returncode, log)
    return {"seconds": measured.seconds, "peak_rss_mib": measured.peak_rss_mib, **json.loads(out.read_text())}


def _newest_run(warehouse: str) -> dict[str, Any]:
    """The newest `runs` row's file counts and its list and total seconds."""
    newest = max(tables.read_table(warehouse, "runs").to_pylist(), key=lambda r: r["started_at"])
    keys = ("files_seen", "files_unread", "records_seen", "skipped")
    return {
        **{key: newest[key] for key in keys},
        **{k: v for k, v in newest.items() if k.startswith("seconds_")},
    }


def _checked(returncode: int, log: Path) -> None:
    if returncode != 0:
        raise RuntimeError(f"exit {returncode}; last lines of {log}:\n{log.read_text()[-3000:]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger_speed", description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--logs", type=Path, default=ROOT / "bench" / "logs")
    parser.add_argument("--skip-s3", action="store_true", help="the local line only")
    args = parser.parse_args(argv)
    args.logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory(prefix="newsetl-ledger-") as work, contextlib.ExitStack() as stack:
        if "PREFECT_API_URL" not in env:  # run alone: a server of its own, as `make bench` has one
            home = Path(work) / "prefect-home"
            env["PREFECT_API_URL"] = stack.enter_context(prefect_server(BIN / "prefect", home, env))[0]
        started = time.perf_counter()
        figures: dict[str, Any] = {"files": args.files}
        figures["local"] = local_line(args.files, Path(work) / "local", env, args.logs)
        args.out.write_text(json.dumps(figures, indent=2, default=str) + "\n")  # kept if S3 is cut short
        if not args.skip_s3:
            (Path(work) / "s3").mkdir()
            figures["s3"] = s3_line(args.files, Path(work) / "s3", env, args.logs)
        figures["seconds_bench"] = round(time.perf_counter() - started, 1)
    args.out.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
