"""The headline scores are counted in numpy; scikit-learn is the reference they must match."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, precision_recall_fscore_support

from stance.core.metrics import headline_scores, mean_f1

ALL = ["support", "oppose", "mixed", "neutral", "other"]


def sklearn_scores(gold: list[str], predicted: list[str], labels: list[str]) -> dict[str, float]:
    _, _, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    used = sorted(set(gold) | set(predicted))
    scores = {
        "accuracy": accuracy_score(gold, predicted),
        "macro_f1": float(np.mean(f1)),
        "weighted_f1": float(np.average(f1, weights=support)) if support.sum() else 0.0,
        "kappa": float(cohen_kappa_score(gold, predicted, labels=used)) if len(used) > 1 else 0.0,
    } | {f"f1_{label}": value for label, value in zip(labels, f1)}
    if "support" in labels and "oppose" in labels:
        scores["f1_support_oppose"] = (scores["f1_support"] + scores["f1_oppose"]) / 2
    return scores


@pytest.mark.parametrize("seed", range(40))
def test_every_score_is_scikit_learns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    gold = [str(x) for x in rng.choice(ALL[: rng.integers(1, 6)], n)]
    predicted = [str(x) for x in rng.choice(ALL[: rng.integers(1, 6)], n)]
    labels = [str(x) for x in rng.choice(ALL, int(rng.integers(1, 5)), replace=False)]  # some absent, some predictions outside
    assert headline_scores(gold, predicted, labels) == pytest.approx(sklearn_scores(gold, predicted, labels))
    assert mean_f1(gold, predicted, labels) == pytest.approx(sklearn_scores(gold, predicted, labels)["macro_f1"])
