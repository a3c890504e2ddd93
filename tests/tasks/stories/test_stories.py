"""Near-duplicates and stories, without Prefect: a copy of a seed page with other chrome and one count
changed is the seed's duplicate and shares its story, found against the committed index by a later run,
and story_facts shows both numbers with one source each."""

from __future__ import annotations

import re
import zlib
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import pytest
from datasketch import MinHashLSH

from tasks import pipeline, run, sources, stories, vocab
from tasks.ingest import dedup
from tasks.records import Article, RunContext
from tasks.stories.index import (
    FEATURES,
    STORY_MODEL,
    Bands,
    Entry,
    Index,
    StoryModel,
    containment,
    pair_features,
    signatures,
    story_features,
    within_days,
)
from tasks.stories.signatures import (
    KEY_KINDS,
    from_bytes,
    minhash,
    signature_values,
    specific_numbers,
    story_keys,
    when_keys,
)
from tasks.warehouse import commit, views
from tasks.warehouse.schemas import STORY_INDEX
from tests.conftest import BBC, SEED_000, SEED_001

OTHER_CHROME_TOP = "Home\nWorld\nPolitics\nSign in\nSubscribe now\n\n"
OTHER_CHROME_END = "\n\nShare this article\nMore from our reporters\nTerms of use\nPrivacy\n"


def _commit_run(files: list[Path], warehouse: Path, index: stories.Index) -> None:
    """One run over `files`, one record per batch, settled in order against `index` and committed."""
    context = RunContext.new()
    settler = run.Settler(context, index=index)
    batches = run.record_batches([str(f) for f in files], sources.ReadOptions(), frozenset(), _tally(), 1)
    for number, batch in enumerate(batches):
        settled = settler.settle(pipeline.process_batch(batch, context, run.batch_id(context, number)))
        commit.commit_batch(warehouse, settled.batch_id, run.committed_tables(settled, context))


