"""`python -m bench.tone_eval` (and `make eval`): how newsetl's tone (tasks.enrich.tone) agrees with
people's ratings of news text.

The set: the NYT editorial snippets of Hutto & Gilbert (ICWSM 2014), 5,190 sentences from New York Times
opinion pieces, each rated for sentiment by 20 people (mean on -4..4), shipped in vaderSentiment's source
distribution (additional_resources/hutto_ICWSM_2014.tar.gz; MIT). The only public human-rated news set a
package here ships. `--sdist` names the .tar.gz; without it the sdist of the installed vaderSentiment
version is fetched once with pip into the cache folder (an evaluation-time download; the pipeline
fetches nothing). Two grains: each sentence, and each piece (its sentences joined; ids "<piece>_<n>",
its rating the mean of its sentences').

Figures: Pearson and Spearman correlation of the human mean rating with GKG's Tone (positive minus
negative words, percent: what the tone table holds) and, for comparison, with VADER's compound score (its
sentence rules, which the pipeline leaves out for their cost). Nothing is fitted on this set (the lexicon's
valences were rated by other people on words, not these snippets), so every figure is held out; VADER's
authors did use this set to report their model's accuracy, so compound's figure is theirs to compare.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import os
import subprocess
import sys
import tarfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from tasks.enrich.tone import analyzer, article_tone

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "newsetl" / "tone_eval"
SNIPPETS = "nytEditorialSnippets_GroundTruth.txt"
NAME = "tone"  # its key in bench/eval.json


def sdist(cache: Path = CACHE) -> Path:
    """vaderSentiment's source distribution (the installed version), fetched once into `cache`."""
    version = importlib.metadata.version("vaderSentiment")
    found = sorted(cache.glob(f"[vV]ader[sS]entiment-{version}.tar.gz"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", f"vaderSentiment=={version}", "--no-binary", ":all:"]
    subprocess.run([*pip, "--no-deps", "-d", str(cache)], check=True, capture_output=True)
    return sdist(cache)


def rated_snippets(archive: Path) -> list[tuple[str, float, str]]:
    """(id, mean human rating, text) of every NYT editorial snippet in the sdist's inner archive."""
    with tarfile.open(archive) as outer:
        inner_name = next(n for n in outer.getnames() if n.endswith("hutto_ICWSM_2014.tar.gz"))
        inner_bytes = outer.extractfile(inner_name).read()  # type: ignore[union-attr]
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        name = next(n for n in inner.getnames() if n.endswith(SNIPPETS))
        text = inner.extractfile(name).read().decode("utf-8", errors="replace")  # type: ignore[union-attr]
    rows = (line.split("\t") for line in text.splitlines() if line.strip())
    return [(r[0], float(r[1]), r[2]) for r in rows if len(r) == 3]


def correlations(human: list[float], predicted: list[float]) -> dict[str, float]:
    """Pearson and Spearman (Pearson of ranks, ties averaged) correlation."""
    x, y = np.asarray(human, float), np.asarray(predicted, float)
    return {"pearson": round(float(np.corrcoef(x, y)[0, 1]), 3), "spearman": round(_spearman(x, y), 3)}


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(_ranks(x), _ranks(y))[0, 1])


def _ranks(v: np.ndarray) -> np.ndarray:
    order = np.argsort(v, kind="mergesort")
    ranks = np.empty(len(v))
    ranks[order] = np.arange(len(v))
    for value in np.unique(v):  # ties share their mean rank
        tied = v == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def figures(archive: Path | None = None) -> dict[str, Any]:
    """The correlations at sentence and piece grain, with the set's size."""
    snippets = rated_snippets(archive or sdist())
    pieces: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for snippet_id, rating, text in snippets:
        pieces[snippet_id.split("_")[0]].append((rating, text))
    grains = {
        "sentences": [(rating, text) for _, rating, text in snippets],
        "pieces": [(float(np.mean([r for r, _ in p])), " ".join(t for _, t in p)) for p in pieces.values()],
    }
    result: dict[str, Any] = {
        "set": "NYT editorial snippets (Hutto & Gilbert 2014), held out: nothing fitted"
    }
    for grain, rows in grains.items():
        human = [r for r, _ in rows]
        result[grain] = {
            "n": len(rows),
            "gkg_tone": correlations(human, [article_tone("", text).tone for _, text in rows]),
            "vader_compound": correlations(
                human, [analyzer().polarity_scores(t)["compound"] for _, t in rows]
            ),
        }
    return result


def render(result: dict[str, Any]) -> str:
    """The figures as `make eval` prints them."""
    lines = [f"tone vs human ratings, {result['set']}"]
    for grain in ("sentences", "pieces"):
        g = result[grain]
        for score in ("gkg_tone", "vader_compound"):
            c = g[score]
            figures_ = f"pearson {c['pearson']:.3f}  spearman {c['spearman']:.3f}"
            lines.append(f"  {grain:>9} (n={g['n']:>5}) {score:<15} {figures_}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tone_eval", description=__doc__)
    parser.add_argument(
        "--sdist", type=Path, help="vaderSentiment's .tar.gz (default: fetched into the cache)"
    )
    args = parser.parse_args(argv)
    print(render(figures(args.sdist)))


if __name__ == "__main__":
    main()
