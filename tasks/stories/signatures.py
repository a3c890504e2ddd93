"""An article's MinHash signatures and story keys, computed where its batch runs (any worker): the rows of
`story_index` before the Settler fills in duplicate_of and story_id.

- body: the set of the body's word shingles (`shingle_words` lower-cased words in a row). A copy with other
  chrome, an edited number or sentence, or a cut end shares most of them (containment near 1).
- story: the set of the body's content words (stop words out, numbers out) and the entity and place names
  found in it. Two reports of one event in other words share many of them; two stories of one topic share
  fewer (their people, places and specifics differ).
- keys: what a report of an event names, whatever its wording: the people, organisations and places the
  enrich stage found, the title's content words and the body's specific numbers (not years, not single
  digits). Kept as a small sorted set of hashes (`story_keys`, each with its kind in the low 3 bits: the
  same-story model counts what two articles share of each kind) and as a MinHash (`keys_signature`): a
  second way to find story candidates, for reports that share names and facts but few words.

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
KEY_KINDS = ("person", "organisation", "place", "title", "number")  # a key's kind: its hash's low 3 bits
_KIND_OF_LABEL = {"PERSON": 0, "ORG": 1, "NORP": 1, "EVENT": 1, "GPE": 2, "LOC": 2, "FAC": 2}
_PLACE = 2  # rows of the locations table have no label: they are places
_NUMBER = re.compile(r"\d[\d.,]*")  # a number with its separators (and any trailing stop, stripped)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def minhash(tokens: Iterable[bytes], num_perm: int = MODEL["num_perm"]) -> MinHash:
    """The MinHash of a set of tokens (empty set: datasketch's all-maximum signature)."""
    signature = MinHash(num_perm, hashfunc=zlib.crc32, permutations=_permutations(num_perm), scheme=SCHEME)
    signature.update_batch(list(tokens))
    return signature


def keys_minhash(keys: np.ndarray, num_perm: int = MODEL["num_perm"]) -> MinHash:
    """The MinHash of a set of story keys: crc32 of each key's 4 little-endian bytes."""
    signature = MinHash(
        num_perm, hashfunc=_crc32_of_uint32, permutations=_permutations(num_perm), scheme=SCHEME
    )
    signature.update_batch(keys.tolist())
    return signature


def _crc32_of_uint32(key: int) -> int:
    return zlib.crc32(key.to_bytes(4, "little"))


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
    return {w.encode() for w in _content_words(body)} | {f"@{n.lower()}".encode() for n in names}


def _content_words(text: str) -> set[str]:
    """The lower-cased words of a text that are not stop words or common news words, not numbers, and
    three letters or more."""
    stop = _common_words()
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and not w.isdigit() and w not in stop}


def story_keys(title: str, body: str, names: Iterable[tuple[int, str]]) -> np.ndarray:
    """The sorted distinct key hashes of an article: its (kind, name) pairs, its title's content words and its
    body's specific numbers; each hash is crc32 of the key with its kind (KEY_KINDS) in the low 3 bits."""
    keys = {(kind, name.lower()) for kind, name in names}
    keys |= {(3, w) for w in _content_words(title)}
    keys |= {(4, n) for n in specific_numbers(body)}
    hashes = [(zlib.crc32(f"{kind}:{key}".encode()) & 0x1FFFFFFF) << 3 | kind for kind, key in keys]
    return np.unique(np.array(hashes, dtype=np.uint32))


def specific_numbers(text: str) -> set[str]:
    """The numbers of a text that can tell one event from another (thousands separators dropped): not a
    year and not a single digit, which any story of a topic repeats."""
    found = (n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text))
    return {n for n in found if not _YEAR.fullmatch(n) and not (n.isdigit() and int(n) < 10)}


def signatures_table(
    articles: Sequence[Article],
    found: Mapping[str, Sequence[Any]],
    run: RunContext,
    months: Mapping[str, str],
) -> pa.Table:
    """One story_index row per article, in batch order; story_id is provisionally the article's own doc_id
    and duplicate_of null until the Settler assigns them (tasks.stories.index.assign_batch)."""
    names: dict[str, set[tuple[int, str]]] = {}
    for table in _NAMED:
        for row in found.get(table, ()):
            label = getattr(row, "label", None)
            if label is None or label in _KIND_OF_LABEL:
                kind = _PLACE if label is None else _KIND_OF_LABEL[label]
                names.setdefault(row.doc_id, set()).add((kind, row.canonical))
    rows = []
    for a in articles:
        shingles = body_shingles(a.body)
        named = names.get(a.doc_id, set())
        keys = story_keys(a.title, a.body, named)
        rows.append(
            {
                "doc_id": a.doc_id,
                "story_id": a.doc_id,
                "duplicate_of": None,
                "source": sources.source_of(a.source_uri, a.url),
                "published_at": a.published_at,
                "body_shingles": len(shingles),
                "body_signature": minhash(shingles).hashvalues.tobytes(),
                "story_signature": minhash(story_tokens(a.body, {n for _, n in named})).hashvalues.tobytes(),
                "story_keys": keys,
                "keys_signature": keys_minhash(keys).hashvalues.tobytes(),
                "run_id": run.run_id,
                "published_month": months[a.doc_id],
            }
        )
    return pa.Table.from_pylist(rows, schema=STORY_INDEX.schema)


@cache
def _common_words() -> frozenset[str]:
    """Words any news story uses: the line model's function words and the commonest news words."""
    return frozenset(w.lower() for name in ("stop_words", "common_news_words") for w in vocab.words(name))
