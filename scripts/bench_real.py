"""The model behind `stance classify` on real comments: every real set in ../shared/benchmarks, our own
labelled real comments (data/real), data/test and the seed page, each beside a TF-IDF + logistic
regression trained in the same run on that set's own train split (in-domain, so a strong baseline).

    python -m scripts.bench_real [--model DIR] [--precision auto|fp32|bf16|int8] [--split test|val]

--split val scores the validation splits instead (data/dev for ours; data/real has none): what
candidates are chosen on. The test figures are for reporting only.

Each set is scored by its own measure: TweetEval stance the mean F1 of favor and against; P-Stance that
mean per target, averaged over the three targets; Perspectrum, IAC, FanChuan and ARC macro-F1 over
their labels (a model's mixed counts as neutral where a set has no mixed). "as classify" is the label
`stance classify` prints; "set's labels" picks the best of the labels the set has (P-Stance and
Perspectrum have no neutral), which is how such sets are scored in their papers. Only validation and
test splits are scored; none was trained or tuned on.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from scripts.shared_data import (
    FANCHUAN_STANCE,
    arc,
    corpus_split,
    fanchuan,
    iac,
    perspectrum,
    pstance,
    real,
    seed_page_line,
    tweeteval,
)
from stance.core.labelled import LabelledComment
from stance.core.metrics import headline_scores
from stance.evaluation.baselines import tfidf_logreg
from stance.model.classifier import StanceClassifier


def fanchuan_stance(split: str) -> list[LabelledComment]:
    """FanChuan's English comments read as stance toward the thread's subject (its SOURCE.md mapping)."""
    return [LabelledComment(r.text, FANCHUAN_STANCE[r.sentiment], r.target, r.group) for r in fanchuan(split)]


def per_target_polar_f1(rows: Sequence[LabelledComment], predicted: Sequence[str]) -> float:
    """P-Stance's measure: per target the mean F1 of support and oppose, averaged over targets."""
    scores = []
    for target in sorted({r.target for r in rows}):
        index = [i for i, r in enumerate(rows) if r.target == target]
        scores.append(headline_scores([rows[i].label for i in index], [predicted[i] for i in index], ["support", "oppose"])["f1_support_oppose"])
    return float(np.mean(scores))


@dataclass
class RealSet:
    name: str
    load: Callable[[str], list[LabelledComment]]  # split → rows
    measure: str  # polar (mean F1 support/oppose), per_target, macro
    splits: dict[str, str] = field(default_factory=lambda: {"test": "test", "val": "val"})  # --split → the set's split
    real: bool = True  # human-written comments labelled by others (our written corpus is not)

    def label(self, split: str) -> str:
        return f"{self.name} {self.splits[split]}"


SETS = [
    RealSet("TweetEval stance", tweeteval, "polar"),
    RealSet("P-Stance", pstance, "per_target"),
    RealSet("Perspectrum", perspectrum, "macro"),
    RealSet("IAC (unseen topics)", iac, "macro"),
    RealSet("FanChuan EN", fanchuan_stance, "macro"),
    RealSet("ARC (NYT)", arc, "macro", {"test": "val", "val": "val"}),  # ARC test is held back; val is part of train
    RealSet("data/real", real, "macro", {"test": "test"}),  # labelled train and test only
    RealSet("data (ours)", corpus_split, "macro", {"test": "test", "val": "dev"}, real=False),
]


def score(measure: str, rows: Sequence[LabelledComment], predicted: Sequence[str], labels: Sequence[str]) -> float:
    if measure == "per_target":
        return per_target_polar_f1(rows, predicted)
    scores = headline_scores([r.label for r in rows], list(predicted), labels)
    return scores["f1_support_oppose" if measure == "polar" else "macro_f1"]


