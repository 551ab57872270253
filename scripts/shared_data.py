"""Loading the labelled sets the scripts train and score on: our corpus in data/ and ../shared/benchmarks.

Never train or tune on a ``test`` split: those are for final figures only.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from stance.core.labelled import LabelledComment
from stance.core.labels import normalize_label
from stance.training.data import load_labelled

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
BENCHMARKS = REPO.parent / "shared" / "benchmarks"
SEED_PAGE = REPO.parent / "shared" / "examples" / "seed_article.txt"
SEED_EXPECTED = ["support", "support", "support", "oppose", "mixed"]  # ../shared/README.md
IAC_STANCE = {"pro": "support", "anti": "oppose", "other": "neutral"}  # the author's stance on the topic
FANCHUAN_STANCE = {"positive": "support", "negative": "oppose", "neutral": "neutral"}  # its SOURCE.md's mapping


def corpus_split(split: str) -> list[LabelledComment]:
    """Our own labelled comments (data/<split>.jsonl, built by scripts/build_corpus.py), with both labels."""
    return load_labelled(DATA / f"{split}.jsonl", label_column="stance", sentiment_column="sentiment")


def tweeteval_sentiment(split: str, limit: int | None = None, seed: int = 0) -> list[LabelledComment]:
    """TweetEval sentiment (SemEval-2017 4A; its train split is a rebuilt stand-in, see its SOURCE.md):
    sentiment only, no target. ``limit`` keeps a seeded random sample of that many rows."""
    rows = [
        LabelledComment(text=row["text"], label=None, sentiment=normalize_label(row["label"], "sentiment"))
        for row in read_jsonl(BENCHMARKS / "tweeteval_sentiment" / f"{split}.jsonl")
    ]
    return _sample(rows, limit, seed)


def fanchuan(split: str, limit: int | None = None, seed: int = 0, parents: bool = False) -> list[LabelledComment]:
    """The English comments of FanChuan (Reddit, TikTok, a university forum): sentiment toward the
    thread's subject (positive/negative/neutral), the subject as target; with ``parents``, the
    comment each reply answers (about half have one)."""
    rows = [
        LabelledComment(text=row["text"], label=None, target=row["target"], sentiment=row["label"], group=row["topic"],
                        parent=(row["parent_text"] or "") if parents else "")
        for row in read_jsonl(BENCHMARKS / "fanchuan" / f"{split}.jsonl")
        if row["lang"] == "en" and row["text"].strip()
    ]
    return _sample(rows, limit, seed)


def goemotions(split: str, limit: int | None = None, seed: int = 0) -> list[LabelledComment]:
    """GoEmotions: real Reddit comments, sentiment from the raters' emotion groups; a comment rated both
    positive and negative is mixed. The ``ambiguous`` ones (surprise, confusion, curiosity,
    realization only) have no label of ours and are left out. No target."""
    rows = [
        LabelledComment(text=row["text"], label=None, sentiment=row["label"])
        for row in read_jsonl(BENCHMARKS / "goemotions_sentiment" / f"{split}.jsonl")
        if row["label"] != "ambiguous" and row["text"].strip()
    ]
    return _sample(rows, limit, seed)


def _sample(rows: list[LabelledComment], limit: int | None, seed: int) -> list[LabelledComment]:
    import random

    return rows if limit is None or limit >= len(rows) else random.Random(seed).sample(rows, limit)


def tweeteval(split: str) -> list[LabelledComment]:
    """TweetEval stance (SemEval-2016 Task 6): favor/against/none mapped to support/oppose/neutral."""
    return load_labelled(BENCHMARKS / "tweeteval_stance" / f"{split}.jsonl")


def arc(split: str, max_words: int | None = None) -> list[LabelledComment]:
    """ARC pairs with a stance (unrelated pairs dropped), split by body_id (:func:`arc_in_val`).

    ``max_words`` keeps only the start of each comment (cheaper training on long comments).
    """
    if split not in ("train", "val"):
        raise ValueError(f"ARC split {split!r}: only 'train' and 'val' (parts of ARC train) exist here")
    rows = []
    for row in read_jsonl(BENCHMARKS / "arc" / "train.jsonl"):
        if row["label"] != "unrelated" and arc_in_val(row["body_id"]) == (split == "val"):
            text = " ".join(row["text"].split()[:max_words]) if max_words else row["text"]
            rows.append(LabelledComment(text=text, label=normalize_label(row["label"]), target=row["target"]))
    return rows


def arc_in_val(body_id: str) -> bool:
    """Whether an ARC comment is in our validation part of ARC train: 1 comment body in 10, by hash."""
    return zlib.crc32(body_id.encode()) % 10 == 0


def read_jsonl(path: Path) -> list[dict]:
    import json

    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def pstance(split: str, limit: int | None = None, seed: int = 0) -> list[LabelledComment]:
    """P-Stance: tweets about Trump, Biden or Sanders, favor/against (no neutral), grouped by target."""
    rows = [
        LabelledComment(text=row["text"], label=normalize_label(row["label"]), target=row["target"], group=row["target"])
        for row in read_jsonl(BENCHMARKS / "pstance" / f"{split}.jsonl")
    ]
    return _sample(rows, limit, seed)


def perspectrum(split: str, limit: int | None = None, seed: int = 0) -> list[LabelledComment]:
    """Perspectrum: perspectives that support or undermine a claim (no neutral), split by claim."""
    labels = {"support": "support", "undermine": "oppose"}
    rows = [
        LabelledComment(text=row["text"], label=labels[row["label"]], target=row["target"], group=str(row["claim_id"]))
        for row in read_jsonl(BENCHMARKS / "perspectrum" / f"{split}.jsonl")
    ]
    return _sample(rows, limit, seed)


def iac(
    split: str, limit: int | None = None, seed: int = 0, max_words: int | None = None, parents: bool = False
) -> list[LabelledComment]:
    """IAC 4forums posts: the author's stance on the debate topic (pro/anti/other → support/oppose/neutral;
    per author, so noisy per post), split by topic. ``max_words`` keeps the start of long posts; with
    ``parents``, each reply comes with the post it answers (the start of it, as long as ``max_words``)."""
    posts = read_jsonl(BENCHMARKS / "iac_4forums_stance" / f"{split}.jsonl")
    by_id = {(row["discussion_id"], row["post_id"]): row["text"] for row in posts}

    def start(text: str) -> str:
        return " ".join(text.split()[:max_words]) if max_words else text

    rows = []
    for row in posts:
        parent = by_id.get((row["discussion_id"], row["parent_post_id"]), "") if parents else ""
        if row["text"].strip():
            rows.append(LabelledComment(text=start(row["text"]), label=IAC_STANCE[row["label"]], target=row["target"],
                                        group=row["topic"], parent=start(parent)))
    return _sample(rows, limit, seed)


def seed_page_line(classifier) -> str | None:
    """``seed page: 5 of 5 (labels)``: the classifier on the page the product was designed from
    (None where ../shared is absent)."""
    from stance.extract import read_thread

    if not SEED_PAGE.exists():
        return None
    thread = read_thread(SEED_PAGE)
    got = [p.label for p in classifier.predict([c.text for c in thread.comments], thread.default_target())]
    correct = sum(g == e for g, e in zip(got, SEED_EXPECTED))
    return f"seed page: {correct} of {len(SEED_EXPECTED)} ({', '.join(got)})"
