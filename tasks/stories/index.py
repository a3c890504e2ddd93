"""The near-duplicate and story index, and each article's assignment against it, in commit order.

`Index` holds every indexed article's signatures in two datasketch MinHashLSH tables (bands of the body
and of the story signature) and, per doc_id, what the decision needs: story, original, date, shingle
count. A run loads the warehouse's `story_index` once (`load_index`: signatures only, never the articles),
then `assign_batch` settles each batch in order, one article after the other, adding each to the index,
so two batches in flight never make two stories of one and the outcome is that of a sequential run.

An article is a near-duplicate of a candidate whose body shingles contain the shorter body's
(containment, estimated from the MinHash Jaccard and both shingle counts, at least
`duplicate_containment`): it takes that candidate's original as duplicate_of and its story. Otherwise it
joins the story of the story candidate (LSH on the story signature) published within `story_days` (when
both dates are known) that a small logistic model (`story_model.json`, written by bench/train_stories.py)
gives the highest probability of telling the same story, if that probability is at least the model's
`threshold`; otherwise it starts a story of its own, story_id = its doc_id. The model's features
(`story_features`) are what the index holds of both articles: story and body signature agreement and
body containment.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
from datasketch import MinHash, MinHashLSH

from tasks.parse.text.blocks import Logistic
from tasks.stories.signatures import KEY_KINDS, MODEL, from_bytes
from tasks.warehouse import tables
from tasks.warehouse.schemas import ARTICLES, STORY_INDEX

_KEPT = (
    "doc_id",
    "story_id",
    "duplicate_of",
    "published_at",
    "body_shingles",
    "body_signature",
    "story_signature",
    "story_keys",
    "keys_signature",
)


ALL_FEATURES = (  # what pair_features measures of two articles
    "story_jaccard",
    "body_jaccard",
    "containment",
    "names_jaccard",
    "title_jaccard",
    "numbers_shared",
)
FEATURES = (
    "story_jaccard",
    "body_jaccard",
    "containment",
)  # the shipped model's (story_model.json names its own)


@dataclass(frozen=True)
class StoryModel:
    """Same story or not, for an article and one candidate: a logistic model over its `features` (names
    of pair_features) and the probability from which the article joins the candidate's story."""

    classifier: Logistic
    threshold: float
    features: tuple[str, ...] = FEATURES

    @cached_property
    def _linear(self) -> tuple[np.ndarray, float]:
        """The weights folded with the standardisation: z = rows @ w + b."""
        c = self.classifier
        weights = np.asarray(c.weights) / np.asarray(c.scale)
        return weights, c.bias - float(np.asarray(c.mean) @ weights)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Same-story probability of each row of features (the classifier's, with fewer array copies)."""
        weights, bias = self._linear
        return 1.0 / (1.0 + np.exp(-np.clip(rows @ weights + bias, -30.0, 30.0)))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryModel:
        features = tuple(data["features"])
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data["classifier"].items()}
        if not set(features) <= set(ALL_FEATURES) or len(fields["weights"]) != len(features):
            raise ValueError(f"story model features {list(features)} are not among {ALL_FEATURES}: retrain")
        return cls(Logistic(**fields), float(data["threshold"]), features)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "classifier": vars(self.classifier),
            "threshold": self.threshold,
        }


STORY_MODEL = StoryModel.from_json(
    json.loads(resources.files(__package__).joinpath("story_model.json").read_text("utf-8"))
)
_NAME_KINDS = [KEY_KINDS.index(k) for k in ("person", "organisation", "place")]
_TITLE, _NUMBER = KEY_KINDS.index("title"), KEY_KINDS.index("number")
NUMBERS_CAP = 5  # shared specific numbers counted up to this many: more says nothing more
_NO_KEYS = np.zeros(0, dtype=np.uint32)


@dataclass(frozen=True)
class Entry:
    """What the index keeps of one article: its story, its original (itself when it is one), its date,
    its shingle count, both signatures (uint32 arrays) and its story keys (sorted uint32, kind in the low
    3 bits; none in rows written before keys existed)."""

    story_id: str
    original: str
    published_at: datetime | None
    shingles: int
    body: np.ndarray
    story: np.ndarray
    keys: np.ndarray

    @cached_property
    def both(self) -> np.ndarray:
        """The story signature followed by the body signature (one comparison for both)."""
        return np.concatenate([self.story, self.body])


