"""Entity figures on wire/ with held-out folds: `python -m bench.entity_eval` (and a section of `make eval`).

The stories are split into folds by bench.folds with a group that keeps together the stories that share
their names: a sports story's day and sport ("1996-08-31 SOCCER": the day's matches are reported in several
stories), any other story's day and dateline city. Every entity rule is a step the extractor can run
without (`STEPS`). What is chosen or fitted here is judged on folds it was not chosen on: which steps
to keep, the gazetteer's city size (entity_rules.CITY_POPULATION) and the learned relabeller experiment
(bench.entity_relabel, fitted by bench.train_entity_labels):

- development: chosen or fitted on all stories (the ones the rules were written against), scored on all;
- held-out: for each fold, chosen or fitted on the *other* folds, scored on the fold's stories; the
  folds' counts are summed.

The raw model (spaCy alone over the whole story) stands beside both. Also measured: how often the same
real thing (one gold name and type met in several stories) gets one `canonical_id`, and the entity step's
CPU time against the model's own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from bench import entity_scoring, folds, train_entity_labels
from tasks import ingest, parse, sources
from tasks.enrich import entities, entity_names, entity_rules, results_lines, truecase
from tasks.records import Article

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
_SPORT = re.compile(r"^([A-Z][A-Z ]+?) - ")  # a wire sports headline opens with its sport


@dataclass(frozen=True)
class Story:
    """One wire story: its parsed article, gold mentions and fold group."""

    doc: str
    article: Article
    gold: dict[str, Any]
    group: str


def group_of(article: Article) -> str:
    """A story's fold group: its day with its sport (sports copy), else with its dateline's city."""
    day = article.published_at.date().isoformat() if article.published_at else "undated"
    sport = _SPORT.match(article.title)
    return f"{day} {sport.group(1) if sport else (article.dateline or '').upper()}"


def wire_stories(root: Path = CORPORA) -> list[Story]:
    """The wire stories parsed as newsetl parses them, each with its gold row and fold group."""
    files = sorted((root / "wire" / "docs").glob("*.txt"))
    gold = {
        row["doc"]: row
        for row in map(json.loads, (root / "wire" / "gold.jsonl").read_text("utf-8").splitlines())
    }
    documents = ingest.ingest_batch(sources.read_sources([str(f) for f in files])).documents
    articles, _ = parse.parse_batch(documents)
    stories = []
    for a in articles:
        doc = a.source_uri.rsplit("/", 1)[-1]
        stories.append(Story(doc, a, gold[doc], group_of(a)))
    return stories


class MemoModel:
    """The real model, each text's entity spans kept after its first pass (ablations re-read the same
    texts); `seconds` is the CPU time spent in the model."""

    def __init__(self, nlp: Any) -> None:
        self.nlp, self.memo, self.seconds = nlp, {}, 0.0

    def pipe(self, texts: Any, batch_size: int = 16) -> Iterator[Any]:
        texts = list(texts)
        new = [t for t in dict.fromkeys(texts) if t not in self.memo]
        start = time.process_time()
        for text, doc in zip(new, self.nlp.pipe(new, batch_size=batch_size), strict=True):
            ents = [
                SimpleNamespace(start_char=e.start_char, end_char=e.end_char, label_=e.label_)
                for e in doc.ents
            ]
            self.memo[text] = SimpleNamespace(ents=ents)
        self.seconds += time.process_time() - start
        return iter([self.memo[t] for t in texts])


def _no_evidence(
    text: str, named: list, titled: set[int]
) -> tuple[entity_rules.Evidence, entity_rules.Evidence]:
    votes, evidence = _EVIDENCE_OF(text, named, titled)
    return votes, {c: Counter() for c in evidence}


_EVIDENCE_OF = entity_rules.evidence_of
_ONE_LABEL = entity_rules.one_label_per_name


# Each step of the entity rules, and how the extractor runs without it.
STEPS: dict[str, Callable[[], contextlib.AbstractContextManager[Any]]] = {
    "truecase": lambda: _patches(
        (truecase, "shouted_lines", lambda text: []),
        (truecase, "is_shouted", lambda line: False),
        (truecase, "is_title_case", lambda line: False),
    ),
    "split spans": lambda: _patches((entity_rules, "pieces", lambda text, s, e, label: [(s, e, label)])),
    "gazetteer misses": lambda: _patches((entity_rules, "gazetteer_misses", lambda text, covered: [])),
    "organisation shapes": lambda: _patches(
        (entity_names, "is_headed", lambda name: False),
        (entity_rules, "organisation_misses", lambda text, covered: []),
        (entity_rules, "organisation_pieces", lambda text, s, e, label: [(s, e, label)]),
    ),
    "results splits": lambda: _patches(
        (results_lines, "split_at_scores", lambda text, s, e, label: [(s, e, label)]),
        (results_lines, "two_scored_names", lambda line: False),
        (results_lines, "teams_after_nationality", lambda text, covered: []),
    ),
    "results lines": lambda: _patches((results_lines, "results_mentions", lambda text, covered: [])),
    "introduced names": lambda: _patches((entity_rules, "introduced_names", lambda text, covered: [])),
    "abbreviations": lambda: _patches((entity_names, "abbreviations", lambda text, named: [])),
    "label evidence": lambda: _patches((entity_rules, "evidence_of", _no_evidence)),
    "batch evidence": lambda: _patches(
        (entity_rules, "one_label_per_name", lambda votes, evidence, shared=None: _ONE_LABEL(votes, evidence))
    ),
    "batch names": lambda: _patches((entities, "with_batch_names", lambda d, known: d)),
    "propagation": lambda: _patches((entity_rules, "propagated", lambda text, named, labels: [])),
    "dateline": lambda: _patches((entities, "dateline_entities", lambda doc_id, dateline: [])),
}


@contextlib.contextmanager
def _patches(*targets: tuple[Any, str, Any]) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for module, name, replacement in targets:
            stack.enter_context(mock.patch.object(module, name, replacement))
        yield


Found = dict[str, list[tuple[str, str]]]  # doc -> (text, label) of each row


def found_without(stories: Sequence[Story], model: MemoModel, off: frozenset[str]) -> Found:
    """Each story's entity rows (text, label) from the extractor run over the whole set as one batch (as
    `make eval` runs it) with the steps `off` left out."""
    with contextlib.ExitStack() as stack:
        for step in sorted(off):
            stack.enter_context(STEPS[step]())
        rows = entities.extract_entities([s.article for s in stories], nlp=model)
    by_id = {s.article.doc_id: s.doc for s in stories}
    found: Found = {s.doc: [] for s in stories}
    for e in rows:
        found[by_id[e.doc_id]].append((e.text, e.label))
    return found


def _f1(found: Found, stories: Sequence[Story]) -> float:
    return float(entity_scoring.entity_figures(found, [s.gold for s in stories])["all_f1"])


def kept_steps(stories: Sequence[Story], runs: Callable[[frozenset[str]], Found]) -> frozenset[str]:
    """The steps to leave out, chosen on `stories`: each step whose absence alone scores higher there."""
    base = _f1(runs(frozenset()), stories)
    return frozenset(step for step in STEPS if _f1(runs(frozenset({step})), stories) > base)


def rule_steps(stories: Sequence[Story], model: MemoModel) -> dict[str, Any]:
    """The rules alone, with the steps each fold's choice leaves out: development (chosen and scored on all
    stories) and held-out (chosen without each fold, scored on it)."""
    memo: dict[frozenset[str], Found] = {}

    def runs(off: frozenset[str]) -> Found:
        if off not in memo:
            memo[off] = found_without(stories, model, off)
        return memo[off]

    dev_off = kept_steps(stories, runs)
    held: Found = {}
    choices = {}
    for fold, fit, scored in folds.split(stories, lambda s: s.group):
        off = kept_steps(fit, runs)
        choices[fold] = sorted(off)
        held |= {s.doc: runs(off)[s.doc] for s in scored}
    gold = [s.gold for s in stories]
    steps = {step: _f1(runs(frozenset({step})), stories) for step in STEPS}
    return {
        "rules": entity_scoring.entity_figures(runs(frozenset()), gold),
        "rules, steps chosen (development)": entity_scoring.entity_figures(runs(dev_off), gold),
        "rules, steps chosen (held-out)": entity_scoring.entity_figures(held, gold),
        "left out (development)": sorted(dev_off),
        "left out per fold": choices,
        "F1 without each step (all stories)": steps,
    }


POPULATIONS = (None, 1_000_000, 200_000)  # candidates, largest first (5M..100k all scored below None)


def city_population(stories: Sequence[Story], model: MemoModel) -> dict[str, Any]:
    """The gazetteer's city size (entity_rules.CITY_POPULATION) chosen on the stories a fold leaves: the
    candidate that scores highest there (ties: the larger, fewer cities); development chooses on all."""
    runs: dict[int | None, Found] = {}
    for population in POPULATIONS:
        with mock.patch.object(entity_rules, "CITY_POPULATION", population):
            runs[population] = found_without(stories, model, frozenset())

    def best(on: Sequence[Story]) -> int | None:
        scores = [(_f1(runs[p], on), -i) for i, p in enumerate(POPULATIONS)]
        return POPULATIONS[-max(scores)[1]]

    held: Found = {}
    chosen = {}
    for fold, fit, scored in folds.split(stories, lambda s: s.group):
        chosen[fold] = best(fit)
        held |= {s.doc: runs[chosen[fold]][s.doc] for s in scored}
    gold = [s.gold for s in stories]
    return {
        "cities (development)": entity_scoring.entity_figures(runs[best(stories)], gold),
        "cities (held-out)": entity_scoring.entity_figures(held, gold),
        "city population per fold": chosen,
        "city population (development)": best(stories),
        "F1 per city population (all stories)": {
            str(p): round(_f1(runs[p], stories), 4) for p in POPULATIONS
        },
    }


def learned(stories: Sequence[Story], model: MemoModel) -> dict[str, Any]:
    """The rules with the learned relabeller (bench.entity_relabel, not shipped): development (fitted on all
    stories) and held-out (fitted without each fold, scored on it)."""
    by_doc, names = train_entity_labels.rule_rows(stories, model)
    gold = train_entity_labels.gold_of(stories)
    dev = train_entity_labels.relabelled(
        by_doc, names, train_entity_labels.fit(names, gold), {s.doc for s in stories}
    )
    held: Found = {}
    for _, fit, scored in folds.split(stories, lambda s: s.group):
        seen = {s.doc for s in fit}
        weights = train_entity_labels.fit([n for n in names if n.doc in seen], gold)
        held |= train_entity_labels.relabelled(by_doc, names, weights, {s.doc for s in scored})
    rows = [s.gold for s in stories]
    return {
        "relabeller (development)": entity_scoring.entity_figures(dev, rows),
        "relabeller (held-out)": entity_scoring.entity_figures(held, rows),
    }


def raw_model(stories: Sequence[Story], root: Path, nlp: Any) -> dict[str, Any]:
    """spaCy's model alone over each story's whole text as written, unchanged."""
    texts = [(root / "wire" / "docs" / s.doc).read_text(encoding="utf-8") for s in stories]
    found = {
        s.doc: [(e.text, e.label_) for e in doc.ents] for s, doc in zip(stories, nlp.pipe(texts), strict=True)
    }
    return entity_scoring.entity_figures(found, [s.gold for s in stories])


def consistency(stories: Sequence[Story], model: MemoModel) -> dict[str, Any]:
    """How often one real thing gets one canonical_id across stories: for each gold (name, type) that
    newsetl finds right in two stories or more, whether all its rows carry the same id."""
    rows = entities.extract_entities([s.article for s in stories], nlp=model)
    doc_of = {s.article.doc_id: s for s in stories}
    ids: dict[tuple[str, str], Counter[str]] = {}
    stories_of: dict[tuple[str, str], set[str]] = {}
    for e in rows:
        story = doc_of[e.doc_id]
        key = (entity_scoring.entity_text(e.text), entity_scoring.SPACY_TYPES.get(e.label, ""))
        if key in entity_scoring.mentions(map(tuple, story.gold["entities"])):
            ids.setdefault(key, Counter())[e.canonical_id] += 1
            stories_of.setdefault(key, set()).add(story.doc)
    shared = [k for k, docs in stories_of.items() if len(docs) > 1]
    one_id = sum(len(ids[k]) == 1 for k in shared)
    rows_in_majority = sum(ids[k].most_common(1)[0][1] for k in shared)
    all_rows = sum(sum(ids[k].values()) for k in shared)
    return {
        "names in 2+ stories": len(shared),
        "with one canonical_id": one_id,
        "share": round(one_id / len(shared), 4) if shared else 0.0,
        "rows under commonest id": round(rows_in_majority / all_rows, 4) if all_rows else 0.0,
    }


def speed(stories: Sequence[Story], nlp: Any, repeat: int = 2) -> dict[str, float]:
    """CPU seconds of the model alone over the views the extractor builds, and of the whole entity step
    (views, model, rules) on the same stories: best of `repeat`, measured in one run."""
    articles = [s.article for s in stories]
    model_s, step_s = [], []
    for _ in range(repeat):
        start = time.process_time()
        views = [entities.View.of(a.body, a.title) for a in articles]
        list(nlp.pipe((v.text for v in views), batch_size=16))
        model_s.append(time.process_time() - start)
        start = time.process_time()
        entities.extract_entities(articles, nlp=nlp)
        step_s.append(time.process_time() - start)
    model, step = min(model_s), min(step_s)
    return {"model_s": round(model, 2), "entity_step_s": round(step, 2), "extra": round(step / model - 1, 4)}


def evaluate(
    root: Path = CORPORA,
    timing: bool = True,
    stories: Sequence[Story] | None = None,
    model: MemoModel | None = None,
) -> dict[str, Any]:
    """Every figure of this module on wire/ (the stories and the memoised model given, or read here)."""
    stories = stories if stories is not None else wire_stories(root)
    nlp = entities.load_nlp()
    model = model or MemoModel(nlp)
    figures = rule_steps(stories, model) | learned(stories, model) | city_population(stories, model)
    figures["raw model"] = raw_model(stories, root, nlp)
    figures["canonical_id"] = consistency(stories, model)
    figures["groups"] = len({s.group for s in stories})
    figures["stories per fold"] = dict(sorted(Counter(folds.fold_of(s.group) for s in stories).items()))
    if timing:
        figures["speed"] = speed(stories, nlp)
    return figures


def render(figures: Mapping[str, Any]) -> str:
    """The section `make eval` prints."""
    columns = {
        "development": figures["rules, steps chosen (development)"],
        "held-out": figures["rules, steps chosen (held-out)"],
        "relabeller held-out": figures["relabeller (held-out)"],
        "raw model": figures["raw model"],
    }
    lines = [entity_scoring.render(columns)]
    relabeller = figures["relabeller (development)"]["all_f1"]
    lines.append(
        "development: newsetl's entities with the rule steps chosen on every fold (as shipped); "
        "held-out: steps chosen without the fold scored; relabeller: the learned relabeller experiment "
        "(bench/entity_relabel.py, not shipped) fitted without the fold scored "
        f"(development {relabeller:.3f})"
    )
    lines.append(
        f"folds: {folds.K} by story group (day + sport, or day + dateline city; {figures['groups']} groups), "
        f"stories per fold {list(figures['stories per fold'].values())}"
    )
    per_size = ", ".join(f"{k} {v:.3f}" for k, v in figures["F1 per city population (all stories)"].items())
    sizes = list(figures["city population per fold"].values())
    dev, held = figures["cities (development)"]["all_f1"], figures["cities (held-out)"]["all_f1"]
    lines.append(
        f"gazetteer cities (entity_rules.CITY_POPULATION) chosen on folds: "
        f"{figures['city population (development)']} on all, per fold {sizes}; "
        f"F1 {dev:.3f} development, {held:.3f} held-out; F1 by size: {per_size}"
    )
    lines.append(f"steps left out, development: {', '.join(figures['left out (development)']) or 'none'}")
    per_fold = "; ".join(f"{f}: {', '.join(v) or 'none'}" for f, v in figures["left out per fold"].items())
    lines.append(f"steps left out, chosen without each fold: {per_fold}")
    lines.append(
        "F1 without each step (all stories): "
        + ", ".join(f"{k} {v:.3f}" for k, v in figures["F1 without each step (all stories)"].items())
    )
    c = figures["canonical_id"]
    lines.append(
        f"canonical_id: {c['with one canonical_id']} of {c['names in 2+ stories']} names found in 2+ stories "
        f"have one id ({c['share']:.3f}); {c['rows under commonest id']:.3f} of their rows "
        "carry their name's commonest id"
    )
    if "speed" in figures:
        s = figures["speed"]
        lines.append(
            f"speed (CPU s, {entities.MODEL}): model alone {s['model_s']:.2f}, "
            f"entity step {s['entity_step_s']:.2f} ({s['extra']:+.1%} over the model; target at most +10%)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.entity_eval", description=__doc__)
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="the shared corpora folder")
    parser.add_argument("--out", type=Path, help="figures as JSON")
    parser.add_argument("--no-timing", action="store_true", help="skip the speed measure")
    args = parser.parse_args(argv)
    figures = evaluate(args.corpora, timing=not args.no_timing)
    print(render(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
