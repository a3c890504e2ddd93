"""`make eval`'s table: every corpus shows a held-out column, saying so where nothing is fitted."""

from __future__ import annotations

from bench import evaluate


def test_a_corpus_that_fits_nothing_says_so_in_its_held_out_column() -> None:
    dev = {"pages": 3, "written": 3, "title": 1.0, "title_n": 3, "body_f1": 0.9}
    fitted = {"dev": dev, "held_out": {**dev, "title": 0.5}}
    table = evaluate.render({"fitted": fitted, "plain": {"dev": dev, "held_out": evaluate.NOTHING_FITTED}})
    rows = [line for line in table.splitlines() if line.startswith("title exact")]
    assert "0.500" in rows[0] and "-0.500" in rows[0]
    assert "= dev, no fit" in rows[1]
    assert "None" not in table
    old = evaluate.render({"plain": {"dev": dev, "held_out": None}})  # a figures file from before
    assert "= dev, no fit" in old