def pair_features(
    article: Entry, others: list[Entry], names: tuple[str, ...] = ALL_FEATURES
) -> dict[str, np.ndarray]:
    """The named features of an article and each other article, one value per other article: story and
    body signature agreement (MinHash Jaccard), containment of the shorter body, and over the story keys
    (counted only when a key feature is asked for): the Jaccard of their people, organisations and places,
    of their title words, and how many specific numbers they share (up to NUMBERS_CAP). Dates are not a
    feature: only the labelled pairs of pages/ have them, and a model learns from them that "both dated"
    means "same story"; `story_days` bounds them instead."""
    same = np.stack([e.both for e in others]) == article.both
    half = len(article.story)
    story_j, body_j = same[:, :half].mean(axis=1), same[:, half:].mean(axis=1)
    sizes = np.array([max(e.shingles, 1) for e in others], dtype=np.float64)
    own = float(max(article.shingles, 1))
    contained = np.minimum(1.0, body_j * (own + sizes) / (1.0 + body_j) / np.minimum(own, sizes))
    features = {"story_jaccard": story_j, "body_jaccard": body_j, "containment": contained}
    if set(names) - set(features):
        shared, theirs = _key_counts(article.keys, others)
        mine = np.bincount(article.keys & 7, minlength=len(KEY_KINDS)).astype(np.float64)
        features["names_jaccard"] = _jaccard(shared, mine, theirs, _NAME_KINDS)
        features["title_jaccard"] = _jaccard(shared, mine, theirs, [_TITLE])
        features["numbers_shared"] = np.minimum(shared[:, _NUMBER], NUMBERS_CAP)
    return {n: features[n] for n in names}


def story_features(article: Entry, others: list[Entry], names: tuple[str, ...] = FEATURES) -> np.ndarray:
    """One row of the named features (the model's by default) per other article."""
    features = pair_features(article, others, names)
    return np.column_stack([features[n] for n in names])


def _key_counts(keys: np.ndarray, others: list[Entry]) -> tuple[np.ndarray, np.ndarray]:
    """(keys shared with each other article, each other article's keys), counted by kind: (n, kinds) each,
    in one pass over all the others' keys."""
    kinds = len(KEY_KINDS)
    theirs = np.concatenate([e.keys for e in others])
    cells = np.repeat(np.arange(len(others)) * kinds, [len(e.keys) for e in others]) + (theirs & 7)
    size = len(others) * kinds
    shared = np.bincount(cells[np.isin(theirs, keys, assume_unique=True)], minlength=size)
    counts = np.bincount(cells, minlength=size)
    return shared.reshape(-1, kinds).astype(np.float64), counts.reshape(-1, kinds).astype(np.float64)


def _jaccard(shared: np.ndarray, mine: np.ndarray, theirs: np.ndarray, kinds: list[int]) -> np.ndarray:
    """Jaccard of the keys of the given kinds (0 when neither has any)."""
    both = shared[:, kinds].sum(axis=1)
    union = mine[kinds].sum() + theirs[:, kinds].sum(axis=1) - both
    return np.divide(both, union, out=np.zeros_like(both), where=union > 0)


class Index:
    """Every indexed article, searchable by LSH on its body, story and keys signatures."""

    def __init__(self, model: dict[str, Any] = MODEL, story_model: StoryModel = STORY_MODEL) -> None:
        self.model = model
        self.story_model = story_model
        perm = model["num_perm"]
        self.body_lsh = MinHashLSH(threshold=model["duplicate_lsh_threshold"], num_perm=perm)
        self.story_lsh = MinHashLSH(threshold=model["story_lsh_threshold"], num_perm=perm)
        keyed = model.get(
            "keys_lsh_threshold"
        )  # null: no keys channel, story candidates by the story LSH only
        self.keys_lsh = MinHashLSH(threshold=keyed, num_perm=perm) if keyed else None
        self.entries: dict[str, Entry] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, row: dict[str, Any], signed: Signed | None = None) -> None:
        """Index one story_index row (its duplicate_of and story_id already assigned)."""
        doc_id = row["doc_id"]
        if doc_id in self.entries:
            return
        signed = signed or signatures(row)
        original = row["duplicate_of"] or doc_id
        self.entries[doc_id] = signed.entry(row["story_id"], original, row)
        # Only originals are searched: a duplicate's text and story are its original's, so a later copy finds
        # the original, and lookups do not grow with how often a story was syndicated.
        if row["body_shingles"] and not row["duplicate_of"]:
            self.body_lsh.insert(doc_id, signed.body, check_duplication=False)
            self.story_lsh.insert(doc_id, signed.story, check_duplication=False)
            if self.keys_lsh is not None and signed.keys_signature is not None:
                self.keys_lsh.insert(doc_id, signed.keys_signature, check_duplication=False)

    def decide(self, row: dict[str, Any], signed: Signed | None = None) -> tuple[str | None, str]:
        """(duplicate_of, story_id) of an article not indexed yet."""
        if not row["body_shingles"]:
            return None, row["doc_id"]
        signed = signed or signatures(row)
        article = signed.entry(row["doc_id"], row["doc_id"], row)
        copied = self._best_copy(article.body, row["body_shingles"], self.body_lsh.query(signed.body))
        if copied is not None:
            entry = self.entries[copied]
            return entry.original, entry.story_id
        told = self._best_story(article, self.story_candidates(signed))
        return None, self.entries[told].story_id if told is not None else row["doc_id"]

    def story_candidates(self, signed: Signed) -> list[str]:
        """The indexed originals that may tell the same story (sorted): by the story LSH (shared content
        words) and, when the model has a keys channel, by the keys LSH (shared names, title words, numbers:
        reports of one event in other words)."""
        candidates = set(self.story_lsh.query(signed.story))
        if self.keys_lsh is not None and signed.keys_signature is not None:
            candidates.update(self.keys_lsh.query(signed.keys_signature))
        return sorted(candidates)

    def _best_copy(self, body: np.ndarray, shingles: int, candidates: list[str]) -> str | None:
        """The candidate holding most of the shorter body, if it holds at least `duplicate_containment`."""
        if not candidates:
            return None
        entries = [self.entries[d] for d in candidates]
        jaccard = (np.stack([e.body for e in entries]) == body).mean(axis=1)
        sizes = np.array([e.shingles for e in entries], dtype=np.float64)
        scores = np.minimum(1.0, jaccard * (shingles + sizes) / (1.0 + jaccard) / np.minimum(shingles, sizes))
        return _best(candidates, scores, self.model["duplicate_containment"])

    def _best_story(self, article: Entry, candidates: list[str]) -> str | None:
        """The candidate within `story_days` the story model finds likeliest to tell the same story, if
        its probability is at least the model's threshold."""
        days = self.model["story_days"]
        near = [
            d for d in candidates if within_days(article.published_at, self.entries[d].published_at, days)
        ]
        if not near:
            return None
        rows = story_features(article, [self.entries[d] for d in near], self.story_model.features)
        return _best(near, self.story_model.probabilities(rows), self.story_model.threshold)


