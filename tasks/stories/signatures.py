"""An article's MinHash signatures and story keys, computed where its batch runs (any worker): the rows of
`story_index` before the Settler fills in duplicate_of and story_id.

- body: the set of the body's word shingles (`shingle_words` lower-cased words in a row). A copy with other
  chrome, an edited number or sentence, or a cut end shares most of them (containment near 1).
- story: the set of the body's content words (stop words out, numbers out) and the entity and place names
  found in it. Two reports of one event in other words share many of them; two stories of one topic share
  fewer (their people, places and specifics differ).
- keys: what a report of an event names, whatever its wording: the people, organisations and places the
  enrich stage found, the title's content words, the body's specific numbers (not years, not single
  digits) and the content words of its lead (the first `lead_words` words). Kept as a small sorted set of
  hashes (`story_keys`, each with its kind in the low 3 bits: the same-story model weighs what two articles
  share of each kind) and, all but the lead's, as a MinHash (`keys_signature`): a second way to find story
  candidates, for reports that share names and facts but few words. Also kept, weighed and not searched:
  the days an article's body names (`when`, from the enrich stage's mentioned dates): each resolved date
  and the weekday of each date or weekday named ("on Tuesday" names a Tuesday even when the article has no
  date to resolve it against). Two reports of one event name its day; two events of one saga, other days.

Hashes are zlib.crc32 of the UTF-8 bytes with datasketch's affine32 permutations: stable across processes,
machines and runs, so a signature committed today matches one computed by a later run. A batch's
signatures are computed together (`signature_values`: datasketch's MinHash arithmetic over all the batch's
token hashes in a few numpy operations; a test holds it equal to datasketch's MinHash).
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
KEY_KINDS = ("person", "organisation", "place", "title", "number", "lead", "when")  # a key's kind: low 3 bits
_LEAD, _WHEN = KEY_KINDS.index("lead"), KEY_KINDS.index("when")
_DATES = "mentioned_dates"  # the extracted table whose dates give an article's `when` keys
_WEEKDAYS = tuple(day[0].lower() for day in vocab.forms("weekdays"))  # Monday first: date.weekday()
_WEEKDAY_OF = {form.lower(): day[0].lower() for day in vocab.forms("weekdays") for form in day}  # "tues"
_KIND_OF_LABEL = {"PERSON": 0, "ORG": 1, "NORP": 1, "EVENT": 1, "GPE": 2, "LOC": 2, "FAC": 2}
_PLACE = 2  # rows of the locations table have no label: they are places
_NUMBER = re.compile(r"\d[\d.,]*")  # a number with its separators (and any trailing stop, stripped)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def minhash(tokens: Iterable[bytes], num_perm: int = MODEL["num_perm"]) -> MinHash:
    """The MinHash of a set of tokens (empty set: datasketch's all-maximum signature): datasketch's own, the
    reference that `signature_values` computes in bulk."""
    signature = MinHash(num_perm, hashfunc=zlib.crc32, permutations=_permutations(num_perm), scheme=SCHEME)
    signature.update_batch(list(tokens))
    return signature


def signature_values(token_hashes: Sequence[np.ndarray], num_perm: int = MODEL["num_perm"]) -> np.ndarray:
    """The MinHash values (one row of `num_perm` uint32 per set) of sets of 32-bit token hashes, for a whole
    batch in a few numpy operations: exactly what datasketch's MinHash (affine32, seed 1) gives for each set
    hashed with the same function (its fmix pre-mix, then a * h + b modulo 2^32, the least per permutation;
    an empty set keeps the maximum), without a MinHash object and a pass per set. The permuted values are
    laid out one row per permutation, so that the least of each set is taken along contiguous memory."""
    a, b = (p[:, None] for p in _permutations(num_perm))
    out = np.full((len(token_hashes), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    sizes = np.array([len(h) for h in token_hashes], dtype=np.int64)
    filled = np.flatnonzero(sizes)
    for chunk in np.array_split(filled, max(1, int(sizes.sum()) // _TOKENS_AT_ONCE)):
        if len(chunk):
            hashes = _fmix32(np.concatenate([token_hashes[i] for i in chunk]).astype(np.uint32))
            starts = np.concatenate([[0], np.cumsum(sizes[chunk])[:-1]])
            permuted = a * hashes  # (num_perm, tokens)
            permuted += b
            out[chunk] = np.minimum.reduceat(permuted, starts, axis=1).T
    return out


_TOKENS_AT_ONCE = 1 << 13  # tokens permuted at once (x num_perm x 4 bytes: 2 MB at 64, cache-sized)


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, datasketch's pre-mix of each input hash (uint32 arithmetic wraps)."""
    hashes = hashes ^ (hashes >> np.uint32(16))
    hashes = hashes * np.uint32(0x85EBCA6B)
    hashes = hashes ^ (hashes >> np.uint32(13))
    hashes = hashes * np.uint32(0xC2B2AE35)
    return hashes ^ (hashes >> np.uint32(16))


def from_bytes(data: bytes) -> MinHash:
    """A signature as committed (`body_signature`, `story_signature`) back as a MinHash."""
    values = np.frombuffer(data, dtype=np.uint32)
    return MinHash(hashvalues=values, permutations=_permutations(len(values)), scheme=SCHEME)


@cache
def _permutations(num_perm: int) -> np.ndarray:
    """datasketch's permutations for seed 1, drawn once per process (drawing them is most of the cost of
    making a MinHash)."""
    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def _shingles(words: list[str], size: int = MODEL["shingle_words"]) -> np.ndarray:
    """crc32 of each distinct run of `size` words joined by a space, as UTF-8 (the whole text when it is
    shorter): one per distinct shingle. The words are encoded once and their runs joined as bytes (the
    UTF-8 of a joined string is the join of its words' UTF-8)."""
    encoded = list(map(str.encode, words))
    if len(encoded) <= size:
        runs = {b" ".join(encoded)} if encoded else set()
    else:
        runs = set(map(b" ".join, zip(*(encoded[i:] for i in range(size)), strict=False)))
    return np.fromiter(map(zlib.crc32, runs), np.uint32, len(runs))


def _story_words(content: set[str], names: Iterable[str]) -> set[str]:
    """The story signature's tokens: the content words of a body (`_content_words` of its lower-cased
    words) and the names found in it."""
    return content | {f"@{n.lower()}" for n in names}


def _content_words(words: Iterable[str]) -> set[str]:
    """The lower-cased words that are not stop words or common news words, not numbers, and three letters
    or more."""
    return {w for w in set(words) - _common_words() if len(w) > 2 and not w.isdigit()}


def story_keys(
    title: str,
    body: str,
    names: Iterable[tuple[int, str]],
    lead_words: int = MODEL.get("lead_words", 0),
    when: Iterable[str] = (),
) -> np.ndarray:
    """The sorted distinct key hashes of an article: its (kind, name) pairs, its title's content words, its
    body's specific numbers, the content words of its lead (the body's first `lead_words` words: what a
    report of an event says first) and the days it names (`when_keys`); each hash is crc32 of the key with
    its kind (KEY_KINDS) in the low 3 bits."""
    lead = _content_words(_WORD.findall(body.lower())[:lead_words])
    return _keys(title, body, lead, names, set(when))


def when_keys(dates: Iterable[Any]) -> set[str]:
    """The days an article names, from its mentioned dates (rows with `text`, `kind`, `resolved_date`):
    each resolved date (ISO) and the weekday of each resolved date or named weekday, lower-cased ("on
    Tuesday" gives "tuesday" whether or not the article's own date resolves it)."""
    found: set[str] = set()
    for mention in dates:
        day = mention.resolved_date
        if day is not None:
            found |= {day.isoformat(), _WEEKDAYS[day.weekday()]}
        elif mention.kind == "weekday":
            named = _WEEKDAY_OF.get(mention.text.split()[-1].lower().rstrip("."))  # "last Friday", "Tues."
            if named is not None:
                found.add(named)
    return found


def _keys(
    title: str, body: str, lead: set[str], names: Iterable[tuple[int, str]], when: set[str] = frozenset()
) -> np.ndarray:
    """story_keys of an article whose lead's content words are `lead` and named days `when`: each key
    written `kind:key`, its crc32 in one pass, its kind in the low 3 bits, sorted and distinct."""
    named = list(names)  # read twice
    keyed = [f"{kind}:{name.lower()}" for kind, name in named]
    kinds = [kind for kind, _ in named]
    title_words = _content_words(_WORD.findall(title.lower()))
    for kind, found in ((3, title_words), (4, specific_numbers(body)), (_LEAD, lead), (_WHEN, when)):
        keyed += map(f"{kind}:".__add__, found)
        kinds += [kind] * len(found)
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, keyed)), np.uint32, len(keyed))
    return np.unique((hashes & 0x1FFFFFFF) << 3 | np.array(kinds, dtype=np.uint32))


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
    and duplicate_of null until the Settler assigns them (tasks.stories.index.assign_batch). The three
    signatures of the whole batch are computed at once (`signature_values`)."""
    names, days = _names(found), _days(found)
    sets, shingles, keys = [], [], []
    for a in articles:
        words = _WORD.findall(a.body.lower())
        named = names.get(a.doc_id, set())
        body = _shingles(words)  # one hash per distinct shingle
        content = _content_words(words)
        lead = content.intersection(words[: MODEL.get("lead_words", 0)])
        own = _keys(a.title, a.body, lead, named, days.get(a.doc_id, set()))
        kinds = own & 7
        signed = own[(kinds != _LEAD) & (kinds != _WHEN)]  # the lead's words and days: weighed, not searched
        sets += [body, _crc32s(_story_words(content, {n for _, n in named})), _crc32s_of_keys(signed)]
        shingles.append(len(body))
        keys.append(own)
    values = signature_values(sets).reshape(len(articles), 3, MODEL["num_perm"])  # 0 articles: 0 rows
    columns = {
        "doc_id": [a.doc_id for a in articles],
        "story_id": [a.doc_id for a in articles],
        "duplicate_of": [None] * len(articles),
        "source": [sources.source_of(a.source_uri, a.url) for a in articles],
        "published_at": [a.published_at for a in articles],
        "body_shingles": shingles,
        "body_signature": [v.tobytes() for v in values[:, 0]],
        "story_signature": [v.tobytes() for v in values[:, 1]],
        "story_keys": keys,
        "keys_signature": [v.tobytes() for v in values[:, 2]],
        "run_id": [run.run_id] * len(articles),
        "published_month": [months[a.doc_id] for a in articles],
    }
    return pa.Table.from_pydict(columns, schema=STORY_INDEX.schema)


def _names(found: Mapping[str, Sequence[Any]]) -> dict[str, set[tuple[int, str]]]:
    """Each article's (kind, name) pairs: the entities of a kind that names a story key, and the places."""
    names: dict[str, set[tuple[int, str]]] = {}
    for table in _NAMED:
        for row in found.get(table, ()):
            label = getattr(row, "label", None)
            if label is None or label in _KIND_OF_LABEL:
                kind = _PLACE if label is None else _KIND_OF_LABEL[label]
                names.setdefault(row.doc_id, set()).add((kind, row.canonical))
    return names


def _days(found: Mapping[str, Sequence[Any]]) -> dict[str, set[str]]:
    """Each article's `when_keys`, from the mentioned dates found in it."""
    mentions: dict[str, list[Any]] = {}
    for row in found.get(_DATES, ()):
        mentions.setdefault(row.doc_id, []).append(row)
    return {doc_id: when_keys(rows) for doc_id, rows in mentions.items()}


def _crc32s(tokens: set[str]) -> np.ndarray:
    """crc32 of each token's UTF-8 bytes."""
    return np.fromiter(map(zlib.crc32, map(str.encode, tokens)), np.uint32, len(tokens))


def _crc32s_of_keys(keys: np.ndarray) -> np.ndarray:
    """crc32 of each story key's 4 little-endian bytes."""
    data = keys.astype("<u4").tobytes()
    return np.fromiter((zlib.crc32(data[i : i + 4]) for i in range(0, len(data), 4)), np.uint32, len(keys))


@cache
def _common_words() -> frozenset[str]:
    """Words any news story uses: the line model's function words and the commonest news words."""
    return frozenset(w.lower() for name in ("stop_words", "common_news_words") for w in vocab.words(name))
