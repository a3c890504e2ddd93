"""The benchmark's figures: derived from the raw measurements, checked against the targets, printed
as one table and written as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NLP_STAGES = ("enrich",)  # spaCy NER and the rule-based extractors; every other stage is overhead
FIGURES = (  # (key, label, unit): every row the table prints, in order
    ("machine", "machine", ""),
    ("docs_1x", "documents at 1x / at Nx", ""),
    ("words_1x", "words at 1x", ""),
    ("server_start_s", "start-up: Prefect server start (own process, once per machine)", "s"),
    ("startup_imports_s", "start-up: newsetl imports (Prefect, tasks)", "s"),
    ("startup_gx_s", "start-up: GX import + context + suites", "s"),
    ("startup_model_s", "start-up: spaCy model load", "s"),
    ("startup_total_s", "start-up: fixed cost of a run (imports + GX + model)", "s"),
    ("newsetl_1x_s", "newsetl run 1x: wall", "s"),
    ("newsetl_1x_docs_per_s", "newsetl run 1x: docs/s", "docs/s"),
    ("newsetl_1x_words_per_s", "newsetl run 1x: words/s", "words/s"),
    ("newsetl_1x_stages", "newsetl run 1x: seconds per stage (worker stages summed over workers)", "s"),
    ("non_nlp_docs_per_s", "stages other than NLP (all but enrich), per summed stage second", "docs/s"),
    ("newsetl_1x_rss_mib", "newsetl run 1x: peak RSS, process tree summed", "MiB"),
    ("noop_s", "no-op re-run (nothing new): wall", "s"),
    ("noop_share", "no-op re-run / full run", "%"),
    ("rebuild_s", "rebuild, no parser change (NER from the ner_cache table): wall", "s"),
    ("rebuild_share", "rebuild, no parser change / full run", "%"),
    ("rebuild_stages", "rebuild: seconds per stage (worker stages summed over workers)", "s"),
    ("floor_s", "NER floor (tok2vec+ner, nlp.pipe, same processes): wall", "s"),
    ("floor_pipe_s", "NER floor: nlp.pipe alone (no imports, no model load)", "s"),
    ("floor_ratio", "newsetl / floor, wall vs wall (each with its own start-up)", "x"),
    ("floor_ratio_no_startup", "newsetl / floor, without start-up (newsetl - fixed cost vs pipe)", "x"),
    ("temporary_1x_s", "newsetl run 1x with its temporary Prefect server (no PREFECT_API_URL): wall", "s"),
    ("temporary_floor_ratio", "newsetl with its temporary server / floor, wall vs wall", "x"),
    ("ner_floor_s", "NER-only floor (the NER component alone, as newsetl runs it): wall", "s"),
    ("ner_floor_ratio", "newsetl / NER-only floor, wall vs wall", "x"),
    ("naive_s", "naive peer (full pipeline, nlp() per file, pandas): wall", "s"),
    ("naive_speedup", "newsetl speed-up over the naive peer", "x"),
    ("newsetl_nx_s", "newsetl run Nx: wall", "s"),
    ("newsetl_nx_docs_per_s", "newsetl run Nx: docs/s", "docs/s"),
    ("newsetl_nx_words_per_s", "newsetl run Nx: words/s", "words/s"),
    ("newsetl_nx_stages", "newsetl run Nx: seconds per stage", "s"),
    ("non_nlp_docs_per_s_nx", "Nx: stages other than NLP, per summed stage second", "docs/s"),
    ("newsetl_nx_rss_mib", "newsetl run Nx: peak RSS, process tree summed", "MiB"),
    ("rss_ratio", "peak RSS Nx / 1x", "x"),
    ("html_docs", "HTML: pages at 1x / at Nx (pages/html)", ""),
    ("html_1x_s", "HTML: newsetl run 1x: wall", "s"),
    ("html_1x_pages_per_s", "HTML: newsetl run 1x: pages/s end to end", "pages/s"),
    ("html_1x_stages", "HTML: newsetl run 1x: seconds per stage", "s"),
    ("html_nx_s", "HTML: newsetl run Nx: wall", "s"),
    ("html_nx_pages_per_s", "HTML: newsetl run Nx: pages/s end to end", "pages/s"),
    ("html_floor_s", "HTML: NER floor on the same bodies: wall", "s"),
    ("html_floor_ratio", "HTML: newsetl 1x / its NER floor, wall vs wall", "x"),
    ("html_extract_pages_per_s", "HTML extraction alone (newsetl parse stage): pages/s, one core", "pages/s"),
    (
        "trafilatura_pages_per_s",
        "trafilatura alone (bare_extraction, with metadata): pages/s, one core",
        "pages/s",
    ),
    ("ledger_files", "ledger: small files in SOURCE, all read by an earlier run (no-op re-run)", "files"),
    ("ledger_local_s", "ledger: no-op re-run, local folder: wall of the CLI process", "s"),
    ("ledger_local_flow_s", "ledger: no-op re-run, local: the flow's own seconds (list; total)", "s"),
    ("ledger_local_cpu_s", "ledger: no-op re-run, local: CPU seconds of the CLI process (load-proof)", "s"),
    ("ledger_local_opened", "ledger: no-op re-run, local: source files opened (audit hook)", "files"),
    ("ledger_s3_s", "ledger: no-op re-run, S3 (moto server): wall of the CLI process", "s"),
    ("ledger_s3_flow_s", "ledger: no-op re-run, S3: the flow's own seconds (list; total)", "s"),
    ("ledger_s3_requests", "ledger: no-op re-run, S3: GET/HEAD on source objects; listing pages", "requests"),
    ("dashboard_runs", "DQ dashboard: runs of history stored (committed one run at a time)", "runs"),
    ("dashboard_cold_first_s", "DQ dashboard: cold build (every stored run's files read), first", "s"),
    ("dashboard_cold_s", "DQ dashboard: cold build, best of 3", "s"),
    ("dashboard_per_run_s", "DQ dashboard: per-run build (one new run since the last), slowest of 3", "s"),
    ("dashboard_cpu_s", "DQ dashboard: CPU seconds (all threads), cold build; per-run build", "s"),
)


def derive(raw: dict[str, Any]) -> dict[str, Any]:
    """Every figure of FIGURES from the raw measurements (see bench.__main__ for their keys)."""
    startup = raw["startup"]
    fixed = startup["seconds_imports"] + startup["seconds_gx"] + startup["seconds_model"]
    one, many, floor = raw["newsetl_1x"], raw["newsetl_nx"], raw["floor"]
    overhead = _overhead_seconds(one["stages"])
    overhead_nx = _overhead_seconds(many["stages"])
    return {
        "machine": raw["machine"],
        "docs_1x": f"{raw['docs_1x']} / {raw['docs_nx']} (N={raw['scale']})",
        "words_1x": raw["words_1x"],
        "server_start_s": raw["server_start_s"],
        "startup_imports_s": startup["seconds_imports"],
        "startup_gx_s": startup["seconds_gx"],
        "startup_model_s": startup["seconds_model"],
        "startup_total_s": round(fixed, 2),
        "newsetl_1x_s": one["seconds"],
        "newsetl_1x_docs_per_s": round(raw["docs_1x"] / one["seconds"], 1),
        "newsetl_1x_words_per_s": round(raw["words_1x"] / one["seconds"]),
        "newsetl_1x_stages": one["stages"],
        "non_nlp_docs_per_s": round(raw["docs_1x"] / overhead) if overhead else None,
        "newsetl_1x_rss_mib": one["peak_rss_mib"],
        "noop_s": raw["noop"]["seconds"],
        "noop_share": round(100 * raw["noop"]["seconds"] / one["seconds"], 1),
        **_rebuild(raw.get("rebuild"), one["seconds"]),
        "floor_s": floor["seconds"],
        "floor_pipe_s": floor["seconds_pipe"],
        "floor_ratio": round(one["seconds"] / floor["seconds"], 2),
        "floor_ratio_no_startup": round((one["seconds"] - fixed) / floor["seconds_pipe"], 2),
        **_temporary(raw.get("temporary_1x"), floor["seconds"]),
        "ner_floor_s": raw["ner_floor"]["seconds"] if raw.get("ner_floor") else None,
        "ner_floor_ratio": round(one["seconds"] / raw["ner_floor"]["seconds"], 2)
        if raw.get("ner_floor")
        else None,
        "naive_s": raw["naive"]["seconds"] if raw.get("naive") else None,
        "naive_speedup": round(raw["naive"]["seconds"] / one["seconds"], 2) if raw.get("naive") else None,
        "newsetl_nx_s": many["seconds"],
        "newsetl_nx_docs_per_s": round(raw["docs_nx"] / many["seconds"], 1),
        "newsetl_nx_words_per_s": round(raw["words_1x"] * raw["scale"] / many["seconds"]),
        "newsetl_nx_stages": many["stages"],
        "non_nlp_docs_per_s_nx": round(raw["docs_nx"] / overhead_nx) if overhead_nx else None,
        "newsetl_nx_rss_mib": many["peak_rss_mib"],
        "rss_ratio": round(many["peak_rss_mib"] / one["peak_rss_mib"], 2),
        **derive_html(raw.get("html")),
        **_dashboard(raw.get("dashboard")),
        **_ledger(raw.get("ledger")),
    }


def _temporary(run: dict[str, Any] | None, floor_seconds: float) -> dict[str, Any]:
    """The run that starts its own temporary Prefect server, against the floor (None: not measured)."""
    if not run:
        return {"temporary_1x_s": None, "temporary_floor_ratio": None}
    return {
        "temporary_1x_s": run["seconds"],
        "temporary_floor_ratio": round(run["seconds"] / floor_seconds, 2),
    }


def derive_html(html: dict[str, Any] | None) -> dict[str, Any]:
    """The HTML line's figures (all None when the HTML line was not measured)."""
    keys = [key for key, _, _ in FIGURES if key.startswith(("html_", "trafilatura_"))]
    if not html:
        return dict.fromkeys(keys)
    one, many, floor, speed = html["html_1x"], html["html_nx"], html["floor"], html["extraction"]
    return {
        "html_docs": f"{html['docs_1x']} / {html['docs_nx']} (N={html['scale']})",
        "html_1x_s": one["seconds"],
        "html_1x_pages_per_s": round(html["docs_1x"] / one["seconds"], 1),
        "html_1x_stages": one["stages"],
        "html_nx_s": many["seconds"],
        "html_nx_pages_per_s": round(html["docs_nx"] / many["seconds"], 1),
        "html_floor_s": floor["seconds"],
        "html_floor_ratio": round(one["seconds"] / floor["seconds"], 2),
        "html_extract_pages_per_s": speed["newsetl_pages_per_s"],
        "trafilatura_pages_per_s": speed["trafilatura_pages_per_s"],
    }


