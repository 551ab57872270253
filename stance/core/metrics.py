"""Headline scores, counted from the confusion matrix in numpy: the same figures scikit-learn gives
(the tests check each against it), fast enough for a thousand bootstrap resamples in a second."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# TweetEval's official stance score is the mean F1 of 'favor' and 'against'.
POLAR_LABELS = ("support", "oppose")
# Names users may give --score for the mean F1 of support and oppose.
SCORE_ALIASES = {"f1_favor_against": "f1_support_oppose", "f1_favor_against_mean": "f1_support_oppose"}


def headline_scores(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Accuracy, macro- and weighted-F1 over ``labels``, Cohen's kappa, per-label F1, and the mean F1
    of support and oppose where both are labels."""
    names, matrix = _confusion(y_true, y_pred)
    f1, support = _f1_and_support(names, matrix, labels)
    n = matrix.sum()
    scores = {
        "accuracy": float(np.trace(matrix) / n) if n else 0.0,
        "macro_f1": float(np.mean(f1)) if len(f1) else 0.0,
        "weighted_f1": float(np.average(f1, weights=support)) if support.sum() else 0.0,
        "kappa": _kappa(matrix),
    }
    scores |= {f"f1_{label}": float(value) for label, value in zip(labels, f1)}
    if all(label in labels for label in POLAR_LABELS):
        scores["f1_support_oppose"] = (scores["f1_support"] + scores["f1_oppose"]) / 2
    return scores


def mean_f1(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> float:
    """Mean F1 over a subset of labels (e.g. TweetEval's favor and against)."""
    f1, _ = _f1_and_support(*_confusion(y_true, y_pred), labels)
    return float(np.mean(f1))


def _confusion(y_true: Sequence[str], y_pred: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every label seen in either, sorted, and the counts of (gold, predicted) pairs over them."""
    gold, predicted = np.asarray(y_true), np.asarray(y_pred)
    names, codes = np.unique(np.concatenate([gold, predicted]), return_inverse=True)
    k = len(names)
    matrix = np.bincount(codes[: len(gold)] * k + codes[len(gold) :], minlength=k * k).reshape(k, k)
    return names, matrix


def _f1_and_support(names: np.ndarray, matrix: np.ndarray, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``labels``' F1 (0 where it is never gold nor predicted) and gold count. A prediction
    outside ``labels`` is a miss for its comment's gold label, as in scikit-learn."""
    found = {str(name): i for i, name in enumerate(names)}
    f1, support = [], []
    for label in labels:
        i = found.get(label)
        gold, predicted, right = (matrix[i].sum(), matrix[:, i].sum(), matrix[i, i]) if i is not None else (0, 0, 0)
        f1.append(2 * right / (gold + predicted) if gold + predicted else 0.0)
        support.append(gold)
    return np.asarray(f1, dtype=float), np.asarray(support, dtype=float)


def _kappa(matrix: np.ndarray) -> float:
    """Cohen's kappa over every label seen; 0 (no agreement beyond chance) where it is undefined, when
    gold and predictions all share one label."""
    n = matrix.sum()
    if len(matrix) < 2 or not n:
        return 0.0
    observed = np.trace(matrix) / n
    expected = float(matrix.sum(axis=1) @ matrix.sum(axis=0)) / n**2
    return float((observed - expected) / (1 - expected)) if expected < 1 else 0.0
