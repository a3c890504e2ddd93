"""The run's worker processes forked, warm, from one fork server started with the run.

Prefect's ProcessPoolTaskRunner spawns each worker as a fresh interpreter, which imports Prefect,
pandas, GX and spaCy and loads the model, the GX context and the gazetteer before its first batch: 7-9
CPU s per worker, paid once the flow has started, so after the API server answers. `newsetl run`, when
its flags allow worker processes (runner auto or processes, more than one worker, on a system with
multiprocessing's fork server), starts that server as its second act, just after the temporary API
server (flows.api_server): it imports flows.warm, which runs one invented batch (tasks.pipeline), while
the API server and the run's own imports start. The flow's process runner then forks each worker from it
(flows.runners), already warm: once per run instead of once per worker, and before the flow begins
instead of after. A run that then needs no worker process (one batch, nothing new) leaves it unused.

The fork server ends with the run: it asks for the parent-death signal first thing (tasks.orphans), and
the workers it forks follow it. Imports no Prefect: it runs before the flow is imported.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing import forkserver

from tasks.run import Runner

PRELOAD = "flows.warm"
WITHOUT_MODEL = "NEWSETL_WARM_WITHOUT_MODEL"  # set for the fork server of a rebuild (flows.warm reads it)
_started = False  # one per process, like the fork server itself


def wanted(runner: str, workers: int, platform: str = sys.platform) -> bool:
    """Whether a run with these flags may fork its workers from a warm fork server: it may use worker
    processes of this machine, and the system has the fork server (with the parent-death signal)."""
    return runner in (Runner.auto, Runner.processes) and workers > 1 and platform.startswith("linux")


def start(runner: str, workers: int, model: bool = True) -> bool:
    """Start the fork server, warming, when `wanted` (once); whether it runs. Without `model` (a
    rebuild, whose texts the NER cache mostly holds) it warms without loading the NER model: a worker
    loads it only when a batch reads a text the cache lacks (tasks.pipeline.warm)."""
    global _started
    if not _started and wanted(runner, workers):
        multiprocessing.set_forkserver_preload([PRELOAD])
        if not model:
            os.environ[WITHOUT_MODEL] = "1"  # the fork server inherits this process's environment
        try:
            forkserver.ensure_running()
        finally:
            os.environ.pop(WITHOUT_MODEL, None)
        _started = True
    return _started


def started() -> bool:
    """Whether this process started the warm fork server: its process runner forks workers from it."""
    return _started
