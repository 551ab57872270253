"""Build data/{train,dev,test}.jsonl from the hand-written corpus parts in data/corpus/.

Splits are by article, so test articles are unseen in training: each article goes to a split by a
stable hash of its id (about 70 / 15 / 15 %). Each record's target is the article title and lead.

    python -m scripts.build_corpus
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from pathlib import Path

from stance.core.thread import join_target

DATA = Path(__file__).resolve().parent.parent / "data"
FIELDS = ("article_id", "topic", "title", "lead", "text", "stance", "sentiment")


def split_of(article_id: str) -> str:
    bucket = zlib.crc32(article_id.encode()) % 20
    return "test" if bucket < 3 else "dev" if bucket < 6 else "train"


def main() -> None:
    splits: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    for part in sorted((DATA / "corpus").glob("*.jsonl")):
        for lineno, line in enumerate(part.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = [field for field in FIELDS if not row.get(field)]
            if missing:
                raise SystemExit(f"{part}:{lineno}: missing {missing}")
            record = {field: row[field] for field in FIELDS}
            record["target"] = join_target(row["title"], row["lead"])
            splits[split_of(row["article_id"])].append(record)
    for split, rows in splits.items():
        with open(DATA / f"{split}.jsonl", "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        articles = len({row["article_id"] for row in rows})
        print(f"{split}: {len(rows)} comments, {articles} articles, {dict(Counter(r['stance'] for r in rows))}")


if __name__ == "__main__":
    main()
