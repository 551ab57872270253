"""The linear baselines: per-target fitting and the n-gram + embedding pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scripts.systems import PerTargetClassifier, ngram_embedding_logreg, ngram_svm

# "tax" means support under one target and oppose under the other: only per-target models can tell.
PAIRS = [("raise the tax", "schools"), ("tax it more", "schools"), ("no more cuts", "schools"), ("cut it", "schools"),
         ("raise the tax", "roads"), ("tax it more", "roads"), ("no more cuts", "roads"), ("cut it", "roads")]
LABELS = ["support", "support", "oppose", "oppose", "oppose", "oppose", "support", "support"]


def test_per_target_classifier_learns_what_a_word_means_for_each_target() -> None:
    model = PerTargetClassifier(ngram_svm()).fit(PAIRS, LABELS)
    assert list(model.predict([("tax", "schools"), ("tax", "roads")])) == ["support", "oppose"]
    assert list(model.classes_) == ["oppose", "support"]


def test_per_target_probabilities_put_each_target_labels_in_the_shared_columns() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pairs = PAIRS + [("who knows", "roads"), ("no idea", "roads")]
    labels = LABELS + ["neutral", "neutral"]  # only 'roads' has neutral comments
    model = PerTargetClassifier(make_pipeline(TfidfVectorizer(), LogisticRegression(C=100))).fit(pairs, labels)
    probabilities = model.predict_proba([("raise the tax", "schools"), ("who knows", "roads")])
    assert list(model.classes_) == ["neutral", "oppose", "support"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities[0, 0] == 0.0  # 'schools' never saw neutral
    assert list(model.classes_[probabilities.argmax(axis=1)]) == ["support", "neutral"]


def test_a_target_with_one_label_always_gets_it() -> None:
    model = PerTargetClassifier(ngram_svm()).fit(PAIRS + [("whatever", "parks")], LABELS + ["neutral"])
    assert list(model.predict([("raise the tax", "parks"), ("tax", "schools")])) == ["neutral", "support"]


def test_per_target_classifier_names_an_unknown_target() -> None:
    model = PerTargetClassifier(ngram_svm()).fit(PAIRS, LABELS)
    with pytest.raises(ValueError, match=r"\['parks'\].*\['roads', 'schools'\]"):
        model.predict([("tax", "parks")])


def test_ngram_embedding_logreg_fits_and_predicts_per_target(tiny_base_model: Path) -> None:
    model = PerTargetClassifier(ngram_embedding_logreg(str(tiny_base_model))).fit(PAIRS, LABELS)
    assert list(model.predict(PAIRS)) == LABELS


def test_ngram_embedding_logreg_scales_the_embedding_block(tiny_base_model: Path) -> None:
    texts = [text for text, _ in PAIRS]
    features = {weight: ngram_embedding_logreg(str(tiny_base_model), weight)[0].fit(texts).transform(texts)
                for weight in (1.5, 3.0)}
    hidden_size = json.loads((tiny_base_model / "config.json").read_text())["hidden_size"]
    sparse_width = features[1.5].shape[1] - hidden_size
    heavy, light = features[3.0].toarray(), features[1.5].toarray()
    np.testing.assert_allclose(heavy[:, :sparse_width], light[:, :sparse_width])
    np.testing.assert_allclose(np.linalg.norm(heavy[:, sparse_width:], axis=1), 3.0, rtol=1e-5)
