"""newsetl's Prefect layer: flows wiring tasks/ functions, the CLI and deployments."""

from __future__ import annotations

import os
import sys

# Defaults for Prefect's settings, set before Prefect reads them; a user's own environment wins.
# The temporary API server took 12-33 s to start on a 2-core machine (its 20 s default timed out),
# and the machines here have no route to Prefect's telemetry endpoint.
for _name, _value in {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}.items():
    os.environ.setdefault(_name, _value)

# `python -m flows.etl ...` and `python -m flows run ...` start Prefect's temporary server (when no API is
# configured) before Python imports the flow and the CLI: their seconds of imports overlap its start.
from flows import api_server  # noqa: E402  (stdlib only, after the defaults above)

if api_server.is_a_run(sys.orig_argv):
    api_server.start()
