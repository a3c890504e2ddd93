"""`python -m bench.train_stories`: choose tasks.stories' thresholds on held-out folds; write model.json.

The evaluation run's signatures (bench.story_eval, cached with --cache) are assigned again for every pair
of thresholds on a grid: `duplicate_containment` (how much of the shorter body's shingles the other must
hold) and `story_jaccard` (how similar two story signatures must be). Each pair's figures are counted by
fold (bench.folds: a labelled pair by its first article's path, a copy by its original's, a twin by its
page). For each fold, the thresholds are chosen on the other folds and the fold is scored with them: the
pooled held-out figures are printed beside the development ones (thresholds chosen and scored on all).

The choice: the duplicate threshold with the best F1 of duplicate pairs, then the story threshold with the
best F1 of same-story pairs among those with precision at least STORY_PRECISION (the target), else the
most precise. The written model holds the thresholds chosen on all folds.
"""

from __future__ import annotations

import argparse
import json
from itertools import product
from pathlib import Path
from typing import Any

from bench import story_eval
from bench.folds import K
from tasks.stories import MODEL

MODEL_PATH = Path(__file__).resolve().parent.parent / "tasks" / "stories" / "model.json"
CONTAINMENTS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
STORY_JACCARDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
STORY_PRECISION = 0.95


def _f1(figures: dict[str, Any]) -> float:
    p, r = figures["precision"] or 0.0, figures["recall"] or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def grid(
    data: story_eval.Collected, labels: list[dict[str, str]]
) -> dict[tuple[float, float], dict[str, Any]]:
    """Counts by fold for every pair of thresholds."""
    out = {}
    for containment, jaccard in product(CONTAINMENTS, STORY_JACCARDS):
        model = {**MODEL, "duplicate_containment": containment, "story_jaccard": jaccard}
        out[(containment, jaccard)] = story_eval.all_counts(
            data, story_eval.assigned(data.batches, model), labels
        )
    return out


def choose(counts: dict[tuple[float, float], dict[str, Any]], folds: set[int]) -> tuple[float, float]:
    """The thresholds chosen on `folds`: duplicate F1 first, then same-story F1 at the precision target."""
    scored = {key: story_eval.summary(c, folds) for key, c in counts.items()}
    containment = max(
        CONTAINMENTS, key=lambda c: (max(_f1(scored[(c, j)]["duplicate_pairs"]) for j in STORY_JACCARDS), c)
    )
    stories = {j: scored[(containment, j)]["same_story_pairs"] for j in STORY_JACCARDS}
    precise = [j for j, f in stories.items() if (f["precision"] or 0.0) >= STORY_PRECISION]
    if precise:
        return containment, max(precise, key=lambda j: (_f1(stories[j]), -j))
    return containment, max(STORY_JACCARDS, key=lambda j: (stories[j]["precision"] or 0.0, -j))


def held_out(
    counts: dict[tuple[float, float], dict[str, Any]],
) -> tuple[dict[str, Any], list[tuple[float, float]]]:
    """Each fold scored with thresholds chosen without it, pooled; and the thresholds of each fold."""
    pooled: dict[str, dict[int, list[int]]] = {}
    chosen = []
    for fold in range(K):
        key = choose(counts, set(range(K)) - {fold})
        chosen.append(key)
        for name, by_fold in counts[key].items():
            if fold in by_fold:
                pooled.setdefault(name, {})[fold] = by_fold[fold]
    for name in next(iter(counts.values())):
        pooled.setdefault(name, {})
    return story_eval.summary(pooled), chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--write", action="store_true", help="write the thresholds chosen on all folds")
    args = parser.parse_args(argv)
    data = story_eval.cached(args.cache, refresh=False)
    labels = story_eval.load_labels()
    counts = grid(data, labels)
    everything = set(range(K))
    containment, jaccard = choose(counts, everything)
    development = story_eval.summary(counts[(containment, jaccard)], everything)
    held, per_fold = held_out(counts)
    print(
        json.dumps(
            {
                "chosen": [containment, jaccard],
                "per_fold": per_fold,
                "development": development,
                "held_out": held,
            },
            indent=1,
        )
    )
    if args.write:
        model = {**MODEL, "duplicate_containment": containment, "story_jaccard": jaccard}
        MODEL_PATH.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