def _rebuild(measured: dict[str, Any] | None, full_seconds: float) -> dict[str, Any]:
    """The rebuild's figures (None in results measured before the rebuild was)."""
    if not measured:
        return {"rebuild_s": None, "rebuild_share": None, "rebuild_stages": None}
    return {
        "rebuild_s": measured["seconds"],
        "rebuild_share": round(100 * measured["seconds"] / full_seconds, 1),
        "rebuild_stages": measured.get("stages"),
    }


def _dashboard(measured: dict[str, Any] | None) -> dict[str, Any]:
    """The dashboard's figures (bench.dashboard): its first cold build is held to the target."""
    keys = {
        "dashboard_runs": "runs",
        "dashboard_cold_first_s": "seconds_build_cold_first",
        "dashboard_cold_s": "seconds_build_cold",
        "dashboard_per_run_s": "seconds_build_per_run",
    }
    figures = {figure: (measured or {}).get(key) for figure, key in keys.items()}
    cpu = [(measured or {}).get(k) for k in ("cpu_seconds_build_cold", "cpu_seconds_build_per_run")]
    return {**figures, "dashboard_cpu_s": None if None in cpu else f"{cpu[0]}; {cpu[1]}"}


def _ledger(measured: dict[str, Any] | None) -> dict[str, Any]:
    """The ledger line's figures (bench.ledger_speed); None where it was not measured."""
    local, s3 = (measured or {}).get("local"), (measured or {}).get("s3")

    def flow(run: dict[str, Any] | None) -> str | None:
        return None if run is None else f"{run['seconds_list']}; {run['seconds_total']}"

    return {
        "ledger_files": (measured or {}).get("files"),
        "ledger_local_s": local and local["seconds"],
        "ledger_local_flow_s": flow(local),
        "ledger_local_cpu_s": local and local.get("cpu_seconds"),
        "ledger_local_opened": local and local["files_opened"],
        "ledger_s3_s": s3 and s3["seconds"],
        "ledger_s3_flow_s": flow(s3),
        "ledger_s3_requests": s3 and f"{s3['object_requests']}; {s3['list_pages']}",
    }


