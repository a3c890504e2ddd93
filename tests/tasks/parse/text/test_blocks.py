"""The article found inside a whole page of text: each kind of site chrome the issue names stays out of the
body, the headline and kicker are found above it, and pages without an article say so."""

from __future__ import annotations

import numpy as np
import pytest

from tasks.parse import ParseError
from tasks.parse.text import blocks, parse_article
from tasks.parse.text.blocks import best_span, body_lines, shapes

MENU = ["Skip to content", "Home", "World", "Business", "Politics", "Sport", "Culture", "Opinion", "Search"]
KICKER = "LOCAL POLITICS"
HEADLINE = "City council approves new budget after months of debate"
PARAGRAPHS = [
    "The city council approved a new budget on Tuesday night after a debate that lasted more than five "
    "hours, ending a dispute that had delayed spending on schools, parks and road repairs since the spring.",
    "The plan raises property taxes by two percent and sets aside money for a new library in the east of "
    "the city, which residents have asked for since the old building closed in 2019.",
    "Council members who voted against it said the tax rise would hurt older residents on fixed incomes, "
    "and that the library could wait until the economy had recovered from the downturn.",
    "The mayor, who had threatened to veto an earlier version of the budget, said she was pleased with "
    "the compromise and thanked members of both parties for their patience during the long talks.",
    "Officials expect the first repairs to begin in June, once contracts have been signed with the "
    "companies that won the tenders, and the library should open its doors within three years.",
    "The budget will be reviewed again in the autumn, when the council receives new figures on tax "
    "receipts and on the cost of the wage agreement it reached with city workers last month.",
]
FOOTER = [
    "About us",
    "Contact",
    "Careers",
    "Privacy Policy",
    "Terms of Use",
    "© 2024 Example Media. All rights reserved.",
]
HEADER = ["By Jane Doe", "March 3, 2024 10:15 AM"]
LINKS = [
    "Council members clash over park funding",
    "Mayor announces new transit plan",
    "Schools brace for cuts",
]


def _page(
    *, top: list[str] = (), middle: list[str] = (), tail: list[str] = (), header: list[str] = HEADER
) -> str:
    """A page as a browser copies it: menu, kicker, headline, header lines, paragraphs (with `middle`
    after the second), `tail` after the last one, then the footer."""
    body = [*PARAGRAPHS[:2], *middle, *PARAGRAPHS[2:]]
    return "\n".join(
        [*top, *MENU, KICKER, HEADLINE, *header, "", *"\n\n".join(body).split("\n"), *tail, *FOOTER]
    )


def _body_lines(body: str) -> list[str]:
    return [line for line in body.split("\n") if line]


CHROME = {
    "link list": {"middle": ["Read more", *LINKS]},
    "advertisement": {"middle": ["Advertisement · Scroll to continue"]},
    "advertisement lines": {"middle": ["ADVERTISEMENT", "Story continues below advertisement"]},
    "related stories": {"tail": ["Related stories", *LINKS]},
    "share widget": {"header": [*HEADER, "Share", "Facebook", "Twitter", "Email", "Copy link"]},
    "share widget above the headline": {"top": ["Show more sharing options", "Share this on Twitter"]},
    "comment widget": {
        "tail": ["12 Comments", "Leave a comment", "You must be logged in to post a comment."]
    },
    "cookie banner": {
        "top": [
            "We use cookies to improve your experience on our site and to show you relevant advertising.",
            "Accept all",
            "Manage preferences",
        ]
    },
    "paywall banner": {
        "tail": ["Subscribe to continue reading", "Get unlimited access for $1 a week.", "Subscribe now"]
    },
    "newsletter promo": {
        "middle": [
            "Sign up for our daily newsletter",
            "Get the day's top stories delivered to your inbox every morning.",
            "Sign up",
        ]
    },
    "photo caption and credit": {
        "middle": ["Council members vote at City Hall on Tuesday.", "Photo: John Smith / AFP"]
    },
    "caption with its credit": {"middle": ["Council members vote at City Hall on Tuesday. JOHN SMITH / AFP"]},
}


@pytest.mark.parametrize("form", sorted(CHROME))
def test_chrome_stays_out_of_the_body(form: str) -> None:
    article = parse_article(_page(**CHROME[form]))
    assert _body_lines(article.body) == PARAGRAPHS
    assert (article.title, article.section) == (HEADLINE, KICKER)


