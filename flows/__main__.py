"""`python -m flows COMMAND ...`: the `newsetl` command line (run, query, report, serve)."""

from __future__ import annotations

from flows.cli import main

main()
