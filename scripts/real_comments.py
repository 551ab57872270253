"""Real reader comments from ../shared, each under a stable id, with its target and the comment it replies to.

data/real/ stores only ids and our labels (the text belongs to its authors and stays in ../shared);
this module finds the text again by id. ``python scripts/real_comments.py candidates OUT`` draws the
seeded sample we labelled (see data/real/README.md); ``assemble`` joins the labels written for it.

The split follows the sources: comments from ARC's train part (body_id split), IAC train topics and
FanChuan train are ``train``; comments from saved pages and exports, ARC's validation part, the IAC
validation topic and FanChuan val are ``test``, so no training source of the default model ever
holds a test comment (ARC's claims recur on both sides, as in ARC val; IAC's test topic is unseen).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from shared_data import FANCHUAN_STANCE, IAC_STANCE, arc_in_val, read_jsonl

from stance.core.labelled import LabelledComment

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REAL = REPO / "data" / "real"
ENGLISH_PAGES = (
    "foxyfolksy.com.buttercream.html",
    "californiaglobe.com.amazon.html",
    "thenervousbreakdown.com.loneliest.html",
    "toptal.com.python.html",
    "luxuryhaven.co.hyatt.html",
    "reddit.com.init.html",
    "statisticsglobe.com.ggplot2.html",
    "8e3efab59f48fd29a1e1e7aa135880c4251a9f090f94999668cdbaec59d30b5a.html.gz",
)
EXPORTS = ("reddit_thread.json", "disqus_export_sample.xml")
# words that often join two evaluations: half of each sample is drawn from comments holding one,
# so that real mixed comments are common enough to score
CONTRAST = re.compile(r"\b(but|however|although|though|yet|on the other hand|whereas|while|except)\b", re.IGNORECASE)
MAX_CHARS = 1500  # longer comments are left out of the sample (labelling cost), see data/real/README.md


@dataclass(frozen=True)
class RealComment:
    id: str
    text: str
    target: str
    parent: str | None  # the text of the comment this one replies to
    original: str | None  # the source's own label, mapped to support/oppose/neutral
    split: str  # train or test (see the module docstring)

    def fingerprint(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:12]


def arc_comments() -> list[RealComment]:
    """ARC train pairs with a stance; the same body_id split as shared_data.arc (1 in 10 → test)."""
    seen, out = set(), []
    for row in read_jsonl(SHARED / "benchmarks" / "arc" / "train.jsonl"):
        key = f"arc/{row['body_id']}/{zlib.crc32(row['target'].encode()):08x}"
        if row["label"] == "unrelated" or key in seen:
            continue
        seen.add(key)
        split = "test" if arc_in_val(row["body_id"]) else "train"
        out.append(RealComment(key, row["text"], row["target"], None, row["label"], split))
    return out


def iac_comments() -> list[RealComment]:
    """IAC 4forums posts of the train and val topics (val → test here), with the post replied to."""
    out = []
    for split, ours in (("train", "train"), ("val", "test")):
        rows = read_jsonl(SHARED / "benchmarks" / "iac_4forums_stance" / f"{split}.jsonl")
        texts = {(row["discussion_id"], row["post_id"]): row["text"] for row in rows}
        for row in rows:
            parent = texts.get((row["discussion_id"], row["parent_post_id"]))
            original = IAC_STANCE[row["label"]]
            key = f"iac/{split}/{row['discussion_id']}/{row['post_id']}"
            out.append(RealComment(key, row["text"], row["target"], parent, original, ours))
    return out


def fanchuan_comments() -> list[RealComment]:
    """FanChuan's English comments of train and val (val → test here), with the parent comment."""
    out = []
    for split, ours in (("train", "train"), ("val", "test")):
        for row in read_jsonl(SHARED / "benchmarks" / "fanchuan" / f"{split}.jsonl"):
            if row["lang"] != "en" or not row["text"].strip():
                continue
            original = FANCHUAN_STANCE[row["label"]]
            key = f"fanchuan/{split}/{row['topic']}/{row['row_id']}"
            out.append(RealComment(key, row["text"], row["target"], row["parent_text"], original, ours))
    return out


def page_comments() -> list[RealComment]:
    """Every comment the extractor finds on the English saved pages and exports; the target is the
    page's title and lead, as `stance classify` uses it. No source label."""
    from stance.extract import read_thread

    paths = [SHARED / "pages" / name for name in ENGLISH_PAGES] + [SHARED / "exports" / name for name in EXPORTS]
    out = []
    for path in paths:
        thread = read_thread(path)
        texts = {comment.id: comment.text for comment in thread.comments}
        target = thread.default_target() or path.name
        for comment in thread.comments:
            if comment.removed or not comment.text.strip():
                continue
            parent = texts.get(comment.parent) if comment.parent else None
            out.append(RealComment(f"{path.parent.name}/{path.name}/{comment.id}", comment.text, target, parent, None, "test"))
    return out


@lru_cache(maxsize=1)
def all_comments() -> dict[str, RealComment]:
    """Every comment that may be labelled, by id (read once per process)."""
    return {c.id: c for source in (arc_comments, iac_comments, fanchuan_comments, page_comments) for c in source()}


def load_real(split: str) -> list[tuple[RealComment, dict]]:
    """The labelled real comments of ``split`` (train/test) with their label rows; a comment whose
    text changed in ../shared since it was labelled is an error, not a silent mismatch."""
    comments = all_comments()
    out = []
    for row in read_jsonl(REAL / "labels.jsonl"):
        if row["split"] != split:
            continue
        comment = comments.get(row["id"])
        if comment is None:
            raise ValueError(f"data/real/labels.jsonl: {row['id']}: not found in ../shared; is ../shared complete?")
        if comment.fingerprint() != row["sha1"]:
            raise ValueError(f"data/real/labels.jsonl: {row['id']}: the text in ../shared differs from the one labelled")
        out.append((comment, row))
    return out



def real(split: str) -> list[LabelledComment]:
    """The real comments we labelled ourselves (data/real, text read from ../shared), both labels."""
    return [
        LabelledComment(text=c.text, label=row["stance"], target=c.target, sentiment=row["sentiment"], group=c.id.split("/")[0])
        for c, row in load_real(split)
    ]


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