def test_footer_and_menu_stay_out_and_header_lines_are_not_body() -> None:
    article = parse_article(_page())
    body = article.body
    assert not any(line in body for line in [*MENU[1:], *FOOTER, *HEADER])
    assert article.language == "en"


def test_headline_is_not_a_kicker_menu_item_or_site_name() -> None:
    page = _page(top=["Example Media", "The city's newspaper since 1870"])
    assert parse_article(page).title == HEADLINE


def test_headline_mentioning_shares_or_twitter_is_still_a_headline() -> None:
    for headline in ("Share boost for feud-hit Reliance", "Musk buys Twitter for $44bn"):
        page = _page().replace(HEADLINE, headline)
        assert parse_article(page).title == headline


def test_standfirst_under_the_headline_is_not_the_title() -> None:
    for dek in (
        "The vote ends a dispute that had held up spending on schools and roads for months.",
        "The vote ends a dispute that had held up spending on schools and roads for months",
    ):
        article = parse_article(_page(header=[dek, *HEADER]))
        assert article.title == HEADLINE


def test_all_caps_widget_label_between_headline_and_byline_is_not_the_title() -> None:
    page = _page(header=["DIVE DEEPER", "SPEED READ", "LISTEN", *HEADER])
    assert parse_article(page).title == HEADLINE


def test_headline_the_page_repeats_is_still_the_headline() -> None:
    page = _page(top=[HEADLINE], tail=["Share this story", HEADLINE])  # breadcrumb and share text repeat it
    assert parse_article(page).title == HEADLINE


def test_question_headline_above_a_standfirst_and_a_caption() -> None:
    question = "What comes next for the city after the budget vote?"
    dek = "The council spent five hours on it. Residents say the library matters more than the tax rise."
    caption = "Council members vote at City Hall on Tuesday"
    page = _page(header=[dek, caption, *HEADER]).replace(HEADLINE, question)
    assert parse_article(page).title == question


def test_language_is_detected_on_the_body_not_the_menu() -> None:
    menu = ["Главная", "Новости", "Политика", "Экономика", "Спорт", "Культура", "Поиск по сайту"]
    assert parse_article(_page(top=menu)).language == "en"


@pytest.mark.parametrize(
    "page",
    [
        "\n".join([*MENU, "Latest news", *LINKS, "Weather warning issued for the coast", *FOOTER]),  # index
        "\n".join(
            [*MENU, "Page not found", "Sorry, we could not find that page.", "Go to the home page", *FOOTER]
        ),
        "\n".join(
            [
                *MENU,
                HEADLINE,
                "Subscribers only",
                "To continue reading, subscribe or log in.",
                "Subscribe now",
                "Already a subscriber? Log in",
                *FOOTER,
            ]
        ),  # a paywall stub
    ],
    ids=["index", "error", "paywall"],
)
def test_pages_without_an_article_are_refused_with_a_reason(page: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_article(page)
    assert refused.value.reason_code == "no_article"
    assert "no block of article prose" in str(refused.value)


def test_body_lines_picks_the_prose_block_between_menus() -> None:
    lines = _page().split("\n")
    page, found, probs = body_lines(lines)
    assert lines[page[found[0]].index] == PARAGRAPHS[0]
    assert len(probs) == len(page) == sum(1 for line in lines if line)


def test_best_span_is_the_maximum_sum_run() -> None:
    import numpy as np

    page = shapes(["a b c d e f g h i j", "x", "a b c d e f g h i j", "m", "n", "o", "a b c"])
    probs = np.array([0.9, 0.1, 0.9, 0.0, 0.0, 0.0, 0.9])
    assert best_span(page, probs, cut=0.5, gap_words=1) == (0, 2)  # three furniture lines outweigh 3 words
    assert best_span(page, np.zeros(7), cut=0.5) is None


def test_a_model_s_arrays_are_made_once_and_it_scores_as_the_clipped_logistic() -> None:
    model = blocks.Logistic((0.5, -1.0), (2.0, 0.25), (3.0, -40.0), 0.1)
    rows = np.array([[0.0, 0.0], [1.0, -1.0], [1e3, 1e3], [-1e3, 0.0]])
    z = model.bias + ((rows - np.asarray(model.mean)) / np.asarray(model.scale)) @ np.asarray(model.weights)
    assert np.array_equal(model.predict(rows), 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))))
    first = blocks._arrays(model)
    model.predict(rows)
    assert all(a is b for a, b in zip(blocks._arrays(model), first, strict=True))  # not made again
    assert set(vars(model)) == {"mean", "scale", "weights", "bias"}  # what it writes out stays its fields
