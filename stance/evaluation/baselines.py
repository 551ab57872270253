"""The two baselines every evaluation reports beside the model: majority class, and TF-IDF + logistic
regression. (The research systems the benchmarks also measure live in ``scripts/systems.py``.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from stance.core.labelled import LabelledComment
from stance.evaluation.folds import fold_indices, most_folds


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
BASELINE_FOLDS = 5  # cross-validation folds for a baseline scored on the evaluated comments themselves


def cross_validated_predictions(
    examples: Sequence[LabelledComment], make: Callable[[], Any] = tfidf_logreg, folds: int = BASELINE_FOLDS, seed: int = 42
) -> list[str]:
    """Predictions of the estimator ``make()`` for each example from a fold that never saw it.

    Stratified k-fold (:func:`~stance.evaluation.folds.fold_indices`), with as many folds up to
    ``folds`` as the rarest label allows (:func:`~stance.evaluation.folds.most_folds`): this is a
    figure beside the model, not one the user asked for, so small data shrinks it rather than stops
    it. Below two folds every prediction is the majority label.
    """
    from sklearn.model_selection import cross_val_predict

    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    n_folds = most_folds(examples, folds)
    if n_folds < 2:
        return [Counter(labels).most_common(1)[0][0]] * len(labels)
    splits = fold_indices(examples, n_folds, seed=seed)
    return [str(label) for label in cross_val_predict(make(), texts, labels, cv=splits)]


def fitted_predictions(
    train: Sequence[LabelledComment], examples: Sequence[LabelledComment], make: Callable[[], Any] = tfidf_logreg
) -> list[str]:
    """Predictions for ``examples`` of the estimator ``make()`` fitted on ``train``: the baseline a
    user has in mind when they hold a train split of their own."""
    fitted = make().fit([example.text for example in train], [example.label for example in train])
    return [str(label) for label in fitted.predict([example.text for example in examples])]
