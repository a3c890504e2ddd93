"""Kept only while tasks/quality/suites.py imports TABLES from here: every table is declared in
tasks.warehouse.schemas (`TABLES`), which is where to import it from. Delete this module with that import."""

from __future__ import annotations

from tasks.warehouse.schemas import TABLES

__all__ = ["TABLES"]
