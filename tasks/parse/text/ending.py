"""End-of-article rules: the lines of a page's found span that are not the article, though prose-shaped
enough for the span search to let them in.

After the prose, a comment thread (two signatures) or a list of teasers cut short (two in a row) means the
article has ended; anywhere in the span, a run of short unpunctuated lines is a list of links or teasers,
unless a line of the article announces it with a colon.
"""

from __future__ import annotations

import re
from itertools import pairwise

from tasks.parse.text import blocks

_LINK_MAX_WORDS = 14  # promos, widgets and error notices are shorter than this; captions may not be
# Where the article has ended: a comment's signature ("Jane Doe says:", "Jane Doe on May 2, 2019 at 5:23 pm
# said:") and a teaser cut short by its site ("Microsoft rolls out the update to more dev...").
_SIGNATURE = re.compile(r"^\S.{0,80}?\s(?:says|said|wrote|commented)\s*:$", re.IGNORECASE)
_SIGNATURE_MAX_WORDS = 14
_TRUNCATED = re.compile(r"\w(?:\.\.\.|…)$")
_TEASER_MAX_CHARS = 150
_TEASER_ITEM = 3  # lines of a teaser list's item: headline, byline or date, blurb
_ENDINGS = 2  # two signatures or two cut teasers: one alone may be the article's own


def before_the_end(lines: list[str], page: list[blocks.Shape], found: list[int]) -> list[int]:
    """The found lines up to a comment thread (two signatures) or a list of teasers cut short (two in a
    row) after the article's prose: both are prose-shaped, so the span search lets them in."""
    if not found:
        return found
    signed = [
        j
        for j, k in enumerate(found)
        if page[k].colon_end
        and page[k].words <= _SIGNATURE_MAX_WORDS
        and _SIGNATURE.match(lines[page[k].index])
    ]
    near = range(found[0], min(len(page), found[-1] + _TEASER_ITEM + 1))  # the found lines and the item after
    teasers = [k for k in near if _is_cut_teaser(lines[page[k].index])]
    listed = {a for a, b in pairwise(teasers) if b - a <= _TEASER_ITEM}  # teasers one item apart
    cut = [j for j, k in enumerate(found) if k in listed]
    ends = ([signed[0]] if len(signed) >= _ENDINGS else []) + cut[:1]
    end = min(ends, default=len(found))
    return found[:end] if any(page[k].prose for k in found[:end]) else found


def _is_cut_teaser(line: str) -> bool:
    return (
        line.endswith(("...", "…")) and len(line) <= _TEASER_MAX_CHARS and _TRUNCATED.search(line) is not None
    )


def without_link_runs(lines: list[str], page: list[blocks.Shape], found: list[int]) -> list[int]:
    """The found lines less runs of two or more short unpunctuated lines: a list of links or teasers. A
    subhead stands alone, followed by its paragraph."""
    linky = [k for k in found if page[k].words <= _LINK_MAX_WORDS and not page[k].sentence_end]
    runs = {k for a, b in pairwise(linky) if b == a + 1 for k in (a, b)}
    runs -= _announced_lists(lines, page, found, runs)
    return [k for k in found if k not in runs]


def _announced_lists(
    lines: list[str], page: list[blocks.Shape], found: list[int], runs: set[int]
) -> set[int]:
    """The runs of short lines that a line of the article announces with a colon ("Tour dates:", "What is
    new in this version:"): a list in the article, not a list of links."""
    kept: set[int] = set()
    for k in sorted(runs):
        if k - 1 in kept or (k - 1 in found and k - 1 not in runs and lines[page[k - 1].index].endswith(":")):
            kept.add(k)
    return kept
