"""The ledger of source files read (table `source_files`): a run opens only files new or changed since.

Listing SOURCE gives each file's size and version without reading it (a stat: mtime; S3 ListObjects:
LastModified and ETag). A file whose last ledger row has the same size, the same version (the ETag when
the store gives one, else the modification time) and was read with the same ReadOptions (`--field`,
the size limits: they change what a file yields) is not opened: its records are accounted as the ledger
says (`accounts`), skipped, or ignored by kind. `--rescan` reads every file again; content hashes
(tasks.ingest.dedup) still decide which records are new, so a rescan of unchanged files adds nothing.

When a row is written. Records stream from file after file into batches of `--batch-size` records, so
one batch may end several files and one file (a large WARC or JSONL) may span several batches. `Reads`
follows the stream: a file read to its end is handed to the batch being filled at that moment, and its
row is committed in that batch's commit, atomically with that batch's rows. Batches commit in order, so
every record of the file is committed by then (in that batch or an earlier one). A run killed mid-file
has committed no row for it: the next run reads it again and content hashes skip the records already
committed, so each record still lands once. Files read to their end after the last batch was cut (their
records were all known, or ignored) are committed in one closing commit of ledger rows only. A file that
could not be opened (a record without a doc_id: vanished, unreadable) gets no row and is tried again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from tasks import sources
from tasks.sources import Ignored, Item, ListedFile, ReadOptions
from tasks.warehouse import tables
from tasks.warehouse.schemas import SOURCE_FILES

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KEPT = ("source_uri", "byte_size", "modified_at", "etag", "read_options", "records", "ignored_kinds")


@dataclass(frozen=True)
class FileRead:
    """One file read to its end by this run: as listed, and what it yielded (a row of source_files)."""

    listed: ListedFile
    records: int  # records read from it, ignored ones included
    ignored_kinds: dict[str, int] = field(default_factory=dict)  # Ignored.kind -> records


@dataclass(frozen=True)
class Entry:
    """A file's last row in the ledger: its size and version then, and what it yielded."""

    source_uri: str
    byte_size: int
    modified_us: int | None  # modified_at in microseconds since the epoch (ints compare fast)
    etag: str | None
    read_options: str
    records: int
    ignored_kinds: dict[str, int]


@dataclass(frozen=True)
class Plan:
    """Which listed files a run reads, and the ledger entries of those it leaves unread."""

    to_read: list[ListedFile]
    unread: list[Entry]


def options_digest(options: ReadOptions) -> str:
    """A short digest of the options that change what a file yields (limits, JSON field mapping)."""
    return hashlib.sha256(json.dumps(asdict(options), sort_keys=True).encode()).hexdigest()[:16]


def load_ledger(warehouse: str | os.PathLike[str]) -> dict[str, Entry]:
    """Each file's last ledger row, by source_uri (the rows of the newest read win). Read column by
    column: a ledger of 100,000 files loads in about a second."""
    dataset = tables.table_dataset(warehouse, SOURCE_FILES.name)
    if dataset is None:
        return {}
    table = dataset.to_table(columns=[*_KEPT, "read_at"]).sort_by("read_at")
    at = table.schema.get_field_index("modified_at")
    table = table.set_column(at, "modified_at", table.column(at).cast(pa.int64()))
    columns = [table.column(name).to_pylist() for name in _KEPT[:-1]]
    kinds: list[dict[str, int]] = [{}] * table.num_rows
    listed = table.column("ignored_kinds").combine_chunks()
    for row in np.flatnonzero(np.diff(listed.offsets.to_numpy())).tolist():  # most files ignore nothing
        kinds[row] = dict(listed[row].as_py())
    return {values[0]: Entry(*values) for values in zip(*columns, kinds, strict=True)}


def is_unchanged(listed: ListedFile, entry: Entry | None, digest: str) -> bool:
    """Whether a listed file is the one its ledger entry read, with the same options: same size and the
    same ETag, or, without one, the same modification time."""
    if entry is None or entry.read_options != digest or listed.byte_size != entry.byte_size:
        return False
    if listed.etag is not None or entry.etag is not None:
        return listed.etag == entry.etag
    return listed.modified_at is not None and micros(listed.modified_at) == entry.modified_us


def micros(moment: datetime) -> int:
    """A UTC time as microseconds since the epoch, as the ledger's timestamps hold it."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def plan(
    listed: Sequence[ListedFile], ledger: Mapping[str, Entry], digest: str, rescan: bool = False
) -> Plan:
    """The files to read (new, changed, read with other options; all of them with `rescan`) and the
    ledger entries of the others, in listing order."""
    if rescan:
        return Plan(list(listed), [])
    to_read, unread = [], []
    for file in listed:
        entry = ledger.get(file.source_uri)
        if is_unchanged(file, entry, digest):
            unread.append(entry)  # type: ignore[arg-type]  # is_unchanged is False for None
        else:
            to_read.append(file)
    return Plan(to_read, unread)


def accounts(unread: Iterable[Entry]) -> tuple[int, int, dict[str, int]]:
    """(records, skipped, ignored by kind) of files left unread, as their last read counted them: every
    record not ignored was committed then, so it counts as skipped (already in the warehouse)."""
    records, ignored = 0, {}
    for entry in unread:
        records += entry.records
        for kind, count in entry.ignored_kinds.items():
            ignored[kind] = ignored.get(kind, 0) + count
    return records, records - sum(ignored.values()), ignored


@dataclass
class Reads:
    """The files a run reads, each handed, once read to its end, to the batch being filled then
    (`cut` closes a batch; `for_next_commit` gives a batch's files, in batch order)."""

    done: list[FileRead] = field(default_factory=list)  # read to their end since the last cut
    cuts: deque[list[FileRead]] = field(default_factory=deque)

    def items(self, files: Iterable[ListedFile], options: ReadOptions) -> Iterator[Item]:
        """Every item of every file, in order; a file's FileRead is noted once its last item is passed on."""
        for file in files:
            records, kinds, opened = 0, {}, True
            for item in sources.iter_records(file.path, options):
                records += 1
                if isinstance(item, Ignored):
                    kinds[item.kind] = kinds.get(item.kind, 0) + 1
                elif item.doc_id is None:  # the file could not be opened or read: tried again next run
                    opened = False
                yield item
            if opened:
                self.done.append(FileRead(file, records, kinds))

    def cut(self) -> None:
        """A batch was cut: the files read to their end so far commit with it."""
        self.cut_with(self.take_done())

    def take_done(self) -> list[FileRead]:
        """The files read to their end since this was last asked, no longer pending."""
        done, self.done = self.done, []
        return done

    def cut_with(self, files: list[FileRead]) -> None:
        """A batch was cut: `files` commit with it."""
        self.cuts.append(files)

    def for_next_commit(self) -> list[FileRead]:
        """The files of the next batch to commit (batches commit in the order they were cut)."""
        return self.cuts.popleft()

    def rest(self) -> list[FileRead]:
        """Files read to their end after the last cut: committed on their own, once every batch has."""
        rest, self.done = self.done, []
        return rest
