"""The benchmarks' one module of shared helpers: loading the labelled sets they train and score on, our
corpus in data/, ../shared/benchmarks, and the real comments we labelled ourselves (data/real, whose text
stays in ../shared and is found again here by id).

Never train or tune on a ``test`` split: those are for final figures only.

The real comments' split follows the sources: comments from ARC's train part (body_id split), IAC train
topics and FanChuan train are ``train``; comments from saved pages and exports, ARC's validation part, the
IAC validation topic and FanChuan val are ``test``, so no training source of the default model ever holds
a test comment (ARC's claims recur on both sides, as in ARC val; IAC's test topic is unseen).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from stance.core.labelled import LabelledComment
from stance.core.labels import normalize_label
from stance.training.data import load_labelled

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
BENCHMARKS = REPO.parent / "shared" / "benchmarks"
SHARED = REPO.parent / "shared"
REAL = DATA / "real"
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


# --- the real comments we labelled (data/real) --------------------------------------------------

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
