"""Names in bylines: whether a text is a person's name, and the people and agencies a byline's name
part, or a page's declared authors, list.

A name is 2-4 capitalised words with particles; job titles, places, "and" and dates never become names.
An agency ("Associated Press", "AFP") or a newsroom signing as a group ("Reuters Staff") is kept apart
from the people. The shapes here are shared with tasks.parse.text.byline, which finds the byline's line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tasks import places, vocab
from tasks.parse import chrome, dates
from tasks.parse.phrases import Phrases

_ROLE = Phrases.compile(rf"^(?:{vocab.alternation(vocab.words('byline_titles'))})$")
_GROUP_ROLE = re.compile(r"^(?:bureau|desk|team|newsroom)$", re.IGNORECASE)
PARTICLES = frozenset(vocab.words("name_particles"))  # lower-case words inside names: "Marie de la Tour"
# Generic nouns that end place and venue names ("Lansdowne Road", "Wembley Stadium"), never a person's name.
_PLACE_NOUNS = frozenset(vocab.words("place_nouns"))
_DETERMINERS = frozenset(("The", "THE", "A", "An", "AN", "This", "Our"))  # "The Example Post" is no person
_AGENCIES = vocab.words(
    "news_agencies"
)  # those that sign wire copy; names ignoring case, acronyms in capitals
_AGENCY_WORDS = (
    rf"(?i:the\s+)?(?:(?i:{vocab.alternation([a for a in _AGENCIES if not a.isupper()], spaced=True)})"
    rf"|{vocab.alternation([a for a in _AGENCIES if a.isupper()], spaced=True)})"
)
NEWS_AGENCY = re.compile(rf"^{_AGENCY_WORDS}$")
# A newsroom signing as a group: "Reuters Staff", "JERUSALEM POST STAFF", "Guardian staff reporter", "Example
# News Bureau"; a capitalised title after the word ("Jane Doe Staff Writer") is one person's.
_COLLECTIVE = re.compile(
    r"^(?:[A-Z][\w&.'’\-]*\s+){1,3}(?:(?i:staff|bureau|desk|newsroom)|staff\s+(?:writers?|reporters?))$"
)
NOT_WHEN = rf"(?!(?i:{dates.MONTHS}|{dates.WEEKDAY_PATTERN})\b)"  # "in December" names no place
MARKER = re.compile(
    r"^(?:by|(?:written|words|story|reporting|posted|published|opinion|analysis|text|compiled)\s+by|authors?\s*:|"
    r"by\s*:)\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bwith\b)\s*", re.IGNORECASE)
SEGMENT = re.compile(r"\s[|·•/]\s|\s[-–—]\s|\s{2,}|\s*\|\s*|,\s+(?=(?:the\s+)?[A-Za-z]+$)")
TRAILING_AGENCY = re.compile(rf"^(?P<names>.+?)[\s,]+(?P<agency>{_AGENCY_WORDS})$")
PHOTO_AGENCY = re.compile(
    rf"^(?:{chrome.AGENCIES})$|\b(?:Images|Photos?|Photography|Pictures)\b"
)  # "Getty Images" under a photo is no author
_IN_PLACE = re.compile(  # "Jane Doe in Paris"
    rf"\s+in\s+{NOT_WHEN}[A-ZÀ-Þ][\w.'’\-]*(?:\s+[A-ZÀ-Þ][\w.'’\-]*){{0,2}}$"
)
_TAIL = re.compile(
    rf"(?:[\s,]+(?:published|posted|updated|on|at))?(?:[\s,]+(?:{dates.MONTHS})\.?\s+\d{{1,2}})?[\s,|·•\-–—]*$",
    re.IGNORECASE,
)  # what is left of a trailing date once its year is gone: "Jane Doe, updated April 25"
_CONTACT = re.compile(r"\s+(?:\S+@\S+|\(?\+?\d[\d() .\-]{6,}).*$")  # "Megan Rowe meganr@example.com"
# A name part ends where a date label or a number starts: "Jane Doe Updated 3 hours ago".
_LABEL_CUT = re.compile(
    r"\s+(?:(?:(?:first|last)\s+)?(?:published|posted|updated|modified)\b|\d).*$", re.IGNORECASE
)
# A publication's name in capitals after a mixed-case name: "Kevin McCoy USA TODAY".
_CAPS_TAIL = re.compile(
    r"^(?P<name>(?:[A-ZÀ-Þ][\w'’.\-]*?[a-zà-ÿ][\w'’.\-]*\s+){2,3}?)(?:[A-Z&]{2,}\s*){2,}$"
)
# Words of a site's section labels ("AUTO NEWS", "Car Reviews"), never of a person's name.
_SECTION_WORDS = frozenset(vocab.words("section_words"))
# Calendar words a page's markup ran onto a name: "Carrie Arnold November", "Jeff Foust Monday".
_WHEN_TAIL = re.compile(rf"(?<=\S)(?:\s+(?i:{dates.MONTHS}|{dates.WEEKDAY_PATTERN})\b\.?)+$")
# A name's word never ends as a possessive or a web address's: "Example's Guide", "Example.com".
_POSSESSIVE = re.compile(r"['’][sS]$")
_ADDRESS = re.compile(r"\.[a-z]{2,}$")
_RUN_ON = re.compile(r"[A-ZÀ-Þ]{3}[a-zà-ÿ]")  # a name in capitals run onto the next word: "JANE DOEToday"
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.?D|Jr|Sr|I{2,3}|IV)\.?$")  # "Rachael Link, MS, RD"


def declared_people(values: Sequence[str]) -> tuple[str, ...]:
    """The authors a page's metadata declares, read as bylines: people's names without the titles, sites,
    credentials and dates run onto them; agencies or staff only when no person is named; a value of no
    shape this module knows (another script, a handle) is kept as declared."""
    people: list[str] = []
    groups: list[str] = []
    for value in values:
        text = m["rest"] if (m := MARKER.match(value.strip())) else value.strip()  # "Analysis by A"
        if _WHEN_TAIL.sub("", f"x {text}") == "x":  # a date's word split off as a name: "November"
            continue
        names = parse_names(SEGMENT.split(text)[0], strict=False)
        people += [text] if names is None else names[0]
        groups += () if names is None else names[1]
    found = people or groups or values  # "RT", "Telegraph Sport": the publisher signing, as declared
    return tuple({n.casefold(): n for n in found}.values())


def parse_names(text: str, strict: bool = True) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(people, agencies or staff groups) in a byline's name part ("A, B and C", "A & B", "Reuters").

    None when the first part is no name, or (strict) a later part is neither a name, a job title nor a
    credential: then the text is a sentence, not a byline. A marked byline is read leniently ("By A, The
    Example Post" names A).
    """
    people: list[str] = []
    groups: list[str] = []
    for k, part in enumerate(NAME_SPLIT.split(_strip_tail(text, cut_labels=not strict))):
        described = k and is_role(part) and not _COLLECTIVE.match(part.strip(" .:"))
        if described or _is_place(part):  # "Tom Krisher, AP Auto Writer"; "New Delhi, Example News Bureau"
            continue
        part = part.strip(" .:")
        if len(cut := _WHEN_TAIL.sub("", part).split()) >= 2:  # "Brian May" keeps his name
            part = " ".join(cut)
        part = split_role(_IN_PLACE.sub("", part))[0]  # "Jane Doe Staff Writer"
        part = m["name"].strip() if (m := _CAPS_TAIL.match(part)) else part
        if not NEWS_AGENCY.match(part) and (m := TRAILING_AGENCY.match(part)) and is_name(m["names"]):
            groups.append(m["agency"])  # "Eric Tucker Associated Press"
            part = m["names"]
        if NEWS_AGENCY.match(part) or _COLLECTIVE.match(part):
            groups.append(part)
        elif is_name(part):
            people.append(part)
        elif part and (k == 0 or strict) and not is_role(part) and not _CREDENTIAL.match(part):
            return None
    return tuple(people), tuple(groups)


