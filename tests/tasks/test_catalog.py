"""The table catalog derives from the declarations: extractors found by what they declare, the README
of the warehouse in step with it."""

from __future__ import annotations

import re

from tasks import catalog, enrich
from tasks.quality import suites
from tests.conftest import ROOT


def test_every_extractor_declares_its_table_and_runs_after_what_it_needs() -> None:
    names = list(enrich.EXTRACTORS)
    assert set(names) == {"entities", "locations", "quotes", "event_counts", "mentioned_dates"}
    for position, (name, module) in enumerate(enrich.EXTRACTORS.items()):
        assert module.TABLE.name == name and module.__name__ == f"tasks.enrich.{name}"  # named after it
        assert all(names.index(need) < position for need in module.NEEDS)
        assert callable(module.extract)
    assert tuple(names) == catalog.ENRICHED
    assert [catalog.TABLES[n] for n in names] == [m.TABLE for m in enrich.EXTRACTORS.values()]
    assert ("articles", *names, "quarantine") == catalog.REBUILT


def test_every_extracted_table_has_its_suite() -> None:
    loaded = suites.load_suites()
    assert set(catalog.ENRICHED) <= set(loaded)
    for name in catalog.ENRICHED:  # offsets into the text are checked on every extracted table
        assert any(e["kwargs"].get("column_B") == "field_slice" for e in loaded[name]["expectations"]), name


def test_the_warehouse_readme_lists_every_table_as_declared() -> None:
    readme = (ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| `(\w+)` \|$", readme, flags=re.M)
    assert rows == [(t.name, t.grain, t.partition_by) for t in catalog.TABLES.values()]
