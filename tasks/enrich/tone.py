"""Tone (GKG V1.5TONE): one row per article, from the VADER sentiment lexicon (vaderSentiment, MIT
licence, shipped in its wheel; nothing fetched at run time).

GKG's meaning, over the body's words: positive_score and negative_score are the percentages of words in
the lexicon with a positive or a negative valence; tone is their difference, polarity their sum;
self_group_density the percentage of first-person pronouns (tasks/vocab/first_person_pronouns.txt);
word_count the words scored. GKG's Activity Reference Density counts words of its own activity lexicon,
which has no public equivalent here: it stays null. VADER's own sentence rules (negation, boosters, its
compound score) are left out: alone they cost about 4 % of the run's NER time (bench/gdelt_cost.py), and
on whole news pieces the word shares agree with people's ratings about as well (bench/tone_eval.py:
Pearson 0.56 against compound's 0.53, Spearman 0.51 against 0.56; on single sentences compound is better).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from tasks import vocab
from tasks.records import Article


@dataclass(frozen=True)
class Tone:
    """One article's tone (grain of tone); scores are percentages of word_count."""

    doc_id: str
    tone: float
    positive_score: float
    negative_score: float
    polarity: float
    activity_density: float | None
    self_group_density: float
    word_count: int


NEEDS: tuple[str, ...] = ()
LANGUAGES = ("en",)  # an English lexicon
ALONE = True  # its rows depend on its article alone: reused for an unchanged one (extract_cache)

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SELF = frozenset(vocab.words("first_person_pronouns"))


@cache
def analyzer() -> Any:
    """VADER's analyzer, its lexicon read once per process (~0.1 s)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[Tone]:
    """The extractor's entry point (see tasks.enrich): one tone row per article."""
    return [article_tone(a.doc_id, a.body) for a in articles]


def article_tone(doc_id: str, body: str) -> Tone:
    """The body's tone: the shares (percent) of its words with a positive or negative valence."""
    lexicon = analyzer().lexicon
    words = [w.lower().replace("’", "'") for w in _WORD.findall(body)]
    valences = [lexicon.get(w, 0.0) for w in words]
    total = len(words)
    share = (lambda n: round(100.0 * n / total, 4)) if total else (lambda n: 0.0)
    positive, negative = share(sum(v > 0 for v in valences)), share(sum(v < 0 for v in valences))
    return Tone(
        doc_id=doc_id,
        tone=round(positive - negative, 4),
        positive_score=positive,
        negative_score=negative,
        polarity=round(positive + negative, 4),
        activity_density=None,
        self_group_density=share(sum(w in _SELF for w in words)),
        word_count=total,
    )
