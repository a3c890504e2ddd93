"""Flow tests pay for Prefect's harness once per session: one temporary API server for all of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A temporary Prefect API server with its own database; yields its URL for subprocesses too."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    import flows  # noqa: F401  (sets newsetl's Prefect defaults before Prefect reads its settings)

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())
