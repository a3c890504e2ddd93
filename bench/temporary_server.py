"""`newsetl run` with its temporary Prefect server (no PREFECT_API_URL), timed stage by stage, for A/B.

`python -m bench.temporary_server [--per-folder N] [--rounds R] [--base DIR] [--out FILE]`

Each run gets a fresh PREFECT_HOME and warehouse and runs `python -m flows.etl` on the first N files of
each folder of ../shared/corpora/bbc, as the bench's temporary-server line does. While it runs, its
process tree is sampled every POLL_SECONDS: when the temporary server first answers /health, when each
kind of process first appears (the fork server, the first worker, the first watched batch: so when a
worker is warm), and the CPU seconds of each kind: the run's own process, the server, the fork server,
the workers and their batches. With `--base DIR` (a checkout of
another commit), the runs alternate: base, this checkout, base, ... (A B A B), so that both see the same
machine; the load average is recorded at each start.
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


def timed_run(checkout: Path, source: Path, work: Path, workers: int) -> dict[str, Any]:
    """One `python -m flows.etl` from `checkout` with no API configured; its timeline and CPU."""
    home, warehouse = Path(tempfile.mkdtemp(dir=work)), Path(tempfile.mkdtemp(dir=work)) / "wh"
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
        "seconds": round(seconds, 2),
        "load_average_1m": round(load, 2),
        "cpu_seconds": by_kind,
        "marks": {k: round(v, 2) for k, v in marks.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--per-folder", type=int, default=60, help="files from each folder of the corpus")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--base", type=Path, help="a checkout of the commit to compare with (run first)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    checkouts = [args.base.resolve(), ROOT] if args.base else [ROOT]
    with tempfile.TemporaryDirectory(prefix="newsetl-temporary-") as tmp:
        work = Path(tmp)
        files = corpus.corpus_files(args.corpus, args.per_folder)
        corpus.copy_corpus(files, args.corpus, work / "source")
        runs = []
        for _ in range(args.rounds):
            for checkout in checkouts:
                runs.append(timed_run(checkout, work / "source", work, args.workers))
                print(json.dumps(runs[-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps({"files": len(files), "runs": runs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
