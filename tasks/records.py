"""Records passed between stages (frozen dataclasses), and the run's accounts.

tasks.warehouse.rows turns lists of them into Arrow tables.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, BinaryIO

import pyarrow as pa


def doc_id_of(data: bytes) -> str:
    """The content address of a file: sha256 hex of its bytes."""
    return hashlib.sha256(data).hexdigest()


def doc_id_of_stream(handle: BinaryIO) -> str:
    """doc_id_of a file read in chunks, for files too large to hold in memory."""
    return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True)
class RunContext:
    """Identity and clock of one pipeline run; every row written by the run carries run_id."""

    run_id: str
    started_at: datetime  # UTC

    @classmethod
    def new(cls, now: datetime | None = None) -> RunContext:
        started = (now or datetime.now(UTC)).astimezone(UTC)
        return cls(run_id=f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", started_at=started)


TEXT_PLAIN = "text/plain"
TEXT_HTML = "text/html"
XHTML = "application/xhtml+xml"
RECORD_JSON = (
    "application/x-newsetl-record+json"  # a JSON record's article fields, as tasks.sources.jsonl maps them
)


@dataclass(frozen=True)
class SourceRecord:
    """One source record as read (a whole file today): its bytes, or why they could not be read."""

    source_uri: str
    data: bytes | None
    error_code: str | None = None  # unreadable / too_large / vanished when data is None
    error: str | None = None
    doc_id: str | None = None  # doc_id_of(data); also set for too_large files, hashed as a stream
    media_type: str = TEXT_PLAIN
    locator: str = ""  # where the record sits inside source_uri; "" for a whole file
    url: str | None = None  # the page's address, when the source names it (a WARC target, a JSON field)
    fetched_at: datetime | None = None  # UTC; when the source says the page was fetched (WARC-Date)

    def __post_init__(self) -> None:
        if self.doc_id is None and self.data is not None:
            object.__setattr__(self, "doc_id", doc_id_of(self.data))


@dataclass(frozen=True)
class RawDocument:
    """One decoded source record (grain of raw_documents)."""

    doc_id: str
    source_uri: str
    byte_size: int
    encoding: str
    raw_text: str
    data: bytes = field(default=b"", repr=False)  # the original bytes: kept, and the quarantine payload
    media_type: str = TEXT_PLAIN
    locator: str = ""
    url: str | None = None
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class Rejected:
    """One input or row refused by a stage, with the bytes it was made from (grain of quarantine)."""

    source_uri: str
    doc_id: str | None
    stage: str
    reason_code: str
    detail: str
    payload: bytes | None


@dataclass(frozen=True)
class Article:
    """One parsed article (grain of articles); published_at is UTC or None, published_date the calendar day
    the page gives it, in the page's own zone (an evening story of New York is dated its day there, though
    its UTC instant falls on the next one)."""

    doc_id: str
    source_uri: str
    title: str
    authors: tuple[str, ...]
    published_at: datetime | None
    dateline: str | None
    section: str | None
    language: str
    body: str
    word_count: int
    content_hash: str
    url: str | None = None  # the page's address: the source record's, else the page's canonical link
    fetched_at: datetime | None = None  # UTC, from the source record
    site_name: str | None = None  # the site's name as an HTML page declares it (og:site_name, ...)
    published_date: date | None = None  # None with a published_at: tasks.parse gives its UTC day


@dataclass(frozen=True)
class Check:
    """One evaluated expectation on one table of one batch (grain of dq_results)."""

    table_name: str
    expectation: str
    column_name: str | None
    severity: str
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_percent: float
    sample_values: tuple[str, ...]
    failed_rows: tuple[int, ...]  # row positions in the validated table
    measure: str | None = None  # a batch-level coverage check's measure (meta.measure): it flags no row

    @property
    def reason_code(self) -> str:
        return f"{self.expectation}({self.column_name})" if self.column_name else self.expectation

    def describe(self) -> str:
        samples = ", ".join(self.sample_values) or "-"
        rows = f"{self.unexpected_count} row(s)"
        return f"{self.table_name}: {self.reason_code} failed on {rows}, e.g. {samples}"


@dataclass(frozen=True)
class Measure:
    """One batch-level measure of one batch, for the whole batch (source "") or one source folder or site
    (grain of dq_metrics)."""

    batch_id: str
    table_name: str  # the suite the measure belongs to
    measure: str  # e.g. published_at_share, entities_per_1000_words, pass_rate
    source: str  # source folder or site; "" for the whole batch
    value: float | None  # None when there was nothing to measure
    threshold: float | None  # the suite parameter it is held to (a minimum); None if none
    severity: str = "warning"
    is_drift: bool = False
    examples: tuple[str, ...] = ()  # a few "doc_id title" of rows short of the measure, when it fell
    detail: str = ""  # why it is drift: the recent runs' median and spread

    @property
    def success(self) -> bool | None:
        """Whether the value meets its threshold; None without a threshold or a value."""
        if self.value is None or self.threshold is None:
            return None
        return self.value >= self.threshold


@dataclass
class BatchResult:
    """A processed batch: its rows per table, what was quarantined, its DQ checks and timings."""

    batch_id: str
    tables: dict[str, pa.Table]  # raw_documents, articles and the enrichment tables
    rejected: list[Rejected]  # whole source records: ingest, parse, validate(articles) and enrich rejects
    rejected_rows: list[Rejected]  # extracted rows that failed validation
    checks: list[Check]
    results: dict[str, dict[str, Any]]  # table -> GX result JSON, for the Data Docs
    seen: dict[str, str]  # doc_id -> source_uri of every record with a doc_id in this batch
    moved: dict[str, int] = field(default_factory=dict)  # table -> rows validation moved to quarantine
    seconds: dict[str, float] = field(default_factory=dict)
    metrics: list[Measure] = field(default_factory=list)  # coverage and pass rates, set when committed

    @property
    def articles(self) -> int:
        return self.tables["articles"].num_rows

    def rows_validated(self) -> dict[str, int]:
        """Rows each suite saw in this batch (GX's element_count)."""
        rows: dict[str, int] = {}
        for check in self.checks:
            rows[check.table_name] = max(rows.get(check.table_name, 0), check.element_count)
        return rows


@dataclass
class SuiteTally:
    """One suite's results over a run: expectations evaluated and passed, rows validated and moved out."""

    evaluated: int = 0
    passed: int = 0
    rows: int = 0
    rows_quarantined: int = 0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.evaluated if self.evaluated else 1.0


@dataclass
class RunSummary:
    """What one run did: records seen = articles written + quarantined + skipped + ignored.

    A file holds one record (a .txt page) or many (JSON Lines, WARC, archives); a file left unread
    (`files_unread`) counts its records as its last read did, each skipped or ignored. `quarantined`
    counts input records; `skipped` those already in the warehouse; `records_ignored` those passed over
    on purpose (WARC requests and metadata, non-HTML responses, archive members of no known format), by
    kind in `ignored_kinds`. `rows_quarantined` counts extracted rows (entities, quotes, ...) that failed
    validation while their article loaded.
    """

    run_id: str
    source: str
    warehouse: str
    files_seen: int = 0
    files_unread: int = 0  # of files_seen: unchanged since a run read them (tasks.ingest.ledger), not opened
    records_seen: int = 0
    articles_written: int = 0
    quarantined: int = 0
    skipped: int = 0
    records_ignored: int = 0
    rows_quarantined: int = 0
    batches: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    ignored_kinds: dict[str, int] = field(default_factory=dict)
    dq: dict[str, SuiteTally] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    data_docs: str | None = None
    dashboard: str | None = None  # the DQ dashboard's index.html, once built
    seconds: float = 0.0
    runner: str = ""  # the task runner the batches ran on (`auto` resolved)
    findings: list[Measure] = field(default_factory=list)  # measures that fell or drifted, by batch

    def add_metrics(self, metrics: Iterable[Measure]) -> None:
        """Keep one batch's measures that fell below their threshold or drifted from recent runs."""
        self.findings += [m for m in metrics if m.success is False or m.is_drift]

    @property
    def accounted(self) -> bool:
        return self.records_seen == (
            self.articles_written + self.quarantined + self.skipped + self.records_ignored
        )

    def counts_line(self) -> str:
        """The run's accounts in one line, as the log, the Prefect artifacts and the CLI print them."""
        ignored = f", {self.records_ignored} ignored" if self.records_ignored else ""
        unread = f" ({self.files_unread} unchanged, skipped unread)" if self.files_unread else ""
        return (
            f"run {self.run_id}: {self.files_seen} files{unread} and {self.records_seen} records seen, "
            f"{self.articles_written} articles written, {self.quarantined} quarantined, "
            f"{self.skipped} skipped{ignored}"
        )

    def add_read(self, seen: int, skipped: int, ignored: Mapping[str, int]) -> None:
        """Count the records read from the sources: all of them, those known already, those ignored."""
        self.records_seen += seen
        self.skipped += skipped
        for kind, count in ignored.items():
            self.ignored_kinds[kind] = self.ignored_kinds.get(kind, 0) + count
            self.records_ignored += count
        self.ignored_kinds = dict(sorted(self.ignored_kinds.items()))

    def add_batch(
        self, articles: int, rejected: list[Rejected], rejected_rows: Sequence[Rejected] = ()
    ) -> None:
        """Count one committed batch: its articles, quarantined records and rows by stage:reason."""
        self.batches += 1
        self.articles_written += articles
        self.quarantined += len(rejected)
        self.rows_quarantined += len(rejected_rows)
        for r in [*rejected, *rejected_rows]:
            key = f"{r.stage}:{r.reason_code}"
            self.quarantine_reasons[key] = self.quarantine_reasons.get(key, 0) + 1
        self.quarantine_reasons = dict(sorted(self.quarantine_reasons.items()))

    def add_checks(self, checks: Iterable[Check], rows: Mapping[str, int], moved: Mapping[str, int]) -> None:
        """Tally one batch's checks per suite, with rows validated and moved out."""
        for check in checks:
            tally = self.dq.setdefault(check.table_name, SuiteTally())
            tally.evaluated += 1
            tally.passed += bool(check.success)
        for table, count in rows.items():
            self.dq.setdefault(table, SuiteTally()).rows += count
        for table, count in moved.items():
            self.dq.setdefault(table, SuiteTally()).rows_quarantined += count
        self.dq = dict(sorted(self.dq.items()))
