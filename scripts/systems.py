"""The research systems the benchmarks measure the model against (word and
character n-gram models fit per target, with or without a sentence embedding), stance models and those
systems read as probabilities over one fixed label order, and the official TweetEval measure."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from scripts.sentence_embeddings import SentenceEmbedder
from stance.core.labelled import LabelledComment
from stance.core.metrics import headline_scores
from stance.evaluation.baselines import majority
from stance.model.classifier import StanceClassifier
from stance.model.names import DEFAULT_BASE_MODEL

LABELS = ["support", "oppose", "neutral"]


def _ngram_features() -> list[Any]:
    """Word 1–2-gram and character 2–5-gram TF-IDF, as in the SemEval-2016 stance baselines."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    ]


def ngram_svm() -> Any:
    """Word and character n-gram TF-IDF, then a linear SVM: the classic stance baseline (fit it per target)."""
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    return make_pipeline(make_union(*_ngram_features()), LinearSVC(C=0.5))


# The sentence embedding's weight beside the n-grams, chosen with C = 10 by 5-fold cross-validation on
# TweetEval train + val with the base model as encoder.
DEFAULT_EMBEDDING_WEIGHT = 1.5


def ngram_embedding_logreg(encoder: str = DEFAULT_BASE_MODEL, embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT) -> Any:
    """Word and character n-gram TF-IDF beside a sentence embedding, then logistic regression.

    ``encoder`` is the base model or a directory from ``tune_sentence_encoder``; ``embedding_weight``
    scales the embedding against the n-grams (see ``DEFAULT_EMBEDDING_WEIGHT``).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(*_ngram_features(), SentenceEmbedder(encoder, weight=embedding_weight))
    return make_pipeline(features, LogisticRegression(C=10, max_iter=3000))


class PerTargetClassifier(ClassifierMixin, BaseEstimator):
    """One clone of ``estimator`` per target, each fit on that target's comments only.

    ``X`` is a sequence of ``(text, target)`` pairs. Suits data where a few targets recur with many
    comments each (TweetEval's five). A target whose comments share one label always gets that label;
    every target met in ``predict`` must have been met in ``fit``.
    """

    def __init__(self, estimator: Any):
        self.estimator = estimator

    def fit(self, X: Sequence[tuple[str, str]], y: Sequence[str]) -> PerTargetClassifier:
        groups = self._groups(X)
        labels = np.asarray(y)
        self.estimators_ = {}
        for target, rows in groups.items():
            estimator = clone(self.estimator) if len(set(labels[rows])) > 1 else majority()
            self.estimators_[target] = estimator.fit([X[i][0] for i in rows], labels[rows])
        self.classes_ = np.unique(labels)
        return self

    def predict(self, X: Sequence[tuple[str, str]]) -> np.ndarray:
        out = np.empty(len(X), dtype=self.classes_.dtype)
        for target, rows in self._groups(X, fitted=True).items():
            out[rows] = self.estimators_[target].predict([X[i][0] for i in rows])
        return out

    def predict_proba(self, X: Sequence[tuple[str, str]]) -> np.ndarray:
        """Probabilities in ``classes_`` order; a label a target never had in training gets 0."""
        out = np.zeros((len(X), len(self.classes_)))
        for target, rows in self._groups(X, fitted=True).items():
            estimator = self.estimators_[target]
            columns = np.searchsorted(self.classes_, estimator.classes_)
            out[np.ix_(rows, columns)] = estimator.predict_proba([X[i][0] for i in rows])
        return out

    def _groups(self, X: Sequence[tuple[str, str]], fitted: bool = False) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        for i, (_, target) in enumerate(X):
            groups.setdefault(target, []).append(i)
        unknown = sorted(set(groups) - set(self.estimators_)) if fitted else []
        if unknown:
            raise ValueError(f"no model for target(s) {unknown}: this PerTargetClassifier was fit on "
                             f"{sorted(self.estimators_)}; fit it on comments about these targets too")
        return groups


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
