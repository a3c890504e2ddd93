"""The near-duplicate and story index, and each article's assignment against it, in commit order.

`Index` holds every indexed article's signatures in datasketch MinHashLSH tables (bands of the body, the
story and the keys signature; `Bands`: each article's band keys computed once for its lookups and its
insertion), per doc_id what the decision needs (story, original, date, shingle count, story keys), and in
how many indexed originals each story key occurs (`frequencies`: a fixed-size table, counted as the index
is loaded and filled, never stored). A run loads the warehouse's `story_index` once (`load_index`:
signatures only, never the articles), then `assign_batch` settles each batch in order, one article after
the other, adding each to the index, so two batches in flight never make two stories of one and the
outcome is that of a sequential run.

An article is a near-duplicate of a candidate whose body shingles contain the shorter body's
(containment, estimated from the MinHash Jaccard and both shingle counts, at least
`duplicate_containment`): it takes that candidate's original as duplicate_of and its story. Otherwise it
joins the story of the story candidate (LSH on the story and the keys signatures; with `key_postings`, also
the originals sharing most of its rare story keys, from bounded posting lists) published within
`story_days` (when both dates are known) that a small logistic model (`story_model.json`, written by
bench/train_stories.py) gives the highest probability of telling the same story, if that probability is
at least the model's `threshold`; otherwise it starts a story of its own, story_id = its doc_id. The
model's features (`pair_features`, the model names its own) are what the index holds of both articles:
signature agreement, body containment, and the story keys they share, plain or weighted by how rare each
key is in the index (IDF).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
from datasketch import MinHashLSH

from tasks.parse.text.blocks import Logistic
from tasks.stories.signatures import KEY_KINDS, MODEL
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
    "names_idf",
    "title_idf",
    "numbers_idf",
    "lead_idf",
    "keys_idf",
    "keys_idf_contained",
    "keys_idf_shared",
    "days_close",
    "when_jaccard",
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
        classifier = Logistic.from_json(data["classifier"])
        if not set(features) <= set(ALL_FEATURES) or len(classifier.weights) != len(features):
            raise ValueError(f"story model features {list(features)} are not among {ALL_FEATURES}: retrain")
        return cls(classifier, float(data["threshold"]), features)

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
_LEAD, _WHEN = KEY_KINDS.index("lead"), KEY_KINDS.index("when")
_TOLD = [k for k in range(len(KEY_KINDS)) if k != _WHEN]  # what an article tells; `when` is when it happened
_WEIGHED = {  # IDF-weighted Jaccard of the story keys of these kinds
    "names_idf": _NAME_KINDS,
    "title_idf": [_TITLE],
    "numbers_idf": [_NUMBER],
    "lead_idf": [_LEAD],
    "keys_idf": _TOLD,
}
FREQUENCY_CELLS = 1 << 22  # document frequencies of story keys counted in this many cells (16 MB, any size)


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
    article: Entry,
    others: list[Entry],
    names: tuple[str, ...] = ALL_FEATURES,
    weigh: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The named features of an article and each other article, one value per other article: story and
    body signature agreement (MinHash Jaccard), containment of the shorter body, and over the story keys
    (counted only when a key feature is asked for): the Jaccard of their people, organisations and places,
    of their title words, and how many specific numbers they share (up to NUMBERS_CAP); the same Jaccards
    weighted by each key's `weigh`t (the index's IDF: a name most articles carry says less than one few
    carry), of the numbers, of the lead's words and of all keys but the days (`*_idf`); how close their
    dates are (`days_close`, neutral when either is unknown); and the Jaccard of the days their bodies name
    (`when_jaccard`: resolved dates and weekdays, 0 when neither names one)."""
    same = np.stack([e.both for e in others]) == article.both
    half = len(article.story)
    story_j, body_j = same[:, :half].mean(axis=1), same[:, half:].mean(axis=1)
    sizes = np.array([max(e.shingles, 1) for e in others], dtype=np.float64)
    own = float(max(article.shingles, 1))
    contained = np.minimum(1.0, body_j * (own + sizes) / (1.0 + body_j) / np.minimum(own, sizes))
    features = {"story_jaccard": story_j, "body_jaccard": body_j, "containment": contained}
    if set(names) & {"names_jaccard", "title_jaccard", "numbers_shared", "when_jaccard"}:
        shared, theirs = _key_counts(article.keys, others)
        mine = np.bincount(article.keys & 7, minlength=len(KEY_KINDS)).astype(np.float64)
        features["names_jaccard"] = _jaccard(shared, mine, theirs, _NAME_KINDS)
        features["title_jaccard"] = _jaccard(shared, mine, theirs, [_TITLE])
        features["numbers_shared"] = np.minimum(shared[:, _NUMBER], NUMBERS_CAP)
        features["when_jaccard"] = _jaccard(shared, mine, theirs, [_WHEN])
    if set(names) & {*_WEIGHED, "keys_idf_contained"}:
        weigh = weigh or _unweighed
        shared, theirs = _key_counts(article.keys, others, weigh)
        mine = np.bincount(article.keys & 7, weights=weigh(article.keys), minlength=len(KEY_KINDS))
        for name in set(names) & set(_WEIGHED):
            features[name] = _jaccard(shared, mine, theirs, _WEIGHED[name])
        both, smaller = (
            shared[:, _TOLD].sum(axis=1),
            np.minimum(mine[_TOLD].sum(), theirs[:, _TOLD].sum(axis=1)),
        )
        features["keys_idf_contained"] = np.divide(both, smaller, out=np.zeros_like(both), where=smaller > 0)
        features["keys_idf_shared"] = np.log1p(both)
    if "days_close" in names:
        features["days_close"] = np.array([_closeness(article.published_at, e.published_at) for e in others])
    return {n: features[n] for n in names}