def _best(candidates: list[str], scores: np.ndarray, threshold: float) -> str | None:
    """The candidate with the highest score at or above `threshold` (ties: the smallest doc_id)."""
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i]))
    return candidates[order[0]] if scores[order[0]] >= threshold else None


@dataclass(frozen=True)
class Signed:
    """A story_index row's signatures as MinHashes and its story keys; no keys signature in rows written
    before keys existed, or when an article has no key (an empty set's MinHash would match every other)."""

    body: MinHash
    story: MinHash
    keys_signature: MinHash | None
    keys: np.ndarray

    def entry(self, story_id: str, original: str, row: dict[str, Any]) -> Entry:
        return Entry(
            story_id,
            original,
            row["published_at"],
            row["body_shingles"],
            self.body.hashvalues,
            self.story.hashvalues,
            self.keys,
        )


def signatures(row: dict[str, Any]) -> Signed:
    """A story_index row's signatures and keys."""
    keys = row.get("story_keys")
    keys = _NO_KEYS if keys is None else np.asarray(keys, dtype=np.uint32)
    keyed = row.get("keys_signature") is not None and len(keys) > 0
    return Signed(
        from_bytes(row["body_signature"]),
        from_bytes(row["story_signature"]),
        from_bytes(row["keys_signature"]) if keyed else None,
        keys,
    )


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|) from the Jaccard index and both sizes: |A ∩ B| = J (|A| + |B|) / (1 + J)."""
    if not size_a or not size_b:
        return 0.0
    return min(1.0, jaccard * (size_a + size_b) / (1.0 + jaccard) / min(size_a, size_b))


def within_days(a: datetime | None, b: datetime | None, days: float) -> bool:
    """Whether two publication times are at most `days` apart; true when either is unknown."""
    return a is None or b is None or abs((a - b).total_seconds()) <= days * 86_400


def load_index(
    warehouse: str | os.PathLike[str], model: dict[str, Any] = MODEL, story_model: StoryModel = STORY_MODEL
) -> Index:
    """The index of every article the warehouse's story_index holds (its signature columns only)."""
    index = Index(model, story_model)
    dataset = tables.table_dataset(warehouse, STORY_INDEX.name)
    if dataset is not None:
        for batch in dataset.to_batches(columns=list(_KEPT)):
            for row in batch.to_pylist():
                index.add(row)
    return index


def assign_batch(index: Index, batch: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """A settled batch's tables with duplicate_of and story_id assigned (articles and story_index), each
    article decided against everything indexed before it and then indexed. Batches must come in order."""
    signed = batch.get(STORY_INDEX.name)
    if signed is None or not signed.num_rows:
        return batch
    assigned: dict[str, tuple[str | None, str]] = {}
    for row in signed.to_pylist():
        if row["doc_id"] not in assigned:
            signs = signatures(row)
            row["duplicate_of"], row["story_id"] = index.decide(row, signs)
            index.add(row, signs)
            assigned[row["doc_id"]] = (row["duplicate_of"], row["story_id"])
    return {
        **batch,
        STORY_INDEX.name: _with_assignment(signed, assigned),
        ARTICLES.name: _with_assignment(batch[ARTICLES.name], assigned),
    }


def _with_assignment(table: pa.Table, assigned: dict[str, tuple[str | None, str]]) -> pa.Table:
    """`table` with its duplicate_of and story_id columns set from `assigned` (by doc_id)."""
    ids = table.column("doc_id").to_pylist()
    for position, name in enumerate(("duplicate_of", "story_id")):
        values = pa.array([assigned[d][position] if d in assigned else None for d in ids], pa.string())
        table = table.set_column(table.schema.get_field_index(name), name, values)
    return table
