"""Every table of the warehouse, declared once: its Arrow schema, grain and partition column.

`TABLES` lists them all, in the order the warehouse's README shows them: the tables a batch writes, one
per extractor (tasks.enrich.<table> fills it), and the tables about runs. The writer (rows, commit), the
readers (tables, views), the GX suites (`expectations/<table>.json`, checked against these columns) and
the tests take their table names and columns from here. A record the writer turns into rows (Article,
Rejected, each extractor's record) lists its table's columns with the same types and nullability, less
those the writer adds; tests/tasks/warehouse/test_schemas.py holds each one to that.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Table:
    """A warehouse table: hive-partitioned Parquet under `<warehouse>/<name>/<partition_by>=<value>/`."""

    name: str
    schema: pa.Schema
    partition_by: str
    grain: str

    @property
    def columns(self) -> list[str]:
        return self.schema.names


RAW_DOCUMENTS = Table(
    name="raw_documents",
    grain="one source record (a file, or a record inside one), content-addressed by doc_id",
    partition_by="ingest_date",
    schema=pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),  # sha256 hex of the record's bytes
            pa.field("source_uri", pa.string(), nullable=False),
            pa.field(
                "locator", pa.string(), nullable=False
            ),  # the record inside the file; "" for a whole file
            pa.field("media_type", pa.string(), nullable=False),  # text/plain, ...
            pa.field("url", pa.string()),  # the page's address when the source names it
            pa.field("fetched_at", UTC_TS),  # when the source says the page was fetched
            # The original bytes, so a rebuild replays exactly what was read. Null in rows written before
            # they were kept: a rebuild re-encodes those rows' raw_text instead.
            pa.field("raw_bytes", pa.large_binary()),
            pa.field("byte_size", pa.int64(), nullable=False),
            pa.field("encoding", pa.string(), nullable=False),
            pa.field("ingested_at", UTC_TS, nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("raw_text", pa.large_string(), nullable=False),
            pa.field("ingest_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC)
        ]
    ),
)

ARTICLES = Table(
    name="articles",
    grain="one parsed article per raw document",
    partition_by="published_month",
    schema=pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("source_uri", pa.string(), nullable=False),
            pa.field("title", pa.string(), nullable=False),
            pa.field("authors", pa.list_(pa.string()), nullable=False),
            pa.field("published_at", UTC_TS),  # null when the text carries no publication date
            pa.field("dateline", pa.string()),
            pa.field("section", pa.string()),
            pa.field("language", pa.string(), nullable=False),  # ISO 639-1
            pa.field("body", pa.large_string(), nullable=False),
            pa.field("word_count", pa.int32(), nullable=False),
            pa.field("content_hash", pa.string(), nullable=False),  # sha256 hex of the normalised body
            pa.field("url", pa.string()),  # the page's address (source record's, or canonical link)
            pa.field("fetched_at", UTC_TS),  # when the source says the page was fetched
            pa.field("site_name", pa.string()),  # as an HTML page names its site (og:site_name, publisher)
            # The day of publication as the page gives it, in its own zone (published_at's day in UTC may be
            # the next or the one before); null exactly when published_at is.
            pa.field("published_date", pa.date32()),
            # Names of the warning expectations this row failed: kept, and flagged for the user.
            pa.field("dq_flags", pa.list_(pa.string()), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            # Stories (issue 24), set when the batch commits (tasks.stories); null in rows written before.
            pa.field("duplicate_of", pa.string()),  # doc_id of the earliest article with the same text
            pa.field("story_id", pa.string()),  # doc_id of the story's first article
            pa.field("published_month", pa.string(), nullable=False),  # YYYY-MM or "unknown"
        ]
    ),
)

QUARANTINE = Table(
    name="quarantine",
    grain="one rejected input file or row, with the bytes that were rejected",
    partition_by="run_date",
    schema=pa.schema(
        [
            pa.field("source_uri", pa.string(), nullable=False),
            pa.field("doc_id", pa.string()),  # null when the bytes could not be read at all
            pa.field("stage", pa.string(), nullable=False),  # ingest / parse / validate / ...
            pa.field("reason_code", pa.string(), nullable=False),
            pa.field("detail", pa.string(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("quarantined_at", UTC_TS, nullable=False),
            pa.field("payload", pa.large_binary()),
            pa.field("run_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC)
        ]
    ),
)


def _extracted(
    name: str, grain: str, fields: list[pa.Field], text_fields: tuple[str, ...] = ("body",)
) -> Table:
    """An enrichment table: rows point into an article by doc_id and [start_char, end_char) of its body,
    or, for a table whose mentions can also be in other text fields (`text_fields`, e.g. title), of the
    field the row's `field` column names."""
    located = [pa.field("field", pa.string(), nullable=False)] if text_fields != ("body",) else []
    return Table(
        name=name,
        grain=grain,
        partition_by="published_month",
        schema=pa.schema(
            [
                pa.field("doc_id", pa.string(), nullable=False),
                *fields,
                *located,  # title / dateline / body: the articles column the offsets index
                pa.field("start_char", pa.int32(), nullable=False),  # offsets into articles.<field>
                pa.field("end_char", pa.int32(), nullable=False),
                pa.field("run_id", pa.string(), nullable=False),
                pa.field("published_month", pa.string(), nullable=False),  # the article's partition
            ]
        ),
    )


