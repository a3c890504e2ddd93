from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tasks.ingest import decode_text
from tasks.parse import ParseError, parse_batch
from tasks.parse.text import parse_article, parse_authors, parse_byline
from tasks.records import RawDocument
from tests.conftest import SEED_000, SEED_001

PARAGRAPH = "The ministers agreed on Monday to share more intelligence, officials said after the meeting."


def _seed(path) -> str:
    return path.read_text(encoding="utf-8")


def _body_lines(body: str) -> list[str]:
    return [line for line in body.split("\n") if line]


def test_the_article_is_dated_the_day_the_page_prints() -> None:
    page = "\n".join(
        [
            "Council approves the harbour plan",
            "Published Nov. 8, 2023, 10:28 p.m. ET",
            "",
            *[f"{PARAGRAPH} {PARAGRAPH}"] * 4,
        ]
    )
    a = parse_article(page)
    assert a.published_at == datetime(2023, 11, 9, 3, 28, tzinfo=UTC)  # the UTC instant: the next day
    assert a.published_date == date(2023, 11, 8)  # the page's own day


def test_seed_000_golden_values() -> None:
    a = parse_article(_seed(SEED_000))
    assert a.title == "France Requests EU Invoke Mutual Defense Clause in Wake of the Paris Attacks"
    assert a.authors == ("Cheri Cheng",)
    assert a.published_at == datetime(2015, 11, 17, 10, 37, tzinfo=UTC)
    assert a.body.startswith("France demanded on Tuesday")
    assert a.body.endswith("meet with President Barack Obama.")
    for chrome in ("Close", "Fun Stuff", "Join the Conversation", "The Next Read", "Real Time Analytics"):
        assert chrome not in _body_lines(a.body)
    assert a.section is None
    assert a.language == "en"
    assert a.word_count == 396
    assert len(a.content_hash) == 64


def test_seed_001_golden_values() -> None:
    a = parse_article(_seed(SEED_001))
    assert a.title == "France, Belgium to step up anti-terror cooperation"
    assert a.section == "FRANCE - BELGIum"
    assert a.authors == ()
    assert a.published_at is None  # "27 January 2015" belongs to a photo caption
    assert a.body.startswith("The Belgian and French prime ministers on Monday agreed")
    assert a.body.endswith("finalise a deal on gun control.")
    for leftover in (
        "Prime Minister Manuel Valls at the National Assembly",
        "DEMARTHON",
        "Advertising",
        "Share :",
        "Page not found",
        "does not exist",
        "newsletter",
        "RFI app",
        "Skip to main content",
    ):
        assert leftover not in a.body
    assert a.language == "en"
    assert a.word_count == 452


def test_paragraphs_are_kept_apart() -> None:
    a = parse_article(_seed(SEED_000))
    assert a.body.count("\n\n") == 9
    assert "\n\n\n" not in a.body


@pytest.mark.parametrize(
    ("line", "authors", "when"),
    [
        ("By Cheri Cheng - 17 Nov '15 10:37AM", ("Cheri Cheng",), datetime(2015, 11, 17, 10, 37, tzinfo=UTC)),
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe"), None),
        (
            "BY Jane Doe, John Roe and Ann Lee | 3 March 2021",
            ("Jane Doe", "John Roe", "Ann Lee"),
            datetime(2021, 3, 3, tzinfo=UTC),
        ),
        ("Jane Doe, Reuters", ("Jane Doe",), None),
        ("By Jean-Yves Le Drian, Political Correspondent", ("Jean-Yves Le Drian",), None),
        (
            "By Marie de la Tour - 2016-02-01 08:00 GMT",
            ("Marie de la Tour",),
            datetime(2016, 2, 1, 8, tzinfo=UTC),
        ),
    ],
)
def test_bylines(line: str, authors: tuple[str, ...], when: datetime | None) -> None:
    assert parse_byline(line) == (authors, when)


@pytest.mark.parametrize(
    "line", ["By any measure, he is a winner.", "By early 2005 the net could grow.", "Paris"]
)
def test_sentences_are_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


def test_authors_drop_agencies_and_roles() -> None:
    assert parse_authors("Jane Doe, Reuters and Staff Writer") == ("Jane Doe",)


