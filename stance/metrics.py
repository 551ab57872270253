"""Headline scores, all computed by scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.metrics import accuracy_score, f1_score

# TweetEval's official stance score is the mean F1 of 'favor' and 'against'.
POLAR_LABELS = ("support", "oppose")


def headline_scores(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Accuracy, macro-F1 over ``labels``, per-label F1, and the mean F1 of support and oppose."""
    per_label = f1_score(y_true, y_pred, labels=list(labels), average=None, zero_division=0)
    scores = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=list(labels), average="macro", zero_division=0)),
    }
    scores |= {f"f1_{label}": float(value) for label, value in zip(labels, per_label)}
    if all(label in labels for label in POLAR_LABELS):
        scores["f1_support_oppose"] = (scores["f1_support"] + scores["f1_oppose"]) / 2
    return scores