MENTION_FIELDS = ("title", "dateline", "body")  # the articles columns an entity or place mention can be in

ENTITIES = _extracted(
    "entities",
    "one named-entity mention in an article's title, dateline or body",
    [
        pa.field("text", pa.string(), nullable=False),  # == <field>[start_char:end_char]
        pa.field("canonical", pa.string(), nullable=False),  # the full name the mention refers to
        pa.field("label", pa.string(), nullable=False),  # PERSON / ORG / GPE / LOC / NORP / EVENT / ...
        pa.field("canonical_id", pa.string(), nullable=False),  # stable hash of label and canonical
    ],
    text_fields=MENTION_FIELDS,
)

EVENT_COUNTS = _extracted(
    "event_counts",
    "one counted fact such as '129 people killed'",
    [
        pa.field("text", pa.string(), nullable=False),  # the whole matched phrase
        pa.field("count_type", pa.string(), nullable=False),  # killed / injured / arrested / raids / ...
        pa.field("number", pa.int64(), nullable=False),
        pa.field("qualifier", pa.string()),  # "at least" / "nearly" / "more than" / ...
        pa.field("object", pa.string()),  # "people", "anti-terrorism raids"
    ],
)

MENTIONED_DATES = _extracted(
    "mentioned_dates",
    "one date expression in an article body, resolved against its published_at",
    [
        pa.field("text", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # weekday / relative / explicit
        pa.field("resolved_date", pa.date32()),  # null when there is no anchor or it is ambiguous
    ],
)

LOCATIONS = _extracted(
    "locations",
    "one place mention resolved to a country (and coordinates when the gazetteer has them)",
    [
        pa.field("text", pa.string(), nullable=False),
        pa.field("canonical", pa.string(), nullable=False),  # gazetteer name, e.g. "United Kingdom"
        pa.field("feature", pa.string(), nullable=False),  # country / city / region / continent
        pa.field("country_code", pa.string()),  # ISO-3166 alpha-2; null for a region spanning countries
        pa.field("latitude", pa.float64()),
        pa.field("longitude", pa.float64()),
    ],
    text_fields=MENTION_FIELDS,
)

QUOTES = _extracted(
    "quotes",
    "one quotation; offsets cover the quoted words without their quotation marks",
    [
        pa.field("quote", pa.string(), nullable=False),  # == body[start_char:end_char]
        pa.field("speaker", pa.string()),  # canonical full name; null when unattributed
        pa.field("verb", pa.string()),  # the reporting verb as written ("said", "told", "according to")
    ],
)

# --- GDELT parity (issue 25): amounts, themes, tone; their own block, so merges stay easy -------------

AMOUNTS = _extracted(
    "amounts",
    "one number with what it counts (GKG V2.1AMOUNTS) in an article's title or body",
    [
        pa.field("text", pa.string(), nullable=False),  # the whole matched phrase, "$25 million in aid"
        pa.field("amount", pa.float64(), nullable=False),  # the number as a value: 25000000.0
        pa.field("unit", pa.string()),  # ISO 4217 currency code, "percent", or a "-member"-style unit
        pa.field("object", pa.string()),  # what is counted: "aid", "troops", "union"; null when unsaid
    ],
    text_fields=("title", "body"),
)

THEMES = _extracted(
    "themes",
    "one theme trigger (GKG V2ENHANCEDTHEMES) in an article's title or body",
    [
        pa.field("text", pa.string(), nullable=False),  # the trigger as written
        pa.field("theme", pa.string(), nullable=False),  # GKG theme code, e.g. TERROR, ARREST
    ],
    text_fields=("title", "body"),
)

TONE = Table(
    name="tone",
    grain="one article's tone (GKG V1.5TONE), keyed by doc_id",
    partition_by="published_month",
    schema=pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            # percentages of the body's words (0-100), as GKG gives them
            pa.field("tone", pa.float64(), nullable=False),  # positive_score - negative_score
            pa.field("positive_score", pa.float64(), nullable=False),
            pa.field("negative_score", pa.float64(), nullable=False),
            pa.field("polarity", pa.float64(), nullable=False),  # positive_score + negative_score
            pa.field("activity_density", pa.float64()),  # GKG's activity words: newsetl has none (null)
            pa.field("self_group_density", pa.float64(), nullable=False),  # first-person pronouns
            pa.field("word_count", pa.int32(), nullable=False),  # words scored (GKG's word count)
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("published_month", pa.string(), nullable=False),  # the article's partition
        ]
    ),
)
GDELT: tuple[Table, ...] = (AMOUNTS, THEMES, TONE)  # extracted after the others (amounts read event_counts)