TARGETS = (  # (target, figure key, unit, limit, True when the figure must stay at or below the limit)
    ("end-to-end <= 1.15 x NER floor", "floor_ratio", "x", 1.15, True),
    ("end-to-end <= 1.15 x floor, temporary server", "temporary_floor_ratio", "x", 1.15, True),
    ("end-to-end >= 2 x faster than naive", "naive_speedup", "x", 2.0, False),
    ("stages other than NLP >= 2,000 docs/s", "non_nlp_docs_per_s", "docs/s", 2000.0, False),
    ("no-op re-run <= 10 % of a full run", "noop_share", "%", 10.0, True),
    ("rebuild, no parser change <= 20 % of a full run", "rebuild_share", "%", 20.0, True),
    ("peak RSS at Nx <= 1.2 x at 1x", "rss_ratio", "x", 1.2, True),
    ("HTML extraction >= 30 pages/s per core", "html_extract_pages_per_s", "pages/s", 30.0, False),
    ("DQ dashboard build < 1 s (1,000 runs, cold)", "dashboard_cold_first_s", "s", 1.0, True),
    ("no-op re-run, 100k files, local < 30 s", "ledger_local_s", "s", 30.0, True),
    ("no-op re-run, 100k files, local: none opened", "ledger_local_opened", "files", 0, True),
    ("no-op re-run, 100k objects, S3 < 30 s", "ledger_s3_s", "s", 30.0, True),
)


