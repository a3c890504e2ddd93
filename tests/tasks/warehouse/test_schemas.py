"""Every table is declared once, in tasks.warehouse.schemas: each record the writer turns into rows lists
its table's columns (name, order, type, nullability), each extractor fills a declared table, and the
warehouse README and the GX suites are in step with the declarations."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from tasks import enrich, rebuild
from tasks.quality import suites
from tasks.records import Article, Rejected, RunContext
from tasks.warehouse import rows, schemas
from tests.conftest import ROOT

# The columns the writer (tasks.warehouse.rows) adds to a record's fields: who wrote it, and where.
WRITER_ADDS = {
    "articles": ("dq_flags", "run_id", "duplicate_of", "story_id", "published_month"),
    "quarantine": ("run_id", "quarantined_at", "run_date"),
    **{t.name: ("run_id", "published_month") for t in schemas.EXTRACTED},
}
_ARROW_TYPES = {
    str: (pa.string(), pa.large_string()),
    int: (pa.int32(), pa.int64()),
    float: (pa.float64(),),
    bool: (pa.bool_(),),
    bytes: (pa.binary(), pa.large_binary()),
    date: (pa.date32(),),
}


RECORDS: dict[str, type] = {
    "articles": Article,
    "quarantine": Rejected,
    **{name: enrich.record_of(module) for name, module in enrich.EXTRACTORS.items()},
}


def _arrow_matches(hint: object, arrow: pa.DataType) -> bool:
    """Whether a (non-None) Python type hint and an Arrow type hold the same values."""
    if hint is datetime:  # before date: a datetime is a date
        return pa.types.is_timestamp(arrow) and arrow.tz == "UTC"
    if typing.get_origin(hint) is tuple:
        (item, _) = typing.get_args(hint)
        return pa.types.is_list(arrow) and _arrow_matches(item, arrow.value_type)
    return arrow in _ARROW_TYPES.get(hint, ())  # type: ignore[call-overload]


def _is_optional(hint: object) -> tuple[object, bool]:
    """(the type without None, whether None is allowed)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return inner, True
    return hint, False


def _has_default(field: dataclasses.Field) -> bool:
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


def test_every_table_is_declared_once_with_its_grain_and_partition() -> None:
    declared = [
        *schemas.CORE,
        *schemas.EXTRACTED,
        *schemas.STORY_TABLES,
        *schemas.LEDGER_TABLES,
        *schemas.CACHE_TABLES,
        *schemas.RUN_TABLES,
    ]
    assert list(schemas.TABLES.values()) == declared and len(schemas.TABLES) == len(declared)
    for name, table in schemas.TABLES.items():
        assert table.name == name and table.grain.startswith("one "), name
        assert table.partition_by == table.columns[-1], name  # the hive folder, last in every file
        assert len(set(table.columns)) == len(table.columns), name
    stories = (t.name for t in schemas.STORY_TABLES)
    caches = (t.name for t in schemas.CACHE_TABLES)
    rebuilt = ("articles", *(t.name for t in schemas.EXTRACTED), *stories, *caches, "quarantine")
    assert rebuilt == rebuild.REBUILT


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_each_record_lists_its_tables_columns(name: str) -> None:
    """Name, order, type and nullability: the record's fields are the table's columns less those the
    writer adds. A field with a default may come after the others (a dataclass puts defaults last)."""
    table, record = schemas.TABLES[name], RECORDS[name]
    columns = [c for c in table.columns if c not in WRITER_ADDS[name]]
    fields = dataclasses.fields(record)
    assert sorted(f.name for f in fields) == sorted(columns), record.__name__
    defaulted = {f.name for f in fields if f.init and _has_default(f)}
    for group in (defaulted, {f.name for f in fields} - defaulted):
        assert [f.name for f in fields if f.name in group] == [c for c in columns if c in group], group
    hints = typing.get_type_hints(record)
    for f in fields:
        column = table.schema.field(f.name)
        inner, optional = _is_optional(hints[f.name])
        assert optional == column.nullable, (record.__name__, f.name, "nullable")
        assert _arrow_matches(inner, column.type), (record.__name__, f.name, inner, column.type)


def test_every_extractor_fills_a_declared_table_after_what_it_needs() -> None:
    names = list(enrich.EXTRACTORS)
    assert names == [t.name for t in schemas.EXTRACTED]  # one order: the run's and the tables'
    for position, (name, module) in enumerate(enrich.EXTRACTORS.items()):
        assert module.__name__ == f"tasks.enrich.{name}"  # named after its table
        assert all(names.index(need) < position for need in module.NEEDS)
        assert callable(module.extract)


def test_the_extract_cache_keeps_the_rows_of_the_extractors_that_read_one_article_alone() -> None:
    alone = [name for name, module in enrich.EXTRACTORS.items() if enrich.alone(module)]
    assert alone == [t.name for t in schemas.ALONE_TABLES] and "entities" not in alone
    for name in alone:  # what an ALONE extractor reads is ALONE too: nothing of the batch
        assert set(enrich.EXTRACTORS[name].NEEDS) <= set(alone), name
        row = schemas.EXTRACT_CACHE.schema.field(name).type.value_type
        fields = [f.name for f in dataclasses.fields(RECORDS[name])]
        assert [f.name for f in row] == [f for f in fields if f != "doc_id"], name  # the record, less doc_id


@dataclasses.dataclass(frozen=True)
class _MisspeltQuote:
    doc_id: str
    quote: str
    speaker: str | None
    verb: str | None
    start_char: int
    end: int  # end_char, misspelt


def test_the_writer_refuses_a_record_that_misses_a_column() -> None:
    record = _MisspeltQuote("d", "words", None, None, 0, 5)
    run = RunContext("r", datetime(2015, 11, 17, tzinfo=UTC))
    with pytest.raises(ValueError, match=r"quotes lack columns \['end_char'\], have others \['end'\]"):
        rows.extracted_table("quotes", [record], run, {"d": "2015-11"})


def test_every_extracted_table_has_its_suite() -> None:
    loaded = suites.load_suites()
    assert {t.name for t in schemas.EXTRACTED} <= set(loaded)
    for table in schemas.EXTRACTED:  # offsets into the text are checked on every table that has them
        if "start_char" not in table.columns:
            assert table.name == "tone"  # one row per article, keyed by doc_id
            continue
        assert any(e["kwargs"].get("column_B") == "field_slice" for e in loaded[table.name]["expectations"])


def test_the_warehouse_readme_lists_every_table_as_declared() -> None:
    readme = (ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| `(\w+)` \|$", readme, flags=re.M)
    assert rows == [(t.name, t.grain, t.partition_by) for t in schemas.TABLES.values()]
