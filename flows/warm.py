"""Imported only by the run's fork server (flows.workers), as its preload: warms it for the workers it forks.

It first asks to die with the run (tasks.orphans), then imports the flow (Prefect, and what a worker
unpickles a batch's task with) and runs one invented batch (tasks.pipeline.warm), which loads the model,
GX and its context, the gazetteer and the vocabularies (not the model for a rebuild: flows.workers.start).
A warm-up that fails is reported on stderr and left: each worker then loads what it needs at its first
batch, as a spawned one does, and meets the same error there, where the batch reports it.
"""

from __future__ import annotations

import os
import sys

from tasks import orphans

orphans.die_with_forker(os.getppid())  # the run; its first thread (flows.workers.start) lives as long

import flows.etl  # noqa: E402, F401  (Prefect and the flow's tasks, as a worker unpickles them)
from flows.workers import WITHOUT_MODEL  # noqa: E402
from tasks import pipeline  # noqa: E402

try:
    pipeline.warm(model=not os.environ.get(WITHOUT_MODEL))
except Exception as exc:  # reported; each batch meets it again in its worker
    print(f"newsetl: warming the worker processes failed: {type(exc).__name__}: {exc}", file=sys.stderr)