def test_reuters_dash_dateline() -> None:
    text = f"EU agrees defence plan\n\nPARIS (Reuters) - {PARAGRAPH}\n\n{PARAGRAPH}\n"
    a = parse_article(text)
    assert a.dateline == "PARIS"
    assert a.body.startswith("The ministers agreed on Monday")
    assert a.published_at is None


@pytest.mark.parametrize(
    ("opening", "place", "when"),
    [
        ("WASHINGTON (AP) — ", "WASHINGTON", None),
        ("PARIS, Nov 17 (Reuters) - ", "PARIS", None),  # no year: not enough for a publication date
        ("LONDON, March 3, 2021 (Reuters) - ", "LONDON", datetime(2021, 3, 3, tzinfo=UTC)),
        ("SAN FRANCISCO, California -- ", "SAN FRANCISCO, California", None),
    ],
)
def test_agency_datelines(opening: str, place: str, when: datetime | None) -> None:
    a = parse_article(f"Headline here\n\n{opening}{PARAGRAPH}")
    assert (a.dateline, a.published_at, a.body) == (place, when, PARAGRAPH)


def test_dateline_with_date_is_the_publication_date() -> None:
    text = f"Saudi beat China 1-0\n\nAL-AIN, United Arab Emirates 1996-12-06\n\n{PARAGRAPH}\n"
    a = parse_article(text)
    assert a.dateline == "AL-AIN, United Arab Emirates"
    assert a.published_at == datetime(1996, 12, 6, tzinfo=UTC)
    assert a.body == PARAGRAPH


def test_agency_byline_and_date_line_under_title() -> None:
    text = (
        f"Storm hits coast\nJane Doe, Reuters\nPublished: Tuesday 17 November 2015 10:37 GMT\n\n{PARAGRAPH}"
    )
    a = parse_article(text)
    assert a.authors == ("Jane Doe",)
    assert a.published_at == datetime(2015, 11, 17, 10, 37, tzinfo=UTC)
    assert a.body == PARAGRAPH


def test_dates_in_running_text_or_without_year_are_not_publication_dates() -> None:
    text = f"Fixture list\n\nTuesday, 1 March\n\nThe match on 17 November 2015 was moved. {PARAGRAPH}"
    a = parse_article(text)
    assert a.published_at is None
    assert a.body.startswith("Tuesday, 1 March")


def test_single_short_last_line_is_kept() -> None:
    # On sports pages a last short line is data (venue, referee), not a widget heading.
    text = f"Blackburn v Burnley\n\n{PARAGRAPH}\n\nEwood Park\n"
    assert parse_article(text).body.endswith("Ewood Park")


