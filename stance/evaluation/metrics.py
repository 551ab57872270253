"""Headline scores, all computed by scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    precision_recall_fscore_support,
)

# TweetEval's official stance score is the mean F1 of 'favor' and 'against'.
POLAR_LABELS = ("support", "oppose")
# Names users may give --score for the mean F1 of support and oppose.
SCORE_ALIASES = {"f1_favor_against": "f1_support_oppose", "f1_favor_against_mean": "f1_support_oppose"}


def headline_scores(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Accuracy, macro- and weighted-F1 over ``labels``, Cohen's kappa, per-label F1, and the mean F1
    of support and oppose where both are labels."""
    _, _, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    scores = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(np.mean(f1)),
        "weighted_f1": float(np.average(f1, weights=support)) if support.sum() else 0.0,
        "kappa": _kappa(y_true, y_pred),
    }
    scores |= {f"f1_{label}": float(value) for label, value in zip(labels, f1)}
    if all(label in labels for label in POLAR_LABELS):
        scores["f1_support_oppose"] = (scores["f1_support"] + scores["f1_oppose"]) / 2
    return scores


def mean_f1(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> float:
    """Mean F1 over a subset of labels (e.g. TweetEval's favor and against)."""
    _, _, f1, _ = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    return float(np.mean(f1))


def _kappa(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Cohen's kappa; 0 (no agreement beyond chance) where it is undefined, when gold and predictions
    all share one label, which is checked here rather than left to scikit-learn's warnings."""
    used = sorted(set(y_true) | set(y_pred))
    return float(cohen_kappa_score(y_true, y_pred, labels=used)) if len(used) > 1 else 0.0
