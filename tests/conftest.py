"""Shared fixtures: the seeds (exact expectations) and the BBC corpus (scale and robustness); and the
suite's rule on Prefect (tests/guard.py): only tests under tests/flows marked e2e run flows, a Prefect
server or the CLI."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import guard

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
BBC_GLOB = str(BBC / "*" / "*.txt")
SEED_000 = SEEDS / "000_5d18932342450ac8.txt"
SEED_001 = SEEDS / "001_ace7b6f46e57d16b.txt"


guard.install()
FLOWS_TESTS = Path(__file__).resolve().parent / "flows"


def _may_run_prefect(item: pytest.Item) -> bool:
    """Prefect and the CLI run only in tests under tests/flows marked e2e (e2e elsewhere, e.g. a browser
    test, only says slow)."""
    return item.get_closest_marker("e2e") is not None and FLOWS_TESTS in item.path.parents


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture starts it: the Prefect API server is for e2e tests under tests/flows only."""
    if "prefect_api" in getattr(item, "fixturenames", ()) and not _may_run_prefect(item):
        pytest.fail(f"{item.nodeid} uses the Prefect API server but is not an e2e test under tests/flows")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Any other test runs with Prefect's engine, its servers and the CLI refused."""
    guard.allowed = _may_run_prefect(item)
    try:
        return (yield)
    finally:
        guard.allowed = True


@pytest.fixture(scope="session")
def bbc() -> Path:
    """The BBC corpus beside the checkout; CI has it too, so its absence is an error, not a skip."""
    assert (BBC / "sport" / "199.txt").is_file(), f"BBC corpus not found at {BBC}"
    return BBC


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An S3-compatible server (moto's server mode) on 127.0.0.1, started here and stopped by pid; yields
    its endpoint and its log, where it writes a line per request."""
    import urllib.request

    from tests.flows.servers import BIN, background, free_port, wait_until

    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    command = [str(BIN / "python"), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with background(command, log, dict(os.environ)) as server:
        endpoint = f"http://127.0.0.1:{port}"

        def up() -> bool:
            assert server.poll() is None, log.read_text()[-3000:]
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2) as response:
                return response.status == 200

        wait_until(up, 60, f"moto server ({log})", interval=0.2)
        yield endpoint, log


@pytest.fixture(scope="session")
def moto_endpoint(moto_server: tuple[str, Path]) -> str:
    """The moto server's endpoint, http://127.0.0.1:PORT."""
    return moto_server[0]


S3_ENV = {
    "AWS_ACCESS_KEY_ID": "newsetl-test",
    "AWS_SECRET_ACCESS_KEY": "newsetl-test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def s3_warehouse(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    """`s3://<a new bucket>/warehouse` on the moto server; the AWS variables point at it (also for
    subprocesses, which inherit them)."""
    import boto3

    for name, value in {**S3_ENV, "AWS_ENDPOINT_URL": moto_endpoint}.items():
        monkeypatch.setenv(name, value)
    bucket = "newsetl-" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    boto3.client("s3").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/warehouse"


def seeds_warehouse(root: Path) -> Path:
    """The seeds run into a warehouse at `root` as the flow runs them (tasks.run.run_inline and the commit),
    without Prefect."""
    from tasks import run, sources
    from tasks.records import RunContext
    from tasks.warehouse import commit

    context = RunContext.new()
    for result in run.run_inline(sources.list_sources(str(SEEDS)), run=context):
        commit.commit_batch(root, result.batch_id, run.committed_tables(result, context))
    return root


class SmallDisk:
    """A tmpfs of its own, made small to fill up: `path` is its mount point."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def used(self) -> int:
        """Bytes in use (tmpfs counts whole pages)."""
        stats = os.statvfs(self.path)
        return (stats.f_blocks - stats.f_bfree) * stats.f_frsize

    def resize(self, size: int) -> None:
        """Grow it, or shrink it down to what is in use, without touching the files."""
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """A 1 MiB tmpfs under tmp_path, unmounted afterwards. Mounting needs root (CI's containers and the
    project's machines run the tests as root); elsewhere the full-disk tests are skipped, saying why."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is a small tmpfs mounted by the test, and mounting needs root")
    path = tmp_path / "disk"
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "newsetl-test", str(path)], check=True)
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=True)
