"""Bylines as pages print them: the authors of one page, found by the shape of its header lines.

A byline is a line with a marker ("By A and B", "Written by A", "Author: A", an "Author" label above a
name) or a name-shaped line that its neighbourhood shows to be one: a site, agency, job title or date on
the same line ("A | Site", "A, Reuters", "A Staff Writer") or on the next line ("A" then "Staff Writer",
a wire story's name line above its dateline). A name is 2-4 capitalised words with particles; job titles,
"and" and dates never become names. An agency ("Associated Press", "AFP") is the author only when no
person is named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tasks.parse import chrome, dates
from tasks.parse.phrases import Phrases

_ROLE_WORDS = (
    r"correspondents?|editors?|reporters?|writers?|journalists?|columnists?|contributors?|staff|producers?|"
    r"directors?|analysts?|photographers?|critics?|bureau|desk|chief|deputy|senior|associate|assistant|"
    r"managing|executive|head|lead|team|newsroom|intern|fellow|freelance|special|political|economics|"
    r"business|sports?|science|health|technology|tech|foreign|international|national|digital|"
    r"updated|published|posted|follow|subscribe|contributing|visiting|host|anchor|presenter|author"
)
_ROLE = Phrases.compile(rf"^(?:{_ROLE_WORDS})$")
_GROUP_ROLE = re.compile(r"^(?:bureau|desk|team|newsroom)$", re.IGNORECASE)
_PARTICLE_WORDS = "de|da|del|della|der|den|di|du|dos|das|van|von|le|la|bin|ibn|al|el|y|ter|ten|st"
_PARTICLES = frozenset(_PARTICLE_WORDS.split("|"))  # lower-case words inside names: "Marie de la Tour"
# Generic nouns that end place and venue names ("Lansdowne Road", "Wembley Stadium"), never a person's name.
_PLACE_NOUNS = frozenset(
    (
        "Road",
        "Street",
        "Avenue",
        "Boulevard",
        "Stadium",
        "Arena",
        "Square",
        "Airport",
        "Station",
        "University",
        "College",
        "Hospital",
        "Cathedral",
        "Parkway",
        "Highway",
        "Motorway",
    )
)
_DETERMINERS = frozenset(("The", "THE", "A", "An", "AN", "This", "Our"))  # "The Example Post" is no person
_AGENCY_WORDS = (  # news agencies, which sign wire copy; acronyms only in capitals
    r"(?i:the\s+)?(?:(?i:associated\s+press|agence\s+france[\s-]presse|reuters|xinhua|kyodo(?:\s+news)?|yonhap|"
    r"press\s+association|bloomberg(?:\s+news)?|anadolu(?:\s+agency)?|dpa)|AP|AFP|EFE|ANSA|TASS|UPI|AAP|"
    r"PA(?:\s+Media)?|CNA|IANS|PTI|ANI)"
)
_NEWS_AGENCY = re.compile(rf"^{_AGENCY_WORDS}$")
# A newsroom signing as a group: "Reuters Staff", "JERUSALEM POST STAFF", "Guardian staff reporter", "Example
# News Bureau"; a capitalised title after the word ("Jane Doe Staff Writer") is one person's.
_COLLECTIVE = re.compile(
    r"^(?:[A-Z][\w&.'’\-]*\s+){1,3}(?:(?i:staff|bureau|desk|newsroom)|staff\s+(?:writers?|reporters?))$"
)
_NOT_WHEN = rf"(?!(?i:{dates.MONTHS}|{dates.WEEKDAY_PATTERN})\b)"  # "in December" names no place
_AGENCY_IN = re.compile(
    rf"^(?P<agency>.+?)\s+in\s+{_NOT_WHEN}[A-ZÀ-Þ][\w.'’\- ]{{1,40}}$"
)  # "AP in Valencia"
_MARKER = re.compile(
    r"^(?:by|(?:written|words|story|reporting|posted|published|opinion|analysis|text|compiled)\s+by|authors?\s*:|"
    r"by\s*:)\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(r"^(?:authors?|written\s+by|by|author\s+of\s+the\s+article)\s*:?$", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bwith\b)\s*", re.IGNORECASE)
_SEGMENT = re.compile(r"\s[|·•/]\s|\s[-–—]\s|\s{2,}|\s*\|\s*|,\s+(?=(?:the\s+)?[A-Za-z]+$)")
_SITE = re.compile(r"^(?:the\s+)?[A-Z]{2,6}(?:\s+[A-Z][a-z]+)?$")  # "BBC", "CBC News"
_READING_TIME = re.compile(r"^\d+\s*(?:min|minute)s?\s+read$", re.IGNORECASE)
_TRAILING_AGENCY = re.compile(rf"^(?P<names>.+?)[\s,]+(?P<agency>{_AGENCY_WORDS})$")
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z]{2})")  # "Jonathan GarberFOXBusiness": name and site run together
_DATELINE_AGENCY = re.compile(r"^[A-ZÀ-Þ][\w .,'’\-]{0,40}\((?P<agency>[^()]{2,30})\)\s*[-–—]")
_PHOTO_AGENCY = re.compile(
    rf"^(?:{chrome.AGENCIES})$|\b(?:Images|Photos?|Photography|Pictures)\b"
)  # "Getty Images" under a photo is no author
_DATE_LABEL = re.compile(
    r"^(?:(?:first|last|originally)\s+)?(?:published|posted|updated|modified)\b", re.IGNORECASE
)
_IN_PLACE = re.compile(  # "Jane Doe in Paris"
    rf"\s+in\s+{_NOT_WHEN}[A-ZÀ-Þ][\w.'’\-]*(?:\s+[A-ZÀ-Þ][\w.'’\-]*){{0,2}}$"
)
_HANDLE = re.compile(r"^@\w{2,30}$")
_RELATIVE = re.compile(
    r"^(?:(?:published|posted|updated)\s+)?(?:\d+|an?|one)\s+(?:sec|second|min|minute|hr|hour|day|week|month)s?"
    r"\s+ago$|^(?:just\s+now|today|yesterday)$",
    re.IGNORECASE,
)
_TAIL = re.compile(
    rf"(?:[\s,]+(?:published|posted|updated|on|at))?(?:[\s,]+(?:{dates.MONTHS})\.?\s+\d{{1,2}})?[\s,|·•\-–—]*$",
    re.IGNORECASE,
)  # what is left of a trailing date once its year is gone: "Jane Doe, updated April 25"
_MAX_BYLINE_WORDS = 20  # names, site, date and labels on one line; a longer line is text
_CONTACT = re.compile(r"\s+(?:\S+@\S+|\(?\+?\d[\d() .\-]{6,}).*$")  # "Megan Rowe meganr@example.com"
# A name part ends where a date label or a number starts: "Jane Doe Updated 3 hours ago".
_LABEL_CUT = re.compile(
    r"\s+(?:(?:(?:first|last)\s+)?(?:published|posted|updated|modified)\b|\d).*$", re.IGNORECASE
)
# A job title run into the name before it by a page's markup: "Meg JamesStaff Writer".
_GLUED_WORD = re.compile(r"(?<=[a-z])(?=[A-Z][a-z]+\b)")
# "... 7:45 am PST by Jane Doe", "Posted on May 2, 2019 by Jane Doe": a date line signed at its end.
_DATED_BY = re.compile(r"^(?P<when>.+?)\s+by\s+(?P<rest>[A-ZÀ-Þ].{2,80})$", re.IGNORECASE)
# A publication's name in capitals after a mixed-case name: "Kevin McCoy USA TODAY".
_CAPS_TAIL = re.compile(
    r"^(?P<name>(?:[A-ZÀ-Þ][\w'’.\-]*?[a-zà-ÿ][\w'’.\-]*\s+){2,3}?)(?:[A-Z&]{2,}\s*){2,}$"
)
# Words of a site's section labels ("AUTO NEWS", "Car Reviews"), never of a person's name.
_SECTION_WORDS = frozenset(
    """news reviews features opinion weather politics entertainment lifestyle culture travel markets deals
    videos podcasts live updates world local auto autos cars""".split()  # noqa: SIM905
)
# Calendar words a page's markup ran onto a name: "Carrie Arnold November", "Jeff Foust Monday".
_WHEN_TAIL = re.compile(rf"(?<=\S)(?:\s+(?i:{dates.MONTHS}|{dates.WEEKDAY_PATTERN})\b\.?)+$")
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.?D|Jr|Sr|I{2,3}|IV)\.?$")  # "Rachael Link, MS, RD"
_AFTER_BODY = 12  # non-blank lines after the body's first line where a byline still sits
_BETWEEN = 20  # non-blank lines under the headline: a header is short, a longer gap is a missed body
_ABOVE_TITLE = 3  # non-blank lines above the headline where a marked byline may sit
_PERSON, _SUPPORTED, _GROUP = 0, 1, 2  # candidate kinds: a marked byline's people beat a bare name line


def find_authors(lines: Sequence[str], title_at: int, body_at: int) -> tuple[str, ...]:
    """The page's authors as printed, from the header lines around the headline and the body's start.

    A marked byline's people win wherever they stand; otherwise the nearest zone's byline does.
    """
    found = []
    for z, (zone, marked_only) in enumerate(_zones(lines, title_at, body_at)):
        for k, i in enumerate(zone):
            prev, nxt = (lines[zone[k - 1]] if k else ""), (lines[zone[k + 1]] if k + 1 < len(zone) else "")
            if got := _candidate(lines[i], prev, nxt, marked_only, zone_edge=z == 0 and len(zone) == 1):
                found.append(((got[0] != _PERSON, z, got[0], k), got[1]))
    if found:
        return min(found)[1]
    m = _DATELINE_AGENCY.match(lines[body_at]) if 0 <= body_at < len(lines) else None
    return (m["agency"],) if m and _NEWS_AGENCY.match(m["agency"]) else ()  # "PARIS (Reuters) - ..."


def parse_names(text: str, strict: bool = True) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(people, agencies or staff groups) in a byline's name part ("A, B and C", "A & B", "Reuters").

    None when the first part is no name, or (strict) a later part is neither a name, a job title nor a
    credential: then the text is a sentence, not a byline. A marked byline is read leniently ("By A, The
    Example Post" names A).
    """
    people: list[str] = []
    groups: list[str] = []
    for k, part in enumerate(_NAME_SPLIT.split(_strip_tail(text, cut_labels=not strict))):
        described = k and _is_role(part) and not _COLLECTIVE.match(part.strip(" .:"))
        if described or _is_place(part):  # "Tom Krisher, AP Auto Writer"; "New Delhi, Example News Bureau"
            continue
        part = part.strip(" .:")
        if len(cut := _WHEN_TAIL.sub("", part).split()) >= 2:  # "Brian May" keeps his name
            part = " ".join(cut)
        part = _split_role(_IN_PLACE.sub("", part))[0]  # "Jane Doe Staff Writer"
        part = m["name"].strip() if (m := _CAPS_TAIL.match(part)) else part
        if not _NEWS_AGENCY.match(part) and (m := _TRAILING_AGENCY.match(part)) and is_name(m["names"]):
            groups.append(m["agency"])  # "Eric Tucker Associated Press"
            part = m["names"]
        if _NEWS_AGENCY.match(part) or _COLLECTIVE.match(part):
            groups.append(part)
        elif is_name(part):
            people.append(part)
        elif part and (k == 0 or strict) and not _is_role(part) and not _CREDENTIAL.match(part):
            return None
    return tuple(people), tuple(groups)