def is_name(text: str) -> bool:
    """True for a person's name: 2-4 capitalised words, particles allowed, no job title or date word."""
    ws = text.split()
    names = [w for w in ws if w not in PARTICLES]  # "Al Root" is a name; "de la" inside one are particles
    if not 2 <= len(names) <= 4 or len(ws) > 6 or ws[0] in _DETERMINERS or PHOTO_AGENCY.search(text):
        return False
    if all(len(w.strip(".")) < 2 for w in names):  # "W D L G" heads a results table
        return False
    if names[-1].strip(".,") in _PLACE_NOUNS or any(w.casefold() in _SECTION_WORDS for w in names):
        return False
    return all(_is_name_word(w) for w in names) and not _is_place(text)


def _is_place(text: str) -> bool:
    """True when the gazetteer knows the whole text as a place ("New Delhi", "United States")."""
    return places.resolve(text) is not None


def _is_name_word(word: str) -> bool:
    """A capitalised word of letters, apostrophes and hyphens, or an initial ("J.", "J.R."), no job title,
    no possessive ("Example's Aircraft"), no web address ("Example.de"), no two words run together
    ("DOEToday")."""
    core = word.rstrip(".")
    if _POSSESSIVE.search(core) or _ADDRESS.search(core) or _RUN_ON.search(core):
        return False
    return is_capitalised_word(core) and not is_role_word(core)