DQ_RESULTS = Table(
    name="dq_results",
    grain="one evaluated expectation per table per batch",
    partition_by="run_date",
    schema=pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("batch_id", pa.string(), nullable=False),
            pa.field("table_name", pa.string(), nullable=False),
            pa.field("expectation", pa.string(), nullable=False),  # GX expectation type
            pa.field("column_name", pa.string()),  # null for table-level expectations
            pa.field("severity", pa.string(), nullable=False),  # critical / warning
            pa.field("success", pa.bool_(), nullable=False),
            pa.field("element_count", pa.int64(), nullable=False),
            pa.field("unexpected_count", pa.int64(), nullable=False),
            pa.field("unexpected_percent", pa.float64(), nullable=False),
            pa.field("sample_values", pa.string()),  # JSON list of a few unexpected values
            pa.field("evaluated_at", UTC_TS, nullable=False),
            pa.field("run_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC)
        ]
    ),
)

DQ_METRICS = Table(
    name="dq_metrics",
    grain="one batch-level measure of one batch of one run, per source (coverage share, suite pass rate)",
    partition_by="run_date",
    schema=pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("batch_id", pa.string(), nullable=False),
            pa.field("table_name", pa.string(), nullable=False),  # the suite the measure belongs to
            pa.field("measure", pa.string(), nullable=False),  # e.g. published_at_share, pass_rate
            pa.field("source", pa.string(), nullable=False),  # source folder or site; "" for the batch
            pa.field("value", pa.float64()),  # null when nothing was there to measure
            pa.field("threshold", pa.float64()),  # the suite parameter it is held to; null if none
            pa.field("severity", pa.string(), nullable=False),  # critical / quarantine / warning
            pa.field("success", pa.bool_()),  # value meets threshold; null without a threshold
            pa.field("is_drift", pa.bool_(), nullable=False),  # far from the measure's recent runs
            pa.field("measured_at", UTC_TS, nullable=False),
            pa.field("examples", pa.string()),  # JSON list of a few "doc_id title" short of it, when it fell
            pa.field("detail", pa.string()),  # when is_drift: the value vs its recent runs' median and spread
            pa.field("run_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC)
        ]
    ),
)

RUN_STAGES = ("recover", "list", "read", "ingest", "parse", "validate", "enrich", "load", "report")