def _closeness(a: datetime | None, b: datetime | None) -> float:
    """1 for the same time, 0 for `story_days` or more apart; 0.5 (neither near nor far) when either date
    is unknown, so an undated source is not taken for a far one."""
    if a is None or b is None:
        return 0.5
    return max(0.0, 1.0 - abs((a - b).total_seconds()) / 86_400 / MODEL["story_days"])


def story_features(
    article: Entry,
    others: list[Entry],
    names: tuple[str, ...] = FEATURES,
    weigh: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """One row of the named features (the model's by default) per other article."""
    features = pair_features(article, others, names, weigh)
    return np.column_stack([features[n] for n in names])


def _key_counts(
    keys: np.ndarray, others: list[Entry], weigh: Callable[[np.ndarray], np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(keys shared with each other article, each other article's keys), counted by kind (or summed over
    their `weigh`ts): (n, kinds) each, in one pass over all the others' keys."""
    kinds = len(KEY_KINDS)
    theirs = np.concatenate([e.keys for e in others])
    cells = np.repeat(np.arange(len(others)) * kinds, [len(e.keys) for e in others]) + (theirs & 7)
    size = len(others) * kinds
    weights = None if weigh is None else weigh(theirs)
    both = _members(theirs, keys)
    shared = np.bincount(cells[both], None if weights is None else weights[both], minlength=size)
    counts = np.bincount(cells, weights, minlength=size)
    return shared.reshape(-1, kinds).astype(np.float64), counts.reshape(-1, kinds).astype(np.float64)


def _members(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of `values` (any order, repeats allowed) is one of the sorted distinct `keys`."""
    if not len(keys):
        return np.zeros(len(values), dtype=bool)
    return keys[np.minimum(np.searchsorted(keys, values), len(keys) - 1)] == values


def _unweighed(keys: np.ndarray) -> np.ndarray:
    return np.ones(len(keys))


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
        self.body_lsh = Bands(model["duplicate_lsh_threshold"], perm)
        self.story_lsh = Bands(model["story_lsh_threshold"], perm)
        keyed = model.get("keys_lsh_threshold")  # null: no keys channel, candidates by the story LSH only
        self.keys_lsh = Bands(keyed, perm) if keyed else None
        self.entries: dict[str, Entry] = {}
        # In how many indexed originals each story key occurs (hashed into a fixed number of cells, so the
        # table does not grow with the warehouse; a rare collision only makes a key look commoner).
        self.frequencies = np.zeros(FREQUENCY_CELLS, dtype=np.uint32)
        self.originals = 0
        # The originals carrying each story key, the latest `key_postings` of them: a key carried by more
        # is too common to find a story by, so a lookup costs at most keys x key_postings, whatever the size
        # of the warehouse.
        self.postings: dict[int, list[int]] = {}
        self.positions: list[str] = []  # the doc_id of each posted original, by its number in the postings

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
            np.add.at(self.frequencies, signed.keys % FREQUENCY_CELLS, 1)
            self.originals += 1
            self.body_lsh.insert(doc_id, signed.bands(self.body_lsh, "body"))
            self.story_lsh.insert(doc_id, signed.bands(self.story_lsh, "story"))
            if self.keys_lsh is not None and signed.keys_signature is not None:
                self.keys_lsh.insert(doc_id, signed.bands(self.keys_lsh, "keys_signature"))
            if self.model.get("key_postings"):
                self._post(doc_id, signed.keys)

    def _post(self, doc_id: str, keys: np.ndarray) -> None:
        """Add an original to the posting list of each of its story keys (a full list drops its oldest)."""
        cap, position = self.model["key_postings"], len(self.positions)
        self.positions.append(doc_id)
        for key in keys.tolist():
            posting = self.postings.get(key)
            if posting is None:
                self.postings[key] = [position]
            else:
                posting.append(position)
                if len(posting) > cap:
                    del posting[0]

    def decide(self, row: dict[str, Any], signed: Signed | None = None) -> tuple[str | None, str]:
        """(duplicate_of, story_id) of an article not indexed yet."""
        if not row["body_shingles"]:
            return None, row["doc_id"]
        signed = signed or signatures(row)
        article = signed.entry(row["doc_id"], row["doc_id"], row)
        found = self.body_lsh.query(signed.bands(self.body_lsh, "body"))
        copied = self._best_copy(article.body, row["body_shingles"], sorted(found))
        if copied is not None:
            entry = self.entries[copied]
            return entry.original, entry.story_id
        told = self._best_story(article, self.story_candidates(signed))
        return None, self.entries[told].story_id if told is not None else row["doc_id"]

    def key_weights(self, keys: np.ndarray) -> np.ndarray:
        """Each key's inverse document frequency among the indexed originals (smoothed: a key no original
        has weighs most, one every original has weighs 1)."""
        frequency = self.frequencies[keys % FREQUENCY_CELLS].astype(np.float64)
        return np.log((self.originals + 1.0) / (frequency + 1.0)) + 1.0

    def story_candidates(self, signed: Signed) -> list[str]:
        """The indexed originals that may tell the same story (sorted): by the story LSH (shared content
        words) and, when the model has a keys channel, by the keys LSH (shared names, title words, numbers:
        reports of one event in other words)."""
        candidates = self.story_lsh.query(signed.bands(self.story_lsh, "story"))
        if self.keys_lsh is not None and signed.keys_signature is not None:
            candidates |= self.keys_lsh.query(signed.bands(self.keys_lsh, "keys_signature"))
        if self.model.get("key_postings"):
            candidates |= self.rare_key_candidates(signed.keys)
        return sorted(candidates)

    def rare_key_candidates(self, keys: np.ndarray) -> set[str]:
        """The originals sharing the most rare story keys with an article (by the sum of the shared keys'
        IDF), at most `key_candidates` of them. A key is rare when fewer than `key_postings` originals carry
        it (by the key frequencies: its posting list holds them all), so a lookup reads at most keys x
        key_postings entries, however large the warehouse."""
        frequency = self.frequencies[keys % FREQUENCY_CELLS]
        rare = (frequency > 0) & (frequency < self.model["key_postings"])
        weights = np.log((self.originals + 1.0) / (frequency[rare] + 1.0)) + 1.0  # key_weights
        scores: dict[int, float] = {}
        for key, weight in zip(keys[rare].tolist(), weights.tolist(), strict=True):
            for position in self.postings.get(key, ()):  # none: another key's frequency cell
                scores[position] = scores.get(position, 0.0) + weight
        best = sorted(scores, key=lambda p: (-scores[p], p))[: self.model["key_candidates"]]  # ties: earlier
        return {self.positions[p] for p in best}

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
        others = [self.entries[d] for d in near]
        rows = story_features(article, others, self.story_model.features, self.key_weights)
        return _best(near, self.story_model.probabilities(rows), self.story_model.threshold)


def _best(candidates: list[str], scores: np.ndarray, threshold: float) -> str | None:
    """The candidate with the highest score at or above `threshold` (ties: the smallest doc_id)."""
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i]))
    return candidates[order[0]] if scores[order[0]] >= threshold else None


class Bands:
    """LSH bands of a signature: datasketch MinHashLSH's bands and rows for `threshold` and its band keys
    (each band's values byte-swapped, as its `_H` makes them), kept in one dict per band, and computed
    once per signature (`keys`) for its lookups and its insertion. A band key held by one article maps to
    its doc_id, by more to a list of them: most band keys are held by one article, and a list for each
    would be a container object the garbage collector tracks (and scans, as the index grows). Finds what
    datasketch's `query` finds (a test holds it); only searched and filled here: no removal."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        bands, rows = _optimal_bands(threshold, num_perm)
        self.hashranges = [(i * rows, (i + 1) * rows) for i in range(bands)]  # datasketch's
        self.tables: list[dict[bytes, str | list[str]]] = [{} for _ in range(bands)]

    def keys(self, values: np.ndarray) -> list[bytes]:
        """The band keys of a signature (uint32 values), as MinHashLSH.insert and query make them."""
        data = values.byteswap().tobytes()
        return [data[start * 4 : end * 4] for start, end in self.hashranges]

    def query(self, keys: list[bytes]) -> set[str]:
        """The doc_ids sharing at least one band with the signature of these band keys."""
        found: set[str] = set()
        for key, table in zip(keys, self.tables, strict=True):
            hits = table.get(key)
            if hits is None:
                continue
            if type(hits) is str:
                found.add(hits)
            else:
                found.update(hits)
        return found

    def insert(self, doc_id: str, keys: list[bytes]) -> None:
        """Add a doc_id under its band keys (once: the index adds each article once)."""
        for key, table in zip(keys, self.tables, strict=True):
            held = table.setdefault(key, doc_id)
            if held is doc_id:
                continue
            if type(held) is str:
                table[key] = [held, doc_id]
            else:
                held.append(doc_id)


@cache
def _optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's bands and rows for a Jaccard threshold (found by numerical integration: once)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@dataclass
class Signed:
    """A story_index row's signatures (uint32 arrays) and story keys; no keys signature in rows written
    before keys existed, or when an article has no searched key (an empty set's signature would match every
    other). Band keys are computed once per index (`bands`)."""

    body: np.ndarray
    story: np.ndarray
    keys_signature: np.ndarray | None
    keys: np.ndarray
    _bands: dict[str, list[bytes]] = field(default_factory=dict)

    def bands(self, lsh: Bands, name: str) -> list[bytes]:
        """The band keys of the named signature in `lsh` (the same for every index of its bands and rows)."""
        if name not in self._bands:
            self._bands[name] = lsh.keys(getattr(self, name))
        return self._bands[name]

    def entry(self, story_id: str, original: str, row: dict[str, Any]) -> Entry:
        return Entry(
            story_id, original, row["published_at"], row["body_shingles"], self.body, self.story, self.keys
        )


def signatures(row: dict[str, Any]) -> Signed:
    """A story_index row's signatures and keys."""
    keys = row.get("story_keys")
    keys = _NO_KEYS if keys is None else np.asarray(keys, dtype=np.uint32)
    searched = row.get("keys_signature")
    searched = None if searched is None else np.frombuffer(searched, dtype=np.uint32)
    if searched is not None and (searched == _EMPTY).all():  # no key to search by
        searched = None
    return Signed(_values(row["body_signature"]), _values(row["story_signature"]), searched, keys)


def _values(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint32)


_EMPTY = np.iinfo(np.uint32).max  # every value of an empty set's signature


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
