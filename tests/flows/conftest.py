"""Runs through Prefect and the CLI live here, each module marked e2e (`pytestmark`); they pay for
Prefect's harness once per session: one temporary API server for all of them. The few unmarked modules
(test_artifacts, test_runner_choice, test_retry_condition) test flows/ helpers without a run; outside e2e
tests/guard.py refuses a flow, a server or the CLI, so they cannot start one unnoticed."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A temporary Prefect API server with its own database; yields its URL for subprocesses too."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    import flows  # noqa: F401  (sets newsetl's Prefect defaults before Prefect reads its settings)

    with prefect_test_harness(server_startup_timeout=180):
        url = str(PREFECT_API_URL.value())
        os.environ["PREFECT_API_URL"] = url  # `newsetl run` in this process starts no server of its own
        try:
            yield url
        finally:
            os.environ.pop("PREFECT_API_URL", None)
