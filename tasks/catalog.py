"""Every table of the warehouse by name: the core tables and one per extractor. Derive, don't list.

The writer, the DuckDB views, the GX suites (`expectations/<table>.json`), the rebuild and the tests
take their table names from here.
"""

from __future__ import annotations

from tasks import enrich
from tasks.warehouse.schemas import ARTICLES, CORE, QUARANTINE, RUN_TABLES, Table

TABLES: dict[str, Table] = {t.name: t for t in (*CORE, *enrich.TABLES, *RUN_TABLES)}
ENRICHED: tuple[str, ...] = tuple(t.name for t in enrich.TABLES)
# What `newsetl run --rebuild` recomputes from raw_documents (quarantine: its parse/validate/enrich rows).
REBUILT: tuple[str, ...] = (ARTICLES.name, *ENRICHED, QUARANTINE.name)