def test_crlf_and_lone_cr_line_endings() -> None:
    for newline in ("\r\n", "\r"):
        a = parse_article(newline.join(["A title", "", PARAGRAPH, "", PARAGRAPH]))
        assert (a.title, a.body) == ("A title", f"{PARAGRAPH}\n\n{PARAGRAPH}")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Skip to main content\nPage not found\n\nThe content you requested does not exist.", "no_content"),
        ("Skip to main content\nPage not found\n\nWe looked everywhere for it.", "no_article"),
        ("\n\n   \n", "no_content"),
        ("Just a title line\n", "no_body"),
    ],
)
def test_pages_without_an_article_raise(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_article(text)
    assert info.value.reason_code == reason


def test_a_page_without_prose_says_what_kind_of_page_it_is() -> None:
    menu = ["Home", "News", "Sport", "Weather", "Contact us"]
    teasers = [f"Council votes on the harbour plan, part {n}" for n in range(300)]
    for lines, kind in ((menu, "stub"), ([*menu, *teasers], "index")):
        with pytest.raises(ParseError) as info:
            parse_article("\n".join(["A page header line", "", *lines]))
        assert info.value.reason_code == "no_article"
        assert f"no block of article prose: {kind} (" in str(info.value)


def test_a_paragraph_ending_in_a_full_stop_of_another_script_is_prose() -> None:
    sentence = "আজ শনিবার সকালে দৌলতপুর উপজেলায় একটি ঘটনা ঘটেছে এবং পুলিশ তদন্ত শুরু করেছে।"
    page = ["হোম", "বাংলাদেশ", "এমপির ভাইকে নিজ বাড়ির সামনে গুলি", "", sentence, sentence, "শেয়ার"]
    assert parse_article("\n".join(page)).body.startswith(sentence)


def test_parse_batch_rejects_with_reason_and_payload() -> None:
    docs = [
        RawDocument("a" * 64, "file:///ok.txt", 10, "utf-8", f"Title\n\n{PARAGRAPH}"),
        RawDocument(
            "b" * 64, "file:///bad.txt", 12, "cp1252", "Only a “title”", "Only a “title”".encode("cp1252")
        ),
    ]
    articles, rejected = parse_batch(docs)
    assert [a.doc_id for a in articles] == ["a" * 64]
    assert len(rejected) == 1
    assert (rejected[0].stage, rejected[0].reason_code, rejected[0].payload) == (
        "parse",
        "no_body",
        b"Only a \x93title\x94",  # the file's own bytes, not a re-encoding of the text
    )


@pytest.mark.corpus
def test_bbc_titles_and_bodies_survive_parsing_whole(bbc) -> None:
    """BBC files are clean text: the title is line 1 and every other line is body, nothing dropped."""
    files = sorted(bbc.glob("*/*.txt"))
    assert len(files) == 2225
    for path in files:
        text, _ = decode_text(path.read_bytes())
        a = parse_article(text)
        lines = [line.strip() for line in text.splitlines()]
        assert a.title == lines[0], path
        assert _body_lines(a.body) == [line for line in lines[1:] if line], path
        assert a.published_at is None and a.authors == () and a.section is None, path


def test_credit_line_under_the_title_does_not_take_the_title() -> None:
    a = parse_article(f"Storm hits coast\nPhoto: Jane Doe / AFP\n\n{PARAGRAPH}")
    assert (a.title, a.body) == ("Storm hits coast", PARAGRAPH)


def test_a_page_printing_each_line_alone_is_no_clean_text_when_its_menus_stand_above_the_prose() -> None:
    menu = ["Valley Gazette", "Front page", "Local politics", "Transport", "Weather", "Letters to the editor"]
    headline = "Council votes to take the tram to the northern suburbs"
    page = "\n\n".join([*menu, headline, "By Jane Doe", *ARTICLE])
    a = parse_article(page)
    assert (a.title, _body_lines(a.body)) == (headline, ARTICLE)


def test_a_clean_text_without_a_paragraph_near_its_top_is_still_an_article() -> None:
    table = ["Water levels at noon", *(f"Gauge {n}: {n + 2}.{n} metres, rising" for n in range(12))]
    a = parse_article("\n\n".join(table))
    assert (a.title, len(_body_lines(a.body))) == ("Water levels at noon", 12)


def test_language_is_detected_from_the_body() -> None:
    body = (
        "Les premiers ministres belge et français se sont mis d’accord lundi sur la nécessité de renforcer "
        "la coopération antiterroriste, a indiqué le gouvernement."
    )
    assert parse_article(f"Coopération antiterroriste\n\n{body}").language == "fr"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "<!DOCTYPE html><html><head><title>T</title></head><body><p>Words here.</p></body></html>",
            "markup",
        ),
        ("<div><p>a</p><p>b</p><p>c</p><p>d</p></div>" + " Some words." * 20, "markup"),
        ('{"title": "Talks", "body": "The minister said..."}', "structured_data"),
        ('[{"title": "Talks"}]', "structured_data"),
    ],
)
def test_markup_and_json_saved_as_text_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_article(text)
    assert refused.value.reason_code == reason


def test_text_mentioning_a_tag_or_braces_is_still_an_article() -> None:
    article = parse_article("Use the <b> tag {sparingly}\n\n" + PARAGRAPH + " [1] A note on <p> tags.")
    assert article.title.startswith("Use the <b> tag")


def test_wire_all_caps_headline_is_the_title_and_dateline_line_is_not_body() -> None:
    text = (
        "SOCCER - ENGLISH PREMIER LEAGUE RESULTS.\n\nLONDON 1996-08-31\n\n"
        "Results of English premier league matches on Saturday:\n\nArsenal 2 Chelsea 0\n"
    )
    a = parse_article(text)
    assert a.title == "SOCCER - ENGLISH PREMIER LEAGUE RESULTS."
    assert (a.dateline, a.published_at) == ("LONDON", datetime(1996, 8, 31, tzinfo=UTC))
    assert _body_lines(a.body) == [
        "Results of English premier league matches on Saturday:",
        "Arsenal 2 Chelsea 0",
    ]


