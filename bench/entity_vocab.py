"""The entity rules' word lists held out: `python -m bench.entity_vocab` (and a line of `make eval`'s wire
section; a minute or two after the model).

bench.entity_eval holds out what it chooses (steps, city size), not the hand-written rules: their words
were written looking at every wire story. This measures how much of the figure rests on entries only one
fold's stories need. Every entry of the vocabularies the entity step reads (`FILES`) is left out in turn,
and the stories whose rows change are the ones it acts on:

- unseen: each fold scored with the entries that act only on that fold's stories left out, as if the
  lists had been written without the fold (an entry that acts on no wire story stays: it cannot have been
  learned from them);
- per entry: F1 on all stories without it, and the folds whose stories it acts on.

Two shortcuts keep it to minutes, both exact: an entry is a literal the rules' patterns match as a whole
word, so an entry no story writes (`occurs`, ignoring case) cannot act and is not run; and a story that
writes none of the entries left out gets the draft it had as shipped (entities.draft: its spans, trims,
misses and evidence), only the batch steps (batch names, shared evidence, labels, propagation) running
again over every story. Each fold's run is also done in full and must agree with the shortcut, or the
run stops.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from bench import entity_eval, entity_scoring, folds
from tasks import places, vocab
from tasks.enrich import entities, entity_names, entity_rules, results_lines, truecase

# The vocabularies of the entity step: rules (entity_rules, entity_names, results_lines) and places.
# Not here: months and weekdays (results_lines' calendar words) and stop_words (function words before a
# head noun), which no story can have taught.
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
    "organisation_heads",
    "competition_words",
    "result_verbs",
    "numbered_nouns",
    "country_aliases",
)
_MODULES = (places, truecase, entity_names, results_lines, entity_rules)  # import order
_GAZETTEER_FILES = ("country_aliases",)  # read by tasks.places: the gazetteer is built anew without them
_KEYED = ("country_aliases",)  # "US U.S.": the text writes what follows the key
_MAPPED = ("time_zones",)  # "GMT 0": the text writes the key

Entry = tuple[str, str]  # (file, entry)


def surface(name: str, entry: str) -> str:
    """What a story writes where the entry can act: the entry, or the written side of a keyed one."""
    if name in _KEYED:
        return entry.split(" ", 1)[1]
    return entry.split(" ", 1)[0] if name in _MAPPED else entry


def occurs(name: str, entry: str, text: str) -> bool:
    """The entry stands in the text as a whole word or phrase, in any case, a space matching any run of
    white space or a hyphen: the least any rule's pattern needs to match it (every rule reads it as a
    literal bounded by non-word characters, or compares a whole span's name with it)."""
    words = _GAP.join(re.escape(w) for w in surface(name, entry).split())
    return re.search(rf"(?<!\w){words}(?!\w)", text, re.I) is not None


_GAP = r"[\s-]+"


def written(story: entity_eval.Story) -> str:
    """Everything of a story the entity step reads: its title, dateline and body."""
    a = story.article
    return "\n".join((a.title, a.dateline or "", a.body))


@contextlib.contextmanager
def without(entries: Iterable[Entry]) -> Iterator[None]:
    """The entity modules rebuilt with `entries` ((file, entry)) left out of their vocabularies, and
    rebuilt as shipped after."""
    entries = frozenset(entries)
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


def _reload(gazetteer: bool) -> None:
    """The entity modules re-read (their patterns built from the vocabularies as they are now); the
    gazetteer too when one of its files changed."""
    for module in _MODULES if gazetteer else _MODULES[1:]:
        if module is places:
            places.gazetteer.cache_clear()
        importlib.reload(module)


