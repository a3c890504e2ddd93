"""`make bench` / `python -m bench`: newsetl against the NER floor and a naive peer, in one run.

The 1x warehouse is also rebuilt (`--rebuild`) with no parser change, right after the full run and the
no-op re-run: the NER model's output is reused from the warehouse's ner_cache table, so the rebuild's
share of the full run is what the rest of the pipeline costs.

Every contender runs as a child process tree of this one, one after the other, on copies of the
corpus in a temporary folder (deleted at the end). Absolute seconds depend on what else the machine
runs; compare the ratios, which come from one run of this script.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

from bench import corpus, dashboard, report, story_speed
from bench.measure import Measured, prefect_server, run_measured

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newsetl-bench-"))
    try:
        raw = measure_all(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    figures = report.derive(raw)
    print(report.render(figures))
    if raw.get("stories"):  # near-duplicates and stories (bench.story_speed)
        print(story_speed.render(raw["stories"]))
    report.write_json(args.out, figures, raw)
    print(f"\nwritten to {args.out}")


def measure_all(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Every raw measurement; the corpus copies and warehouses live under `work`."""
    files = corpus.corpus_files(args.corpus, 20 if args.quick else None)
    scale = 2 if args.quick else args.scale
    base = corpus.copy_corpus(files, args.corpus, work / "base", 1)
    scaled = corpus.copy_corpus(files, args.corpus, work / "scaled", scale)
    raw: dict[str, Any] = {
        "machine": machine(),
        "scale": scale,
        "workers": args.workers,
        "newsetl_args": args.newsetl_args,
        "docs_1x": len(base),
        "docs_nx": len(scaled),
        "words_1x": corpus.word_count(base),
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with prefect_server(BIN / "prefect", work / "prefect-home", env) as (api, started):
        env["PREFECT_API_URL"] = api
        raw["server_start_s"] = started
        logs = args.logs
        logs.mkdir(parents=True, exist_ok=True)
        _step("start-up probe")
        probe = run_measured(
            [sys.executable, "-m", "bench.startup", str(work / "s.json")], env, ROOT, logs / "startup.log"
        )
        raw["startup"] = _checked(probe, logs / "startup.log") and _json(work / "s.json")
        for name, source, warehouse, flags in (
            ("newsetl_1x", work / "base", work / "wh1", []),
            ("noop", work / "base", work / "wh1", []),
            ("rebuild", work / "base", work / "wh1", ["--rebuild"]),  # no parser change: the NER cache's
            ("newsetl_nx", work / "scaled", work / "whN", []),
        ):
            _step(name)
            command = [sys.executable, "-m", "flows.etl", str(source), "--warehouse", str(warehouse)]
            command += [*flags, "--workers", str(args.workers), *args.newsetl_args]
            measured = run_measured(command, env, ROOT, logs / f"{name}.log")
            _checked(measured, logs / f"{name}.log")
            raw[name] = {**_fields(measured), "stages": last_run_stages(warehouse)}
        _step("newsetl_1x with its temporary Prefect server")  # as a user runs it without a server
        command = [sys.executable, "-m", "flows.etl", str(work / "base"), "--warehouse", str(work / "wht")]
        command += ["--workers", str(args.workers), *args.newsetl_args]
        alone = {k: v for k, v in env.items() if k != "PREFECT_API_URL"} | {
            "PREFECT_HOME": str(work / "prefect-home-temporary")
        }
        measured = run_measured(command, alone, ROOT, logs / "temporary_1x.log")
        _checked(measured, logs / "temporary_1x.log")
        raw["temporary_1x"] = {**_fields(measured), "stages": last_run_stages(work / "wht")}
        _step("NER floor")
        command = [sys.executable, "-m", "bench.floor", str(work / "wh1"), "--out", str(work / "f.json")]
        command += ["--processes", str(args.workers)]
        floor = run_measured(command, env, ROOT, logs / "floor.log")
        raw["floor"] = {**_fields(_checked(floor, logs / "floor.log")), **_json(work / "f.json")}
        _step("NER-only floor")
        floor = run_measured([*command, "--ner-only"], env, ROOT, logs / "ner_floor.log")
        raw["ner_floor"] = {**_fields(_checked(floor, logs / "ner_floor.log")), **_json(work / "f.json")}
        if not args.skip_html:
            raw["html"] = measure_html(args, work / "html", env)
        _step("ledger: no-op re-run over many small files, local and S3 (moto)")
        command = [
            sys.executable,
            "-m",
            "bench.ledger_speed",
            "--out",
            str(work / "l.json"),
            "--logs",
            str(logs),
        ]
        command += ["--files", str(2_000 if args.quick else 100_000)]
        ledger = run_measured(command, env, ROOT, logs / "ledger.log")
        raw["ledger"] = _checked(ledger, logs / "ledger.log") and _json(work / "l.json")
    _step("DQ dashboard")
    runs = 200 if args.quick else dashboard.RUNS_STORED
    command = [sys.executable, "-m", "bench.dashboard", "--runs", str(runs), "--out", str(work / "d.json")]
    probe = run_measured(command, env, ROOT, logs / "dashboard.log")
    raw["dashboard"] = _checked(probe, logs / "dashboard.log") and _json(work / "d.json")
    _step("stories")
    command = [sys.executable, "-m", "bench.story_speed", "--out", str(work / "st.json")]
    stories = run_measured(command, env, ROOT, logs / "stories.log")
    raw["stories"] = _checked(stories, logs / "stories.log") and _json(work / "st.json")
    if not args.skip_naive:
        _step("naive peer")
        (work / "naive").mkdir()
        command = [sys.executable, "-m", "bench.naive", str(work / "base"), str(work / "naive")]
        naive = run_measured(command, env, ROOT, logs / "naive.log")
        raw["naive"] = _fields(_checked(naive, logs / "naive.log"))
    return raw


def measure_html(args: argparse.Namespace, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """The HTML line: newsetl end to end on pages/html at 1x and Nx, the NER floor on the bodies it
    wrote, and HTML extraction alone (newsetl's parse stage, trafilatura alone) in pages/s per core."""
    files = corpus.corpus_files(args.html_corpus, 20 if args.quick else None, "*.htm*")
    scale = 2 if args.quick else args.scale
    base = corpus.copy_corpus(files, args.html_corpus, work / "base", 1)
    scaled = corpus.copy_corpus(files, args.html_corpus, work / "scaled", scale)
    raw: dict[str, Any] = {"scale": scale, "docs_1x": len(base), "docs_nx": len(scaled)}
    for name, source, warehouse in (("html_1x", "base", "wh1"), ("html_nx", "scaled", "whN")):
        _step(name)
        command = [
            sys.executable,
            "-m",
            "flows.etl",
            str(work / source),
            "--warehouse",
            str(work / warehouse),
        ]
        command += ["--workers", str(args.workers), *args.newsetl_args]
        measured = _checked(
            run_measured(command, env, ROOT, args.logs / f"{name}.log"), args.logs / f"{name}.log"
        )
        raw[name] = {**_fields(measured), "stages": last_run_stages(work / warehouse)}
    _step("HTML NER floor")
    command = [sys.executable, "-m", "bench.floor", str(work / "wh1"), "--out", str(work / "f.json")]
    floor = run_measured(
        [*command, "--processes", str(args.workers)], env, ROOT, args.logs / "html_floor.log"
    )
    raw["floor"] = {**_fields(_checked(floor, args.logs / "html_floor.log")), **_json(work / "f.json")}
    _step("HTML extraction alone: newsetl parse stage, trafilatura")
    command = [sys.executable, "-m", "bench.html_speed", str(work / "base"), "--out", str(work / "s.json")]
    speed = run_measured(command, env, ROOT, args.logs / "html_speed.log")
    raw["extraction"] = {**_fields(_checked(speed, args.logs / "html_speed.log")), **_json(work / "s.json")}
    return raw


def last_run_stages(warehouse: Path) -> dict[str, float]:
    """seconds_<stage> of the newest row of the warehouse's `runs` table."""
    runs = ds.dataset(warehouse / "runs", format="parquet", partitioning="hive").to_table()
    newest = max(runs.to_pylist(), key=lambda r: r["started_at"])
    return {
        k.removeprefix("seconds_"): v
        for k, v in newest.items()
        if k.startswith("seconds_") and k != "seconds_total"
    }


def machine() -> str:
    """nproc, CPU model and RAM of this machine."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {ram:.0f} GiB RAM, Python {platform.python_version()}"


def _checked(measured: Measured, log: Path) -> Measured:
    if measured.returncode != 0:
        raise RuntimeError(f"exit {measured.returncode}; last lines of {log}:\n{log.read_text()[-3000:]}")
    return measured


def _fields(measured: Measured) -> dict[str, float]:
    return {"seconds": measured.seconds, "peak_rss_mib": measured.peak_rss_mib}


def _json(path: Path) -> dict[str, Any]:
    import json

    return json.loads(path.read_text())


def _step(name: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--scale", type=int, default=5, help="N of the Nx copy (default 5)")
    parser.add_argument("--quick", action="store_true", help="20 files per folder and N=2: about a minute")
    parser.add_argument("--workers", type=int, default=2, help="newsetl --workers and the floor's processes")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive peer (slow)")
    parser.add_argument(
        "--html-corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "pages" / "html"
    )
    parser.add_argument("--skip-html", action="store_true", help="leave out the HTML line")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--logs", type=Path, default=ROOT / "bench" / "logs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpora and warehouses")
    parser.add_argument("newsetl_args", nargs="*", help="extra `newsetl run` flags, after --")
    return parser


if __name__ == "__main__":
    main()
