"""`python -m bench.counted_run OUT.json FOLDER -- run SOURCE ...`: a newsetl command in this process, with
every file opened under FOLDER counted at the filesystem layer (Python's audit hook sees each `open`, from
any module), written to OUT.json with the process's CPU seconds. The ledger line of `make bench` proves
with it that a no-op re-run opens no source file."""

from __future__ import annotations

import json
import resource
import sys


def main() -> None:
    out, folder, args = sys.argv[1], sys.argv[2].rstrip("/") + "/", sys.argv[sys.argv.index("--") + 1 :]
    opened: list[str] = []

    def hook(event: str, details: tuple[object, ...]) -> None:
        if event == "open" and isinstance(details[0], str) and details[0].startswith(folder):
            opened.append(details[0])

    sys.addaudithook(hook)
    from flows.cli import app

    try:
        app(args, standalone_mode=False)
    finally:
        used = resource.getrusage(resource.RUSAGE_SELF)  # CPU seconds: a figure the machine's load spares
        counts = {
            "opens": len(opened),  # before OUT.json is opened
            "files_opened": len(set(opened)),
            "cpu_seconds": round(used.ru_utime + used.ru_stime, 2),
        }
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(counts, handle)


if __name__ == "__main__":
    main()
