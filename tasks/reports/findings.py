"""The DQ summary in words: which measure fell or drifted, on which batches, at which sources, with examples.

One renderer for the run summary, the Prefect artifact and `newsetl report`. A measure that fell on many
batches is one line (its batches listed, its range of values), followed by its worst sources with an
example each; a drift is one line per batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from tasks.records import Measure

MAX_SOURCES = 3
MAX_BATCHES = 3


def finding_lines(findings: Sequence[Measure], max_sources: int = MAX_SOURCES) -> list[str]:
    """The findings (measures that fell below their threshold or drifted) as indented lines of text."""
    fell = [m for m in findings if m.source == "" and m.success is False]
    lines = []
    for key in sorted({(m.table_name, m.measure) for m in fell}):
        group = [m for m in fell if (m.table_name, m.measure) == key]
        lines.append(_fell_line(group))
        batches = {m.batch_id for m in group}
        at_sources = [
            m
            for m in findings
            if m.source and m.success is False and m.batch_id in batches and (m.table_name, m.measure) == key
        ]
        lines += [f"  {line}" for line in _source_lines(at_sources, max_sources)]
    for m in sorted(findings, key=lambda m: (m.batch_id, m.table_name, m.measure)):
        if m.is_drift:
            lines.append(f"drift: {m.table_name}.{m.measure} on batch {m.batch_id}: {m.detail}")
    return lines


def _fell_line(group: Sequence[Measure]) -> str:
    values = sorted(m.value for m in group if m.value is not None)
    spread = f"{values[0]:.2f}" if values[0] == values[-1] else f"{values[0]:.2f} to {values[-1]:.2f}"
    m = group[0]
    return (
        f"coverage: {m.table_name}.{m.measure} {spread}, below its minimum {m.threshold:g}, "
        f"on {len(group)} batch(es) {_batches(sorted({g.batch_id for g in group}))}"
    )


def _source_lines(at_sources: Sequence[Measure], max_sources: int) -> list[str]:
    """Per source, its lowest value and first example, worst sources first."""
    worst: dict[str, Measure] = {}
    for m in at_sources:
        if m.source not in worst or (m.value or 0.0) < (worst[m.source].value or 0.0):
            worst[m.source] = m
    ranked = sorted(worst.values(), key=lambda m: (m.value or 0.0, m.source))
    lines = [
        f"{m.source}: {m.value:.2f}" + (f", e.g. {m.examples[0]}" if m.examples else "")
        for m in ranked[:max_sources]
    ]
    if len(ranked) > max_sources:
        lines.append(f"and {len(ranked) - max_sources} more source(s)")
    return lines


def _batches(batch_ids: Sequence[str]) -> str:
    shown = ", ".join(batch_ids[:MAX_BATCHES])
    return shown if len(batch_ids) <= MAX_BATCHES else f"{shown} and {len(batch_ids) - MAX_BATCHES} more"
