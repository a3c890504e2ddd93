"""The synthetic copies of bench.story_copies and the pair counting of bench.story_eval, on tiny inputs."""

from __future__ import annotations

from bench import story_copies, story_eval

TEXT = "A title\n\nFirst paragraph, 12 people. Second sentence.\n\nMiddle one. Middle two.\n\nLast one.\n"
CHROME = ("Home\nNews", "Terms\nPrivacy")


def test_each_kind_of_copy_changes_what_it_says() -> None:
    number = story_copies.changed(TEXT, "number", CHROME)
    assert number is not None and "13 people" in number and number.startswith("Home") and "Privacy" in number
    cut = story_copies.changed(TEXT, "cut", CHROME)
    assert cut is not None and "Last one." not in cut and "First paragraph" in cut
    sentence = story_copies.changed(TEXT, "sentence", CHROME)
    assert sentence is not None and "Middle one." not in sentence and "Middle two." in sentence
    assert story_copies.changed("Title\n\nNo digits at all.", "number", CHROME) is None


def test_precision_and_recall_pool_the_chosen_folds() -> None:
    counts: story_eval.Counts = {}
    story_eval._add(counts, 0, gold=True, said=True)
    story_eval._add(counts, 0, gold=False, said=True)
    story_eval._add(counts, 1, gold=True, said=False)
    assert story_eval._pr(counts) == {"precision": 0.5, "recall": 0.5, "tp": 1, "fp": 1, "fn": 1}
    assert story_eval._pr(counts, {0}) == {"precision": 0.5, "recall": 1.0, "tp": 1, "fp": 1, "fn": 0}


def test_the_labels_name_corpus_files_and_known_labels_only() -> None:
    labels = story_eval.load_labels()
    assert len(labels) >= 100
    assert {x["label"] for x in labels} == {story_eval.DUPLICATE, story_eval.SAME_STORY, story_eval.DIFFERENT}
    corpora = ("bbc/", "pages/")
    assert all(x["a"].startswith(corpora) and x["b"].startswith(corpora) for x in labels)
