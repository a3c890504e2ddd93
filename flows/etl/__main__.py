"""`python -m flows.etl [SOURCE] [--warehouse DIR] ...`: `newsetl run`, with one import of the flow."""

from __future__ import annotations

import sys

from flows.cli import main

main(["run", *sys.argv[1:]])
