"""Linear baselines: the two every evaluation reports beside the model (majority class, TF-IDF + logistic
regression), and the per-target n-gram systems the TweetEval benchmark measures the model against.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from stance.base_models import DEFAULT_BASE_MODEL
from stance.data import LabelledComment
from stance.sentence_embeddings import SentenceEmbedder


def tfidf_logreg() -> Any:
    """Word 1–2-gram TF-IDF of the comment, then class-balanced logistic regression (scikit-learn)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    )


def majority() -> Any:
    """Always the most frequent training label (scikit-learn's DummyClassifier)."""
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="most_frequent")


BASELINES: dict[str, Callable[[], Any]] = {"majority": majority, "tfidf_logreg": tfidf_logreg}


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


def cross_validated_predictions(
    examples: Sequence[LabelledComment], make: Callable[[], Any] = tfidf_logreg, folds: int = 5, seed: int = 42
) -> list[str]:
    """Predictions of the estimator ``make()`` for each example from a fold that never saw it.

    Stratified k-fold; the number of folds drops to the size of the rarest label, and where that
    is below two (or there is one label), every prediction is the majority label.
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    counts = Counter(labels)
    n_folds = min(folds, min(counts.values()))
    if len(counts) < 2 or n_folds < 2:
        return [counts.most_common(1)[0][0]] * len(labels)
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return [str(label) for label in cross_val_predict(make(), texts, labels, cv=splitter)]