def _tally() -> dedup.ReadTally:
    return dedup.ReadTally()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds committed by one run; then, by a second run, a copy of seed 000 with other chrome and
    129 -> 130, from another folder (another source)."""
    root = tmp_path_factory.mktemp("stories")
    warehouse, mirror = root / "warehouse", root / "mirror"
    mirror.mkdir()
    text = SEED_000.read_text(encoding="utf-8")
    lines = text.splitlines()
    copy = OTHER_CHROME_TOP + "\n".join([lines[0], *lines[3:]]).replace("129", "130") + OTHER_CHROME_END
    (mirror / "copy.txt").write_text(copy, encoding="utf-8")
    _commit_run([SEED_000, SEED_001], warehouse, stories.Index())
    _commit_run([mirror / "copy.txt"], warehouse, stories.load_index(warehouse))
    return warehouse


def _query(warehouse: Path, sql: str) -> list[tuple]:
    return views.connect(warehouse).execute(sql).fetchall()


def test_a_copy_with_other_chrome_and_one_count_changed_is_the_seeds_duplicate_in_its_story(
    warehouse: Path,
) -> None:
    rows = _query(warehouse, "SELECT source_uri, doc_id, duplicate_of, story_id FROM articles ORDER BY 1")
    by_name = {uri.rsplit("/", 1)[-1]: (doc, dup, story) for uri, doc, dup, story in rows}
    seed, other, copied = by_name[SEED_000.name], by_name[SEED_001.name], by_name["copy.txt"]
    assert seed[1] is None and seed[2] == seed[0]  # the first of its story
    assert copied[1] == seed[0] and copied[2] == seed[0]
    assert other[1] is None and other[2] == other[0]  # another story


def test_story_facts_show_each_reported_number_with_one_source(warehouse: Path) -> None:
    (story,) = _query(warehouse, "SELECT story_id FROM stories WHERE articles = 2")
    facts = _query(
        warehouse,
        "SELECT number, articles, sources FROM story_facts WHERE story_id = ? AND count_type = 'killed' "
        "ORDER BY number".replace("?", f"'{story[0]}'"),
    )
    assert facts == [(129, 1, 1), (130, 1, 1)]
    (summary,) = _query(
        warehouse, f"SELECT articles, sources, title FROM stories WHERE story_id = '{story[0]}'"
    )
    assert summary[:2] == (2, 2) and summary[2] == SEED_000.read_text(encoding="utf-8").splitlines()[0]


def test_the_index_is_committed_with_the_articles_one_row_each(warehouse: Path) -> None:
    (counts,) = _query(
        warehouse, "SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT doc_id) FROM story_index)"
    )
    assert counts == (3, 3)


def test_different_stories_of_one_topic_are_not_merged() -> None:
    """Two BBC business stories are in two stories; an article is its own story in an empty index."""
    index = stories.Index()
    files = sorted((BBC / "business").glob("*.txt"))[:2]
    context = RunContext.new()
    records = list(
        run.record_batches([str(f) for f in files], sources.ReadOptions(), frozenset(), _tally(), 2)
    )
    settled = run.Settler(context, index=index).settle(pipeline.process_batch(records[0], context, "b-00000"))
    ids = settled.tables["articles"].column("story_id").to_pylist()
    assert ids == settled.tables["articles"].column("doc_id").to_pylist()


def test_containment_counts_a_cut_copy_as_contained_and_dates_bound_a_story() -> None:
    assert containment(0.5, 100, 50) == pytest.approx(1.0)  # 50 of 100 shared: the half is all in
    assert containment(0.0, 100, 50) == 0.0 and containment(1.0, 0, 10) == 0.0
    from datetime import UTC, datetime, timedelta

    day = datetime(2015, 11, 17, tzinfo=UTC)
    assert within_days(day, day + timedelta(days=6), 7) and not within_days(day, day + timedelta(days=8), 7)
    assert within_days(None, day, 7)


def test_story_counts_count_the_story_once_with_its_first_articles_number_on_a_tie(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "SELECT c.number, c.numbers_reported, c.sources FROM story_counts c JOIN stories s USING (story_id) "
        "WHERE s.articles = 2 AND c.count_type = 'killed'",
    )
    assert rows == [(129, 2, 1)]


def _entry(story: int = 0, body: int = 0, keys: tuple[int, ...] = (), shingles: int = 100) -> Entry:
    """An index entry sharing `story` and `body` of 64 signature values with `OWN`, and these keys."""

    def signature(shared: int) -> np.ndarray:
        return np.concatenate([OWN[:shared], np.full(64 - shared, 10_000, dtype=np.uint32)])

    return Entry(
        "s", "s", None, shingles, signature(body), signature(story), np.unique(np.array(keys, np.uint32))
    )


OWN = np.arange(64, dtype=np.uint32)


def _article(doc_id: str, title: str, body: str) -> Article:
    return Article(doc_id, f"file:///{doc_id}.txt", title, (), None, None, None, "en", body, 0, "")


class _Place(NamedTuple):  # a locations row as the enrich stage hands it on: no label, a place
    doc_id: str
    canonical: str


def _key(kind: str, n: int) -> int:
    return n << 3 | KEY_KINDS.index(kind)


def test_story_keys_are_typed_names_title_words_and_specific_numbers() -> None:
    keys = story_keys(
        "Storm shuts the harbour",
        "Ferries wait: 1,250 people, 3 boats, 4.5m tonnes, in 2015.",
        {(2, "Bergen")},
        lead_words=3,
    )
    kinds = sorted(KEY_KINDS[k & 7] for k in keys.tolist())
    # "the" is a stop word; the lead is "Ferries wait 1": two content words, no number
    assert kinds == ["lead", "lead", "number", "number", "place", "title", "title", "title"]
    assert specific_numbers("1,250 and 1250, 3 boats, 4.5m, in 2015 or 1999, 12") == {"1250", "4.5", "12"}
    assert keys.dtype == np.uint32 and (np.diff(keys.astype(np.int64)) > 0).all()


def test_the_keys_channels_find_a_report_in_other_words_sharing_names_title_words_and_numbers() -> None:
    """Two invented reports of one event that share names, title words and numbers but few words: the keys
    LSH and the rare keys' postings each find the first for the second, the story LSH alone does not."""
    names = {"a": ["Kestrel Valley", "Ana Morel"], "b": ["Kestrel Valley", "Ana Morel"]}
    texts = {
        "a": (
            "Flood closes Kestrel Valley bridge",
            "Water rose 2.4 metres overnight; 1,350 homes lost power.",
        ),
        "b": (
            "Kestrel Valley bridge shut by flood",
            "Crews said 1350 households were dark after a 2.4 m surge.",
        ),
    }
    articles = [_article(d, title, body) for d, (title, body) in texts.items()]
    found = {"locations": [_Place(d, n) for d, ns in names.items() for n in ns]}
    rows = stories.signatures_table(articles, found, RunContext.new(), {"a": "unknown", "b": "unknown"})
    first, second = rows.to_pylist()
    keys_lsh = {"keys_lsh_threshold": 0.3, "key_postings": None}
    postings = {"keys_lsh_threshold": None, "key_postings": 16, "key_candidates": 4}
    neither = {"keys_lsh_threshold": None, "key_postings": None}
    for channels, expected in ((keys_lsh, ["a"]), (postings, ["a"]), (neither, [])):
        index = stories.Index({**stories.MODEL, **channels})
        index.add(first)
        assert index.story_candidates(signatures(second)) == expected


