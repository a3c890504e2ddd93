"""Where web/dates/text's silver headlines come from, and whether each is the headline the page prints.

bench.web_text labels a page's headline with the first declaration of its HTML (the JSON-LD article's
headline, og:title, twitter:title, the headline's <h1>) that a line of its text prints. A page may declare
two forms (a social card's og:title, the printed <h1>), and the text may print both (the <h1> as the
headline, the og:title in share text or a related box). This audit says, for every web/dates/text page,
which source the label came from and where the printed <h1> says something else; and, on the 22 pages/
pages with a person's title (fundus; their title is the headline as printed), which source equals it and
which labelling (declaration order, or the <h1> first) would have given it:

    python -m bench.title_labels [--corpora ../shared/corpora] [--list]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from bench import scoring, web_text
from bench.folds import site_of

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"


class Audit(NamedTuple):
    """One page's declarations: (source, text) as declared, and (source, line) as its text prints them."""

    doc: str
    declared: list[tuple[str, str]]
    printed: list[tuple[str, str]]

    def label(self, h1_first: bool = False) -> tuple[str, str] | None:
        """(source, line) of the silver label: the first printed declaration, or the first printed <h1>
        when `h1_first` and the page prints one."""
        h1s = [p for p in self.printed if p[0] == "h1"] if h1_first else []
        return (h1s or self.printed or [None])[0]

    @property
    def disagree(self) -> bool:
        """Whether the page prints a headline <h1> that is not the label the declaration order takes."""
        first, h1 = self.label(), self.label(h1_first=True)
        return first is not None and h1 is not None and scoring.normal(first[1]) != scoring.normal(h1[1])


def audit(html_file: Path, text_file: Path, site: str) -> Audit:
    meta, lines = web_text._meta(html_file), web_text._lines(text_file)
    found = web_text.printed_declarations(meta, lines, site)
    return Audit(text_file.stem, web_text.declarations(meta, site), found)


def web_pages(root: Path) -> list[Audit]:
    """Every rendered web/dates/text page (a file annotated under two URLs once)."""
    return [audit(html, text, site_of(g["url"])) for g, html, text in web_text.rendered(root)]


def gold_pages(root: Path) -> list[tuple[Audit, str, bool]]:
    """(audit, the person's title, whether a line of the text prints it) of each pages/ page with a title."""
    rows = [
        json.loads(line) for line in (root / "pages" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    out = []
    for g in (r for r in rows if r.get("title")):
        text_file = root / "pages" / "text" / f"{g['doc']}.txt"
        a = audit(root / "pages" / "html" / f"{g['doc']}.html.gz", text_file, site_of(g.get("url") or ""))
        printed = any(
            scoring.normal(line) == scoring.normal(g["title"]) for line in web_text._lines(text_file)
        )
        out.append((a, g["title"], printed))
    return out


def report(web: Sequence[Audit], gold: Sequence[tuple[Audit, str, bool]], listing: bool = False) -> str:
    """The audit's counts as text (and, with `listing`, the pages where the labellings differ)."""
    same = scoring.normal
    out = [f"web/dates/text: {len(web)} pages, {sum(bool(a.printed) for a in web)} with a silver title"]
    for h1_first in (False, True):
        sources = Counter(label[0] for a in web if (label := a.label(h1_first)) is not None)
        out.append(f"  label's source ({'<h1> first' if h1_first else 'declaration order'}): {dict(sources)}")
    declared = Counter(s for a in web for s in {s for s, _ in a.declared})
    printed = Counter(s for a in web for s in {s for s, _ in a.printed})
    out.append(f"  pages declaring each source: {dict(declared)}; printing it as a line: {dict(printed)}")
    differ = [a for a in web if a.disagree]
    out.append(f"  a printed headline <h1> other than the declaration order's label: {len(differ)} pages")
    if listing:
        for a in differ:
            first, h1 = a.label(), a.label(h1_first=True)
            out.append(f"    {a.doc}: {first[0]} {first[1]!r} | h1 {h1[1]!r}")  # type: ignore[index]
    out.append(
        f"pages/ gold titles: {len(gold)}, printed as a line of the text: {sum(p for _, _, p in gold)}"
    )
    for source in ("headline", "og:title", "twitter:title", "h1"):
        texts = [(t, title) for a, title, _ in gold for s, t in a.declared if s == source]
        equal = sum(same(t) == same(title) for t, title in texts)
        out.append(f"  {source}: declared {len(texts)}, equal to the gold title {equal}")
    for h1_first in (False, True):
        labels = [(a.label(h1_first), title) for a, title, _ in gold]
        right = sum(label is not None and same(label[1]) == same(title) for label, title in labels)
        labelled = sum(label is not None for label, _ in labels)
        name = "<h1> first" if h1_first else "declaration order"
        out.append(f"  labelling by {name}: {labelled} labelled, {right} equal to the gold title")
    for a, title, _ in gold:
        if a.disagree or listing:
            first, h1 = a.label(), a.label(h1_first=True)
            out.append(f"    {a.doc[:40]}: gold {title!r}; order {first}; h1 {h1}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--list", action="store_true", help="list the pages where the labellings differ")
    args = parser.parse_args(argv)
    print(report(web_pages(args.corpora), gold_pages(args.corpora), args.list))


if __name__ == "__main__":
    main()
