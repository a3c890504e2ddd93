"""The page's tree: the one trafilatura's load_html builds, its element classes found without Python."""

from __future__ import annotations

from copy import deepcopy

import lxml.html
import pytest
from lxml import etree
from trafilatura import load_html

from tasks.parse.html import page_tree

FORM_PAGE = (
    "<!DOCTYPE html><html><head><title>Tram vote</title><!-- a comment --><?php echo 1 ?></head><body>"
    "<FORM action='/s'><Label for='q'>Search</Label><input name='q'><select><option>A</option></select>"
    "<textarea>x</textarea></FORM><article><h1>Tram vote</h1><p>The council voted.</p></article>"
    "<svg><foreignObject/></svg><fb:like></fb:like></body></html>"
)


@pytest.mark.parametrize(
    "text",
    [
        FORM_PAGE,
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared encoding</p></body></html>',
        "<html/>\n<body><p>self-closed html</p></body>",
        "<p>a fragment alone</p>",
        "just some words, no markup at all",
        "",
    ],
)
def test_the_tree_and_its_element_classes_are_trafilaturas(text: str) -> None:
    ours, theirs = page_tree.load(text), load_html(text)
    assert (ours is None) == (theirs is None)
    if ours is not None and theirs is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)
        assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()]


def test_form_controls_keep_their_lxml_html_classes() -> None:
    tree = page_tree.load(FORM_PAGE)
    assert tree is not None
    kinds = {e.tag: type(e) for e in tree.iter()}
    assert kinds["form"] is lxml.html.FormElement and kinds["input"] is lxml.html.InputElement
    assert kinds["label"] is lxml.html.LabelElement and kinds["textarea"] is lxml.html.TextareaElement
    assert kinds["select"] is lxml.html.SelectElement and kinds["p"] is lxml.html.HtmlElement


def test_no_python_class_lookup_for_the_tree_or_its_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    python_lookup = lxml.html.HtmlElementClassLookup.lookup

    def counted(self: object, *args: object) -> object:
        calls.append(args)
        return python_lookup(self, *args)

    monkeypatch.setattr(lxml.html.HtmlElementClassLookup, "lookup", counted)
    tree = page_tree.load(FORM_PAGE)
    assert tree is not None
    walked = [*tree.iter(), *deepcopy(tree).iter(), *tree.xpath("//p")]
    assert len(walked) > 20 and calls == []
    load_html(FORM_PAGE).xpath("//p")  # lxml.html's own parser: the callback the tree goes without
    assert calls