def declared_people(values: Sequence[str]) -> tuple[str, ...]:
    """The authors a page's metadata declares, read as bylines: people's names without the titles, sites,
    credentials and dates run onto them; agencies or staff only when no person is named; a value of no
    shape this module knows (another script, a handle) is kept as declared."""
    people: list[str] = []
    groups: list[str] = []
    for value in values:
        text = m["rest"] if (m := _MARKER.match(value.strip())) else value.strip()  # "Analysis by A"
        if _WHEN_TAIL.sub("", f"x {text}") == "x":  # a date's word split off as a name: "November"
            continue
        names = parse_names(_SEGMENT.split(text)[0], strict=False)
        people += [text] if names is None else names[0]
        groups += () if names is None else names[1]
    found = people or groups or values  # "RT", "Telegraph Sport": the publisher signing, as declared
    return tuple({n.casefold(): n for n in found}.values())


def is_name(text: str) -> bool:
    """True for a person's name: 2-4 capitalised words, particles allowed, no job title or date word."""
    ws = text.split()
    names = [w for w in ws if w not in _PARTICLES]  # "Al Root" is a name; "de la" inside one are particles
    if not 2 <= len(names) <= 4 or len(ws) > 6 or ws[0] in _DETERMINERS or _PHOTO_AGENCY.search(text):
        return False
    if all(len(w.strip(".")) < 2 for w in names):  # "W D L G" heads a results table
        return False
    if names[-1].strip(".,") in _PLACE_NOUNS or any(w.casefold() in _SECTION_WORDS for w in names):
        return False
    return all(_is_name_word(w) for w in names) and not _is_place(text)


