"""`python -m bench.batch_cost`: CPU seconds per stage of the flow's batches, measured in one process.

The machine is shared, so wall seconds say more about the neighbours than about the code: this reads the
BBC corpus as a run does, cuts it into the run's batches, and runs a few of them through
tasks.pipeline.process_batch (the function the flow's batch task calls), counting each stage's CPU seconds
(`time.process_time`) instead of its wall seconds. The start-up a worker process pays once (imports, the
model, GX; `warm`) is counted on its own line.

`--watched` runs the batches as the flow does, each in a forked child watched per document
(tasks.watchdog): the total then includes the fork and what the child redoes because its caches die with
it, counted from the children's CPU time (stages are not split there). `--profile FILE` writes a
pyinstrument profile (HTML) of the batches. `--ner-cache WAREHOUSE` measures the batches of a rebuild with
no parser change: the model's output is read from that warehouse's ner_cache table (a warehouse the corpus
was run into), as `newsetl run --rebuild` reads it, so no model runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tasks import pipeline, run, sources
from tasks.enrich import ner_cache
from tasks.records import RunContext, SourceRecord

_wall_timer = pipeline.stage_timer  # kept: measure() puts cpu_timer in its place

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "corpora" / "bbc"


def cpu_timer(totals: dict[str, float]) -> Callable[[str], Any]:
    """pipeline.stage_timer with CPU seconds of this process instead of wall seconds."""
    return _wall_timer(totals, clock=time.process_time)


def cpu_now() -> float:
    """CPU seconds of this process and its reaped children (a watched batch's forked child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def batches_of(corpus: Path, batch_size: int) -> list[list[SourceRecord]]:
    """The corpus's records in the run's order, cut into the run's batches."""
    listed = sources.list_sources(corpus)
    records = [r for r in sources.iter_sources(listed) if isinstance(r, SourceRecord)]
    return list(run.batched(records, batch_size))


def measure(
    chosen: list[list[SourceRecord]], watched: bool, model_cache: ner_cache.Source | None = None
) -> dict[str, Any]:
    """CPU seconds of the start-up and of each chosen batch (per stage unless `watched`); with
    `model_cache`, the batches reuse the model's output kept there (a rebuild's batches)."""
    context = RunContext.new()
    pipeline.stage_timer = cpu_timer  # what the batch's stages are timed with (wall seconds otherwise)
    start = cpu_now()
    pipeline.warm(model_cache is None or not model_cache.rebuild)  # as process_batch warms
    figures: dict[str, Any] = {"startup_cpu_s": round(cpu_now() - start, 3), "batches": []}
    for number, batch in enumerate(chosen):
        seconds: dict[str, float] = {}
        start, wall = cpu_now(), time.perf_counter()
        result = pipeline.process_batch(
            batch,
            context,
            run.batch_id(context, number),
            seconds,
            doc_timeout=120.0 if watched else None,
            model_cache=model_cache,
        )
        figures["batches"].append(
            {
                "records": len(batch),
                "articles": result.articles,
                "cpu_s": round(cpu_now() - start, 3),
                "wall_s": round(time.perf_counter() - wall, 3),
                "stages_cpu_s": {} if watched else seconds,
            }
        )
    stages: dict[str, float] = {}
    for b in figures["batches"]:
        for stage, s in b["stages_cpu_s"].items():
            stages[stage] = round(stages.get(stage, 0.0) + s, 3)
    figures["stages_cpu_s"] = stages
    figures["cpu_s"] = round(sum(b["cpu_s"] for b in figures["batches"]), 3)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.batch_cost", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=BBC)
    parser.add_argument("--batch-size", type=int, default=pipeline.DEFAULT_BATCH_SIZE)
    parser.add_argument("--batches", type=int, nargs="+", default=[0, 4], help="which batches (0-based)")
    parser.add_argument("--watched", action="store_true", help="each batch in a watched child, as the flow")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument HTML profile of the batches here")
    parser.add_argument(
        "--ner-cache", type=Path, help="a rebuild's batches: the model's output from WAREHOUSE's ner_cache"
    )
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    every = batches_of(args.corpus, args.batch_size)
    chosen = [every[i] for i in args.batches]
    cached = ner_cache.Source(str(args.ner_cache), rebuild=True) if args.ner_cache else None
    if args.profile:
        from pyinstrument import Profiler

        with Profiler(interval=0.002) as profiler:
            figures = measure(chosen, args.watched, cached)
        args.profile.write_text(profiler.output_html(), encoding="utf-8")
        print(profiler.output_text(unicode=False, show_all=False))
    else:
        figures = measure(chosen, args.watched, cached)
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
