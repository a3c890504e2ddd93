"""Validate stage: each batch's tables checked against their GX suite (expectations/<table>.json).

Rows failing a `quarantine` expectation leave the table for quarantine (stage "validate"); rows failing a
`warning` one stay, and the expectation is named in their article's `dq_flags` (as `<table>.<rule>` when
the row is not the article's own); a failing `critical` expectation fails the whole batch. Coverage
checks (`meta.measure`, GX `mostly`) judge the batch and flag no row. Every evaluated expectation becomes
a dq_results row.
GX (~3 s to import) is imported when the first Validator is built, not with this module.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tasks import watchdog
from tasks.isolation import describe, isolated
from tasks.quality.failing import failing_rows, flags_of, merged, rejected_row, rejected_rows
from tasks.quality.gx_configs import memoised_configurations
from tasks.quality.suites import CRITICAL, QUARANTINE, WARNING, suite_from_json, suite_parameters
from tasks.records import Check, Rejected, RunContext
from tasks.warehouse.rows import DQ_FLAGS, with_dq_flags

SAMPLE_SIZE = 5
Texts = Mapping[str, Mapping[str, str]]  # doc_id -> article text field (title, dateline, body) -> its text


class CriticalExpectationError(RuntimeError):
    """A critical expectation failed: the batch must not be committed."""

    def __init__(
        self, message: str, table: str, checks: Sequence[Check], result: dict[str, Any], batch_id: str = ""
    ) -> None:
        super().__init__(message)
        self.table = table
        self.batch_id = batch_id
        self.checks = list(checks)
        self.results = {table: result}  # table -> GX result JSON, with those validated before it

    def __reduce__(self) -> tuple[Any, ...]:  # picklable, so it crosses process and Dask boundaries
        return (_rebuild_error, (str(self), self.table, self.checks, self.results, self.batch_id))


def _rebuild_error(
    message: str, table: str, checks: list[Check], results: dict[str, Any], batch_id: str
) -> CriticalExpectationError:
    error = CriticalExpectationError(message, table, checks, results[table], batch_id)
    error.results = results
    return error


@dataclass
class Validated:
    """One table after validation: the rows kept, the rows moved to quarantine, the checks, and the
    warning expectations each kept row's article failed (doc_id -> reason codes)."""

    table: pa.Table
    rejected: list[Rejected] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    result: dict[str, Any] | None = None  # the GX validation result as JSON, for Data Docs
    flags: dict[str, list[str]] = field(default_factory=dict)


def validation_frame(table: pa.Table, texts: Texts | None = None) -> pd.DataFrame:
    """The pandas view GX validates: list columns joined with "; ", for articles the days from the UTC day
    of published_at to the page's own day (`published_day_gap`), and for extracted tables the slice of its
    article's text field each row claims (`field_slice`; the body unless the row has a `field` column
    naming another) and that field's length (`field_length`), for tables with offsets."""
    frame = table.to_pandas(types_mapper=None)
    if {"published_at", "published_date"} <= set(table.column_names):
        frame["published_day_gap"] = published_day_gap(table).to_pandas()
    for name in table.column_names:
        if pa.types.is_list(table.schema.field(name).type):
            frame[name] = ["; ".join(v) for v in table.column(name).to_pylist()]
    if texts is not None and "start_char" in frame.columns:  # tone has no offsets: one row per article
        fields = frame["field"] if "field" in frame.columns else ["body"] * len(frame)
        rows = zip(frame["doc_id"], fields, frame["start_char"], frame["end_char"], strict=True)
        slices = [(texts.get(d, {}).get(f) or "", s, e) for d, f, s, e in rows]
        frame["field_slice"] = [t[s:e] for t, s, e in slices]
        frame["field_length"] = [len(t) for t, _, _ in slices]
    return frame


def published_day_gap(table: pa.Table) -> pa.Array:
    """Per row, published_date minus the UTC day of published_at, in days (null when either is null): a
    page's own day lies within a day of its UTC day, zones running from UTC-12 to UTC+14."""
    utc_day = pc.cast(pc.cast(table.column("published_at"), pa.date32()), pa.int32())
    own_day = pc.cast(table.column("published_date"), pa.int32())
    return pc.subtract(own_day, utc_day).combine_chunks()