def _is_place(text: str) -> bool:
    """True when the gazetteer knows the whole text as a place ("New Delhi", "United States")."""
    from tasks.enrich import gazetteer  # place data shared with enrichment; built on first use

    return gazetteer.resolve(text) is not None


def _is_name_word(word: str) -> bool:
    """A capitalised word of letters, apostrophes and hyphens, or an initial ("J.", "J.R."), no job title."""
    core = word.rstrip(".")
    return (
        bool(core)
        and core[0].isupper()
        and all(ch.isalpha() or ch in "'’-." for ch in core)
        and not _is_role_word(core)
    )


def _zones(lines: Sequence[str], title_at: int, body_at: int) -> list[tuple[list[int], bool]]:
    """(line indices, marked bylines only) per zone: under the headline, above it, after the body."""
    n = len(lines)
    title_at, body_at = max(0, min(title_at, n - 1)), max(0, min(body_at, n))
    between = dates.nonblank(lines, range(title_at + 1, body_at), _BETWEEN)
    above = dates.nonblank(lines, range(title_at - 1, -1, -1), _ABOVE_TITLE)[::-1]
    after = dates.nonblank(lines, range(body_at + 1, n), _AFTER_BODY, dates.PARAGRAPH_WORDS)
    return [(between, False), (above, True), (after, False)]


