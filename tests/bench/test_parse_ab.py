"""bench.parse_ab: which fields of which pages differ between two trees' parse outputs."""

from __future__ import annotations

from bench.parse_ab import differences


def test_differences_names_each_changed_field_and_verdict() -> None:
    base = {
        "a": {"title": "T", "authors": ("X",), "body": "b"},
        "b": {"title": "U", "authors": (), "body": "c"},
        "c": ("rejected", "no_article", "stub"),
        "d": {"title": "V", "authors": (), "body": "d"},
    }
    new = {
        "a": {"title": "T", "authors": ("X",), "body": "b"},
        "b": {"title": "U!", "authors": ("Y",), "body": "c"},
        "c": ("rejected", "no_title", "stub"),
        "d": ("rejected", "no_article", "stub"),
    }
    assert differences(base, new) == {"authors": ["b"], "title": ["b"], "rejected": ["c", "d"]}


def test_identical_outputs_have_no_differences() -> None:
    outputs = {"a": {"title": "T", "published_at": None}, "b": ("rejected", "no_body", "x")}
    assert differences(outputs, dict(outputs)) == {}