class Validator:
    """The run's GX context with one suite and one whole-dataframe batch definition per table; build once
    per run and process.

    A batch is validated with GX's own validator on the table's batch definition (what
    ValidationDefinition.run does inside), without what run() adds around it per call: a freshness check
    of the definition against the context's stores and a copy of every result kept in the context's
    result store, which nothing here reads (the flow saves the results for the Data Docs itself): about
    a seventh of GX's time per batch. The rest is GX's own work per expectation, whatever the rows, of
    which a third was rebuilding each expectation's configuration at every lookup (tasks.quality
    .gx_configs builds it once per validation)."""

    def __init__(self, suites: Mapping[str, dict[str, Any]]) -> None:
        import great_expectations as gx

        self._gx = gx
        self._lock = watchdog.hold_across_fork(threading.Lock())
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False}  # no "Calculating Metrics" bars
        source = self.context.data_sources.add_pandas("newsetl")
        self.suites: dict[str, Any] = {}
        self.batches: dict[str, Any] = {}
        for name, suite_json in suites.items():
            self.suites[name] = self.context.suites.add(suite_from_json(suite_json))
            asset = source.add_dataframe_asset(name)
            self.batches[name] = asset.add_batch_definition_whole_dataframe("batch")

    def validate(
        self, name: str, frame: pd.DataFrame, run: RunContext, batch_id: str
    ) -> tuple[list[Check], dict[str, Any]]:
        """Run table `name`'s suite on `frame`; returns the checks and the result as JSON."""
        with self._lock:  # a GX context is not safe to share between threads
            result = self._run(name, frame, run, batch_id)
        checks = [_check(name, r) for r in result.results]
        return checks, result.to_json_dict()

    def _run(self, name: str, frame: pd.DataFrame, run: RunContext, batch_id: str) -> Any:
        """GX's suite result for `frame`, with the meta ValidationDefinition.run would give it."""
        from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.validator.v1_validator import Validator as GXValidator

        suite = self.suites[name]
        validator = GXValidator(
            batch_definition=self.batches[name],
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": SAMPLE_SIZE},
        )
        with memoised_configurations():  # under self._lock: no fork while GX is patched
            result = validator.validate_expectation_suite(suite, suite_parameters(run))
        run_id = RunIdentifier(run_name=f"{run.run_id}/{batch_id}", run_time=run.started_at)
        result.meta.update(
            {
                "run_id": run_id,
                "validation_time": run_id.run_time,
                "batch_parameters": {"dataframe": DATAFRAME_REPLACEMENT_STR},
            }
        )
        return result


def validate_table(
    validator: Validator,
    name: str,
    table: pa.Table,
    run: RunContext,
    batch_id: str,
    texts: Texts | None = None,
    source_uris: Mapping[str, str] | None = None,
) -> Validated:
    """Validate one table of a batch: quarantine failures leave the table, warning failures are returned
    as flags by doc_id, critical ones raise."""
    if name not in validator.suites or table.num_rows == 0:
        return Validated(table=table)  # no suite, or nothing new in this batch to check
    checks, result = validator.validate(name, validation_frame(table, texts), run, batch_id)
    critical = [c for c in checks if not c.success and c.severity == CRITICAL]
    if critical:
        raise CriticalExpectationError(
            f"batch {batch_id} failed critical expectation(s): " + "; ".join(c.describe() for c in critical),
            name,
            checks,
            result,
            batch_id,
        )
    failing = failing_rows([c for c in checks if c.severity == QUARANTINE])
    flags = flags_of(table, failing_rows([c for c in checks if c.severity == WARNING]), failing)
    if not failing:
        return Validated(table=table, checks=checks, result=result, flags=flags)
    keep = pa.array([i not in failing for i in range(table.num_rows)])
    rejected = rejected_rows(table, failing, source_uris or {})
    return Validated(table=table.filter(keep), rejected=rejected, checks=checks, result=result, flags=flags)


@dataclass
class CheckedBatch:
    """A batch's tables after validation, with what left them and every check that ran."""

    tables: dict[str, pa.Table]
    rejected: list[Rejected] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # table -> GX result JSON
    moved: dict[str, int] = field(default_factory=dict)  # table -> rows moved to quarantine
    # doc_id -> warning expectations failed by rows of tables without dq_flags, named `<table>.<rule>`:
    # the caller adds them to the article's dq_flags (tasks.warehouse.rows.with_dq_flags)
    flags: dict[str, list[str]] = field(default_factory=dict)

    def kept_ids(self, name: str) -> set[str]:
        return set(self.tables[name].column("doc_id").to_pylist())


