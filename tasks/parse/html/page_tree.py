"""An HTML page's lxml tree: the tree trafilatura's load_html builds, its element classes found in C.

lxml.html's parser picks each element's Python class (HtmlElement; FormElement, InputElement ... for
form controls; HtmlComment ...) in a Python callback, called every time lxml hands an element to Python:
trafilatura's and htmldate's passes over one page call it thousands of times (on pages/html, 2,700
calls a page and 19 % of the parse stage's CPU time under cProfile). lxml's own lookups, by tag name and
then by node type, give every element the same class without leaving C. The text is read, repaired and
parsed as trafilatura's load_html does (same parser options, same fallbacks), so the tree is the same
one; copies of it (trafilatura works on copies) keep its parser and so its lookup.
"""

from __future__ import annotations

import lxml.html
from lxml import etree
from lxml.html import HtmlElement


def _class_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes by tag name (the HTML parser lower-cases names, as lxml.html's own
    lookup does), HtmlElement, HtmlComment, HtmlProcessingInstruction and HtmlEntity for the rest."""
    by_node_type = etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
    lookup = etree.ElementNamespaceClassLookup(by_node_type)
    by_name = lookup.get_namespace(None)
    for name, element_class in lxml.html.HtmlElementClassLookup._default_element_classes.items():
        by_name[name] = element_class
    return lookup


def _parser() -> lxml.html.HTMLParser:
    """trafilatura's HTML parser options (comments and processing instructions dropped, no ids
    collected, no default doctype), with the lookup above."""
    parser = lxml.html.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(_class_lookup())
    return parser


_PARSER = _parser()


def load(text: str) -> HtmlElement | None:
    """The page's tree, as trafilatura.load_html(text) gives it; None for text that is not HTML."""
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    beginning = text[:50].lower()
    repaired = repair_faulty_html(text, beginning)
    tree: HtmlElement | None
    as_bytes = False
    try:
        tree = lxml.html.fromstring(repaired, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        tree, as_bytes = _from_bytes(repaired), True
    except Exception:  # any lxml failure: load_html tries the bytes next, so do we
        tree = None
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _from_bytes(repaired)
    # text with no html tag or doctype that parses to fewer than two elements is not a page
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _from_bytes(text: str) -> HtmlElement | None:
    try:
        return lxml.html.fromstring(text.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception:  # as load_html: a text lxml cannot parse is no page
        return None