def test_pair_features_count_shared_keys_by_kind() -> None:
    me = _entry(
        64, 64, (_key("person", 1), _key("person", 2), _key("title", 3), _key("title", 4), _key("number", 5))
    )
    them = [
        _entry(32, 16, (_key("person", 1), _key("title", 3), _key("number", 5), _key("number", 6))),
        _entry(26, 1),  # no keys (a row written before keys existed)
    ]
    features = pair_features(me, them)
    assert features["story_jaccard"].tolist() == pytest.approx([0.5, 26 / 64])
    assert features["body_jaccard"].tolist() == pytest.approx([0.25, 1 / 64])
    assert features["containment"][0] == pytest.approx(0.25 * 200 / 1.25 / 100)
    assert features["names_jaccard"].tolist() == [0.5, 0.0]
    assert features["title_jaccard"].tolist() == [0.5, 0.0]
    assert features["numbers_shared"].tolist() == [1.0, 0.0]
    assert story_features(me, them).shape == (2, len(FEATURES))


def test_the_days_an_article_names_are_its_resolved_dates_and_their_weekdays() -> None:
    """A resolved date gives the date and its weekday; a weekday that no date of the article's resolves
    ("on Tuesday" in an undated report) still names that weekday; a relative day without an anchor, none."""

    def mention(text: str, kind: str, resolved: date | None = None) -> SimpleNamespace:
        return SimpleNamespace(doc_id="d", text=text, kind=kind, resolved_date=resolved)

    assert when_keys([mention("17 November 2004", "explicit", date(2004, 11, 17))]) == {
        "2004-11-17",
        "wednesday",
    }
    assert when_keys([mention("last Friday", "weekday"), mention("Tues.", "weekday")]) == {
        "friday",
        "tuesday",
    }
    assert when_keys([mention("yesterday", "relative"), mention("Nov. 17", "explicit")]) == set()


def test_the_days_two_reports_name_are_weighed_apart_from_what_they_tell() -> None:
    """when_jaccard is the Jaccard of the named days; the features over what an article tells (the shared
    keys' share, all keys) do not move when days are added."""
    told = (_key("person", 1), _key("title", 3), _key("number", 5))
    me = _entry(32, 16, (*told, _key("when", 7), _key("when", 8)))
    them = [
        _entry(32, 16, (*told[:2], _key("when", 7))),
        _entry(32, 16, told[:2]),
        _entry(32, 16, (*told[:2], _key("when", 9))),
    ]
    names = ("when_jaccard", "keys_idf_contained", "keys_idf")
    features = pair_features(me, them, names)
    assert features["when_jaccard"].tolist() == pytest.approx([0.5, 0.0, 0.0])
    without = pair_features(_entry(32, 16, told), [_entry(32, 16, told[:2])], names)
    for name in ("keys_idf_contained", "keys_idf"):
        assert features[name].tolist() == pytest.approx([without[name][0]] * 3)


def test_a_key_two_candidates_carry_is_shared_only_if_the_article_carries_it() -> None:
    """Keys spread as hashes are (numpy's isin would sort them): two candidates carrying the same name that
    the article lacks share no name with it, the first as the second (a membership test over all the
    candidates' keys at once once counted it shared for the first); each shares the one title word it has."""
    titles = [_key("title", 100_000_000 + 7_919_000 * n) for n in range(20)]
    me = _entry(64, 64, (*titles, _key("person", 300_000_000)))
    name = _key("person", 400_000_000)
    them = [_entry(32, 16, (name, titles[0])), _entry(32, 16, (name, titles[5]))]
    features = pair_features(me, them, ("names_jaccard", "title_jaccard", "names_idf", "keys_idf_contained"))
    assert features["names_jaccard"].tolist() == [0.0, 0.0]
    assert features["names_idf"].tolist() == [0.0, 0.0]
    assert features["title_jaccard"].tolist() == pytest.approx([1 / 20, 1 / 20])
    assert features["keys_idf_contained"].tolist() == pytest.approx([0.5, 0.5])


