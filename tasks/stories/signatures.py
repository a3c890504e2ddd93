"""An article's two MinHash signatures, computed where its batch runs (any worker): the rows of
`story_index` before the Settler fills in duplicate_of and story_id.

- body: the set of the body's word shingles (`shingle_words` lower-cased words in a row). A copy with other
  chrome, an edited number or sentence, or a cut end shares most of them (containment near 1).
- story: the set of the body's content words (stop words out, numbers out) and the entity and place names
  found in it. Two reports of one event in other words share many of them; two stories of one topic share
  fewer (their people, places and specifics differ).

Hashes are zlib.crc32 of the UTF-8 bytes with datasketch's affine32 permutations: stable across processes,
machines and runs, so a signature committed today matches one computed by a later run.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
from datasketch import MinHash

from tasks import sources, vocab
from tasks.records import Article, RunContext
from tasks.warehouse.schemas import STORY_INDEX

MODEL: dict[str, Any] = json.loads(resources.files(__package__).joinpath("model.json").read_text("utf-8"))
SCHEME = "affine32"
_WORD = re.compile(r"\w+")
_NAMED = ("entities", "locations")  # extracted tables whose `canonical` names join an article's story words
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC"})


def minhash(tokens: Iterable[bytes], num_perm: int = MODEL["num_perm"]) -> MinHash:
    """The MinHash of a set of tokens (empty set: datasketch's all-maximum signature)."""
    signature = MinHash(num_perm, hashfunc=zlib.crc32, permutations=_permutations(num_perm), scheme=SCHEME)
    signature.update_batch(list(tokens))
    return signature


def from_bytes(data: bytes) -> MinHash:
    """A signature as committed (`body_signature`, `story_signature`) back as a MinHash."""
    values = np.frombuffer(data, dtype=np.uint32)
    return MinHash(hashvalues=values, permutations=_permutations(len(values)), scheme=SCHEME)


@cache
def _permutations(num_perm: int) -> np.ndarray:
    """datasketch's permutations for seed 1, drawn once per process (drawing them is most of the cost of
    making a MinHash)."""
    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def body_shingles(body: str, size: int = MODEL["shingle_words"]) -> set[bytes]:
    """The distinct runs of `size` lower-cased words of a body (the whole body when it is shorter)."""
    words = _WORD.findall(body.lower())
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def story_tokens(body: str, names: Iterable[str]) -> set[bytes]:
    """Content words of a body (no stop words, no numbers, three letters or more) and names found in it."""
    stop = _common_words()
    words = {w for w in _WORD.findall(body.lower()) if len(w) > 2 and not w.isdigit() and w not in stop}
    return {w.encode() for w in words} | {f"@{n.lower()}".encode() for n in names}


def signatures_table(
    articles: Sequence[Article],
    found: Mapping[str, Sequence[Any]],
    run: RunContext,
    months: Mapping[str, str],
) -> pa.Table:
    """One story_index row per article, in batch order; story_id is provisionally the article's own doc_id
    and duplicate_of null until the Settler assigns them (tasks.stories.index.assign_batch)."""
    names: dict[str, set[str]] = {}
    for table in _NAMED:
        for row in found.get(table, ()):
            if getattr(row, "label", "GPE") in _NAME_LABELS:
                names.setdefault(row.doc_id, set()).add(row.canonical)
    rows = []
    for a in articles:
        shingles = body_shingles(a.body)
        rows.append(
            {
                "doc_id": a.doc_id,
                "story_id": a.doc_id,
                "duplicate_of": None,
                "source": sources.source_of(a.source_uri, a.url),
                "published_at": a.published_at,
                "body_shingles": len(shingles),
                "body_signature": minhash(shingles).hashvalues.tobytes(),
                "story_signature": minhash(
                    story_tokens(a.body, names.get(a.doc_id, ()))
                ).hashvalues.tobytes(),
                "run_id": run.run_id,
                "published_month": months[a.doc_id],
            }
        )
    return pa.Table.from_pylist(rows, schema=STORY_INDEX.schema)


@cache
def _common_words() -> frozenset[str]:
    """Words any news story uses: the line model's function words and the commonest news words."""
    return frozenset(w.lower() for name in ("stop_words", "common_news_words") for w in vocab.words(name))
