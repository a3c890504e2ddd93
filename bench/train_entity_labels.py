"""`python -m bench.train_entity_labels --out FILE`: fit the relabeller (bench.entity_relabel) on wire/.

Each sample is one name in one story as the rules leave it: its features (entity_relabel.features) and
its class from the gold: the type most of its mentions have there (PER -> PERSON, ORG, LOC -> GPE), or
NONE when its mentions are not gold names of those types. The model is a multinomial logistic regression
(plain numpy, L2), small enough to ship as JSON. `fit` is what bench.entity_eval calls per fold, so
the held-out figure scores each fold with weights fitted without it.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from bench import entity_relabel, entity_scoring
from tasks.enrich import entities, entity_rules

ROOT = Path(__file__).resolve().parent.parent
_CLASS_OF = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}
L2 = 1.0  # weight decay over the samples' mean loss x n: keeps rare features' weights small
STEPS = 400
MIN_SEEN = 3  # a feature met in fewer names is left out (an ending seen once or twice says nothing)


@dataclass(frozen=True)
class Named:
    """One name in one story: its rows (text, label) as the rules leave them and its features."""

    doc: str
    canonical: str
    label: str  # the rules' label
    rows: tuple[tuple[str, str], ...]
    features: dict[str, float]


def rule_rows(stories: Sequence[Any], model: Any) -> tuple[dict[str, list[Any]], list[Named]]:
    """The rules' entity rows per story and each name with a decided label and its features, read from
    the extractor's own calls (entities.finished asks for the labels, then for the names' other mentions,
    once per story in order)."""
    captured: list[dict[str, tuple[str, dict[str, float]]]] = []
    asked: list[tuple[Any, Any, Any]] = []
    one_label, propagated = entity_rules.one_label_per_name, entity_rules.propagated

    def labels_spy(votes, evidence, shared=None):  # type: ignore[no-untyped-def]
        asked.append((votes, evidence, shared))
        return one_label(votes, evidence, shared)

    def propagated_spy(text, named, labels):  # type: ignore[no-untyped-def]
        more = propagated(text, named, labels)
        votes, evidence, shared = asked[len(captured)]
        title_end = len(stories[len(captured)].article.title)
        captured.append(_features(text, sorted(named + more), labels, votes, evidence, shared, title_end))
        return more

    with (
        mock.patch.object(entity_rules, "one_label_per_name", labels_spy),
        mock.patch.object(entity_rules, "propagated", propagated_spy),
    ):
        rows = entities.extract_entities([s.article for s in stories], nlp=model)
    doc_of = {s.article.doc_id: s.doc for s in stories}
    by_doc: dict[str, list[Any]] = {s.doc: [] for s in stories}
    for e in rows:
        by_doc[doc_of[e.doc_id]].append(e)
    names = []
    for story, feats in zip(stories, captured, strict=True):
        for canonical, (label, f) in feats.items():
            mine = tuple(
                (e.text, e.label)
                for e in by_doc[story.doc]
                if e.canonical == canonical and e.field != "dateline"
            )
            names.append(Named(story.doc, canonical, label, mine, f))
    return by_doc, names


def _features(text, named, labels, votes, evidence, shared, title_end):  # type: ignore[no-untyped-def]
    by_name: dict[str, list[Any]] = {}
    for m in named:
        by_name.setdefault(m[2], []).append(m)
    story = entity_relabel.story_features(text)
    return {
        c: (
            labels[c],
            story
            | entity_relabel.features(
                text, ms, labels[c], votes[c], evidence[c], (shared or {}).get(c), title_end
            ),
        )
        for c, ms in by_name.items()
        if labels[c] in entity_relabel.DECIDED
    }


def target(named: Named, gold: Counter[str]) -> str:
    """The class of a name: the gold type most of its mentions have in its story, else NONE."""
    kinds: Counter[str] = Counter()
    for text, _ in named.rows:
        types = Counter({k: n for (t, k), n in gold.items() if t == entity_scoring.entity_text(text)})
        if types:
            kinds[types.most_common(1)[0][0]] += 1
    kind = kinds.most_common(1)[0][0] if kinds else "NONE"
    return _CLASS_OF.get(kind, "NONE")


def gold_of(stories: Sequence[Any]) -> dict[str, Counter[tuple[str, str]]]:
    """Each story's gold mentions as (normalised text, type), MISC kept (a MISC name is NONE here)."""
    return {
        s.doc: Counter((entity_scoring.entity_text(t), k) for t, k in s.gold["entities"]) for s in stories
    }


def fit(names: Sequence[Named], gold: dict[str, Counter[tuple[str, str]]]) -> dict[str, Any]:
    """Multinomial logistic regression on the names' features and gold classes (full-batch gradient
    descent), as the JSON entity_relabel reads."""
    seen = Counter(k for n in names for k in n.features)
    feats = sorted(k for k, count in seen.items() if count >= MIN_SEEN)
    index = {k: i for i, k in enumerate(feats)}
    x = np.zeros((len(names), len(feats)))
    for row, n in enumerate(names):
        for k, v in n.features.items():
            if k in index:
                x[row, index[k]] = v
    classes = list(entity_relabel.CLASSES)
    y = np.array([classes.index(target(n, gold[n.doc])) for n in names])
    onehot = np.eye(len(classes))[y]
    w = np.zeros((len(feats), len(classes)))
    for _ in range(STEPS):
        scores = x @ w
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = x.T @ (p - onehot) / len(names) + L2 * w / len(names)
        w -= 1.0 * grad
    return {
        "classes": classes,
        "features": feats,
        "weights": [[round(float(v), 4) for v in row] for row in w],
        "trained_on": f"wire/: {len({n.doc for n in names})} stories, {len(names)} names",
    }


def relabelled(
    by_doc: dict[str, list[Any]], names: Sequence[Named], model: dict[str, Any], docs: set[str]
) -> dict[str, list[tuple[str, str]]]:
    """The rows of the stories `docs` as the extractor would write them with `model`: each decided name given
    the model's label or dropped, the other rows as the rules left them."""
    verdict = {
        (n.doc, n.canonical): entity_relabel.as_label(entity_relabel.predict(model, n.features), n.label)
        for n in names
        if n.doc in docs
    }
    found: dict[str, list[tuple[str, str]]] = {}
    for doc in docs:
        found[doc] = []
        for e in by_doc[doc]:
            label = verdict.get((doc, e.canonical), e.label) if e.field != "dateline" else e.label
            if label:
                found[doc].append((e.text, label))
    return found


def main(argv: list[str] | None = None) -> None:
    from bench import entity_eval

    parser = argparse.ArgumentParser(prog="python -m bench.train_entity_labels", description=__doc__)
    parser.add_argument("--corpora", type=Path, default=entity_eval.CORPORA, help="the shared corpora folder")
    parser.add_argument("--out", type=Path, required=True, help="where to write the weights (JSON)")
    args = parser.parse_args(argv)
    stories = entity_eval.wire_stories(args.corpora)
    _, names = rule_rows(stories, entity_eval.MemoModel(entities.load_nlp()))
    model = fit(names, gold_of(stories))
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"{model['trained_on']}: {len(model['features'])} features, written to {args.out}")


if __name__ == "__main__":
    main()
