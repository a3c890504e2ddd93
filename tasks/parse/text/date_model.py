"""The publication date of a text page, chosen among every date the page prints by a small learned ranker.

The candidates are the explicit dates of every line (tasks.parse.stamps.page_stamps: the English forms and
those of the page's language, from dateparser's locale data). Each gets a score from a conditional logit
(a softmax over the page's candidates) over where it stands (above the headline, between the headline and
the body, the body's first line, inside the body, after it; its distances to them), the shape of its line
(a date alone on its line, the words around it, a time, a numeric form, a two-digit year), the cue words
before and around it (a publication label, an update label, a reader's comment: the vocabularies
published_cues, updated_cues, comment_cues, byline_cues) and how the page prints its day (how often, the
earliest or latest of the page's days, a day later than any of the article's own zone, a weekday's date
well above the headline: a banner's today; other dated lines around it: a list of teasers or comments). The
most probable candidate's instant is the page's, unless it scores below the model's cut (learned as a
"none" choice: the page's dates are a comment's, a teaser's...); a page that prints no full date has none
(never guessed from the clock or a relative "3 hours ago"). A photo caption's date and a date the body's
prose mentions are no candidates. The weights
ship as `date_model.json`, trained by `bench/train_text_dates.py` with sites held out; nothing here knows
any site's words.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate, repeat
from math import log1p
from operator import add

import numpy as np

from tasks import vocab
from tasks.parse import chrome
from tasks.parse.stamps import WEEKDAY_PATTERN, YEARISH, Stamp, ascii_digits, page_stamps
from tasks.parse.text.blocks import Logistic

MODEL_FILE = "date_model.json"
_CUE_LINE_WORDS = 4  # a line this short right above a date may be its label ("Veröffentlicht am:")
_NEAR = 3  # lines either side where other dated lines make a list (teasers, comments); a near header
_FAR = 10  # non-blank lines: a date this far above the headline is the site's (today's date, a ticker)
_COMMENT_REACH = 2  # lines either side where a comment's words mark a date as the comment's
_SENTENCE_WORDS = 10
_LABELLED_WORDS = 30
_LABEL_REACH = 4  # words either side of a date in a long line where a publication word labels it
_OPENING = 80  # characters of a paragraph that may hold its dateline's date
_HEADER_LINES = 15  # lines above the body where a date in a script's own digits is looked for
_WORD = re.compile(r"[^\W_]+")
_CLOSING_BRACKETS = re.compile(r"\s*\([^()]*\)$")
_FOUR_DIGIT_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_SHAPE_RUN = re.compile(r"[^\W_]+(?:\s+[^\W_]+)*")  # words and figures, with the spaces between them


@dataclass(frozen=True)
class _Cue:
    """A vocabulary's words as whole words, ignoring case: searched as the case-sensitive pattern over the
    lower-cased text (tasks.vocab.lower_cased), several times faster than re.IGNORECASE over it."""

    folding: re.Pattern[str]
    lower: re.Pattern[str]

    @classmethod
    def of(cls, name: str, opening: bool = False) -> _Cue:
        words = vocab.alternation([w.lower() for w in vocab.words(name)], spaced=True)
        source = rf"^(?:{words})\b" if opening else rf"(?<!\w)(?:{words})(?!\w)"
        return cls(re.compile(source, re.IGNORECASE), re.compile(source))

    def search(self, text: str) -> bool:
        pattern, searched = vocab.lower_cased(self.folding, self.lower, text)
        return pattern.search(searched) is not None


_PUBLISHED, _UPDATED, _COMMENT = _Cue.of("published_cues"), _Cue.of("updated_cues"), _Cue.of("comment_cues")
_BYLINE = _Cue.of("byline_cues", opening=True)
_WEEKDAY = re.compile(rf"\b(?:{WEEKDAY_PATTERN})\b", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w{2,}")  # "(@jane)": an embedded post's signature, its own date beside it
FEATURE_NAMES = (
    # where it stands: zones, then distances counted in non-blank lines
    "before_title",
    "on_title",
    "between",
    "body_first",
    "in_body",
    "after_body",
    "dropped_in_body",
    "title_below_near",
    "title_above_near",
    "body_above_near",
    "body_start_near",
    "after_end_near",
    "far_above_title",
    "far_after_end",
    "log_to_title",
    "log_to_body",
    "log_after_end",
    "log_from_top",
    # its rank among the page's dates
    "first_candidate",
    "first_from_title",
    "nearest_above_body",
    "log_rank",
    "title_distance_rank",
    # its line
    "log_other_words",
    "date_only",
    "sentence",
    "inside_text",
    "later_on_line",
    "has_time",
    "numeric",
    "two_digit_year",
    "handle",
    # the words around it
    "published_cue",
    "published_on_line",
    "updated_cue",
    "updated_on_line",
    "comment_cue",
    "byline_near",
    # its day among the page's days
    "log_day_count",
    "earliest_day",
    "latest_day",
    "log_days",
    "log_days_after_earliest",
    "log_days_before_latest",
    "dated_neighbours",
    "latest_above_title",
    "log_same_shape",
    "weekday_far_above",  # with a weekday, well above the headline: a banner's "Thursday, November 9, 2023"
    "later_than_head",  # later than every date from above the headline to the body's end: today's, a reply's
)


@dataclass(frozen=True)
class Candidate:
    """One date a page prints: its line and the stamp in it."""

    line: int
    stamp: Stamp


@dataclass(frozen=True)
class DateModel:
    """The date ranker."""

    classifier: Logistic
    none_cut: (
        float  # a page whose best date scores no higher prints none of its own (a caption's, a comment's)
    )

    @classmethod
    def from_json(cls, data: dict) -> DateModel:
        if tuple(data.get("features", ())) != FEATURE_NAMES:
            raise ValueError(
                f"{MODEL_FILE} was trained on other features: retrain with bench/train_text_dates.py"
            )
        return cls(Logistic.from_json(data["classifier"]), data["none_cut"])


@cache
def shipped_model() -> DateModel:
    """The model in the package (read once per process)."""
    text = resources.files("tasks.parse.text").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return DateModel.from_json(json.loads(text))


def candidates(lines: Sequence[str], body: Sequence[int], language: str) -> tuple[Candidate, ...]:
    """Every explicit date of the page, in reading order, but a photo's (a caption's date is the day the
    picture was taken) and those the article's prose mentions (a date with running text before it, and
    after it or a sentence's length, in a line of the body with no publication word on a short line:
    "the match on 17 November 2015 was moved"). Of a paragraph of the body only the opening is read (a
    dateline's date): its other dates are the prose's."""
    kept = frozenset(body)
    found = []
    for i in sorted(_yearish_lines(lines) + _script_digit_lines(lines, body[0])):
        line = lines[i]
        read = line[:_OPENING] if i in kept and i != body[0] and line.count(" ") >= _LABELLED_WORDS else line
        found += [
            Candidate(i, s)
            for s in page_stamps(read, language)
            if not ((i in kept or _is_prose(line)) and _in_prose(line, s) and not _labelled(line, s))
            and not _is_caption(lines, i)
        ]
    return tuple(found)


def _is_prose(line: str) -> bool:
    """A paragraph outside the body (a standfirst, a teaser's summary, a caption): a sentence's length,
    ending like one (before a closing remark in brackets: "... in The Hague. (Photo: Jane Doe)")."""
    end = _CLOSING_BRACKETS.sub("", line.rstrip())
    return len(_WORD.findall(line)) >= _SENTENCE_WORDS and end.endswith((".", "!", "?"))


def _yearish_lines(lines: Sequence[str]) -> list[int]:
    """Indices of the lines that may print a year: one search of the whole page, on from the next line's
    start after each hit (a line of figures has many)."""
    text = "\n".join(lines)
    starts = list(accumulate(map(add, map(len, lines), repeat(1)), initial=0))  # each line and its newline
    found, m = [], YEARISH.search(text)
    while m is not None:
        found.append(i := bisect_right(starts, m.start()) - 1)
        m = YEARISH.search(text, starts[i + 1])
    return found


def _script_digit_lines(lines: Sequence[str], first: int) -> list[int]:
    """Indices of the header's lines (those above the body's first, and it) that print a year in their
    script's own digits ("শনিবার, আগস্ট ২৯, ২০২০"): not read by the page's search for years in ASCII."""
    header = range(max(0, first - _HEADER_LINES), first + 1)
    return [i for i in header if not YEARISH.search(lines[i]) and YEARISH.search(ascii_digits(lines[i]))]


def _is_caption(lines: Sequence[str], i: int) -> bool:
    """A photo caption as the text parser drops it: a line its credit line repeats ("... 27 January 2015"
    over "... 27 January 2015 JANE DOE / AFP"), or that credit line itself."""
    after = lines[i + 1] if i + 1 < len(lines) else ""
    before = lines[i - 1] if i else ""
    line = lines[i]
    return (after.startswith(line) and chrome.is_credit(after)) or (
        bool(before) and line.startswith(before) and chrome.is_credit(line)
    )


def features(
    lines: Sequence[str], title_at: int, body: Sequence[int], found: Sequence[Candidate]
) -> np.ndarray:
    """One row per candidate, columns as FEATURE_NAMES."""
    first, last, kept = body[0], body[-1], frozenset(body)
    nonblank = list(accumulate(map(bool, lines)))  # position counted in non-blank lines
    days = [c.stamp.day for c in found]
    earliest, latest, counts = min(days), max(days), {d: days.count(d) for d in set(days)}
    dated = sorted({c.line for c in found})
    from_title = next((k for k, c in enumerate(found) if c.line >= title_at), None)
    above_body = max((k for k, c in enumerate(found) if c.line < first), default=None)
    shapes = [_shape(lines[c.line], c.stamp) for c in found]
    shape_counts = Counter(shapes)
    # the latest day of the article's own zone, from just above the headline to the body's end: a later
    # one is a banner's today or a reply's
    latest_in_head = max(
        (
            d
            for c, d in zip(found, days, strict=True)
            if nonblank[title_at] - nonblank[c.line] <= _NEAR and c.line <= last
        ),
        default=None,
    )
    by_distance = sorted(range(len(found)), key=lambda k: abs(found[k].line - title_at))
    distance_rank = {k: rank for rank, k in enumerate(by_distance)}
    rows = []
    for k, c in enumerate(found):
        i, line, stamp, day = c.line, lines[c.line], c.stamp, days[k]
        to_title, to_body, to_end = (int(nonblank[i] - nonblank[j]) for j in (title_at, first, last))
        before, words, on_line = _around(lines, found, k)
        label = lines[i - 1] + " " + line if i and len(lines[i - 1].split()) <= _CUE_LINE_WORDS else line
        text = line[stamp.start : stamp.end]
        published = _PUBLISHED.search(before)
        rows.append(
            (
                i < title_at,
                i == title_at,
                title_at < i < first,
                i == first,
                first < i <= last,
                i > last,
                first < i < last and i not in kept,
                1 <= to_title <= _NEAR,
                -_NEAR <= to_title <= -1,
                -_NEAR <= to_body <= -1,
                0 <= to_body <= _NEAR + 1,
                1 <= to_end <= _NEAR + 2,
                to_title < -_FAR,
                to_end > 2 * _FAR,
                log1p(abs(to_title)),
                log1p(abs(to_body)),
                log1p(max(to_end, 0)),
                log1p(nonblank[i]),
                k == 0,
                k == from_title,
                k == above_body,
                log1p(k),
                log1p(distance_rank[k]),
                log1p(words),
                words == 0 or (words <= _CUE_LINE_WORDS and published),
                len(_WORD.findall(line)) >= _SENTENCE_WORDS and line.rstrip().endswith((".", "!", "?")),
                _inside_text(line, stamp),
                on_line > 0,
                stamp.when.hour != 0 or stamp.when.minute != 0,
                not any(ch.isalpha() for ch in text),
                _FOUR_DIGIT_YEAR.search(ascii_digits(text)) is None,
                _HANDLE.search(line) is not None,
                published,
                _PUBLISHED.search(label),
                _UPDATED.search(before),
                _UPDATED.search(label),
                _comment_near(lines, i),
                _byline_near(lines, i),
                log1p(counts[day]),
                day == earliest,
                day == latest,
                log1p(len(counts)),
                log1p((day - earliest).days),
                log1p((latest - day).days),
                _dated_near(dated, i),
                day == latest and i < title_at,  # a site banner's date: today's, not the page's
                log1p(shape_counts[shapes[k]] - 1),
                to_title < -_NEAR and _WEEKDAY.search(line, 0, stamp.end) is not None,
                latest_in_head is not None and day > latest_in_head,
            )
        )
    return np.array(rows, dtype=float).reshape(len(rows), len(FEATURE_NAMES))


def _shape(line: str, stamp: Stamp) -> str:
    """The line a date stands in as a template: the date, figures and runs of words each one mark, the
    punctuation kept ("Termin: 21.02.2020, 19 Uhr" and "Termin: 06.03.2020, 19 Uhr" are alike; so are a
    list's teasers and a thread's comments)."""
    return _SHAPE_RUN.sub("a", line[: stamp.start] + "\x00" + line[stamp.end :]).replace(" ", "")


def _labelled(line: str, stamp: Stamp) -> bool:
    """A short line with a publication word: a blog's footer ("Dieser Beitrag wurde am ... veröffentlicht"),
    not a paragraph of the story (which may well say "released on 7 March 1985"); or a publication word
    a few words from the date in a longer line ("This entry was posted on ... and filed under ...")."""
    if len(line.split()) <= _LABELLED_WORDS:
        return _PUBLISHED.search(line)
    before, after = line[: stamp.start].split()[-_LABEL_REACH:], line[stamp.end :].split()[:_LABEL_REACH]
    return _PUBLISHED.search(" ".join(before + after))


def _in_prose(line: str, stamp: Stamp) -> bool:
    """A date a sentence mentions: words of running text before it, and after it or a sentence's length
    ("... takes place on 27 February 2005.")."""
    before, after = (len(_WORD.findall(part)) for part in (line[: stamp.start], line[stamp.end :]))
    return before >= _NEAR and (after >= _NEAR or before + after >= _SENTENCE_WORDS)


def _inside_text(line: str, stamp: Stamp) -> bool:
    """A date with words of running text on both sides ("seit dem 1. Mai 2020 ist er ...")."""
    return len(_WORD.findall(line[: stamp.start])) >= _NEAR and len(_WORD.findall(line[stamp.end :])) >= _NEAR


def _around(lines: Sequence[str], found: Sequence[Candidate], k: int) -> tuple[str, int, int]:
    """(the words that may label the k-th candidate: the text before it since the line's previous date, and
    the line above when short; how many words its line has besides its dates; how many dates precede it on
    its line)."""
    c = found[k]
    line = lines[c.line]
    same = [f.stamp for f in found if f.line == c.line]
    on_line = same.index(c.stamp)
    before = line[same[on_line - 1].end if on_line else 0 : c.stamp.start]
    if not on_line and c.line and len(lines[c.line - 1].split()) <= _CUE_LINE_WORDS:
        before = lines[c.line - 1] + " " + before
    rest = line
    for s in reversed(same):
        rest = rest[: s.start] + " " + rest[s.end :]
    return before, len(_WORD.findall(rest)), on_line


def _comment_near(lines: Sequence[str], i: int) -> bool:
    """A comment's words (a reply button, "says:") on the date's line or a line or two around it."""
    near = lines[max(0, i - _COMMENT_REACH) : i + _COMMENT_REACH + 1]
    return any(len(line.split()) <= _CUE_LINE_WORDS * 2 and _COMMENT.search(line) for line in near)


def _byline_near(lines: Sequence[str], i: int) -> bool:
    """A byline ("By ...", "Von ...") on the date's line or the line right above or under it."""
    return any(_BYLINE.search(line) for line in lines[max(0, i - 1) : i + 2])


def _dated_near(dated: Sequence[int], i: int) -> float:
    """How many other lines within _NEAR lines of line i print a date."""
    return float(sum(1 for j in dated if j != i and abs(j - i) <= _NEAR))


def published(
    lines: Sequence[str],
    title_at: int,
    body: Sequence[int],
    language: str,
    model: DateModel | None = None,
) -> Stamp | None:
    """The page's publication date: its most probable printed date (its UTC instant and the day it prints);
    None when it prints none, or when its best date scores below the model's cut (none of its dates is
    likely the page's own)."""
    found = candidates(lines, body, language)
    if not found:
        return None
    model = model or shipped_model()
    scores = model.classifier.predict(features(lines, title_at, body, found))
    best = int(np.argmax(scores))
    return found[best].stamp if scores[best] > model.none_cut else None
