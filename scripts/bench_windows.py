"""Long comments: a comment longer than one 128-token window is read as several overlapping windows,
each with the target. How should their answers be combined? Scored on the long real comments of
ARC val (NYT) and IAC val (forum posts), macro-F1 over support/oppose/neutral (mixed counted as
neutral), for the comments that fill more than one window and for all.

    python -m scripts.bench_windows [--model DIR]

The shipped rule (``combine_windows``) averages the windows' probabilities, weighted by their length.
"""

from __future__ import annotations

import argparse

import numpy as np

from scripts.shared_data import arc, iac
from stance.core.metrics import headline_scores
from stance.model.classifier import StanceClassifier, combine_windows

LABELS = ["support", "oppose", "neutral"]


def softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def rules(logits: np.ndarray, owners: np.ndarray, weights: np.ndarray, n: int, temperature: float) -> dict[str, np.ndarray]:
    """Per-comment probabilities under each way of combining its windows."""
    probabilities = softmax(logits / temperature)
    first = np.zeros((n, logits.shape[1]))
    last = np.zeros_like(first)
    confident = np.zeros_like(first)
    best = np.full(n, -1.0)
    for window, owner in enumerate(owners):
        if not first[owner].any():
            first[owner] = probabilities[window]
        last[owner] = probabilities[window]
        if probabilities[window].max() > best[owner]:
            best[owner], confident[owner] = probabilities[window].max(), probabilities[window]
    mean_logits = np.zeros_like(first)
    np.add.at(mean_logits, owners, logits / temperature)
    return {
        "weighted mean of probabilities (shipped)": combine_windows(logits, owners, weights, n, temperature),
        "unweighted mean of probabilities": combine_windows(logits, owners, np.ones_like(weights), n, temperature),
        "mean of logits": softmax(mean_logits / np.bincount(owners, minlength=n)[:, None]),
        "most confident window": confident,
        "first window only": first,
        "last window only": last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    args = parser.parse_args()
    classifier = StanceClassifier.from_pretrained(args.model)
    for name, rows in (("ARC val", arc("val")), ("IAC val", iac("val"))):
        texts, targets = [r.text for r in rows], [r.target for r in rows]
        logits, owners, weights = classifier._window_logits(texts, targets, progress=False)
        stance = logits[classifier.task]
        windows = np.bincount(owners, minlength=len(rows))
        long = windows > 1
        gold = np.array([r.label for r in rows])
        print(f"{name}: {len(rows)} comments, {long.sum()} longer than one window (up to {windows.max()} windows)")
        print(f"  {'rule':44}{'long ones':>10}{'all':>8}")
        for rule, probabilities in rules(stance, owners, weights, len(rows), classifier.temperature).items():
            columns = {label: probabilities[:, i] for i, label in enumerate(classifier.labels)}
            columns["neutral"] = columns["neutral"] + columns.pop("mixed", 0)
            predicted = np.array([LABELS[i] for i in np.stack([columns[label] for label in LABELS], 1).argmax(1)])
            scores = [headline_scores(list(gold[part]), list(predicted[part]), LABELS)["macro_f1"] for part in (long, slice(None))]
            print(f"  {rule:44}{100 * scores[0]:>10.1f}{100 * scores[1]:>8.1f}")


if __name__ == "__main__":
    main()
