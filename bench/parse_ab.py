"""The parse stage of two source trees side by side: the same pages, CPU pages/s, and every output compared.

`python -m bench.parse_ab --base /tmp/base-tree [--set text|html] [--rounds 3]`. `--base` is another copy of
the repository (say `git archive <commit> | tar -x -C /tmp/base-tree`); the other side is this tree. Each
round runs one child process per tree, alternating which goes first, so load drifting over the sitting
falls on both. A child imports `tasks` from its tree only, decodes the pages once, parses them once (that
output is compared field by field across the trees), then times the parse stage alone as `make eval` does
(bench.evaluate.parse_speed: CPU seconds, per-line memos emptied before every pass).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
HERE = Path(__file__).resolve().parents[1]
BBC_PER_FOLDER = 100  # the first 100 files of each of the five BBC folders: 500 clean articles


def page_sets(root: Path) -> dict[str, dict[str, list[Path]]]:
    """name -> {part: files}: text pages (the pages/text `make eval` times, web/dates/text, BBC) and
    HTML pages (pages/html `make bench` times, web/extraction, web/dates)."""
    bbc = [
        p
        for d in sorted((root / "bbc").iterdir())
        if d.is_dir()
        for p in sorted(d.glob("*.txt"))[:BBC_PER_FOLDER]
    ]
    return {
        "text": {
            "pages/text": sorted((root / "pages" / "text").glob("*.txt")),
            "web/dates/text": sorted((root / "web" / "dates" / "text").glob("*.txt")),
            "bbc": bbc,
        },
        "html": {
            "pages/html": sorted((root / "pages" / "html").glob("*.htm*")),
            "web/extraction": sorted((root / "web" / "extraction" / "html").glob("*")),
            "web/dates": sorted((root / "web" / "dates" / "html").glob("*")),
        },
    }


def child(files: list[Path], out: Path, min_seconds: float) -> None:
    """In the tree under test: each page's parse output, then CPU pages/s of the parse stage over them."""
    from bench.evaluate import _forget_lines
    from tasks import ingest, parse, sources

    documents = ingest.ingest_batch(sources.read_sources([str(f) for f in files])).documents
    articles, rejected = parse.parse_batch(documents)
    outputs: dict[str, Any] = {a.source_uri: dataclasses.asdict(a) for a in articles}
    outputs |= {r.source_uri: ("rejected", r.reason_code, r.detail) for r in rejected}
    done, elapsed = 0, 0.0
    while elapsed < min_seconds or not done:
        _forget_lines()
        start = time.process_time()
        parse.parse_batch(documents)
        elapsed += time.process_time() - start
        done += len(documents)
    tree = Path(parse.__file__).parents[2]
    out.write_bytes(pickle.dumps({"outputs": outputs, "pages_per_s": done / elapsed, "tree": tree}))


def run_child(tree: Path, files: list[Path], min_seconds: float, work: Path) -> dict[str, Any]:
    """One child run in `tree` (its `tasks` and `bench` first on the path)."""
    listing, out = work / "files.txt", work / f"{tree.name}.pkl"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    argv = ["parse_ab", "--child", str(listing), "--out", str(out), "--min-seconds", str(min_seconds)]
    # the base tree may predate this module: the child is this file, run with the other tree's `tasks`
    script = f"import sys; sys.argv = {argv!r}; "
    script += f"exec(open({__file__!r}).read(), {{'__name__': '__main__', '__file__': {__file__!r}}})"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", script], env=env, cwd=tree, check=True)
    return pickle.loads(out.read_bytes())


def differences(base: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """field -> pages whose output differs in it (`rejected` for a changed quarantine reason or verdict)."""
    found: dict[str, list[str]] = {}
    for uri in sorted(base.keys() | new.keys()):
        a, b = base.get(uri), new.get(uri)
        if isinstance(a, dict) and isinstance(b, dict):
            for field in sorted(a.keys() | b.keys()):
                if a.get(field) != b.get(field):
                    found.setdefault(field, []).append(uri)
        elif a != b:
            found.setdefault("rejected", []).append(uri)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.parse_ab", description=__doc__)
    parser.add_argument("--base", type=Path)
    parser.add_argument("--set", choices=("text", "html"), default="text")
    parser.add_argument("--part", action="append", help="only these parts of the set (default: all)")
    parser.add_argument(
        "--corpora", type=Path, default=CORPORA, help="shared/corpora (default: beside the repo)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=5.0)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        files = [Path(p) for p in args.child.read_text(encoding="utf-8").splitlines()]
        return child(files, args.out, args.min_seconds)
    parts = page_sets(args.corpora)[args.set]
    for name in args.part or list(parts):
        files = parts[name]
        speeds: dict[str, list[float]] = {"base": [], "new": []}
        with tempfile.TemporaryDirectory() as tmp:
            for k in range(args.rounds):
                order = [("base", args.base), ("new", HERE)]
                for side, tree in order if k % 2 == 0 else order[::-1]:
                    result = run_child(tree.resolve(), files, args.min_seconds, Path(tmp))
                    assert result["tree"] == tree.resolve(), f"{side} ran {result['tree']}, not {tree}"
                    speeds[side].append(result["pages_per_s"])
                    outputs = result["outputs"]
                    if k == 0:
                        (Path(tmp) / f"{side}.out").write_bytes(pickle.dumps(outputs))
            base = pickle.loads((Path(tmp) / "base.out").read_bytes())
            new = pickle.loads((Path(tmp) / "new.out").read_bytes())
        diff = differences(base, new)
        changed = {uri for uris in diff.values() for uri in uris}
        ratios = [n / b for b, n in zip(speeds["base"], speeds["new"], strict=True)]
        print(f"{name}: {len(files)} pages; identical {len(files) - len(changed)} of {len(files)}")
        print(f"  base pages/s (CPU) {[round(s, 1) for s in speeds['base']]}")
        print(f"  new  pages/s (CPU) {[round(s, 1) for s in speeds['new']]}")
        print(f"  new/base per round {[round(r, 3) for r in ratios]}")
        for field, uris in diff.items():
            print(f"  differs in {field}: {len(uris)} pages, e.g. {uris[:3]}")
    return None


if __name__ == "__main__":
    main()
