"""Benchmark corpora: the 1x subset and the Nx copy, made on the fly under a temporary folder."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path


def corpus_files(root: Path, limit_per_folder: int | None = None, pattern: str = "*.txt") -> list[Path]:
    """The corpus's files matching `pattern` in a stable order; at most `limit_per_folder` per folder
    (a quick run)."""
    by_folder: dict[Path, list[Path]] = {}
    for path in sorted(root.rglob(pattern)):
        by_folder.setdefault(path.parent, []).append(path)
    return [p for files in by_folder.values() for p in files[:limit_per_folder]]


def copy_corpus(files: list[Path], root: Path, dest: Path, copies: int = 1) -> list[Path]:
    """`copies` copies of `files` under dest/copy<k>/, relative paths kept. Copy 0 is byte-identical;
    copy k > 0 ends with k extra spaces, so its sha256 (doc_id) differs while the parsed article,
    and so the NLP work, stays the same. A gzipped file gets its spaces inside, and is gzipped again:
    its doc_id is that of its expanded bytes."""
    written = []
    for k in range(copies):
        for path in files:
            target = dest / f"copy{k}" / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            if k == 0:
                shutil.copyfile(path, target)
            elif path.suffix == ".gz":
                target.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()) + b" " * k, mtime=0))
            else:
                target.write_bytes(path.read_bytes() + b" " * k)
            written.append(target)
    return written


def word_count(files: list[Path]) -> int:
    """Whitespace-separated words in the files (the words/s denominator, the same for every contender)."""
    return sum(len(p.read_bytes().decode("utf-8", errors="replace").split()) for p in files)
