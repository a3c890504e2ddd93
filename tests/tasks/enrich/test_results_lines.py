"""Results and standings lines: the names on them by the line's shape, and a team's shape anywhere."""

from __future__ import annotations

from tasks.enrich.results_lines import (
    is_results_line,
    plays,
    results_mentions,
    split_at_scores,
    teams_after_nationality,
)


def _names(text: str, covered: list[tuple[int, int]] | None = None) -> list[tuple[str, str]]:
    return [(text[s:e], label) for s, e, label in results_mentions(text, covered or [])]


def test_two_scored_names_are_teams() -> None:
    assert _names("Rovers 2 Wanderers 1\n") == [("Rovers", "ORG"), ("Wanderers", "ORG")]


def test_a_name_after_a_score_ends_the_line() -> None:
    assert _names("Rovers 2-1 Wanderers\n") == [("Rovers", "ORG"), ("Wanderers", "ORG")]


def test_a_standings_row_opens_with_its_name() -> None:
    assert _names("Northfield 80 53 .602\n") == [("Northfield", "ORG")]


def test_an_initial_and_a_surname_is_a_person() -> None:
    assert _names("J. Smith 69 K. Brown 70\n") == [("J. Smith", "PERSON"), ("K. Brown", "PERSON")]


def test_a_name_a_model_span_covers_is_left_out() -> None:
    assert _names("Rovers 2 Wanderers 1\n", [(0, 6)]) == [("Wanderers", "ORG")]


def test_prose_with_numbers_is_no_results_line() -> None:
    assert _names("In 2003, the farm produced 11 tonnes of grain and 4 tonnes of rice.\n") == []
    assert _names("Shares rose 4 percent to 12 dollars while Bonds fell 3 points on Monday.\n") == []


def test_one_scored_name_alone_is_no_results_line() -> None:
    assert _names("Rovers 2\n") == []


def test_days_and_months_are_no_teams() -> None:
    assert _names("Monday 2 Tuesday 3\n") == []


def test_plays_on_a_score_or_a_result_verb() -> None:
    text = "Rovers beat Wanderers on Sunday."
    assert plays(text, 0, 6)
    assert plays(text, 12, 21)
    assert plays("Rovers 3 points clear.", 0, 6)


def test_plays_not_in_plain_prose() -> None:
    assert not plays("Rovers said on Sunday they would sell.", 0, 6)
    assert not plays("In 2003, Rovers said little.", 3, 7)


def test_is_results_line_on_a_score_or_a_row_of_numbers() -> None:
    assert is_results_line("intro\nRovers 2-1 Wanderers\nend", 8)
    assert is_results_line("Northfield 80 53 .602", 0)


def test_is_results_line_not_on_prose() -> None:
    assert not is_results_line("He said it 3 times.", 0)
    long = "He was 3 then 4 then 5 " + "and the story went on " * 6
    assert not is_results_line(long, 0)


def _split(text: str, label: str = "PERSON") -> list[str]:
    return [text[s:e] for s, e, _ in split_at_scores(text, 0, len(text), label)]


def test_a_span_across_v_or_a_score_on_a_results_line_is_the_two_teams() -> None:
    assert _split("Riverside v Hill Town") == ["Riverside", "Hill Town"]
    assert _split("Riverside 1 Hill Town 0") == ["Riverside", "Hill Town 0"]  # the score after: trimmed
    assert is_results_line("Riverside 1 Hill Town 0", 0)  # two names each with its score
    assert _split("Jane Doe scored 2 Goals in the game") == ["Jane Doe scored 2 Goals in the game"]  # prose


def test_a_team_after_a_competitors_nationality_is_an_organisation() -> None:
    text = "1. Jane Doe (Denmark) Riverside Racing 20:36:54\n\n2. John Roe (U.S.) Halvik same time\n\n"
    text += "Doe (Kenya) Won the race in under two hours, she said after it was over."  # running text
    assert [(text[s:e], label) for s, e, label in teams_after_nationality(text, [])] == [
        ("Riverside Racing", "ORG"),
        ("Halvik", "ORG"),
    ]
    assert (
        teams_after_nationality(text, [(text.index("Halvik"), text.index("Halvik") + 6)])
        == (teams_after_nationality(text, [])[:1])
    )
