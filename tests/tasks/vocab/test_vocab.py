"""The vocabulary files and their loader: every file says why its list is general, lists each entry once,
ships with the package, and reads as the rules expect."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from itertools import takewhile
from pathlib import Path

import pytest

from tasks import vocab

FILES = sorted(p for p in resources.files("tasks.vocab").iterdir() if p.name.endswith(".txt"))
NAMES = [p.name.removesuffix(".txt") for p in FILES]


@pytest.mark.parametrize("name", NAMES)
def test_every_file_opens_on_what_the_list_is_for_and_why_it_is_general(name: str) -> None:
    text = resources.files("tasks.vocab").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    header = list(takewhile(lambda line: line.startswith("#"), text.splitlines()))
    assert len(header) >= 3, f"{name}.txt opens on a header saying what the list is for"
    assert any("Why general:" in line for line in header), f"{name}.txt: the header says why it is general"
    assert vocab.words(name), f"{name}.txt lists no entry"


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_listed_once(name: str) -> None:
    entries = vocab.words(name)
    assert len(set(entries)) == len(entries), [e for e in entries if entries.count(e) > 1]


def test_the_files_ship_as_package_data() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[3] / "pyproject.toml").read_text())
    assert "*.txt" in pyproject["tool"]["setuptools"]["package-data"]["tasks.vocab"]


def test_words_drop_comments_and_blank_lines_and_keep_file_order() -> None:
    assert vocab.words("months")[:2] == ("January Jan", "February Feb")
    assert all("#" not in e and e == e.strip() for name in NAMES for e in vocab.words(name))


def test_a_missing_vocabulary_names_itself() -> None:
    with pytest.raises(KeyError, match=r"no_such_list\.txt"):
        vocab.words("no_such_list")


def test_forms_mapping_and_keyed() -> None:
    assert vocab.forms("months")[8] == ("September", "Sept", "Sep")
    assert vocab.mapping("time_zones")["IST"] == "5.5"
    assert vocab.mapping("time_zones")["ET"] == "America/New_York"
    aliases = vocab.keyed("country_aliases")
    assert aliases["United States of America"] == "US" and aliases["Northern Ireland"] == "GB"


def test_alternation_is_literal_and_longest_first() -> None:
    pattern = re.compile(rf"^(?:{vocab.alternation(['vs', 'vs.', 'a+b'])})")
    assert pattern.match("vs.")[0] == "vs." and pattern.match("a+b") and not pattern.match("aab")
    spaced = re.compile(rf"^(?:{vocab.alternation(['Agence France-Presse'], spaced=True)})$")
    assert spaced.match("Agence  France Presse") and spaced.match("Agence France-Presse")


def test_one_list_per_concept_no_entry_in_two_lists_of_one_rule() -> None:
    """A navigation line's vocabulary reads three lists: none repeats another's entry."""
    navigation, social, ads = (set(vocab.words(n)) for n in ("navigation", "social_networks", "ad_labels"))
    assert not navigation & social and not navigation & ads
    assert not set(vocab.words("news_agencies")) & set(vocab.words("photo_agencies"))
