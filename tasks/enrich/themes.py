"""Themes (GKG V1THEMES / V2ENHANCEDTHEMES): each trigger of a theme in an article's title and body.

The lexicon is data: tasks/vocab/gkg_themes.txt, one line per trigger, the GKG theme code first. A
trigger matches as a whole word or phrase in any case; a longer trigger wins over a shorter one at the
same place ("anti-terrorism" is one TERROR trigger, not "terrorism" inside it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tasks import vocab
from tasks.records import Article


@dataclass(frozen=True)
class Theme:
    """One theme trigger in an article (grain of themes)."""

    doc_id: str
    text: str  # the trigger as written
    theme: str  # GKG theme code
    field: str  # title / body
    start_char: int
    end_char: int


NEEDS: tuple[str, ...] = ()
LANGUAGES = ("en",)  # English triggers
ALONE = True  # its rows depend on its article alone: reused for an unchanged one (extract_cache)

FIELDS = ("title", "body")
TRIGGERS = {trigger.casefold(): code for trigger, code in vocab.keyed("gkg_themes").items()}
_ALTERNATION = "|".join(
    re.escape(t).replace(r"\ ", r"\s+") for t in sorted(TRIGGERS, key=len, reverse=True)
)  # longest first; a space matches any run of white space
_PATTERN = re.compile(rf"(?<![\w-])(?:{_ALTERNATION})(?![\w-])", re.I)
_LOWER = re.compile(_PATTERN.pattern)  # the same over lower-cased text: four times faster than re.I


def extract(articles: Sequence[Article], found: Mapping[str, Sequence[Any]]) -> list[Theme]:
    """The extractor's entry point (see tasks.enrich): each article's theme triggers, title then body."""
    return [
        t for a in articles for field in FIELDS for t in extract_themes(a.doc_id, getattr(a, field), field)
    ]


def extract_themes(doc_id: str, text: str, field: str = "body") -> list[Theme]:
    """Every theme trigger in `text`, in order."""
    pattern, searched = vocab.lower_cased(_PATTERN, _LOWER, text)
    return [
        Theme(
            doc_id,
            text[m.start() : m.end()],
            TRIGGERS[" ".join(m.group(0).split()).casefold()],
            field,
            m.start(),
            m.end(),
        )
        for m in pattern.finditer(searched)
    ]