def _candidate(
    line: str, prev: str, nxt: str, marked_only: bool, zone_edge: bool
) -> tuple[int, tuple[str, ...]] | None:
    """(kind, authors) when `line` is a byline in its neighbourhood, else None."""
    if len(line) > 200:
        return None
    line = _GLUED_WORD.sub(lambda m: " " if _is_role_word(line[m.start() :].split()[0]) else "", line)
    if (m := _MARKER.match(line) or _dated_by(line)) or (prev and _AUTHOR_LABEL.match(prev)):
        return _named(_GLUED.sub(" | ", m["rest"] if m else line), marked=True)
    if marked_only or not line[0].isupper() or len(line.split()) > _MAX_BYLINE_WORDS:
        return None
    if m := _AGENCY_IN.match(line):  # "Associated Press in Valencia"
        return _named(m["agency"], marked=False)
    found = _bare(line, prev, nxt, zone_edge)
    return None if found is None or chrome.is_chrome(line) else found


def _dated_by(line: str) -> re.Match[str] | None:
    """The "by ..." that ends a line printing the page's date ("Monday November 18, 2019 by Jane Doe")."""
    m = _DATED_BY.match(line) if " by " in line.casefold() else None
    return m if m and dates.header_dates(m["when"]) else None


def _bare(line: str, prev: str, nxt: str, zone_edge: bool) -> tuple[int, tuple[str, ...]] | None:
    """A name line without a marker, when the same line or a neighbour shows it is a byline."""
    segments = [s.strip() for s in _SEGMENT.split(line) if s and s.strip()]
    if not segments:
        return None
    head, rest = _split_role(segments[0])
    # "Reuters Nov 18, 2019": a byline; "PANAMA CITY 1996-08-30": a dateline; "Jo Ng on May 2, 2019 said:" no
    if found := dates.stamps(head):
        head, rest = head[: found[0].start].strip(" ,-–—"), head[found[0].start :]
        if not head or head.split(",")[0].isupper() or not dates.header_dates(line):
            return None
    if not _NEWS_AGENCY.match(head) and (m := _TRAILING_AGENCY.match(head)):  # "Tom Davies Associated Press"
        head, rest = m["names"], m["agency"]
    if len(head.split()) < 2 and not _NEWS_AGENCY.match(head):
        return None
    same_line = bool(rest) or (len(segments) > 1 and all(_is_support(s) or _is_site(s) for s in segments[1:]))
    if len(segments) > 1 and not same_line:
        return None
    # A site's name shows a byline above it ("Duncan Walker" then "BBC"); above a name it is a menu entry.
    if same_line or zone_edge or _is_support(nxt) or _SITE.match(nxt) or _is_support(prev):
        return _named(head, marked=False)
    return None


