"""The TF-IDF + logistic-regression baseline that every evaluation reports beside the model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from stance.data import LabelledComment


def tfidf_logreg():
    """Word 1–2-gram TF-IDF of the comment, then class-balanced logistic regression (scikit-learn)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    )


def cross_validated_baseline(examples: Sequence[LabelledComment], folds: int = 5, seed: int = 42) -> list[str]:
    """Baseline predictions for each example from a model that never saw it (stratified k-fold).

    The number of folds drops to the size of the rarest label; where that is below two (or there
    is one label), every prediction is the majority label.
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    counts = Counter(labels)
    n_folds = min(folds, min(counts.values()))
    if len(counts) < 2 or n_folds < 2:
        majority = counts.most_common(1)[0][0]
        return [majority] * len(labels)
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(cross_val_predict(tfidf_logreg(), texts, labels, cv=splitter))
