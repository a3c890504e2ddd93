"""What scraped site chrome looks like: a vocabulary of phrases and the shapes of lines around an article.

Rules are by kind of line (navigation, widget, promo, error page, photo credit) and by position (before the
title, after the last paragraph), so they carry over to sites the seeds never showed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tasks import vocab
from tasks.parse.phrases import Phrases

# Whole lines that are navigation, widgets or sharing buttons on news sites (matched case-insensitively
# against the line without trailing punctuation): the vocabulary's phrases, and lines of these shapes.
_NAV_SHAPES = r"share\ on\ \w+ | more\ from\ [\w\ ]{1,30} | \d+\ comments? | loading\.*"
_NAV_WORDS = vocab.alternation(
    vocab.words("navigation") + vocab.words("social_networks") + vocab.words("ad_labels")
)
_NAV_LINE = Phrases.compile(rf"^(?:{_NAV_WORDS} | {_NAV_SHAPES})$", re.VERBOSE)

# Newsletter, app and account promos: an imperative call to action opening a short line, or promo
# vocabulary in a line too short to be a paragraph of the article.
_PROMO_CALL = re.compile(
    rf"""^(?:{vocab.alternation(vocab.words("promo_calls"))}
    | download(?:ing)?\ (?:the|our)\b.{{0,40}}\bapp | get\ (?:the|our)\b.{{0,40}}\b(?:app|newsletter)
    | receive\ .{{0,60}}\b(?:every|each)\ (?:morning|day|week|evening))\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PROMO_WORDS = Phrases.compile(
    rf"""{vocab.alternation(vocab.words("promo_phrases"))} | \b(?:{vocab.alternation(vocab.words("app_stores"))})\b
    | ^©|^copyright\ (?:©\ )?\d{{4}}""",
    re.VERBOSE,
)
# An advertising slot's label: "Story continues below advertisement", "Sponsored content", "Ad feature".
_AD_LABEL = Phrases.compile(rf"\b(?:{vocab.alternation(vocab.words('ad_labels'))})\b", re.X)
_AD_LABEL_MAX_WORDS = 5
_PROMO_MAX_WORDS = 25
# A sharing widget's line: "Share this on Twitter", "Show more sharing options", "Twitter LinkedIn Email".
_SHARE = Phrases.compile(r"\bshare\s+(?:this|on|via|to|with|the\s+story)\b|\bsharing\s+options\b")
_SOCIAL = Phrases.compile(rf"\b(?:{vocab.alternation(vocab.words('social_networks'))})\b")
_SHARE_MAX_WORDS = 6
_SHORT_LINE_WORDS = 12

# Error pages a scraper saved instead of, or after, the article: how such a line opens, or what it says
# anywhere (apart, so that the openings are tried once and not at every position).
_ERROR_OPENING = Phrases.compile(
    r"""(?:error\ )?404\b | page\ not\ found | (?:sorry,?\ )?(?:this|the)\ (?:page|content|article)\ you""",
    re.VERBOSE,
)
_ERROR_NOTICE = Phrases.compile(
    r"""does\ not\ exist\ or\ is\ (?:not|no\ longer)\ available | is\ not\ available\ anymore
    | (?:page|article|content)\ (?:has\ been\ removed|is\ no\ longer\ available|could\ not\ be\ found)""",
    re.VERBOSE,
)