RUNS = Table(
    name="runs",
    grain="one flow run, written when it ends (completed or failed)",
    partition_by="run_date",
    schema=pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("flow_run_id", pa.string()),  # Prefect's flow run id (UUID)
            pa.field("started_at", UTC_TS, nullable=False),
            pa.field("finished_at", UTC_TS, nullable=False),
            pa.field("status", pa.string(), nullable=False),  # completed / failed
            pa.field("error", pa.string()),  # the failure, when status is failed
            pa.field("source", pa.string(), nullable=False),
            pa.field("files_seen", pa.int64(), nullable=False),
            # Records read from those files (a .txt is one; a JSONL line, a WARC record, an archive member
            # each one), ignored ones included; null in runs written before records were counted.
            pa.field("records_seen", pa.int64()),
            pa.field("records_ignored", pa.int64()),  # passed over on purpose: WARC requests, images...
            pa.field("articles_written", pa.int64(), nullable=False),
            pa.field("quarantined", pa.int64(), nullable=False),  # input records
            pa.field("skipped", pa.int64(), nullable=False),  # records already in the warehouse
            # Files not opened, unchanged since a run read them (source_files); null in runs before it.
            pa.field("files_unread", pa.int64()),
            pa.field("rows_quarantined", pa.int64(), nullable=False),  # extracted rows
            pa.field("batches", pa.int64(), nullable=False),
            *(pa.field(f"seconds_{stage}", pa.float64(), nullable=False) for stage in RUN_STAGES),
            pa.field("seconds_total", pa.float64(), nullable=False),
            pa.field("run_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC) of started_at
        ]
    ),
)

# --- Stories (issue 24): the near-duplicate and story index, committed with the articles it indexes. ---
STORY_INDEX = Table(
    name="story_index",
    grain="one indexed article: its MinHash signatures and the duplicate_of and story_id it was given",
    partition_by="published_month",
    schema=pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("story_id", pa.string(), nullable=False),
            pa.field("duplicate_of", pa.string()),
            pa.field("source", pa.string(), nullable=False),  # tasks.sources.source_of: site, or folder
            pa.field("published_at", UTC_TS),
            pa.field("body_shingles", pa.int32(), nullable=False),  # distinct word shingles of the body
            pa.field("body_signature", pa.binary(), nullable=False),  # MinHash values, uint32 little-endian
            pa.field("story_signature", pa.binary(), nullable=False),  # of content words and names
            # names, title words, specific numbers, lead words and named days (tasks.stories.signatures.
            # story_keys): sorted hashes, each with its kind in the low 3 bits, and their MinHash (not of the
            # lead words and days); null in rows written before them
            pa.field("story_keys", pa.list_(pa.uint32())),
            pa.field("keys_signature", pa.binary()),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("published_month", pa.string(), nullable=False),  # the article's partition
        ]
    ),
)
STORY_TABLES: tuple[Table, ...] = (STORY_INDEX,)