def model_labels(classifier: StanceClassifier, rows: Sequence[LabelledComment], labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """The model's labels as classify gives them, and the best among ``labels`` (the set's own), each
    with mixed read as neutral where the set has no mixed."""
    probabilities = classifier.predict_proba([r.text for r in rows], [r.target for r in rows])
    columns = {label: probabilities[:, i] for i, label in enumerate(classifier.labels)}
    as_classify = [classifier.labels[i] for i in probabilities.argmax(1)]
    if "mixed" not in labels:
        as_classify = ["neutral" if label == "mixed" else label for label in as_classify]
        if "neutral" in labels and "mixed" in columns:
            columns["neutral"] = columns.get("neutral", 0) + columns.pop("mixed")
    restricted = np.stack([columns[label] for label in labels], axis=1).argmax(1)
    return as_classify, [labels[i] for i in restricted]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--precision", default="auto", help="as `stance classify --precision` (default auto: the path `stance info` names)")
    parser.add_argument("--split", choices=("test", "val"), default="test",
                        help="test for the figures we report; val for choosing between candidates (default test)")
    parser.add_argument("--sets", default=None, help="names to run, comma-separated substrings (default: all)")
    args = parser.parse_args()

    classifier = StanceClassifier.from_pretrained(args.model, precision=args.precision)
    chosen = [
        s for s in SETS
        if args.split in s.splits and (not args.sets or any(part.strip().lower() in s.name.lower() for part in args.sets.split(",")))
    ]
    print(f"model: {args.model or 'bundled default'} ({args.precision})")
    print(f"{'set':26}{'rows':>6}{'measure':>12}{'as classify':>13}{'set labels':>12}{'TF-IDF+LR':>11}{'F1 mixed':>10}{'s':>6}")
    means: dict[str, list[float]] = {"as classify": [], "TF-IDF+LR": []}
    for real_set in chosen:
        name = real_set.label(args.split)
        try:
            rows, training = real_set.load(real_set.splits[args.split]), real_set.load("train")
        except FileNotFoundError as missing:
            print(f"{name:26} skipped: {missing.filename} not found")
            continue
        labels = [label for label in ("support", "oppose", "mixed", "neutral") if label in {r.label for r in rows}]
        started = time.perf_counter()
        as_classify, restricted = model_labels(classifier, rows, labels)
        seconds = time.perf_counter() - started
        baseline = tfidf_logreg().fit([r.text for r in training], [r.label for r in training])
        base = list(baseline.predict([r.text for r in rows]))
        if real_set.real:
            means["as classify"].append(score(real_set.measure, rows, as_classify, labels))
            means["TF-IDF+LR"].append(score(real_set.measure, rows, base, labels))
        mixed = headline_scores([r.label for r in rows], as_classify, labels).get("f1_mixed")
        measure = {"polar": "F1 fav/ag", "per_target": "F1 fav/ag/t", "macro": "macro-F1"}[real_set.measure]
        print(f"{name:26}{len(rows):>6}{measure:>12}"
              f"{100 * score(real_set.measure, rows, as_classify, labels):>13.1f}"
              f"{100 * score(real_set.measure, rows, restricted, labels):>12.1f}"
              f"{100 * score(real_set.measure, rows, base, labels):>11.1f}"
              f"{'-' if mixed is None else f'{100 * mixed:.1f}':>10}{seconds:>6.0f}")
        if real_set.name == "data/real":
            sentiment_gold = [r.sentiment for r in rows]
            sentiment = [p.sentiment for p in classifier.predict([r.text for r in rows], [r.target for r in rows])]
            if all(sentiment):
                scores = headline_scores(sentiment_gold, sentiment, ["positive", "negative", "neutral", "mixed"])
                print(f"{'  sentiment':26}{len(rows):>6}{'macro-F1':>12}{100 * scores['macro_f1']:>13.1f}"
                      f"{'':>23}{100 * scores['f1_mixed']:>10.1f}")

    if means["as classify"]:
        print(f"{'mean of the real sets':44}{100 * np.mean(means['as classify']):>13.1f}{'':>12}{100 * np.mean(means['TF-IDF+LR']):>11.1f}")
    if seed := seed_page_line(classifier):
        print(seed)


if __name__ == "__main__":
    main()