def test_wire_two_line_results_item_is_an_article() -> None:
    a = parse_article("BASEBALL - RESULT.\n\nSEOUL 1996-08-30\n\nResult on Friday:\n\nLG 5 OB 2\n")
    assert (a.title, _body_lines(a.body)) == ("BASEBALL - RESULT.", ["Result on Friday:", "LG 5 OB 2"])


def test_wire_bare_byline_between_headline_and_dateline_keeps_the_date() -> None:
    text = f"Russia and Chechens agree truce.\n\nLarisa Sayenko\n\nMOSCOW 1996-08-30\n\n{PARAGRAPH}\n"
    a = parse_article(text)
    assert (a.dateline, a.published_at) == ("MOSCOW", datetime(1996, 8, 30, tzinfo=UTC))
    assert a.body == PARAGRAPH


def test_wire_place_and_date_on_lines_of_their_own() -> None:
    text = f"Shares rise on merger.\n\nFARMINGTON HILLS, Mich.\n\n1996-08-30\n\n{PARAGRAPH}\n"
    a = parse_article(text)
    assert (a.published_at, a.body) == (datetime(1996, 8, 30, tzinfo=UTC), PARAGRAPH)


ARTICLE = [
    "The city council voted on Tuesday to expand the tram network to the northern suburbs, ending a debate "
    "that had run for more than a decade.",
    "Supporters said the line would cut commuting times by half and bring new housing within reach of the "
    "centre, while opponents warned of years of roadworks.",
    "The first section is due to open in 2027, the transport department said in a statement on its website.",
    "The whole line should carry passengers by the end of the decade if funding from the region holds, "
    "officials said.",
]


def _page_with(tail: list[str], article: list[str] = ARTICLE) -> str:
    """A page's text: a menu, headline, byline and date, the article's paragraphs, then `tail`."""
    menu = ["Skip to content", "Home", "News", "Sport", "Weather", "Search"]
    header = ["Council approves tram extension to the north", "By Jane Doe", "May 3, 2024"]
    return "\n\n".join([*menu, *header, *article, *tail, "Privacy policy", "© 2024 Example News"])


COMMENTS = [
    "12 Comments",
    "Ann Lee says:",
    "May 3, 2024 at 10:15 am",
    "About time too. The buses along the northern road have been full every morning for years now.",
    "Tom Bell on May 3, 2024 at 11:02 am said:",
    "I doubt it will open in 2027. Every project of this kind in the region has run years over schedule.",
]
TEASERS = [
    "Council delays the vote on the new bus lanes until after the summer...",
    "by Jane Doe",
    "Residents of the northern suburbs ask for a second station near the...",
    "by Tom Bell",
]


@pytest.mark.parametrize("tail", [COMMENTS, TEASERS], ids=["comment thread", "teasers cut short"])
def test_the_article_ends_before_a_comment_thread_or_a_list_of_cut_teasers(tail: list[str]) -> None:
    a = parse_article(_page_with(tail))
    assert _body_lines(a.body) == ARTICLE


def test_one_signature_or_one_cut_line_inside_the_article_stays() -> None:
    article = [
        *ARTICLE[:2],
        "The mayor said:",
        "We will build it on time and the money is there...",
        *ARTICLE[2:],
    ]
    a = parse_article(_page_with([], article))
    assert _body_lines(a.body) == article


def test_a_list_the_article_announces_with_a_colon_stays_and_a_link_list_goes() -> None:
    listed = [
        "The new stations will open in this order:",
        "Northgate, on the site of the old bus depot",
        "Hillside Park, beside the hospital and the university campus",
        "Airport Road, where the line meets the regional railway",
    ]
    links = ["Most read", "Council delays the vote on bus lanes", "Mayor opens the new library"]
    article = [*ARTICLE[:2], *listed, *ARTICLE[2:]]
    a = parse_article(_page_with([], article))
    assert _body_lines(a.body) == article
    b = parse_article(_page_with([], [*ARTICLE[:2], *links, *ARTICLE[2:]]))
    assert _body_lines(b.body) == ARTICLE
