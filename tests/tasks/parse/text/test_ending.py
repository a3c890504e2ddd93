from __future__ import annotations

from collections.abc import Callable

from tasks.parse.text.ending import before_the_end, without_link_runs
from tasks.parse.text.line_shapes import Shape, shapes

PROSE = [
    "The council approved the tram extension on Tuesday after a debate that lasted most of the day.",
    "Work on the first section will start in the spring, the transport department said in a statement.",
]


Rule = Callable[[list[str], list[Shape], list[int]], list[int]]


def _kept(rule: Rule, lines: list[str]) -> list[str]:
    """The lines a rule keeps when every line of the page was found."""
    page = shapes(lines)
    return [lines[page[k].index] for k in rule(lines, page, list(range(len(page))))]


def test_two_signatures_end_the_article_and_one_does_not() -> None:
    thread = ["Ann Lee says:", "About time too, the buses are full.", "Tom Bell said:", "It will run late."]
    assert _kept(before_the_end, [*PROSE, *thread]) == PROSE
    assert _kept(before_the_end, [*PROSE, *thread[:2]]) == [*PROSE, *thread[:2]]


def test_two_cut_teasers_one_item_apart_end_the_article() -> None:
    teasers = [
        "Council delays the vote on the new bus lanes until...",
        "by Jane Doe",
        "Residents ask for a...",
    ]
    assert _kept(before_the_end, [*PROSE, *teasers]) == PROSE
    assert _kept(before_the_end, [*PROSE, teasers[0]]) == [*PROSE, teasers[0]]


def test_a_run_of_link_lines_goes_unless_the_article_announces_it() -> None:
    links = ["Most read", "Mayor opens the new library", "Council delays the bus lanes"]
    assert _kept(without_link_runs, [PROSE[0], *links, PROSE[1]]) == PROSE
    announced = [PROSE[0], "The stations, in order:", *links, PROSE[1]]
    assert _kept(without_link_runs, announced) == announced
    assert _kept(without_link_runs, [PROSE[0], "A subhead", PROSE[1]]) == [PROSE[0], "A subhead", PROSE[1]]


def test_nothing_found_stays_nothing() -> None:
    page = shapes(PROSE)
    assert before_the_end(PROSE, page, []) == [] and without_link_runs(PROSE, page, []) == []
