"""Crash safety: `newsetl run` SIGKILLed at random moments never costs data or leaves a broken warehouse."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tasks.warehouse import views
from tasks.warehouse.schemas import TABLES
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

KILLS = 12
KEYED = ("raw_documents", "articles")  # one row per doc_id


def _start(source: Path, warehouse: Path, api: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "flows.etl",
        str(source),
        "--warehouse",
        str(warehouse),
        "--batch-size",
        "10",
    ]
    env = {**os.environ, "PREFECT_API_URL": api}
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )


def _kill_after_lines(run: subprocess.Popen, lines: int, extra: float) -> list[str]:
    """SIGKILL the run `extra` seconds after its `lines`-th log line (Prefect logs each task as it
    finishes: recover, listing, every batch, every commit, the report), or let it end first."""
    seen: list[str] = []
    reached = threading.Event()

    def read() -> None:
        for line in run.stdout:
            seen.append(line.rstrip())
            if len(seen) >= lines:
                reached.set()
        reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reached.wait(timeout=600)
    time.sleep(extra)
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    reader.join(timeout=10)
    return seen


def _assert_consistent(warehouse: Path) -> dict[str, int]:
    """Every table reads without error and no doc_id appears twice where it is a key."""
    con = views.connect(warehouse)
    counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in TABLES}
    for name in KEYED:
        total, distinct = con.execute(f"select count(*), count(distinct doc_id) from {name}").fetchone()
        assert total == distinct, f"{name}: a doc_id appears twice"
    files, ids = con.execute(
        "select count(*), count(distinct doc_id) from quarantine where doc_id is not null"
    ).fetchone()
    assert files == ids, "a quarantined file was recorded twice"
    return counts


def test_random_kills_lose_nothing(prefect_api: str, tmp_path: Path, bbc: Path) -> None:
    corpus = sorted(bbc.glob("*/*.txt"))[::7][:300]  # every category, a few duplicates included
    everything, source = tmp_path / "all", tmp_path / "in"
    everything.mkdir()
    source.mkdir()
    names = [f"{p.parent.name}-{p.name}" for p in corpus]
    for path, name in zip(corpus, names, strict=True):
        shutil.copy(path, everything / name)
    calibration = tmp_path / "calibration"
    assert _start(everything, calibration, prefect_api).wait(timeout=900) == 0
    rng = random.Random(20261122)
    warehouse = tmp_path / "wh"
    survived = []
    for chunk in _chunks(names, KILLS):
        for name in chunk:  # new work arrives before every run, so each kill interrupts real work
            shutil.copy(everything / name, source / name)
        run = _start(source, warehouse, prefect_api)
        log = _kill_after_lines(run, rng.randint(1, 40), rng.uniform(0, 0.5))
        last = log[-1].split("| ", 2)[-1][:90] if log else "(nothing logged yet)"
        survived.append((run.returncode, last, _assert_consistent(warehouse)["articles"]))
    final = _start(source, warehouse, prefect_api)
    assert final.wait(timeout=900) == 0
    counts = _assert_consistent(warehouse)
    assert counts == _assert_consistent(calibration) | {
        "runs": counts["runs"],
        "dq_results": counts["dq_results"],
        "dq_metrics": counts["dq_metrics"],  # like dq_results, a log of each run's batches
    }
    con = views.connect(warehouse)
    accounted = con.execute(
        "select source_uri, count(*) from (select source_uri from articles union all"
        " select source_uri from quarantine) group by all"
    ).fetchall()
    assert sorted(u for u, _ in accounted) == sorted(p.as_uri() for p in source.iterdir())
    assert all(n == 1 for _, n in accounted), "a file is both an article and quarantined, or twice"
    assert sum(code == -signal.SIGKILL for code, _, _ in survived) >= 10, survived
    print("kills (exit code, last log line before the kill, articles visible after it):")
    print("\n".join(map(str, survived)))


def _chunks(items: list[str], parts: int) -> list[list[str]]:
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]