# --- Runs at scale (issue 26): the ledger of source files read, committed with their last records. ----
SOURCE_FILES = Table(
    name="source_files",
    grain="one source file read to its end by one run, with what it yielded",
    partition_by="run_date",
    schema=pa.schema(
        [
            pa.field("source_uri", pa.string(), nullable=False),  # tasks.sources.source_uri_of the file
            pa.field("byte_size", pa.int64(), nullable=False),  # as listed (stat, or ListObjects)
            pa.field("modified_at", UTC_TS),  # mtime, or the object's LastModified
            pa.field("etag", pa.string()),  # the object's ETag; null on a local disk
            pa.field(
                "read_options", pa.string(), nullable=False
            ),  # digest of the ReadOptions it was read with
            pa.field("records", pa.int64(), nullable=False),  # records read from it, ignored ones included
            # Of those, the ones passed over on purpose, by kind (warc:request, member:.png, ...).
            pa.field("ignored_kinds", pa.map_(pa.string(), pa.int64()), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("read_at", UTC_TS, nullable=False),  # when the run that read it started
            pa.field("run_date", pa.string(), nullable=False),  # YYYY-MM-DD (UTC) of read_at
        ]
    ),
)
LEDGER_TABLES: tuple[Table, ...] = (SOURCE_FILES,)
# --- Runs at scale (issue 26): the NER model's output per text, committed with the batch ----------------
# (tasks.enrich.ner_cache).
NER_SPAN = pa.struct(
    [
        pa.field("start_char", pa.int32(), nullable=False),  # offsets into the text the model read
        pa.field("end_char", pa.int32(), nullable=False),
        pa.field("label", pa.string(), nullable=False),  # the model's label, every label it gives
    ]
)
NER_CACHE = Table(
    name="ner_cache",
    grain="one text the NER model read (an article's title and body as the model sees them), per model",
    partition_by="published_month",
    schema=pa.schema(
        [
            pa.field("text_sha256", pa.string(), nullable=False),  # sha256 hex of the text the model read
            pa.field("model", pa.string(), nullable=False),  # package==version, spaCy's, components left out
            pa.field("text_chars", pa.int32(), nullable=False),  # the text's length
            pa.field("spans", pa.list_(NER_SPAN), nullable=False),  # the model's entities, in text order
            pa.field("doc_id", pa.string(), nullable=False),  # the article the text is of
            pa.field("run_id", pa.string(), nullable=False),  # the run that ran the model on it
            pa.field("published_month", pa.string(), nullable=False),  # the article's partition
        ]
    ),
)
# --- Issue 26: what the extractors that read one article alone gave it, committed with the batch ----------
# (tasks.enrich.extract_cache).
DRAFT_MENTION = pa.struct(  # one mention of the entities' per-article draft (entities.Draft.named)
    [
        pa.field("start_char", pa.int32(), nullable=False),  # offsets into the text the model read
        pa.field("end_char", pa.int32(), nullable=False),
        pa.field("canonical", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
    ]
)
LABEL_COUNTS = (
    pa.struct(  # one name's counts per label, in the order they were counted (entity_rules.Evidence)
        [
            pa.field("canonical", pa.string(), nullable=False),
            pa.field(
                "counts",
                pa.list_(
                    pa.struct(
                        [
                            pa.field("label", pa.string(), nullable=False),
                            pa.field("count", pa.int32(), nullable=False),
                        ]
                    )
                ),
                nullable=False,
            ),
        ]
    )
)
ALONE_TABLES: tuple[Table, ...] = (EVENT_COUNTS, MENTIONED_DATES, AMOUNTS, THEMES, TONE)  # ALONE extractors'
_GIVEN = ("doc_id", "run_id", "published_month")  # what the cache row or the writer gives an extracted row


def _alone_rows(table: Table) -> pa.Field:
    """An extracted table's rows of one article, as its extractor gave them: its columns but `_GIVEN`."""
    row = pa.struct([f for f in table.schema if f.name not in _GIVEN])
    return pa.field(table.name, pa.list_(row), nullable=False)


EXTRACT_CACHE = Table(
    name="extract_cache",
    grain="one article's output of the extractors that read it alone, per fingerprint of their code and data",
    partition_by="published_month",
    schema=pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),  # the article
            pa.field("content_sha256", pa.string(), nullable=False),  # of the article fields they read
            pa.field("fingerprint", pa.string(), nullable=False),  # of their code, data, packages, model
            # The entities' draft (tasks.enrich.entities.draft); null when the entities did not read it.
            pa.field("mentions", pa.list_(DRAFT_MENTION)),
            pa.field("votes", pa.list_(LABEL_COUNTS)),  # the model's labels per name
            pa.field("evidence", pa.list_(LABEL_COUNTS)),  # what the text says besides, per name
            *(_alone_rows(t) for t in ALONE_TABLES),
            pa.field("run_id", pa.string(), nullable=False),  # the run that computed them
            pa.field("published_month", pa.string(), nullable=False),  # the article's partition
        ]
    ),
)
CACHE_TABLES: tuple[Table, ...] = (NER_CACHE, EXTRACT_CACHE)

CORE: tuple[Table, ...] = (RAW_DOCUMENTS, ARTICLES, QUARANTINE)  # the tables a batch writes
# One per extractor (tasks.enrich.EXTRACTORS fills them, in this order: each after the tables it reads).
EXTRACTED: tuple[Table, ...] = (ENTITIES, EVENT_COUNTS, MENTIONED_DATES, LOCATIONS, QUOTES, *GDELT)
RUN_TABLES: tuple[Table, ...] = (DQ_RESULTS, DQ_METRICS, RUNS)  # the tables about runs
TABLES: dict[str, Table] = {
    t.name: t for t in (*CORE, *EXTRACTED, *STORY_TABLES, *LEDGER_TABLES, *CACHE_TABLES, *RUN_TABLES)
}
