"""Case restoration for NER: a line written in capitals (an ALL-CAPS wire headline, a shouted subheading)
gets the case the article's own mixed-case lines write its words in, so the model reads "Kemble named as
Wales captain" rather than "KEMBLE NAMED AS WALES CAPTAIN", in which every word looks like a name.

A word the article never writes otherwise is lowercased, unless it opens the line, is a place the
gazetteer knows, has no vowel (an acronym such as "BBC") or stands on a line with numbers (a results or
table row, whose words are names: "ARSENAL 2-1 CHELSEA"). The restored text is exactly as long as the
text as written, character for character, so offsets found in it index the text as written.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from tasks import places

_WORD = re.compile(r"[^\W\d_]+")
_OPENS = re.compile(r"(?:^|[.!?:]\s*|[-–—]\s+)[\"'“‘(]*$")  # what precedes a sentence's first word
_NO_LOWER_ASCII = re.compile(r"^[^a-z\n]+$", re.M)  # a candidate shouted line, cheap to find
_VOWEL = re.compile(r"[AEIOUYÀ-ÖØ-Ý]")


def is_shouted(line: str) -> bool:
    """A line in capitals: no lowercase letter, and two words of letters, or one beside numbers (a table's
    row: "LAKE CITY 80 53 .602")."""
    words = _WORD.findall(line)
    if sum(len(w) for w in words) < 4 or any(c.islower() for c in line):
        return False
    return len(words) >= 2 or any(c.isdigit() for c in line)


def is_title_case(line: str) -> bool:
    """A headline in title case ("France Requests EU Invoke Mutual Defense Clause"): four words or more,
    at least three in four of them capitalised."""
    words = _WORD.findall(line)
    capitalised = sum(w[0].isupper() for w in words)
    return len(words) >= 4 and capitalised * 4 >= len(words) * 3


def restore_title_case(line: str, forms: dict[str, str]) -> str:
    """A title-case line with each capitalised word after the first in the case the text writes it in
    mid-sentence, when that is lowercase ("Requests" -> "requests"); same length."""
    out = list(line)
    for k, match in enumerate(_WORD.finditer(line)):
        word = match.group()
        form = forms.get(word.lower())
        if k and form and form.islower() and word[0].isupper() and word[1:].islower():
            out[match.start() : match.end()] = form
    return "".join(out)


def casing(text: str) -> dict[str, str]:
    """lowercased word -> the form the text's mixed-case lines write it in, mid-sentence if they ever do."""
    inside: dict[str, Counter[str]] = {}
    opening: dict[str, Counter[str]] = {}
    for line in text.splitlines():
        if is_shouted(line):
            continue
        for match in _WORD.finditer(line):
            word = match.group()
            # what precedes the word, a few characters back, says whether it opens a sentence
            seen = opening if _OPENS.search(line, max(0, match.start() - 8), match.start()) else inside
            seen.setdefault(word.lower(), Counter())[word] += 1
    forms = {key: counts.most_common(1)[0][0] for key, counts in opening.items()}
    forms |= {key: counts.most_common(1)[0][0] for key, counts in inside.items()}
    return forms


def shouted_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each shouted line of the text (see is_shouted)."""
    return [m.span() for m in _NO_LOWER_ASCII.finditer(text) if is_shouted(m.group())]


def restore(text: str, forms: dict[str, str], lines: list[tuple[int, int]] | None = None) -> str:
    """`text` with every shouted line (`lines`, found if not given) given its words' case from `forms`
    (see casing); same length."""
    lines = shouted_lines(text) if lines is None else lines
    if not lines:
        return text
    out, at = [], 0
    for start, end in lines:
        out += [text[at:start], restore_line(text[start:end], forms)]
        at = end
    return "".join([*out, text[at:]])


def restore_line(line: str, forms: dict[str, str]) -> str:
    """One shouted line in the case its words have elsewhere (see the module's docstring); same length."""
    words = list(_WORD.finditer(line))
    out = list(line)
    scored = any(c.isdigit() for c in line)  # a results or table row: its unknown words are names
    k = 0
    while k < len(words):
        word = words[k].group()
        form = word if len(word) == 1 else forms.get(word.lower())  # an initial, "U.S."
        # "NEW YORK": a place of two or three words, or one the article never writes otherwise
        place = _place_words(words[k : k + 3], shortest=2 if form else 1)
        for match in words[k : k + place]:
            out[match.start() + 1 : match.end()] = match.group()[1:].lower()
        if not place:
            form = form or _unseen(word, first=k == 0 or scored)
            form = form[0].upper() + form[1:] if k == 0 else form
            if len(form) == len(word):  # a case mapping that changes length ("İ") leaves the word as written
                out[words[k].start() : words[k].end()] = form
        k += max(place, 1)
    return "".join(out)


def _place_words(words: list[re.Match[str]], shortest: int) -> int:
    """How many of the words (longest first, at least `shortest`) name a place the gazetteer knows, or 0."""
    for n in range(len(words), shortest - 1, -1):
        if _is_place(" ".join(m.group() for m in words[:n])):
            return n
    return 0


def _unseen(word: str, first: bool) -> str:
    if first:
        return word[0] + word[1:].lower()
    if not _VOWEL.search(word) and len(word) <= 5:  # "BBC"
        return word
    return word.lower()


@lru_cache(maxsize=4096)
def _is_place(name: str) -> bool:
    entry = places.resolve(name.title())
    return entry is not None and entry.rank <= 2