def validate_batch(
    validator: Validator,
    tables: Mapping[str, pa.Table],
    run: RunContext,
    batch_id: str,
    texts: Texts | None = None,
    source_uris: Mapping[str, str] | None = None,
) -> CheckedBatch:
    """Validate every table of the batch that has a suite; raises CriticalExpectationError. A table with
    a dq_flags column gets its rows' warnings there; the others' are returned in `flags`."""
    checked = CheckedBatch(tables=dict(tables))
    for name, table in tables.items():
        try:
            v = _validated_isolating(validator, name, table, run, batch_id, texts, source_uris)
        except CriticalExpectationError as exc:
            exc.results = {**checked.results, **exc.results}  # so the failure can still be reported
            raise
        if DQ_FLAGS in v.table.column_names:
            checked.tables[name] = with_dq_flags(v.table, v.flags)
        else:
            checked.tables[name] = v.table
            merged(checked.flags, v.flags, prefix=f"{name}.")
        checked.rejected += v.rejected
        if v.rejected:
            checked.moved[name] = len(v.rejected)
        checked.checks += v.checks
        if v.result is not None:
            checked.results[name] = v.result
    return checked


def _validated_isolating(
    validator: Validator,
    name: str,
    table: pa.Table,
    run: RunContext,
    batch_id: str,
    texts: Texts | None,
    source_uris: Mapping[str, str] | None,
) -> Validated:
    """validate_table; when validating raises (a GX or data error, not a failed expectation), the rows
    that raise on their own go to quarantine with the exception and the rest are validated in parts,
    their checks summed (see tasks.isolation)."""

    def step(rows: Sequence[int]) -> list[Validated]:
        part = table if len(rows) == table.num_rows else table.take(pa.array(rows, type=pa.int64()))
        return [validate_table(validator, name, part, run, batch_id, texts, source_uris)]

    parts, failed = isolated(range(table.num_rows), step, reraise=(CriticalExpectationError,))
    if len(parts) == 1 and not failed:
        return parts[0]
    errors = [
        rejected_row(
            table.slice(i, 1).to_pylist()[0], "validation_error", f"{name}: {describe(exc)}", source_uris
        )
        for i, exc in failed
    ]
    return Validated(
        table=pa.concat_tables([p.table for p in parts]) if parts else table.slice(0, 0),
        rejected=[r for p in parts for r in p.rejected] + errors,
        checks=[_summed(same) for same in zip(*(p.checks for p in parts), strict=True)] if parts else [],
        flags=reduce(merged, (p.flags for p in parts), {}),
    )


def _summed(same: Sequence[Check]) -> Check:
    """One expectation's checks over the parts of a table validated in parts, as one check."""
    elements = sum(c.element_count for c in same)
    unexpected = sum(c.unexpected_count for c in same)
    return replace(
        same[0],
        success=all(c.success for c in same),
        element_count=elements,
        unexpected_count=unexpected,
        unexpected_percent=100.0 * unexpected / elements if elements else 0.0,
        sample_values=tuple(v for c in same for v in c.sample_values)[:SAMPLE_SIZE],
        failed_rows=(),
    )


def _check(table_name: str, r: Any) -> Check:
    config = r.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or "/".join(
        str(kwargs[k]) for k in ("column_A", "column_B") if kwargs.get(k)
    )
    result = r.result or {}
    error = (r.exception_info or {}).get("exception_message") if not r.success else None
    meta = config.meta or {}
    severity, measure = meta["severity"], meta.get("measure")  # newsetl's severity, not GX's
    row_level = not r.success and severity in (QUARANTINE, WARNING) and not measure
    failed = tuple(result.get("unexpected_index_list") or ()) if row_level else ()
    return Check(
        table_name=table_name,
        expectation=config.type,
        column_name=column or None,
        severity=severity,
        success=bool(r.success),
        element_count=int(result.get("element_count") or 0),
        unexpected_count=int(result.get("unexpected_count") or 0),
        unexpected_percent=float(result.get("unexpected_percent") or 0.0),
        sample_values=(f"GX error: {error}",)
        if error
        else tuple(_short(v) for v in (result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]),
        failed_rows=tuple(int(i) for i in failed),
        measure=measure,
    )


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
