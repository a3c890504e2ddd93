"""Case restoration: which lines are shouted or title case, and what restoring them changes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.enrich.truecase import casing, is_shouted, is_title_case, restore, restore_line, restore_title_case

BODY = "Officials said the minister resigned.\nShe said the plan to rescue the bank failed.\n"


def test_is_shouted_takes_a_line_in_capitals_and_a_table_row() -> None:
    assert is_shouted("MINISTER QUITS OVER BANK")
    assert is_shouted("NORTHFIELD 80 53 .602")


def test_is_shouted_leaves_mixed_case_and_short_lines() -> None:
    assert not is_shouted("Minister QUITS over bank")
    assert not is_shouted("AB")
    assert not is_shouted("QUITS")  # one word and no numbers: an acronym alone, not a shouted line


def test_is_title_case_needs_four_words_mostly_capitalised() -> None:
    assert is_title_case("Minister Resigns Over Bank Rescue")
    assert not is_title_case("Minister resigns over bank rescue")
    assert not is_title_case("Minister Resigns Today")  # three words


def test_casing_prefers_the_mid_sentence_form() -> None:
    forms = casing("Bank shares fell.\nThe bank said so.\nOFFICIALS SHOUT HERE\n")
    assert forms["bank"] == "bank"
    assert "shout" not in forms  # shouted lines teach nothing


def test_casing_keeps_an_opening_form_when_that_is_all_there_is() -> None:
    assert casing("Bank shares fell.\n")["bank"] == "Bank"


def test_restore_line_lowers_words_the_body_writes_in_lowercase() -> None:
    assert restore_line("MINISTER RESIGNS OVER BANK RESCUE PLAN", casing(BODY)) == (
        "Minister resigns over bank rescue plan"
    )


def test_restore_line_keeps_us_capitals() -> None:
    assert restore_line("U.S. BANK RESCUE PLAN FAILS", casing(BODY)) == "U.S. bank rescue plan fails"


def test_restore_line_gives_a_gazetteer_place_its_capital() -> None:
    assert restore_line("STORM HITS NEW YORK", casing(BODY)) == "Storm hits New York"
    assert restore_line("BANK PLAN HITS FRANCE", casing(BODY)) == "Bank plan hits France"


def test_restore_line_keeps_names_on_a_results_row() -> None:
    assert restore_line("ROVERS 2 WANDERERS 1", {}) == "Rovers 2 Wanderers 1"
    assert restore_line("ROVERS HAVE WANDERERS", {}) == "Rovers have wanderers"  # no numbers: not a row


def test_restore_line_keeps_a_consonant_acronym() -> None:
    assert restore_line("TITLE BOUT FOR BBC", casing("the title bout.\n")) == "Title bout for BBC"
    assert restore_line("TITLE BOUT FOR BOXING", casing("the title bout.\n")) == "Title bout for boxing"


def test_restore_keeps_the_length_with_a_dotted_capital_i() -> None:
    text = "TITLE BOUT İZMIR İS ON\n" + BODY
    restored = restore(text, casing(text))
    assert len(restored) == len(text)
    assert restored.lower() == text.lower()
    assert restored.endswith(BODY)


def test_restore_leaves_mixed_case_lines_alone() -> None:
    text = "Minister Resigns\n" + BODY
    assert restore(text, casing(text)) == text


def test_restore_title_case_lowers_a_word_the_body_writes_lowercase() -> None:
    forms = casing("The minister said.\nShe spoke of the bank and its rescue plan.\n")
    restored = restore_title_case("Minister Resigns Over Bank Rescue Plan", forms)
    assert restored == "Minister Resigns Over bank rescue plan"


def test_restore_title_case_keeps_the_first_word_and_names() -> None:
    forms = casing("the minister met Smith.\nthe smith forge.\n")
    # "Minister" opens the line; "Smith" is written capitalised mid-sentence at least as often
    assert restore_title_case("Minister Meets Smith Again Today", forms).startswith("Minister Meets Smith")


_CASES = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
_SHOUTY = st.lists(
    st.sampled_from(["U.S.", "İZMIR", "NEW YORK", "2-1", "ß", "WBO", "Straße", "\n", " ", "ﬁ", "ǅ", "Σ"]),
    max_size=12,
).map(" ".join)


def _only_case_differs(restored: str, original: str) -> bool:
    return len(restored) == len(original) and all(
        a == b or a.lower() == b.lower() or a.upper() == b.upper()
        for a, b in zip(restored, original, strict=True)
    )


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(_CASES, _SHOUTY), body=_CASES)
def test_restore_changes_only_case_and_never_length(text: str, body: str) -> None:
    forms = casing(body + "\n" + text)
    assert _only_case_differs(restore(text, forms), text)
    for line in text.split("\n"):
        assert _only_case_differs(restore_line(line, forms), line)
