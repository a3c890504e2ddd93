"""`newsetl export gkg` through typer's runner, on a warehouse of the seeds written without Prefect."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import seeds_warehouse

pytestmark = pytest.mark.e2e  # the CLI


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeds_warehouse(tmp_path_factory.mktemp("wh"))


def test_export_gkg_writes_one_27_field_record_per_article(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "seeds.gkg.csv"
    result = CliRunner().invoke(app, ["export", "gkg", str(out), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "2 GKG 2.1 record(s) written" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [len(line.split("\t")) for line in lines] == [27, 27]


def test_since_and_a_bad_date(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "later.gkg.csv"
    args = ["export", "gkg", str(out), "--warehouse", str(warehouse)]
    assert CliRunner().invoke(app, [*args, "--since", "2015-11-18"]).exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    refused = CliRunner().invoke(app, [*args, "--since", "18/11/2015"])
    assert refused.exit_code == 2


def test_an_unwritable_out_file_is_an_error_not_a_traceback(warehouse: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["export", "gkg", str(tmp_path / "no" / "such" / "f.csv"), "-w", str(warehouse)]
    )
    assert result.exit_code == 1 and "newsetl export gkg:" in result.output
