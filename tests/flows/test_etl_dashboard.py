"""The flow ends by rebuilding the DQ dashboard and linking it from its Prefect markdown artifact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from flows.artifacts import DATA_DOCS_KEY
from flows.etl import etl
from tasks.quality import suites
from tests.conftest import SEEDS

pytestmark = pytest.mark.e2e


def test_each_run_rebuilds_the_dashboard_over_every_run_so_far(prefect_api: str, tmp_path: Path) -> None:
    source, warehouse = tmp_path / "in", tmp_path / "wh"
    source.mkdir()
    (source / "seed.txt").write_bytes(next(SEEDS.glob("*.txt")).read_bytes())
    first = etl(source=str(source), warehouse=str(warehouse))
    (source / "stub.txt").write_text("A story with a stub\n\nTwo words.\n")
    second = etl(source=str(source), warehouse=str(warehouse))
    index = warehouse / "_reports" / "dq" / "index.html"
    assert second.dashboard == first.dashboard == str(index)
    page = index.read_text(encoding="utf-8")
    payload = json.loads(re.search(r"const DQ = (.*);\n", page).group(1))
    assert payload["run_ids"] == [first.run_id, second.run_id]
    rates = payload["figures"]["chart-pass-rate"]["data"]
    assert {t["name"] for t in rates if t.get("x_runs")} == set(first.dq) <= set(suites.load_suites())
    assert (index.parent / "vendor" / "plotly-4.1.1.min.js").is_file()
    body = {"artifacts": {"key": {"any_": [DATA_DOCS_KEY]}}, "limit": 20, "sort": "CREATED_DESC"}
    response = httpx.post(f"{prefect_api}/artifacts/filter", json=body, timeout=30)
    response.raise_for_status()
    ours = [a["data"] for a in response.json() if second.run_id in str(a["data"])]
    assert ours and f"[DQ dashboard]({index.as_uri()})" in ours[0]
