"""The vocabulary hold-out's own logic: where an entry can act, and that its shortcut (a story that
writes none of the entries left out keeps its draft) gives the rows a full run gives (with the real model)."""

from __future__ import annotations

from bench.entity_eval import MemoModel, Story
from bench.entity_vocab import Runs, occurs, without
from tasks.enrich import entity_rules
from tasks.enrich.entities import load_nlp
from tests.tasks.enrich.conftest import article


def test_an_entry_occurs_as_a_whole_word_in_any_case_and_spacing() -> None:
    assert occurs("offices", "Prime Minister", "the prime  minister said")
    assert occurs("offices", "Prime Minister", "PRIME-MINISTER")
    assert not occurs("legal_forms", "Co", "Cole and Colt")
    assert occurs("legal_forms", "Co", "Acme Co. said")
    assert occurs("country_aliases", "US U.S.", "the U.S. said")  # the written side of a keyed entry
    assert not occurs("country_aliases", "US U.S.", "US troops")
    assert occurs("time_zones", "GMT 0", "at 1400 GMT")  # the key of a mapped entry
    assert not occurs("time_zones", "GMT 0", "0 hours")


def _story(doc: str, title: str, body: str) -> Story:
    return Story(f"{doc}.txt", article(doc, title, body), {"doc": f"{doc}.txt", "entities": []}, "g")


def test_entries_left_out_change_the_stories_that_write_them_as_a_full_run_does() -> None:
    stories = [
        _story("a", "Visit", "They visited the city of Marwick on Monday. Marwick was quiet."),
        _story("b", "Talks", "The talks resumed at 1400 GMT on Monday."),
        _story(
            "c", "Vote", "Marwick voted on Tuesday."
        ),  # no entry: its draft is reused, its batch evidence not
    ]
    runs = Runs(stories, MemoModel(load_nlp()))
    off = {("settlement_nouns", "city")}
    assert runs.touched(off) == {"a"}
    shortcut = runs.run(off)
    assert shortcut == runs.run(off, full=True)
    assert ("Marwick", "GPE") in runs.base["a.txt"] and ("Marwick", "GPE") not in shortcut["a.txt"]
    assert shortcut["b.txt"] == runs.base["b.txt"]
    gmt = {("time_zones", "GMT 0")}
    assert runs.touched(gmt) == {"b"} and runs.run(gmt) == runs.run(gmt, full=True) != runs.base


def test_the_modules_are_rebuilt_as_shipped_after_entries_are_left_out() -> None:
    shipped = entity_rules._ROLE.pattern
    with without({("honorifics", "Mr")}):
        assert entity_rules._ROLE.pattern != shipped
    assert entity_rules._ROLE.pattern == shipped
