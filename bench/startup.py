"""newsetl's fixed start-up cost, each part timed in one fresh process: imports, GX, the NER model.

`python -m bench.startup OUT.json`
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    t0 = time.perf_counter()
    import flows.cli
    import flows.etl  # noqa: F401  (Prefect and the tasks)

    t1 = time.perf_counter()
    from tasks import pipeline
    from tasks.enrich import entities

    pipeline.validator()  # imports GX, builds the ephemeral context and every suite
    t2 = time.perf_counter()
    entities.load_nlp()
    t3 = time.perf_counter()
    figures = {
        "seconds_imports": round(t1 - t0, 2),
        "seconds_gx": round(t2 - t1, 2),
        "seconds_model": round(t3 - t2, 2),
    }
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(figures, out)


if __name__ == "__main__":
    main()
