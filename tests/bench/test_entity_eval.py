"""The wire entity evaluation's own logic: fold groups, which steps a fold's stories choose to leave
out, and steps that really leave the extractor when left out (with the real model)."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.entity_eval import STEPS, MemoModel, Story, found_without, group_of, kept_steps
from tasks.enrich.entities import load_nlp
from tasks.records import Article
from tests.tasks.enrich.conftest import article


def _article(doc_id: str, title: str, body: str, dateline: str | None, day: int | None = 30) -> Article:
    return article(doc_id, title, body, dateline, datetime(1996, 8, day, tzinfo=UTC) if day else None)


def test_a_sports_story_groups_by_day_and_sport_any_other_by_day_and_dateline() -> None:
    assert group_of(_article("a", "SOCCER - RIVERSIDE WIN.", "x", "LONDON")) == "1996-08-30 SOCCER"
    assert group_of(_article("b", "MOTOR RACING - LAP TIMES.", "x", "SPA")) == "1996-08-30 MOTOR RACING"
    assert group_of(_article("c", "Rates steady as talks go on", "x", "BONN")) == "1996-08-30 BONN"
    assert group_of(_article("d", "Rates steady", "x", None, day=None)) == "undated "


def _story(doc: str, gold: list[list[str]]) -> Story:
    return Story(doc, _article(doc, "", "", None), {"doc": doc, "entities": gold}, "g")


def test_a_step_is_left_out_only_when_its_absence_scores_higher_on_the_stories_given() -> None:
    stories = [_story("1", [["Jane Doe", "PER"]]), _story("2", [["Acme", "ORG"]])]
    right = {"1": [("Jane Doe", "PERSON")], "2": [("Acme", "ORG")]}
    noisy = {"1": [("Jane Doe", "PERSON"), ("Monday", "ORG")], "2": [("Acme", "ORG")]}
    worse = {"1": [], "2": [("Acme", "ORG")]}

    def runs(off: frozenset[str]) -> dict[str, list[tuple[str, str]]]:
        if off == {"propagation"}:
            return right  # the step adds a wrong mention: better without it
        return worse if off == {"dateline"} else noisy

    assert kept_steps(stories, runs) == {"propagation"}
    assert kept_steps(stories[1:], runs) == frozenset()  # story 2 alone: no step changes its score


def test_steps_left_out_leave_the_extractor() -> None:
    article = _article(
        "w", "SOCCER - KEMBLE NAMED AS WALES CAPTAIN.", "Owen Kemble was named captain.", "LONDON"
    )
    story = Story("w.txt", article, {"doc": "w.txt", "entities": []}, "g")
    model = MemoModel(load_nlp())
    every = found_without([story], model, frozenset())["w.txt"]
    assert ("LONDON", "GPE") in every and ("KEMBLE", "PERSON") in every
    assert ("LONDON", "GPE") not in found_without([story], model, frozenset({"dateline"}))["w.txt"]
    shouted = found_without([story], model, frozenset({"truecase"}))["w.txt"]
    assert shouted != every
    assert set(STEPS) >= {"truecase", "label evidence", "propagation", "results lines", "gazetteer misses"}
