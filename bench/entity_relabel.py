"""An experiment kept for the next attempt: a small learned last word on each name's label in a story
(person, organisation, place, or no name at all: a heading word, a table's column, a common noun with a
capital), on top of the rules (tasks.enrich.entity_rules).

A multinomial logistic model reads the rules' decision beside the name's shape (words, capitals, a legal
form, its ending, written in lowercase elsewhere in the story), the gazetteer's rank for it, the evidence
counts, where its mentions stand (a results line, a team's shape, the title) and how much of the story is
results. bench.train_entity_labels fits it; bench.entity_eval scores it on held-out folds. It is not
shipped: on held-out folds it does not beat the rules alone (docs/performance.md, make eval).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from tasks import places
from tasks.enrich import entity_names, results_lines

CLASSES = ("PERSON", "ORG", "GPE", "NONE")  # NONE: no name of these kinds: the mentions are dropped
DECIDED = ("PERSON", "ORG", "GPE", "LOC", "FAC")  # the labels this model may change
_PLACES = ("GPE", "LOC", "FAC")

Mention = entity_names.Mention
Model = Mapping[str, Any]  # {"features": [...], "classes": [...], "weights": [[per class] per feature]}


def features(
    text: str,
    mentions: Sequence[Mention],
    label: str,
    votes: Counter[str],
    seen: Counter[str],
    shared: Counter[str] | None,
    title_end: int,
) -> dict[str, float]:
    """The features of one name in one story: its rule label, the model's votes, the evidence, the
    gazetteer, its shape and where its mentions stand (`title_end`: where the title ends in `text`)."""
    canonical = mentions[0][2]
    words = canonical.split()
    written = [text[s:e] for s, e, _, _ in mentions]
    entry = places.resolve(canonical)
    total = sum(votes.values()) or 1
    f = {f"label={label}": 1.0, "bias": 1.0}
    f |= {f"votes {k}": votes[k] / total for k in ("PERSON", "ORG")}
    f["votes place"] = sum(votes[k] for k in _PLACES) / total
    f |= {f"evidence {k}": min(seen[k], 3) / 3 for k in ("PERSON", "ORG")}
    f |= {f"batch {k}": min((shared or Counter())[k], 3) / 3 for k in ("PERSON", "ORG")}
    f[f"gazetteer rank {entry.rank if entry else 'none'}"] = 1.0
    f[f"words {min(len(words), 3)}"] = 1.0
    f["all caps"] = sum(w.isupper() and len(w) > 1 for w in written) / len(written)
    f["short acronym"] = float(canonical.replace(".", "").isupper() and len(canonical) <= 5)
    f["dots"] = float("." in canonical)
    f["legal form"] = float(entity_names.has_legal_form(canonical))
    f["lowercase elsewhere"] = float(f" {canonical.lower()} " in text or f" {canonical.lower()}s " in text)
    f["mentions"] = math.log1p(len(mentions))
    f["results line"] = sum(results_lines.is_results_line(text, s) for s, _, _, _ in mentions) / len(mentions)
    f["plays"] = float(any(results_lines.plays(text, s, e) for s, e, _, _ in mentions))
    f["title only"] = float(all(e <= title_end for _, e, _, _ in mentions))
    f[f"ends {words[-1][-3:].lower()}"] = 1.0  # "-shire", "-ovic", "-stan": a name's ending says much
    return f


def story_features(text: str) -> dict[str, float]:
    """What the whole story says about its names: how much of it is results and tables."""
    lines = [m for m in text.splitlines() if m.strip()]
    at, share = 0, 0
    for line in lines:
        at = text.find(line, at)
        share += results_lines.is_results_line(text, at)
    return {"results story": share / len(lines) if lines else 0.0}


def predict(model: Model, f: Mapping[str, float]) -> str:
    """The class with the highest score for the features `f` (unknown features weigh nothing)."""
    index = {name: i for i, name in enumerate(model["features"])}
    scores = [0.0] * len(model["classes"])
    for name, value in f.items():
        if name in index:
            row = model["weights"][index[name]]
            scores = [s + value * w for s, w in zip(scores, row, strict=True)]
    return model["classes"][max(range(len(scores)), key=scores.__getitem__)]


def as_label(kind: str, label: str) -> str | None:
    """The class as a label: a place keeps the rules' kind of place ("Europe" stays LOC)."""
    if kind == "NONE":
        return None
    if kind == "GPE" and label in _PLACES:
        return label
    return kind
