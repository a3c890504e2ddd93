"""`python -m bench.gdelt_cost`: what tone, amounts and themes (GDELT parity) cost next to the run's NLP.

Parses BBC articles once, then times each extractor of tasks.enrich.EXTRACTORS over the whole set, in
the run's order and with the rows it needs, as enrich_articles runs them: spaCy's NER (the entities
extractor, the run's NLP time), the other rule extractors, and the three of issue 25. Every extractor is
timed in each of `--rounds` rounds (NER and the rules alike, so that both see the same load) and its
fastest round kept: the machine is shared. The target: the three together cost at most 5 % of the NER
time. Absolute seconds depend on the machine's load; the shares come from one run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.corpus import corpus_files
from tasks.enrich import EXTRACTORS
from tasks.parse.text import parse_article
from tasks.records import Article

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
GDELT = ("amounts", "themes", "tone")
NLP = "entities"


def articles(files: list[Path]) -> list[Article]:
    """The files parsed as a run parses them (undecodable ones left out)."""
    parsed = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        parsed.append(parse_article(text, doc_id=path.as_posix(), source_uri=path.as_uri()))
    return parsed


def extractor_seconds(batch: list[Article], rounds: int) -> dict[str, float]:
    """Wall seconds of each extractor over the batch: the fastest of `rounds` rounds of the whole chain."""
    best = dict.fromkeys(EXTRACTORS, float("inf"))
    for _ in range(rounds):
        found: dict[str, list[Any]] = {}
        for name, module in EXTRACTORS.items():
            start = time.perf_counter()
            found[name] = module.extract(batch, found)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: round(seconds, 4) for name, seconds in best.items()}


def figures(batch: list[Article], seconds: dict[str, float]) -> dict[str, Any]:
    gdelt = sum(seconds[n] for n in GDELT)
    return {
        "articles": len(batch),
        "words": sum(a.word_count for a in batch),
        "seconds": seconds,
        "gdelt_seconds": round(gdelt, 4),
        "gdelt_share_of_nlp": round(gdelt / seconds[NLP], 4),
        "gdelt_share_of_enrich": round(gdelt / sum(seconds.values()), 4),
        "per_extractor_share_of_nlp": {n: round(seconds[n] / seconds[NLP], 4) for n in GDELT},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.gdelt_cost", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=BBC, help="a folder of .txt articles (by sub-folder)")
    parser.add_argument("--per-folder", type=int, default=30, help="articles per sub-folder")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each rule extractor")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    batch = articles(corpus_files(args.corpus, args.per_folder))
    result = figures(batch, extractor_seconds(batch, args.rounds))
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
