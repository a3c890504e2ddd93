"""Synthetic copies for the near-duplicate evaluation: BBC articles copied as syndication and crawling
change them, each kind into its own folder (so each copy comes from another source than its original).

- `chrome`: the article between another site's chrome (the first and last lines of a page of
  pages/text, read at run time: real navigation and footers, never written into the code);
- `cut`: the end cut off (the title and the first ~60% of the body's paragraphs);
- `number`: the first number in the body changed (n -> n + 1), with other chrome (the seed case);
- `sentence`: one sentence of the middle paragraph removed.

Originals are chosen by a stable hash of their path (bench.folds.fold_of), so every run writes the same.
`python -m bench.story_copies OUT [--per-folder N]` writes them; `copies(...)` is what bench.story_eval calls.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from bench.folds import fold_of

KINDS = ("chrome", "cut", "number", "sentence")
CHROME_LINES = 6  # lines of another page's head and foot put around a copy
_NUMBER = re.compile(r"\b\d+\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


@dataclass(frozen=True)
class Copy:
    """One written copy: its path, its original's path and the kind of change."""

    path: Path
    original: Path
    kind: str


def originals(bbc: Path, per_folder: int) -> list[Path]:
    """`per_folder` articles of each BBC folder, chosen by a stable hash of their name."""
    chosen: list[Path] = []
    for folder in sorted(p for p in bbc.iterdir() if p.is_dir()):
        files = sorted(folder.glob("*.txt"), key=lambda p: (fold_of(p.name, 1_000_003), p.name))
        chosen += files[:per_folder]
    return chosen


def chromes(pages_text: Path) -> list[tuple[str, str]]:
    """(head, foot) chrome of each rendered page: its first and last CHROME_LINES non-empty lines."""
    found = []
    for page in sorted(pages_text.glob("*.txt")):
        lines = [x for x in page.read_text(encoding="utf-8").splitlines() if x.strip()]
        if len(lines) > 4 * CHROME_LINES:
            found.append(("\n".join(lines[:CHROME_LINES]), "\n".join(lines[-CHROME_LINES:])))
    return found


def changed(text: str, kind: str, chrome: tuple[str, str]) -> str | None:
    """The copy of a BBC article (`title\\n\\nparagraphs`) of one kind; None when the kind does not apply."""
    title, _, body = text.partition("\n")
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    if kind == "cut":
        keep, size, total = [], 0, sum(map(len, paragraphs))
        for p in paragraphs:
            if size >= 0.6 * total:
                break
            keep.append(p)
            size += len(p)
        return _page(title, keep) if len(keep) < len(paragraphs) else None
    if kind == "number":
        if not _NUMBER.search(body):
            return None
        edited = _NUMBER.sub(lambda m: str(int(m.group()) + 1), body, count=1)
        return f"{chrome[0]}\n\n{title}\n\n{edited.strip()}\n\n{chrome[1]}\n"
    if kind == "sentence":
        middle = len(paragraphs) // 2
        sentences = _SENTENCE.split(paragraphs[middle]) if paragraphs else []
        if len(sentences) < 2:
            return None
        paragraphs = [*paragraphs[:middle], " ".join(sentences[1:]), *paragraphs[middle + 1 :]]
        return _page(title, paragraphs)
    return f"{chrome[0]}\n\n{title}\n\n{body.strip()}\n\n{chrome[1]}\n"


def _page(title: str, paragraphs: list[str]) -> str:
    return title + "\n\n" + "\n\n".join(p.strip() for p in paragraphs) + "\n"


def copies(bbc: Path, pages_text: Path, out: Path, per_folder: int) -> list[Copy]:
    """Write every kind of copy of the chosen originals under `out/<kind>/`; returns what was written."""
    chrome = chromes(pages_text)
    written = []
    for number, original in enumerate(originals(bbc, per_folder)):
        text = original.read_bytes().decode("utf-8", errors="replace")
        for kind in KINDS:
            copy = changed(text, kind, chrome[(number * len(KINDS) + KINDS.index(kind)) % len(chrome)])
            if copy is None:
                continue
            path = out / kind / f"{original.parent.name}-{original.name}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(copy, encoding="utf-8")
            written.append(Copy(path, original, kind))
    return written


def main(argv: list[str] | None = None) -> None:
    from bench.evaluate import CORPORA

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-folder", type=int, default=40)
    args = parser.parse_args(argv)
    written = copies(CORPORA / "bbc", CORPORA / "pages" / "text", args.out, args.per_folder)
    print(f"{len(written)} copies under {args.out}")


if __name__ == "__main__":
    main()
