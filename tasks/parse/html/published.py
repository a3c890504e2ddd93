"""An HTML page's publication date, chosen among the dates the page gives by a small learned model.

The candidates: the JSON-LD article's datePublished, the first publication <meta> tag, a <time> marked
as the publication, a date in the page's canonical address, and htmldate's search of the whole page for
its original date (URL, markup, text).
Declared metadata is not always right (some systems write the last update there), and the search is not
either: each distinct calendar day among the candidates (in the zone the page writes it in) is scored by
a logistic model over which sources give it, how many agree, whether it is the day the page declares as
modified, where it ranks among the days and how far it lies from the searched day, and the best day wins.
Nothing in it knows a site. The weights ship as `date_model.json`, trained by `bench/train_dates.py` with
sites held out (bench/folds.py), and are scored held-out in `python -m bench.web_eval`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import resources

import numpy as np

from tasks import vocab
from tasks.parse import dates
from tasks.parse.html.meta import PageMeta
from tasks.parse.text.blocks import Logistic

MODEL_FILE = "date_model.json"
# Where a candidate comes from; `searched` is htmldate's original-date search over the page.
KINDS = ("ld", "meta", "time", "url", "searched")
_DECLARED = frozenset(KINDS[:3])
# A date in the page's address: /2023/11/08/, /2023-11-08-, /20231108/ (a year of this or the last century).
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)(?:/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)|-(?P<m2>[01]\d)-(?P<d2>[0-3]\d)"
    r"|(?P<m3>[01]\d)(?P<d3>[0-3]\d))(?=[/_\-.]|$)"
)
_DATE_META = vocab.words("date_meta_tags")
_MODIFIED_META = vocab.words("modified_meta_tags")
_EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)
_ZERO = timedelta(0)
_MAX_GAP_DAYS = 3  # the distance to the searched day is clipped: beyond a few days it says nothing more
FEATURES = (
    *(f"from_{k}" for k in KINDS),
    "sources",  # how many sources give the day
    "declared_sources",
    "is_modified",  # the day the page declares as its last modification
    "is_modified_declared",  # ... and a publication field declares it too
    "is_earliest",
    "is_latest",
    "after_modified",
    "days",  # distinct days among the candidates
    "gap_to_searched",  # signed, in days, clipped
    "one_day_from_searched",  # a zone's difference, often
    "written_in_utc",  # every instant giving the day is written in UTC: the local day may be another
)


@dataclass(frozen=True)
class DateEvidence:
    """The dates one page gives: (kind, instant in the zone the page writes it) and its modified day."""

    candidates: tuple[tuple[str, datetime], ...]
    modified: date | None = None


def evidence(meta: PageMeta, searched: str | None) -> DateEvidence:
    """The page's date candidates, from its metadata and htmldate's search result (an ISO date or None)."""
    meta_value = next((w for n in _DATE_META if (w := instant(meta.first(n))) is not None), None)
    found = (
        ("ld", instant(meta.ld_published)),
        ("meta", meta_value),
        ("time", next((w for v in meta.time_published if (w := instant(v)) is not None), None)),
        ("url", url_date(meta.url)),
        ("searched", instant(searched)),
    )
    modified = instant(meta.ld_modified) or next(
        (w for n in _MODIFIED_META if (w := instant(meta.first(n))) is not None), None
    )
    return DateEvidence(
        tuple((k, w) for k, w in found if w is not None), modified.date() if modified else None
    )


def instant(value: str | None) -> datetime | None:
    """An aware datetime in the zone the value is written in (none written: UTC), from ISO 8601, RFC 2822
    or any date dateparser reads; None for no date or a CMS's empty one ("0001-01-01")."""
    if not value or not value.strip():
        return None
    when: datetime | None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = dates.parse_date(value)
    if when is None:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return when if when >= _EARLIEST else None


def url_date(url: str | None) -> datetime | None:
    """The date a page's address carries in its path, midnight UTC; None when it carries none."""
    match = _URL_DATE.search(url or "")
    if not match:
        return None
    month, day = match["m"] or match["m2"] or match["m3"], match["d"] or match["d2"] or match["d3"]
    try:
        return datetime(int(match["y"]), int(month), int(day), tzinfo=UTC)
    except ValueError:
        return None


def rows(ev: DateEvidence) -> list[tuple[date, datetime, list[float]]]:
    """(day, the instant to write for it, its feature row) for each distinct day among the candidates."""
    by_day: dict[date, list[tuple[str, datetime]]] = {}
    for kind, when in ev.candidates:
        by_day.setdefault(when.date(), []).append((kind, when))
    days = sorted(by_day)
    searched = next((w.date() for k, w in ev.candidates if k == "searched"), None)
    out = []
    for day, given in by_day.items():
        kinds = {k for k, _ in given}
        declared = len(kinds & _DECLARED)
        gap = max(-_MAX_GAP_DAYS, min(_MAX_GAP_DAYS, (day - searched).days)) if searched else 0
        row = [
            *(float(k in kinds) for k in KINDS),
            len(kinds),
            declared,
            float(day == ev.modified),
            float(day == ev.modified and declared > 0),
            float(day == days[0]),
            float(day == days[-1]),
            float(ev.modified is not None and day > ev.modified),
            len(days),
            gap,
            float(abs(gap) == 1),
            float(all(w.utcoffset() == _ZERO for k, w in given if k in _DECLARED) and declared > 0),
        ]
        out.append((day, given[0][1], row))  # a declared instant (with its time) before the searched day
    return out


def choose(ev: DateEvidence, model: Logistic | None = None) -> datetime | None:
    """The publication instant of the day the model rates highest, in the zone the page writes it: its
    date is the page's own day (the article's published_date), its UTC instant the published_at. None
    when the page gives no date."""
    scored = rows(ev)
    if not scored:
        return None
    probabilities = (model or shipped_model()).predict(np.array([r for _, _, r in scored], dtype=float))
    return scored[int(np.argmax(probabilities))][1]


@cache
def shipped_model() -> Logistic:
    """The chooser's weights in the package (read once per process)."""
    data = json.loads(resources.files(__package__).joinpath(MODEL_FILE).read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{MODEL_FILE} was trained on other features: retrain with bench/train_dates.py")
    return Logistic.from_json(data["classifier"])