def test_the_story_model_prefers_the_candidate_sharing_more_body() -> None:
    """The shipped model rates a candidate sharing half the body above its threshold and one sharing only
    topic words below, and more shared body likelier the same story; it names the features it uses."""
    me = _entry(64, 64, tuple(_key(k, n) for k in KEY_KINDS for n in range(1, 5)))
    rows = story_features(me, [_entry(32, 32), _entry(26, 1)], STORY_MODEL.features)
    p = STORY_MODEL.probabilities(rows)
    assert p[0] > STORY_MODEL.threshold > p[1]
    assert p == pytest.approx(STORY_MODEL.classifier.predict(rows))  # folded weights: the same model
    others = [_entry(26, k) for k in (0, 4, 8, 16, 32)]
    more = STORY_MODEL.probabilities(story_features(me, others, STORY_MODEL.features))
    assert (np.diff(more) > 0).all()
    assert StoryModel.from_json(STORY_MODEL.to_json()) == STORY_MODEL
    with pytest.raises(ValueError):
        StoryModel.from_json({**STORY_MODEL.to_json(), "features": ["story_jaccard", "unknown"]})


def test_signatures_of_a_batch_are_datasketchs_minhashes() -> None:
    """signature_values gives, for a batch of sets at once, what datasketch's MinHash gives each set
    (empty, one token, a few, more than one chunk)."""
    rng = np.random.default_rng(7)
    sets = [{rng.bytes(8) for _ in range(n)} for n in (0, 1, 5, 300, 9000)]
    hashes = [np.array([zlib.crc32(t) for t in s], dtype=np.uint32) for s in sets]
    values = signature_values(hashes)
    for row, tokens in zip(values, sets, strict=True):
        assert (row == minhash(tokens).hashvalues).all()


def test_bands_find_what_datasketchs_lsh_query_finds() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, 64, dtype=np.uint32)
    signatures_ = [
        np.where(rng.random(64) < share, base, rng.integers(0, 2**32, 64, dtype=np.uint32))
        for share in np.linspace(0.0, 1.0, 40)
    ]
    bands, lsh = Bands(0.3, 64), MinHashLSH(threshold=0.3, num_perm=64)
    for n, values in enumerate(signatures_):
        bands.insert(str(n), bands.keys(values.astype(np.uint32)))
        lsh.insert(str(n), from_bytes(values.astype(np.uint32).tobytes()))
    found = bands.query(bands.keys(base))
    assert found == set(lsh.query(from_bytes(base.tobytes()))) and "39" in found and len(found) < 40


def test_a_shared_rare_key_weighs_more_than_a_shared_common_one() -> None:
    """IDF-weighted key features: the key frequencies count indexed originals, and sharing a name most
    articles carry says less than sharing one that few carry."""
    index = Index()
    common, rare = _key("person", 1), _key("person", 2)
    for n in range(20):
        keys = [common, _key("person", 100 + n)] + ([rare] if n == 0 else [])
        index.add(_row(f"d{n}", keys))
    assert index.originals == 20
    weights = index.key_weights(np.array([common, rare, _key("place", 9)], dtype=np.uint32))
    assert weights[0] < weights[1] < weights[2]  # in all, in one, in none
    me = _entry(keys=(common, rare, _key("title", 5)))
    them = [_entry(keys=(common, _key("title", 6))), _entry(keys=(rare, _key("title", 6)))]
    plain = pair_features(me, them, ("names_jaccard",))["names_jaccard"]
    weighed = pair_features(me, them, ("names_idf", "keys_idf"), index.key_weights)
    assert plain[0] == plain[1] and weighed["names_idf"][1] > weighed["names_idf"][0]
    assert weighed["keys_idf"][1] > weighed["keys_idf"][0] > 0
    assert pair_features(me, them, ("days_close",))["days_close"].tolist() == [0.5, 0.5]  # undated: neutral


def test_rare_keys_find_the_originals_sharing_most_of_them_and_common_keys_none() -> None:
    """The postings channel: a key fewer than `key_postings` originals carry finds them, ranked by the IDF
    they share, at most `key_candidates`; a key as common as the cap finds nothing, and no posting list
    grows past the cap (a lookup's cost does not grow with the index)."""
    index = Index({**stories.MODEL, "key_postings": 4, "key_candidates": 2})
    common, rare, rarer = _key("place", 1), _key("person", 2), _key("number", 3)
    for n in range(10):
        keys = [common, _key("title", 100 + n)] + [rare] * (n in (2, 5)) + [rarer] * (n == 5)
        index.add(_row(f"d{n}", keys))
    assert max(len(p) for p in index.postings.values()) == 4
    assert index.rare_key_candidates(np.array([common], dtype=np.uint32)) == set()
    found = index.rare_key_candidates(np.array(sorted([common, rare, rarer, _key("title", 107)]), np.uint32))
    # d5 shares two rare keys; d7 one that only it carries, which outweighs d2's, carried by two: d2 is third
    assert found == {"d5", "d7"}
    assert index.rare_key_candidates(np.array([_key("title", 999)], dtype=np.uint32)) == set()  # unseen