def targets(fig: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for each target of issue 6; met is None when it was not measured."""
    checked = []
    for target, key, unit, limit, at_most in TARGETS:
        value = fig[key]
        met = None if value is None else (value <= limit if at_most else value >= limit)
        checked.append((target, f"{_show(value)} {unit}", met))
    return checked


def render(fig: dict[str, Any]) -> str:
    """One plain-text table: every figure, then every target with met / NOT met."""
    rows = [(label, _show(fig[key]), unit) for key, label, unit in FIGURES]
    width = max(len(label) for label, _, _ in rows)
    lines = [f"{label:<{width}}  {value} {unit}".rstrip() for label, value, unit in rows]
    lines += ["", "targets:"]
    for target, measured, met in targets(fig):
        status = "not measured" if met is None else ("met" if met else "NOT met")
        lines.append(f"  {target:<40} {measured:>12}  {status}")
    return "\n".join(lines)


def write_json(path: Path, fig: dict[str, Any], raw: dict[str, Any]) -> None:
    """The figures, the targets and the raw measurements they came from."""
    checked = [{"target": t, "measured": m, "met": ok} for t, m, ok in targets(fig)]
    path.write_text(json.dumps({"figures": fig, "targets": checked, "raw": raw}, indent=2) + "\n")


def _overhead_seconds(stages: dict[str, float]) -> float:
    """Seconds of every stage but NLP (worker stages summed over the workers)."""
    return sum(seconds for stage, seconds in stages.items() if stage not in NLP_STAGES)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:.1f}" for k, v in value.items() if v)
    return "-" if value is None else str(value)
