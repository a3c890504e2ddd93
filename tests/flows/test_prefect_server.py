"""The install leaves `prefect server start` working (FastAPI is capped in pyproject.toml for this)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.flows.servers import prefect_server

pytestmark = pytest.mark.e2e


def test_prefect_server_starts_and_answers_health(tmp_path: Path) -> None:
    started = time.monotonic()
    with prefect_server(tmp_path / "prefect-home") as (api, _):
        assert httpx.get(f"{api}/health", timeout=10).json() is True
        assert time.monotonic() - started < 180
