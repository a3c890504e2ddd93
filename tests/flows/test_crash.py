"""Crash safety: `newsetl run` SIGKILLed at chosen moments, with threads and with worker processes, never
costs data, never leaves a broken warehouse, and leaves no process of its own behind."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.flows.accounts import assert_each_record_once, consistent_counts

pytestmark = pytest.mark.e2e

# Where a kill lands: (moment, the log line it follows, which occurrence, seconds after it). Prefect logs a
# task as it finishes, so "after save-dq-results" is inside the commit of that batch's files.
MOMENTS = (
    ("start", r"Beginning flow run", (1, 1), (0.0, 0.4)),  # recover, listing, known doc_ids
    ("listing", r"files to read", (1, 1), (0.0, 0.2)),  # reading records, first batches submitted
    ("mid-batch", r"Task run 'batch-", (1, 1), (0.0, 0.5)),  # the next batches in flight
    ("mid-commit", r"Task run 'save-dq-results-", (1, 2), (0.0, 0.03)),
    ("report", r"Task run 'dq-dashboard-", (1, 1), (0.0, 0.05)),  # artifacts, the runs row's commit
)
RUNNERS = ("threads", "processes")
KILLS = 2 * len(MOMENTS) * len(RUNNERS)  # 20


def _start(source: Path, warehouse: Path, api: str, runner: str = "auto") -> subprocess.Popen:
    command = [sys.executable, "-m", "flows.etl", str(source), "--warehouse", str(warehouse)]
    command += ["--batch-size", "3", "--runner", runner]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PREFECT_API_URL": api},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: what is left of it is found, and killed last
        text=True,
    )


def _kill_after(run: subprocess.Popen, pattern: str, occurrence: int, delay: float) -> list[str]:
    """SIGKILL the run's own process (not its group, as the OOM killer would) `delay` seconds after the
    `occurrence`th log line matching `pattern`, or let it end first."""
    seen: list[str] = []
    reached = threading.Event()

    def read() -> None:
        matched = 0
        for line in run.stdout:
            seen.append(line.rstrip())
            matched += bool(re.search(pattern, line))
            if matched >= occurrence:
                reached.set()
        reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reached.wait(timeout=600)
    time.sleep(delay)
    if run.poll() is None:
        os.kill(run.pid, signal.SIGKILL)
    run.wait()
    reader.join(timeout=10)
    return seen


def _left_behind(session: int, wait: float = 8.0) -> list[str]:
    """The processes of the run's session still running `wait` seconds after it died (then killed)."""
    deadline = time.monotonic() + wait
    while (alive := _session(session)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive:
        os.killpg(session, signal.SIGKILL)
    return alive


def _session(session: int) -> list[str]:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session:  # state, process group
            alive.append(f"{stat.parent.name}: {command}")
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds a run's processes in /proc")
def test_random_kills_lose_nothing(prefect_api: str, tmp_path: Path, bbc: Path) -> None:
    corpus = sorted(bbc.glob("*/*.txt"))[::40]  # 56 files, every category
    everything, source = tmp_path / "all", tmp_path / "in"
    everything.mkdir()
    source.mkdir()
    names = [f"{p.parent.name}-{p.name}" for p in corpus]
    for path, name in zip(corpus, names, strict=True):
        shutil.copy(path, everything / name)
    calibration = tmp_path / "calibration"
    assert _start(everything, calibration, prefect_api).wait(timeout=900) == 0
    rng = random.Random(20261203)
    warehouse = tmp_path / "wh"
    survived = []
    for number, chunk in enumerate(_chunks(names, KILLS)):
        for name in chunk:  # new work arrives before every run, so each kill interrupts real work
            shutil.copy(everything / name, source / name)
        moment, pattern, occurrences, delays = MOMENTS[number % len(MOMENTS)]
        runner = RUNNERS[number // len(MOMENTS) % len(RUNNERS)]
        run = _start(source, warehouse, prefect_api, runner)
        log = _kill_after(run, pattern, rng.randint(*occurrences), rng.uniform(*delays))
        left = _left_behind(run.pid)
        assert not left, f"{runner}: processes outlived the killed run: {left}"
        last = log[-1].split("| ", 2)[-1][:80] if log else "(nothing logged yet)"
        articles = consistent_counts(warehouse)["articles"]
        survived.append((runner, moment, run.returncode, last, articles))
    final = _start(source, warehouse, prefect_api)
    assert final.wait(timeout=900) == 0
    counts = consistent_counts(warehouse)
    assert counts == consistent_counts(calibration) | {
        "runs": counts["runs"],
        "dq_results": counts["dq_results"],
        "dq_metrics": counts["dq_metrics"],  # like dq_results, a log of each run's batches
    }
    assert_each_record_once(warehouse, [p.as_uri() for p in source.iterdir()])
    killed = [(runner, moment) for runner, moment, code, _, _ in survived if code == -signal.SIGKILL]
    assert len(killed) >= KILLS - 2, survived
    assert {(r, m) for r in RUNNERS for m, *_ in MOMENTS} <= set(killed), survived  # each moment, each runner
    print("kills (runner, moment, exit code, last log line before the kill, articles visible after it):")
    print("\n".join(map(str, survived)))


def _chunks(items: list[str], parts: int) -> list[list[str]]:
    """`items` in `parts` runs of nearly equal size, in order."""
    return [items[i * len(items) // parts : (i + 1) * len(items) // parts] for i in range(parts)]
