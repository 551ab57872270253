"""How long `stance evaluate`'s bootstrap takes: the headline scores counted in numpy (what evaluate
uses) against the same scores from scikit-learn (the reference the tests hold them to), on the same
resamples of the same real predictions, in one run.

    python -m scripts.bench_evaluate [--resamples 1000]

The predictions are the bundled model's (int8) on TweetEval stance test (1,249 tweets); evaluate
bootstraps the model and each baseline and each paired comparison, five such runs in all.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import accuracy_score, cohen_kappa_score, precision_recall_fscore_support

from scripts.shared_data import tweeteval
from stance.core.metrics import headline_scores
from stance.evaluation.uncertainty import bootstrap_intervals
from stance.model.classifier import StanceClassifier

LABELS = ["support", "oppose", "neutral"]


def sklearn_scores(gold, predicted, labels=LABELS) -> dict[str, float]:
    _, _, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    used = sorted(set(gold) | set(predicted))
    return {
        "accuracy": accuracy_score(gold, predicted), "macro_f1": float(np.mean(f1)),
        "weighted_f1": float(np.average(f1, weights=support)) if support.sum() else 0.0,
        "kappa": float(cohen_kappa_score(gold, predicted, labels=used)) if len(used) > 1 else 0.0,
    } | {f"f1_{label}": value for label, value in zip(labels, f1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    rows = tweeteval("test")
    predictions = StanceClassifier.from_pretrained(precision="int8").predict([r.text for r in rows], [r.target for r in rows])
    gold, predicted = [r.label for r in rows], [p.label for p in predictions]
    print(f"{len(rows)} TweetEval stance test tweets, {args.resamples} bootstrap resamples of one system")
    timings = {}
    for name, scorer in (("scikit-learn scores (before)", sklearn_scores), ("numpy scores (evaluate now)", lambda t, p: headline_scores(t, p, LABELS))):
        started = time.perf_counter()
        intervals = bootstrap_intervals(gold, predicted, scorer, n_resamples=args.resamples)
        timings[name] = time.perf_counter() - started
        print(f"  {name:32} {timings[name]:6.2f} s   macro-F1 interval {intervals['macro_f1'][0]:.4f}-{intervals['macro_f1'][1]:.4f}")
    before, now = timings.values()
    print(f"  {'ratio':32} {before / now:6.1f}x; evaluate runs five such bootstraps (model, two baselines, two comparisons)")


if __name__ == "__main__":
    main()
