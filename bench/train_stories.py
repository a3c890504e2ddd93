"""`python -m bench.train_stories`: fit tasks.stories' same-story model and thresholds on held-out folds.

The evaluation run's signatures (bench.story_eval, cached with --cache) are assigned again for each choice:

- `duplicate_containment` (how much of the shorter body's shingles the other must hold), on a grid: the
  one with the best F1 of duplicate pairs;
- the same-story model: an L2 logistic regression (bench.train_lines' Newton fit) over the named
  tasks.stories.index.pair_features (`--features`, the model's own by default) of the labelled same_story
  and different pairs (duplicates are
  decided before the story model is asked), and its probability threshold, on a grid: the best F1 of
  same-story pairs among thresholds with precision at least STORY_PRECISION (the target), else the most
  precise. Thresholds are scored on whole assignments (a story joins transitively), not pair by pair.

Each count is kept by fold (bench.folds: a labelled pair by its first article's path, a copy by its
original's, a twin by its page). Held out: for each fold, the containment, the logistic weights and the
probability threshold are all chosen on the other folds and the fold is scored with them; the pooled
held-out figures are printed beside the development ones (everything fitted and scored on all folds).
`--write` writes the model fitted on all folds: model.json (containment) and story_model.json.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bench import story_eval
from bench.folds import K
from bench.train_lines import _logistic
from tasks.stories import MODEL
from tasks.stories.index import STORY_MODEL, Index, StoryModel, story_features

SHIPPED = STORY_MODEL.features  # by default the shipped model's features are fitted and held out

PACKAGE = Path(__file__).resolve().parent.parent / "tasks" / "stories"
MODEL_PATH = PACKAGE / "model.json"
STORY_MODEL_PATH = PACKAGE / "story_model.json"
CONTAINMENTS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
PROBABILITIES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
STORY_PRECISION = 0.95
Grid = dict[float, dict[str, story_eval.Counts]]


def _f1(figures: dict[str, Any]) -> float:
    p, r = figures["precision"] or 0.0, figures["recall"] or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def examples(
    data: story_eval.Collected, labels: list[dict[str, str]], features: tuple[str, ...] = SHIPPED
) -> list[tuple[int, np.ndarray, int]]:
    """(fold, features, same story?) of every labelled same_story or different pair both of whose articles
    are in the run."""
    index = indexed(data)
    out = []
    for label in labels:
        a, b = data.doc_of.get(label["a"]), data.doc_of.get(label["b"])
        if a and b and label["label"] != story_eval.DUPLICATE:
            x = story_features(index.entries[a], [index.entries[b]], features, index.key_weights)[0]
            out.append((story_eval.label_fold(label), x, int(label["label"] == story_eval.SAME_STORY)))
    return out


def indexed(data: story_eval.Collected) -> Index:
    """Every article of the run in one index, with the duplicate_of and story_id the shipped model gives
    (so that the key frequencies count originals, as a run's index does)."""
    result = story_eval.assigned(data.batches)
    index = Index()
    for table in data.batches:
        for row in table.to_pylist():
            original, story = result[row["doc_id"]]
            copied = None if original == row["doc_id"] else original
            index.add({**row, "duplicate_of": copied, "story_id": story})
    return index


def fit(
    found: list[tuple[int, np.ndarray, int]], folds: set[int], features: tuple[str, ...] = SHIPPED
) -> StoryModel:
    """The logistic model fitted on the examples of `folds` (threshold still to choose)."""
    kept = [(x, y) for f, x, y in found if f in folds]
    classifier = _logistic(np.vstack([x for x, _ in kept]), np.array([y for _, y in kept], dtype=np.float64))
    return StoryModel(classifier, 0.5, features)


def counts_for(
    data: story_eval.Collected, labels: list[dict[str, str]], containment: float, story: StoryModel
) -> dict[str, story_eval.Counts]:
    model = {**MODEL, "duplicate_containment": containment}
    return story_eval.all_counts(data, story_eval.assigned(data.batches, model, story), labels)


def choose_containment(grid: Grid, folds: set[int]) -> float:
    """The containment with the best F1 of duplicate pairs on `folds` (ties: the higher)."""
    return max(grid, key=lambda c: (_f1(story_eval.summary(grid[c], folds)["duplicate_pairs"]), c))


def choose_probability(grid: Grid, folds: set[int]) -> float:
    """The threshold with the best same-story F1 on `folds` among those at the precision target, else the
    most precise (ties: the higher threshold)."""
    stories = {t: story_eval.summary(c, folds)["same_story_pairs"] for t, c in grid.items()}
    precise = [t for t, f in stories.items() if (f["precision"] or 0.0) >= STORY_PRECISION]
    if precise:
        return max(precise, key=lambda t: (_f1(stories[t]), t))
    return max(stories, key=lambda t: (stories[t]["precision"] or 0.0, t))


def tuned(
    data: story_eval.Collected,
    labels: list[dict[str, str]],
    found: list[tuple[int, np.ndarray, int]],
    folds: set[int],
    containments: Grid,
    features: tuple[str, ...] = SHIPPED,
) -> tuple[float, StoryModel, Grid]:
    """Containment, story model and threshold chosen on `folds`; and the counts of every threshold."""
    containment = choose_containment(containments, folds)
    story = fit(found, folds, features)
    grid = {t: counts_for(data, labels, containment, replace(story, threshold=t)) for t in PROBABILITIES}
    return containment, replace(story, threshold=choose_probability(grid, folds)), grid


def run(
    data: story_eval.Collected, labels: list[dict[str, str]], features: tuple[str, ...] = SHIPPED
) -> dict[str, Any]:
    """Development and held-out figures, the chosen values per fold, and the model fitted on all folds."""
    found = examples(data, labels, features)
    everything = set(range(K))
    full = fit(found, everything, features)
    containments = {c: counts_for(data, labels, c, full) for c in CONTAINMENTS}
    containment, story, grid = tuned(data, labels, found, everything, containments, features)
    pooled: dict[str, story_eval.Counts] = {name: {} for name in grid[story.threshold]}
    chosen = []
    for fold in range(K):
        c, s, g = tuned(data, labels, found, everything - {fold}, containments, features)
        chosen.append([c, s.threshold])
        for name, by_fold in g[s.threshold].items():
            if fold in by_fold:
                pooled[name][fold] = by_fold[fold]
    return {
        "chosen": [containment, story.threshold],
        "per_fold": chosen,
        "examples": len(found),
        "development": story_eval.summary(grid[story.threshold], everything),
        "held_out": story_eval.summary(pooled),
        "model": (containment, story),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--write", action="store_true", help="write the model fitted on all folds")
    parser.add_argument("--features", nargs="+", default=list(SHIPPED), help="pair_features to fit on")
    args = parser.parse_args(argv)
    data = story_eval.cached(args.cache, refresh=False)
    result = run(data, story_eval.load_labels(), tuple(args.features))
    containment, story = result.pop("model")
    print(json.dumps(result, indent=1))
    if args.write:
        model = {**MODEL, "duplicate_containment": containment}
        MODEL_PATH.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        note = {
            "note": "Written by bench/train_stories.py: tasks.stories' same-story model (logistic over "
            "the named tasks.stories.index.pair_features), fitted on the labelled pairs; threshold chosen "
            "on assignments with held-out folds (see docs/stories.md). Edit by retraining."
        }
        text = json.dumps({**note, **story.to_json()}, indent=2) + "\n"
        STORY_MODEL_PATH.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
