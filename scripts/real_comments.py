"""Drawing the sample of real reader comments we labelled, and joining the labels written for it (see
data/real/README.md): ``python -m scripts.real_comments candidates OUT`` draws the seeded sample,
``assemble`` joins the labels, ``agreement`` compares ours with each source's own. The labelled
comments are loaded by :func:`scripts.shared_data.real`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

from scripts.shared_data import REAL, RealComment, all_comments, read_jsonl

# words that often join two evaluations: half of each sample is drawn from comments holding one,
# so that real mixed comments are common enough to score
CONTRAST = re.compile(r"\b(but|however|although|though|yet|on the other hand|whereas|while|except)\b", re.IGNORECASE)
MAX_CHARS = 1500  # longer comments are left out of the sample (labelling cost), see data/real/README.md


def _draw(pool: list[RealComment], count: int, rng: random.Random) -> list[RealComment]:
    """Half from comments with a contrast word, half from the rest (all, where the pool is small)."""
    pool = [c for c in pool if len(c.text) <= MAX_CHARS and len(c.text.split()) >= 3]
    if len(pool) <= count:
        return pool
    contrast = [c for c in pool if CONTRAST.search(c.text)]
    plain = [c for c in pool if not CONTRAST.search(c.text)]
    half = min(count // 2, len(contrast))
    return rng.sample(contrast, half) + rng.sample(plain, min(count - half, len(plain)))


# (source, split) → comments drawn; pages and exports: up to this many per page
PLAN = {("arc", "train"): 150, ("iac", "train"): 100, ("fanchuan", "train"): 150,
        ("arc", "test"): 120, ("iac", "test"): 70, ("fanchuan", "test"): 110}
PER_PAGE = 20


def candidates(out: Path, batches: int) -> None:
    rng = random.Random(17)
    comments = list(all_comments().values())
    chosen: list[RealComment] = []
    for (source, split), count in PLAN.items():
        chosen += _draw([c for c in comments if c.id.startswith(source + "/") and c.split == split], count, rng)
    by_page: dict[str, list[RealComment]] = {}
    for c in comments:
        if c.id.startswith(("pages/", "exports/")):
            by_page.setdefault(c.id.rsplit("/", 1)[0], []).append(c)
    for page in sorted(by_page):
        chosen += _draw(by_page[page], PER_PAGE, rng)
    rng.shuffle(chosen)
    _write_batches(chosen, out, batches, "batch")


# (source, split) → comments read in the hunt for mixed ones (all, where fewer)
HUNT = {("arc", "train"): 500, ("iac", "train"): 400, ("fanchuan", "train"): 300,
        ("arc", "test"): 400, ("iac", "test"): 400, ("fanchuan", "test"): 400, ("pages", "test"): 400, ("exports", "test"): 400}


def hunt(out: Path, batches: int) -> None:
    """Comments with a contrast word, not yet labelled, for annotators who look for real mixed ones:
    the random sample holds too few (about 1 in 100) to score F1(mixed)."""
    rng = random.Random(18)
    labelled = {row["id"] for row in read_jsonl(REAL / "labels.jsonl")} if (REAL / "labels.jsonl").exists() else set()
    comments = [c for c in all_comments().values() if c.id not in labelled and len(c.text) <= MAX_CHARS and CONTRAST.search(c.text)]
    chosen: list[RealComment] = []
    for (source, split), count in HUNT.items():
        pool = [c for c in comments if c.id.startswith(source + "/") and c.split == split]
        chosen += rng.sample(pool, min(count, len(pool)))
    rng.shuffle(chosen)
    _write_batches(chosen, out, batches, "hunt")


def _write_batches(chosen: list[RealComment], out: Path, batches: int, stem: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for number in range(batches):
        with open(out / f"{stem}_{number}.jsonl", "w", encoding="utf-8") as handle:
            for c in chosen[number::batches]:
                item = {"id": c.id, "target": c.target, "parent": c.parent, "text": c.text}
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(len(chosen), "comments", dict(Counter((c.id.split("/")[0], c.split) for c in chosen)))


def assemble(folder: Path) -> None:
    """Join the labels: batch_K from the random sample (every comment labelled), hunt_K from the
    hunt (only the comments found mixed); ``found`` says which, as the two differ in make-up."""
    comments = all_comments()
    rows = []
    for path in sorted(folder.glob("batch_*.labels.jsonl")) + sorted(folder.glob("hunt_*.labels.jsonl")):
        found = "sample" if path.name.startswith("batch_") else "hunt"
        for row in read_jsonl(path):
            if row.get("stance") not in ("support", "oppose", "mixed", "neutral", "skip"):
                raise ValueError(f"{path}: {row.get('id')}: bad stance {row.get('stance')!r}")
            if row["stance"] == "skip":
                continue
            comment = comments[row["id"]]
            rows.append({
                "id": comment.id, "split": comment.split, "sha1": comment.fingerprint(),
                "stance": row["stance"], "sentiment": row["sentiment"], "original": comment.original, "found": found,
            })
    rows.sort(key=lambda row: (row["split"], row["id"]))
    REAL.mkdir(parents=True, exist_ok=True)
    with open(REAL / "labels.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    print(len(rows), "labelled", dict(Counter((r["split"], r["stance"]) for r in rows)))


def agreement() -> None:
    """Cohen's kappa between our stance labels and each source's own, on the comments both label
    three-way (ours support/oppose/neutral: our mixed has no counterpart in the sources)."""
    from sklearn.metrics import cohen_kappa_score

    rows = [row for row in read_jsonl(REAL / "labels.jsonl") if row["original"] and row["stance"] != "mixed"]
    print(f"{'source':10}{'comments':>10}{'agree':>8}{'kappa':>8}")
    for source in ("arc", "iac", "fanchuan", "all"):
        part = [row for row in rows if source == "all" or row["id"].startswith(source + "/")]
        ours, theirs = [row["stance"] for row in part], [row["original"] for row in part]
        agree = sum(a == b for a, b in zip(ours, theirs)) / len(part)
        print(f"{source:10}{len(part):>10}{100 * agree:>7.1f}%{cohen_kappa_score(ours, theirs):>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    draw = commands.add_parser("candidates", help="draw the sample to label into OUT/batch_K.jsonl")
    draw.add_argument("out", type=Path)
    draw.add_argument("--batches", type=int, default=8)
    search = commands.add_parser("hunt", help="comments with a contrast word to search for mixed ones, into OUT/hunt_K.jsonl")
    search.add_argument("out", type=Path)
    search.add_argument("--batches", type=int, default=6)
    join = commands.add_parser("assemble", help="write data/real/labels.jsonl from OUT/batch_K.labels.jsonl")
    join.add_argument("folder", type=Path)
    commands.add_parser("agreement", help="Cohen's kappa of our labels with each source's own")
    args = parser.parse_args()
    if args.command == "candidates":
        candidates(args.out, args.batches)
    elif args.command == "hunt":
        hunt(args.out, args.batches)
    elif args.command == "agreement":
        agreement()
    else:
        assemble(args.folder)


if __name__ == "__main__":
    main()
