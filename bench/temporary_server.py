"""`newsetl run` with its temporary Prefect server (no PREFECT_API_URL), timed stage by stage, for A/B.

`python -m bench.temporary_server [--per-folder N] [--rounds R] [--base DIR] [--reused-home] [--floor]
[--out FILE]`

Each run gets a fresh warehouse and a fresh PREFECT_HOME (`--reused-home`: one for all the runs, served
once before, as a user's is after a first run), and runs `python -m flows.etl` on the first N files of
each folder of ../shared/corpora/bbc, as the bench's temporary-server line does. While it runs, its
process tree is sampled every POLL_SECONDS: when the temporary server first answers /health, when each
kind of process first appears (the fork server, the first worker, the first watched batch: so when a
worker is warm), and the CPU seconds of each kind: the run's own process, the server, the fork server,
the workers and their batches. With `--base DIR` (a checkout of another commit), the runs alternate:
base, this checkout, base, ... (A B A B), so that both see the same machine; the load average is
recorded at each start. `--floor` runs the NER floor (bench.floor) after each round and gives each
run's ratio to it.

`--server-parts` times instead, in fresh processes, the three parts of the temporary server's start (as
flows.api_server launches it): importing Prefect's server app, creating it, and its start-up (the
database's migrations, block registration, the services), on a fresh PREFECT_HOME and on the same home
again.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import suppress
from pathlib import Path
from typing import Any

import psutil

from bench import corpus

ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.25


def kind(process: psutil.Process, kinds: dict[int, str]) -> str:
    """server (Prefect's), fork server (flows.workers), worker (spawned, or forked by the fork server)
    or batch (a watched batch's child, forked by a worker), from the command line and the parent."""
    command = " ".join(process.cmdline())
    parent = kinds.get(process.ppid(), "main")
    if "uvicorn" in command or "prefect server" in command:
        return "server"
    if parent == "worker":
        return "batch"
    if "multiprocessing.spawn" in command or parent == "fork server":
        return "worker"
    return "fork server" if "multiprocessing.forkserver" in command else "other"


def _healthy(port: str) -> bool:
    with suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
        return r.status == 200
    return False


def timed_run(
    checkout: Path, source: Path, work: Path, workers: int, home: Path | None = None
) -> dict[str, Any]:
    """One `python -m flows.etl` from `checkout` with no API configured (PREFECT_HOME `home`, else a
    fresh one); its timeline and CPU."""
    home = home or Path(tempfile.mkdtemp(dir=work))
    warehouse = Path(tempfile.mkdtemp(dir=work)) / "wh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PYTHONPATH": str(checkout), "PREFECT_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "flows.etl", str(source), "--warehouse", str(warehouse)]
    command += ["--workers", str(workers)]
    load = os.getloadavg()[0]
    cpu: dict[int, tuple[str, float]] = {}
    kinds: dict[int, str] = {}
    marks: dict[str, float] = {}
    log = work / f"run-{time.monotonic_ns()}.log"
    with log.open("w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=checkout, stdout=out, stderr=subprocess.STDOUT)
        main = psutil.Process(child.pid)
        while child.poll() is None:
            now = time.perf_counter() - start
            with suppress(psutil.NoSuchProcess):
                cpu[main.pid] = ("main", sum(main.cpu_times()[:2]))
                for p in main.children(recursive=True):
                    with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        kinds.setdefault(p.pid, kind(p, kinds))
                        cpu[p.pid] = (kinds[p.pid], sum(p.cpu_times()[:2]))
                        marks.setdefault(f"first {kinds[p.pid]}", now)
                        if kinds[p.pid] == "server" and "healthy" not in marks:
                            port = p.cmdline()[p.cmdline().index("--port") + 1]
                            if _healthy(port):
                                marks["healthy"] = now
                                marks["main_cpu_at_healthy"] = cpu[main.pid][1]
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - start
    if child.returncode:
        raise RuntimeError(f"run failed ({child.returncode}): {log.read_text()[-3000:]}")
    by_kind: dict[str, float] = {}
    for name, spent in cpu.values():
        by_kind[name] = round(by_kind.get(name, 0.0) + spent, 2)
    by_kind["all"] = round(sum(by_kind.values()), 2)
    return {
        "checkout": str(checkout),
        "warehouse": str(warehouse),
        "seconds": round(seconds, 2),
        "load_average_1m": round(load, 2),
        "cpu_seconds": by_kind,
        "marks": {k: round(v, 2) for k, v in marks.items()},
    }


SERVER_PARTS = """
import asyncio, json, os, resource, time
os.environ |= {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
def spent():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime
parts, last = {}, spent()
def mark(name):
    global last
    now = spent()
    parts[name] = {"wall_s": round(now[0] - last[0], 2), "cpu_s": round(now[1] - last[1], 2)}
    last = spent()
import prefect.server.api.server as server
mark("import")
app = server.create_app()
mark("create_app")
async def start():
    async with app.router.lifespan_context(app):
        mark("start-up")
try:
    asyncio.run(start())
except AssertionError:  # a service stopped before it ran its loop: the start-up was timed already
    pass
print(json.dumps(parts))
"""


def server_parts(work: Path) -> dict[str, Any]:
    """Each part of the temporary server's start, in a fresh process: on a fresh home, then on it again."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(work / "parts-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    figures = {}
    for home in ("fresh home", "same home again"):
        done = subprocess.run(
            [sys.executable, "-c", SERVER_PARTS], env=env, capture_output=True, text=True, check=True
        )
        figures[home] = json.loads(done.stdout.strip().splitlines()[-1])
        print(home, json.dumps(figures[home]), flush=True)
    return figures


def served_once(home: Path) -> None:
    """PREFECT_HOME `home` as a user's is after a first run: its database made, its blocks registered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PYTHONPATH": str(ROOT), "PREFECT_HOME": str(home)}
    code = "from flows import api_server\ns = api_server.start()\ns.wait_healthy(600)\ns.stop()\n"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def floor_seconds(warehouse: str, workers: int, work: Path) -> float:
    """Wall seconds of the NER floor (bench.floor, as `make bench` runs it) over that warehouse's bodies."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bench.floor", warehouse, "--out", str(work / "floor.json")]
    start = time.perf_counter()
    subprocess.run([*command, "--processes", str(workers)], env=env, cwd=ROOT, check=True)
    return round(time.perf_counter() - start, 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--per-folder", type=int, default=60, help="files from each folder of the corpus")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--base", type=Path, help="a checkout of the commit to compare with (run first)")
    parser.add_argument("--reused-home", action="store_true", help="one PREFECT_HOME, served once before")
    parser.add_argument("--floor", action="store_true", help="the NER floor after each round, its ratio")
    parser.add_argument("--server-parts", action="store_true", help="time the server's start's parts only")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.server_parts:
        with tempfile.TemporaryDirectory(prefix="newsetl-temporary-") as tmp:
            figures = server_parts(Path(tmp))
        if args.out:
            args.out.write_text(json.dumps(figures, indent=1) + "\n")
        return
    checkouts = [args.base.resolve(), ROOT] if args.base else [ROOT]
    with tempfile.TemporaryDirectory(prefix="newsetl-temporary-") as tmp:
        work = Path(tmp)
        files = corpus.corpus_files(args.corpus, args.per_folder)
        corpus.copy_corpus(files, args.corpus, work / "source")
        home = work / "home" if args.reused_home else None
        if home:
            served_once(home)
        runs = []
        for _ in range(args.rounds):
            for checkout in checkouts:
                runs.append(timed_run(checkout, work / "source", work, args.workers, home))
                print(json.dumps(runs[-1]), flush=True)
            if args.floor:
                floor = floor_seconds(runs[-1]["warehouse"], args.workers, work)
                for run in runs[-len(checkouts) :]:
                    run |= {"floor_s": floor, "floor_ratio": round(run["seconds"] / floor, 3)}
                print(json.dumps({"floor_s": floor}), flush=True)
    if args.out:
        args.out.write_text(json.dumps({"files": len(files), "runs": runs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