def _named(text: str, marked: bool) -> tuple[int, tuple[str, ...]] | None:
    """(kind, names) of a byline's name part: its people, else its agencies or staff; None if neither."""
    if (names := parse_names(_SEGMENT.split(text)[0], strict=not marked)) is None:
        return None
    people, groups = names
    if people:
        return (_PERSON if marked else _SUPPORTED), people
    return (_GROUP, groups) if groups else None


def _split_role(segment: str) -> tuple[str, str]:
    """(name part, job title) of "Steffan Rhys Deputy Content Hub Director"; the title may be empty."""
    ws = segment.split()
    k = next((j for j, w in enumerate(ws) if _is_role_word(w)), len(ws))
    group = k < len(ws) and _GROUP_ROLE.match(ws[k].strip(",."))  # "Example News Bureau" is no person's title
    if 2 <= k < len(ws) and not group and is_name(" ".join(ws[:k])) and not _COLLECTIVE.match(segment):
        return " ".join(ws[:k]), " ".join(ws[k:])
    return segment, ""


@lru_cache(maxsize=4096)
def _is_support(line: str) -> bool:
    """A line that shows its neighbour is a byline: a date, a job title, a site or agency, a handle."""
    line = line.strip(" ·•|:")
    if not line or len(line) > 120:
        return False
    shapes = (_RELATIVE, _DATE_LABEL, _READING_TIME, _HANDLE, _NEWS_AGENCY)
    return any(p.match(line) for p in shapes) or _is_role(line) or bool(dates.header_dates(line))


def _is_site(segment: str) -> bool:
    """A publication's name beside a byline ("Jane Doe | Example Times"), not a photo agency's credit."""
    ws = segment.split()
    return (
        len(ws) <= 4 and not _PHOTO_AGENCY.search(segment) and all(w[0].isupper() and len(w) > 1 for w in ws)
    )


def _is_role(text: str) -> bool:
    """A job title: a few words, one a newsroom role ("Staff Writer", "Deputy Content Hub Director")."""
    ws = text.split()
    return len(ws) <= 6 and not chrome.is_sentence(text) and any(_is_role_word(w) for w in ws)


def _is_role_word(word: str) -> bool:
    """A newsroom role word, also as the head of a compound ("Editor-at-large")."""
    return bool(_ROLE.match(word.strip(",.").split("-")[0]))


def _strip_tail(text: str, cut_labels: bool) -> str:
    """A name part without a trailing date or its label ("Lance Ulanoff published 19 May 2026"), e-mail
    address or telephone number; a marked byline's also without what follows a label or a number."""
    if found := dates.stamps(text):
        text = text[: found[0].start]
    text = _CONTACT.sub("", text)
    return _TAIL.sub("", _LABEL_CUT.sub("", text) if cut_labels else text.strip())