_NAME_MARKS = str.maketrans("", "", "'’-.")  # what a name's word holds besides letters


def is_capitalised_word(word: str) -> bool:
    """A word of letters, apostrophes, hyphens and full stops opening with a capital ("O'Neil", "J.R.")."""
    # the marks deleted in one C pass, instead of a Python test per character: the capital is left over
    return word[:1].isupper() and word.translate(_NAME_MARKS).isalpha()


def split_role(segment: str) -> tuple[str, str]:
    """(name part, job title) of "Steffan Rhys Deputy Content Hub Director"; the title may be empty."""
    ws = segment.split()
    k = next((j for j, w in enumerate(ws) if is_role_word(w)), len(ws))
    # A title after its topic is one title: a lower-case one after a capitalised word ("Jane Doe Science
    # editor"), one after a place ("Jane Doe Europe Correspondent").
    if 3 <= k < len(ws) and ws[k - 1][:1].isupper() and is_name(" ".join(ws[: k - 1])):
        k -= ws[k][:1].islower() or _is_place(ws[k - 1])
    group = k < len(ws) and _GROUP_ROLE.match(ws[k].strip(",."))  # "Example News Bureau" is no person's title
    if 2 <= k < len(ws) and not group and is_name(" ".join(ws[:k])) and not _COLLECTIVE.match(segment):
        return " ".join(ws[:k]), " ".join(ws[k:])
    return segment, ""


def is_role(text: str) -> bool:
    """A job title: a few words, one a newsroom role ("Staff Writer", "Deputy Content Hub Director")."""
    ws = text.split()
    return len(ws) <= 6 and not chrome.is_sentence(text) and any(is_role_word(w) for w in ws)


@lru_cache(maxsize=8192)
def is_role_word(word: str) -> bool:
    """A newsroom role word, also as the head of a compound ("Editor-at-large")."""
    return bool(_ROLE.match(word.strip(",.").split("-")[0]))


def _strip_tail(text: str, cut_labels: bool) -> str:
    """A name part without a trailing date or its label ("Lance Ulanoff published 19 May 2026"), e-mail
    address or telephone number; a marked byline's also without what follows a label or a number."""
    if found := dates.stamps(text):
        text = text[: found[0].start]
    text = _CONTACT.sub("", text)
    return _TAIL.sub("", _LABEL_CUT.sub("", text) if cut_labels else text.strip())
