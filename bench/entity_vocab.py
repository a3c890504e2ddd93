"""The entity rules' word lists held out: `python -m bench.entity_vocab` (about a minute after the model).

bench.entity_eval holds out what it chooses (steps, city size), not the hand-written rules: their words
were written looking at every wire story. This measures how much of the figure rests on entries only one
fold's stories need. Every entry of the vocabularies the entity step reads (`FILES`) is left out in turn,
and the stories whose rows change are the ones it acts on:

- unseen: each fold scored with the entries that act only on that fold's stories left out, as if the
  lists had been written without the fold (an entry that acts on no wire story stays: it cannot have been
  learned from them);
- per entry: F1 on all stories without it, and the folds whose stories it acts on.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from bench import entity_eval, entity_scoring, folds
from tasks import places, vocab
from tasks.enrich import entities, entity_names, entity_rules, results_lines, truecase

# The vocabularies of the entity step: rules (entity_rules, entity_names, results_lines) and places.
FILES = (
    "honorifics",
    "offices",
    "team_roles",
    "person_roles",
    "organisation_roles",
    "spokesperson_roles",
    "name_particles",
    "settlement_nouns",
    "news_agencies",
    "time_zones",
    "legal_forms",
    "company_designators",
    "competition_words",
    "result_verbs",
    "numbered_nouns",
    "country_aliases",
)
_MODULES = (places, truecase, entity_names, results_lines, entity_rules)  # import order


@contextlib.contextmanager
def without(entries: frozenset[tuple[str, str]]) -> Iterator[None]:
    """The entity modules rebuilt with `entries` ((file, entry)) left out of their vocabularies, and
    rebuilt as shipped after."""
    words = vocab.words.__wrapped__

    def filtered(name: str) -> tuple[str, ...]:
        return tuple(w for w in words(name) if (name, w) not in entries)

    gazetteer = any(name in _GAZETTEER_FILES for name, _ in entries)
    try:
        with mock.patch.object(vocab, "words", filtered):
            _reload(gazetteer)
            yield
    finally:
        _reload(gazetteer)


_GAZETTEER_FILES = ("country_aliases",)  # read by tasks.places: the gazetteer is built anew without them


def _reload(gazetteer: bool) -> None:
    """The entity modules re-read (their patterns built from the vocabularies as they are now); the
    gazetteer too when one of its files changed."""
    for module in _MODULES if gazetteer else _MODULES[1:]:
        if module is places:
            places.gazetteer.cache_clear()
        importlib.reload(module)


def evaluate(root: Path = entity_eval.CORPORA) -> dict[str, Any]:
    stories = entity_eval.wire_stories(root)
    model = entity_eval.MemoModel(entities.load_nlp())
    gold = [s.gold for s in stories]
    fold = {s.doc: folds.fold_of(s.group) for s in stories}

    def run(off: frozenset[tuple[str, str]]) -> entity_eval.Found:
        with without(off):
            return entity_eval.found_without(stories, model, frozenset())

    base = run(frozenset())
    acts: dict[tuple[str, str], set[int]] = {}
    per_entry = {}
    for name in FILES:
        for entry in vocab.words(name):
            found = run(frozenset({(name, entry)}))
            changed = {fold[d] for d in found if sorted(found[d]) != sorted(base[d])}
            acts[(name, entry)] = changed
            per_entry[f"{name}: {entry}"] = {
                "f1": entity_eval._f1(found, stories),
                "folds": sorted(changed),
            }
    held: entity_eval.Found = {}
    left_out = {}
    for f, _, scored in folds.split(stories, lambda s: s.group):
        off = frozenset(k for k, v in acts.items() if v == {f})
        left_out[f] = sorted(f"{n}: {e}" for n, e in off)
        found = run(off)
        held |= {s.doc: found[s.doc] for s in scored}
    return {
        "as shipped": entity_scoring.entity_figures(base, gold),
        "unseen vocab (held-out)": entity_scoring.entity_figures(held, gold),
        "left out per fold": left_out,
        "per entry": per_entry,
        "base f1": entity_eval._f1(base, stories),
    }


def render(figures: Mapping[str, Any]) -> str:
    lines = [
        entity_scoring.render(
            {"as shipped": figures["as shipped"], "unseen vocab": figures["unseen vocab (held-out)"]}
        )
    ]
    for f, entries in figures["left out per fold"].items():
        lines.append(f"fold {f}: left out {', '.join(entries) or 'none'}")
    base = figures["base f1"]
    lines.append("entries that act on wire/ (F1 without it, change; folds it acts on):")
    for key, v in figures["per entry"].items():
        if v["folds"]:
            lines.append(f"  {key:40} {v['f1']:.4f} {v['f1'] - base:+.4f}  {v['folds']}")
    idle = [k for k, v in figures["per entry"].items() if not v["folds"]]
    lines.append(f"entries acting on no wire story: {len(idle)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.entity_vocab", description=__doc__)
    parser.add_argument("--corpora", type=Path, default=entity_eval.CORPORA, help="the shared corpora folder")
    parser.add_argument("--out", type=Path, help="figures as JSON")
    args = parser.parse_args(argv)
    figures = evaluate(args.corpora)
    print(render(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