class Runs:
    """The extractor over the stories as one batch (as `make eval` runs it) with entries left out, each
    story's draft as shipped reused where it writes none of them (see the module's docstring)."""

    def __init__(self, stories: Sequence[entity_eval.Story], model: entity_eval.MemoModel) -> None:
        self.stories, self.model = stories, model
        self.texts = {s.article.doc_id: written(s) for s in stories}
        self.drafts: dict[str, entities.Draft] = {}
        real = entities.draft

        def record(doc_id: str, view: entities.View, spans: Iterable[tuple[int, int, str]]) -> entities.Draft:
            self.drafts[doc_id] = real(doc_id, view, spans)
            return self.drafts[doc_id]

        with mock.patch.object(entities, "draft", record):
            self.base = entity_eval.found_without(stories, model, frozenset())

    def touched(self, off: Iterable[Entry]) -> set[str]:
        """The doc_ids of the stories that write one of the entries."""
        off = list(off)
        return {d for d, text in self.texts.items() if any(occurs(n, e, text) for n, e in off)}

    def run(self, off: Iterable[Entry], full: bool = False) -> entity_eval.Found:
        """Each story's rows with `off` left out; `full`: every story drafted again (no shortcut)."""
        off = frozenset(off)
        if not off:
            return self.base
        keep = set() if full else self.texts.keys() - self.touched(off)
        with without(off):
            real = entities.draft

            def draft(doc_id: str, view: entities.View, spans: Any) -> entities.Draft:
                return self.drafts[doc_id] if doc_id in keep else real(doc_id, view, spans)

            with mock.patch.object(entities, "draft", draft):
                return entity_eval.found_without(self.stories, self.model, frozenset())


def evaluate(
    root: Path = entity_eval.CORPORA,
    stories: Sequence[entity_eval.Story] | None = None,
    model: entity_eval.MemoModel | None = None,
) -> dict[str, Any]:
    """The figures as shipped and with each fold's own entries left out, and each entry's effect."""
    stories = stories if stories is not None else entity_eval.wire_stories(root)
    model = model or entity_eval.MemoModel(entities.load_nlp())
    runs = Runs(stories, model)
    gold = [s.gold for s in stories]
    fold = {s.doc: folds.fold_of(s.group) for s in stories}
    acts: dict[Entry, set[int]] = {}
    per_entry = {}
    written_in = 0
    for name in FILES:
        for entry in vocab.words(name):
            if any(occurs(name, entry, text) for text in runs.texts.values()):
                written_in += 1
                found = runs.run({(name, entry)})
                acts[(name, entry)] = {fold[d] for d in found if sorted(found[d]) != sorted(runs.base[d])}
                f1 = entity_eval._f1(found, stories)
            else:  # written in no story: cannot act
                acts[(name, entry)], f1 = set(), entity_eval._f1(runs.base, stories)
            per_entry[f"{name}: {entry}"] = {"f1": f1, "folds": sorted(acts[(name, entry)])}
    held: entity_eval.Found = {}
    left_out = {}
    for f, _, scored in folds.split(stories, lambda s: s.group):
        off = frozenset(k for k, v in acts.items() if v == {f})
        left_out[f] = sorted(f"{n}: {e}" for n, e in off)
        found = runs.run(off)
        if off and found != runs.run(off, full=True):
            raise RuntimeError(
                f"fold {f}: the reused drafts changed the rows (entries left out: {left_out[f]})"
            )
        held |= {s.doc: found[s.doc] for s in scored}
    return {
        "as shipped": entity_scoring.entity_figures(runs.base, gold),
        "unseen vocab (held-out)": entity_scoring.entity_figures(held, gold),
        "left out per fold": left_out,
        "per entry": per_entry,
        "base f1": entity_eval._f1(runs.base, stories),
        "entries": len(per_entry),
        "entries written in wire/": written_in,
    }


def summary(figures: Mapping[str, Any]) -> str:
    """The lines `make eval` prints: all F1 and per type as shipped and unseen, and what was left out."""
    shipped, unseen = figures["as shipped"], figures["unseen vocab (held-out)"]
    kinds = ", ".join(
        f"{k} {shipped[f'{k}_f1']:.3f} -> {unseen[f'{k}_f1']:.3f}" for k in ("all", *entity_scoring.TYPES)
    )
    acting = sum(bool(v["folds"]) for v in figures["per entry"].values())
    alone = sum(len(v) for v in figures["left out per fold"].values())
    return (
        "vocabularies held out (bench.entity_vocab): F1 as shipped -> each fold without the entries only "
        f"its stories need: {kinds}; {acting} of {figures['entries']} entries act on wire/ "
        f"({figures['entries written in wire/']} written there), {alone} on one fold's stories alone"
    )


def render(figures: Mapping[str, Any]) -> str:
    lines = [
        entity_scoring.render(
            {"as shipped": figures["as shipped"], "unseen vocab": figures["unseen vocab (held-out)"]}
        ),
        summary(figures),
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
