"""Every table is declared once, in tasks.warehouse.schemas: each extractor fills a declared table, and
the warehouse README and the GX suites are in step with the declarations."""

from __future__ import annotations

import re

from tasks import enrich, rebuild
from tasks.quality import suites
from tasks.warehouse import schemas
from tests.conftest import ROOT


def test_every_table_is_declared_once_with_its_grain_and_partition() -> None:
    declared = [*schemas.CORE, *schemas.EXTRACTED, *schemas.RUN_TABLES]
    assert list(schemas.TABLES.values()) == declared and len(schemas.TABLES) == len(declared)
    for name, table in schemas.TABLES.items():
        assert table.name == name and table.grain.startswith("one "), name
        assert table.partition_by == table.columns[-1], name  # the hive folder, last in every file
        assert len(set(table.columns)) == len(table.columns), name
    assert ("articles", *(t.name for t in schemas.EXTRACTED), "quarantine") == rebuild.REBUILT


def test_every_extractor_fills_a_declared_table_after_what_it_needs() -> None:
    names = list(enrich.EXTRACTORS)
    assert names == [t.name for t in schemas.EXTRACTED]  # one order: the run's and the tables'
    for position, (name, module) in enumerate(enrich.EXTRACTORS.items()):
        assert module.__name__ == f"tasks.enrich.{name}"  # named after its table
        assert all(names.index(need) < position for need in module.NEEDS)
        assert callable(module.extract)


def test_every_extracted_table_has_its_suite() -> None:
    loaded = suites.load_suites()
    assert {t.name for t in schemas.EXTRACTED} <= set(loaded)
    for table in schemas.EXTRACTED:  # offsets into the text are checked on every extracted table
        assert any(e["kwargs"].get("column_B") == "field_slice" for e in loaded[table.name]["expectations"])


def test_the_warehouse_readme_lists_every_table_as_declared() -> None:
    readme = (ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| `(\w+)` \|$", readme, flags=re.M)
    assert rows == [(t.name, t.grain, t.partition_by) for t in schemas.TABLES.values()]
