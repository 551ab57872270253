"""What the benchmark scripts share: per-target linear systems and stance models, both read as
probabilities over one fixed label order, and scored with the official TweetEval measure."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from stance.baseline import DEFAULT_EMBEDDING_WEIGHT, PerTargetClassifier, ngram_embedding_logreg
from stance.classifier import StanceClassifier
from stance.data import LabelledComment
from stance.metrics import headline_scores

LABELS = ["support", "oppose", "neutral"]


def pairs(rows: Sequence[LabelledComment]) -> list[tuple[str, str]]:
    return [(row.text, row.target) for row in rows]


def fit_per_target(make: Callable[[], Any], rows: Sequence[LabelledComment]) -> PerTargetClassifier:
    """One ``make()`` estimator per target, fit on that target's rows."""
    return PerTargetClassifier(make()).fit(pairs(rows), [r.label for r in rows])


def tuned_logreg(
    encoder: Path, rows: Sequence[LabelledComment], embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT
) -> PerTargetClassifier:
    """The per-target n-gram + embedding system over an encoder from ``tune_sentence_encoder``."""
    return fit_per_target(lambda: ngram_embedding_logreg(str(encoder), embedding_weight), rows)


def probabilities(system: PerTargetClassifier | StanceClassifier, rows: Sequence[LabelledComment]) -> np.ndarray:
    """``system``'s probabilities with columns in LABELS order. A model's mixed (neither for nor against)
    counts as neutral, so a comment whose mixed and neutral together outweigh its support is neutral."""
    if isinstance(system, StanceClassifier):
        scores, classes = system.predict_proba([r.text for r in rows], [r.target for r in rows]), system.labels
    else:
        scores, classes = system.predict_proba(pairs(rows)), list(system.classes_)
    columns = {label: scores[:, i] for i, label in enumerate(classes)}
    if "mixed" in columns:
        columns["neutral"] = columns.get("neutral", 0) + columns.pop("mixed")
    absent = np.zeros(len(rows))  # a label the system does not know
    return np.stack([columns.get(label, absent) for label in LABELS], axis=1)


def labels_of(scores: np.ndarray) -> list[str]:
    return [LABELS[i] for i in scores.argmax(1)]


def scores_of(rows: Sequence[LabelledComment], predicted: Sequence[str]) -> dict[str, float]:
    """Headline scores over LABELS; ``f1_support_oppose`` is TweetEval's official score."""
    return headline_scores([r.label for r in rows], list(predicted), LABELS)


def timed(step: Callable[[], Any]) -> tuple[Any, float]:
    """``step()``'s result and the seconds it took."""
    started = time.perf_counter()
    return step(), time.perf_counter() - started