# Photo captions and credits: "... JACQUES DEMARTHON / AFP", "REUTERS/Name", "Photo: X", "Image copyright".
_UPPER = "A-ZÀ-ÖØ-Þ"
# A credit names a news or photo agency as written or in capitals ("Reuters", "REUTERS/Jane Doe").
_CREDITED = vocab.words("news_agencies") + vocab.words("photo_agencies")
AGENCIES = vocab.alternation(list(dict.fromkeys(form for a in _CREDITED for form in (a, a.upper()))))
_CREDIT = re.compile(
    rf"""(?:[{_UPPER}][{_UPPER}'’.\-]+\ ){{0,3}}[{_UPPER}][{_UPPER}'’.\-]+\s+/\s+(?:{AGENCIES}|[{_UPPER}][\w.&\-]+)\s*$
    | \b(?:{AGENCIES})\s*/\s*[{_UPPER}][\w.'’\-]+(?:\ [{_UPPER}][\w.'’\-]+){{0,3}}\s*$
    | (?i:^(?:photo|picture|image|photograph|credit|caption)s?\s*(?:copyright|caption|credit)?\s*[:©])
    | (?i:^image\ (?:copyright|caption|source)\b) | ^©\s*\w | (?i:\((?:photo|picture|image)s?:[^)]*\)\s*$)""",
    re.VERBOSE,
)

CAPTION_MAX_WORDS = 60
_MAX_CHROME_CHARS = 600  # also bounds the regex work per line: a 1 MB one-line file stays linear

_SENTENCE_END = re.compile(r"""[.!?…"'”’)\]:;]$""")
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_FUNCTION_WORDS = frozenset(vocab.words("label_function_words"))


def words(line: str) -> list[str]:
    """The words of a line (letters/digits with inner apostrophes or hyphens)."""
    return _WORD.findall(line)


def is_sentence(line: str) -> bool:
    """True when a line ends like running text does."""
    return bool(_SENTENCE_END.search(line.rstrip()))


def is_nav(line: str) -> bool:
    return _NAV_LINE.match(line.strip().rstrip(" :|>»·•-–—").strip())


def is_promo(line: str) -> bool:
    return _is_promo(line.strip(), len(words(line)))


def _is_promo(line: str, n: int) -> bool:
    if n > _PROMO_MAX_WORDS:
        return False
    if _PROMO_CALL.search(line) or (n <= _AD_LABEL_MAX_WORDS and _AD_LABEL.search(line)):
        return True
    if n <= _SHARE_MAX_WORDS and (_SHARE.search(line) or _SOCIAL.count(line) >= 2):
        return True
    return (n <= _SHORT_LINE_WORDS or not is_sentence(line)) and _PROMO_WORDS.search(line)


def is_error_page(line: str) -> bool:
    return len(words(line)) <= _PROMO_MAX_WORDS and _is_error_notice(line.strip())


def _is_error_notice(line: str) -> bool:
    return _ERROR_OPENING.match(line) or _ERROR_NOTICE.search(line)


def is_credit(line: str) -> bool:
    """A photo caption carrying a credit, or a credit line of its own."""
    return _has_credit(line.strip()) and len(words(line)) <= CAPTION_MAX_WORDS  # the cheaper test first


@lru_cache(maxsize=4096)  # the line rules, the headline rules and the byline rules ask about the same lines
def is_chrome(line: str) -> bool:
    """A line that is site furniture wherever it stands; a line longer than any chrome is text."""
    if len(line) > _MAX_CHROME_CHARS:
        return False
    n = len(words(line))  # counted once: every rule below is bounded by it
    if n > CAPTION_MAX_WORDS:
        return False
    stripped = line.strip()
    if n <= _PROMO_MAX_WORDS and (is_nav(stripped) or _is_promo(stripped, n) or _is_error_notice(stripped)):
        return True
    return _has_credit(stripped)


def _has_credit(line: str) -> bool:
    # Every unanchored form of a credit holds a slash or a parenthesis: without them only a match at the
    # start can succeed, and an unanchored search costs a try at every position of the line.
    if "/" in line or "(" in line:
        return _CREDIT.search(line) is not None
    return _CREDIT.match(line) is not None


def is_label(line: str, max_words: int = 6) -> bool:
    """A short Title Case line without sentence punctuation or digits: a widget heading or menu entry."""
    ws = words(line)
    if not ws or len(ws) > max_words or is_sentence(line) or any(ch.isdigit() for ch in line):
        return False
    return all(w[0].isupper() or w.lower() in _FUNCTION_WORDS for w in ws)
