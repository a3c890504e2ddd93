"""Shared fixtures: the seeds (exact expectations) and the BBC corpus (scale and robustness)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
BBC_GLOB = str(BBC / "*" / "*.txt")
SEED_000 = SEEDS / "000_5d18932342450ac8.txt"
SEED_001 = SEEDS / "001_ace7b6f46e57d16b.txt"


@pytest.fixture(scope="session")
def bbc() -> Path:
    """The BBC corpus beside the checkout; CI has it too, so its absence is an error, not a skip."""
    assert (BBC / "sport" / "199.txt").is_file(), f"BBC corpus not found at {BBC}"
    return BBC
