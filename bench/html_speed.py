"""HTML extraction alone, pages per second on one core: newsetl's parse stage and trafilatura alone.

`python -m bench.html_speed FOLDER --out speed.json`. Both read the same pages, decoded once by
newsetl's ingest stage before the clock starts, and run one after the other in this one process.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import html_peer
from bench.evaluate import parse_speed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.html_speed", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--min-seconds", type=float, default=5.0, help="each contender runs at least this")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.folder.rglob("*") if p.is_file())
    pages = html_peer.decoded_pages(files)
    figures = {
        "pages": len(pages),
        "newsetl_pages_per_s": round(parse_speed(files, args.min_seconds), 1),
        "trafilatura_pages_per_s": round(
            html_peer.trafilatura_speed(list(pages.values()), args.min_seconds), 1
        ),
    }
    args.out.write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
