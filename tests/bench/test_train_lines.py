from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path

from bench import train_lines
from bench.folds import fold_of

_PARAGRAPHS = [
    "The council voted on Tuesday to approve the new harbour plan after a long debate about its cost to "
    "the town and the families who fish from the old pier every morning.",
    "Work on the first stage is expected to begin next spring, the council said, and to last about two "
    "years while the ferry keeps running from the temporary landing on the east side.",
    "Residents who spoke at the meeting asked for the fish market to stay open during the works, and the "
    "mayor promised a written answer before the end of the month.",
]
_HTML = (
    "<html><head><title>Harbour plan</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a>"
    "</nav><article><h1>Council approves the harbour plan</h1>"
    + "".join(f"<p>{p}</p>" for p in _PARAGRAPHS)
    + "</article><footer><a href='/a'>About us</a> <a href='/c'>Contact</a></footer></body></html>"
)


def _corpus(tmp_path: Path) -> Path:
    dates = tmp_path / "web" / "dates"
    (dates / "html").mkdir(parents=True)
    (dates / "text").mkdir()
    (dates / "html" / "a1.html.gz").write_bytes(gzip.compress(_HTML.encode()))
    text = "\n".join(
        ["Home", "News", "Council approves the harbour plan", *_PARAGRAPHS, "About us", "Contact"]
    )
    (dates / "text" / "a1.txt").write_text(text, encoding="utf-8")
    row = {"url": "https://harbour.example/a", "file": "a1.html", "site": "harbour.example", "date": None}
    (dates / "gold.jsonl").write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    return tmp_path


def test_a_silver_page_labels_the_lines_of_the_html_twin_s_main_text(tmp_path: Path) -> None:
    (page,) = train_lines.load_silver(_corpus(tmp_path))  # the file listed twice is read once
    labelled = {page.lines[s.index]: int(y) for s, y in zip(page.shapes, page.labels, strict=True)}
    assert all(labelled[p] == 1 for p in _PARAGRAPHS)
    assert labelled["Home"] == labelled["About us"] == labelled["Contact"] == 0
    assert page.site == "harbour.example"


def test_silver_pages_of_a_held_out_site_stay_out_of_the_fit_under_either_key(tmp_path: Path) -> None:
    (silver,) = train_lines.load_silver(_corpus(tmp_path))
    publisher = dataclasses.replace(silver, site="Harbour")  # gold pages may name the publisher, not the host
    assert fold_of("harbour.example") != fold_of("Harbour")
    assert train_lines.silver_outside([silver], fold_of("harbour.example"), []) == []  # its own fold
    assert train_lines.silver_outside([silver], fold_of("Harbour"), [publisher]) == []  # its publisher's
    assert train_lines.silver_outside([silver], fold_of("Harbour"), []) == [silver]