def _row(doc_id: str, keys: list[int]) -> dict:
    """A story_index row with these story keys (its signatures are arbitrary)."""
    values = np.arange(64, dtype=np.uint32).tobytes()
    return {
        "doc_id": doc_id,
        "story_id": doc_id,
        "duplicate_of": None,
        "published_at": None,
        "body_shingles": 10,
        "body_signature": values,
        "story_signature": values,
        "story_keys": keys,
        "keys_signature": values,
    }


def test_a_batch_without_articles_has_no_index_rows() -> None:
    """A batch whose every record was quarantined still commits: its story_index part is empty."""
    rows = stories.signatures_table([], {}, RunContext.new(), {})
    assert rows.num_rows == 0 and rows.schema == STORY_INDEX.schema


def test_signatures_table_signs_what_the_definitions_say() -> None:
    """Each row as its definitions read, computed plainly here: the body's distinct 3-word shingles (joined
    by a space, hashed as UTF-8: non-ASCII words too; a body of fewer words is one shingle), the content
    words and names of the story signature, the typed story keys with the lead's content words, and the
    keys signature over the keys but the lead's."""
    bodies = [
        "Zoë Ærø met the mayor of São Paulo: 1,250 people, 3 boats; the mayor of São Paulo met Zoë Ærø.",
        "Flood waters rise",
        "Flood waters rise again in Bergen as 2,400 homes lose power; waters rise and rise again.",
    ]
    articles = [
        Article(f"d{n}", "file:///x", f"Title {n} of floods", (), None, None, None, "en", body, 9, "h")
        for n, body in enumerate(bodies)
    ]
    entities = (("d0", "Zoë Ærø", "PERSON"), ("d0", "1,250", "CARDINAL"), ("d2", "UN", "ORG"))
    found = {
        "entities": [SimpleNamespace(doc_id=d, canonical=c, label=label) for d, c, label in entities],
        "locations": [SimpleNamespace(doc_id="d0", canonical="São Paulo")],
        "mentioned_dates": [
            SimpleNamespace(doc_id="d2", text="Tuesday", kind="weekday", resolved_date=None),
            SimpleNamespace(doc_id="d2", text="4 May 2021", kind="explicit", resolved_date=date(2021, 5, 4)),
        ],
    }
    table = stories.signatures_table(
        articles, found, RunContext.new(), {a.doc_id: "2020-01" for a in articles}
    )
    names = {"d0": {(0, "Zoë Ærø"), (2, "São Paulo")}, "d2": {(1, "UN")}}
    lead = stories.MODEL["lead_words"]
    for article, row in zip(articles, table.to_pylist(), strict=True):
        words = [w.lower() for w in re.findall(r"\w+", article.body)]
        runs = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
        content = {w for w in words if w not in _common() and len(w) > 2 and not w.isdigit()}
        named = names.get(article.doc_id, set())
        typed = {(k, n.lower()) for k, n in named} | {(3, w) for w in _content_of(article.title)}
        typed |= {(4, n) for n in specific_numbers(article.body)}
        typed |= {(5, w) for w in content & set(words[:lead])}
        days = {"tuesday", "2021-05-04"} if article.doc_id == "d2" else set()  # 4 May 2021: a Tuesday
        typed |= {(6, d) for d in days}
        keys = sorted({(zlib.crc32(f"{k}:{v}".encode()) & 0x1FFFFFFF) << 3 | k for k, v in typed})
        searched = [k for k in keys if k & 7 not in (5, 6)]
        assert row["body_shingles"] == len(runs)
        assert (
            row["body_signature"] == minhash(r.encode() for r in runs).hashvalues.astype(np.uint32).tobytes()
        )
        story = content | {f"@{n.lower()}" for _, n in named}
        assert (
            row["story_signature"]
            == minhash(w.encode() for w in story).hashvalues.astype(np.uint32).tobytes()
        )
        assert row["story_keys"] == keys
        assert (
            story_keys(article.title, article.body, iter(named), when=days).tolist() == keys
        )  # names read once
        by_key = minhash(np.array([k], dtype="<u4").tobytes() for k in searched)
        assert row["keys_signature"] == by_key.hashvalues.astype(np.uint32).tobytes()


def _common() -> frozenset[str]:
    return frozenset(w.lower() for name in ("stop_words", "common_news_words") for w in vocab.words(name))


def _content_of(text: str) -> set[str]:
    return {
        w for w in re.findall(r"\w+", text.lower()) if w not in _common() and len(w) > 2 and not w.isdigit()
    }
