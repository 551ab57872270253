"""StanceEstimator as a scikit-learn classifier: params, fit/predict, input forms, CV and grid search."""

from __future__ import annotations

import copy
import gc
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from stance.errors import OutputError
from stance.training.estimator import StanceEstimator

TARGET = "the plan"
TEXTS = [f"I love this plan, great idea number {i}" for i in range(16)] + [
    f"I hate this plan, awful idea number {i}" for i in range(16)
]
# Not in the model's label order (support before oppose), so predict_proba must reorder its columns.
LABELS = ["support"] * 16 + ["oppose"] * 16


def tiny(base: Path, **overrides) -> StanceEstimator:
    """Seconds to fit: the tiny random BERT, short windows, few steps."""
    settings = {"base_model": str(base), "epochs": 2, "batch_size": 8, "max_length": 32, "learning_rate": 3e-3}
    return StanceEstimator(**(settings | overrides))


@pytest.fixture(scope="module")
def fitted(tiny_base_model: Path) -> StanceEstimator:
    return tiny(tiny_base_model, target=TARGET).fit(TEXTS, LABELS)


def test_params_round_trip_and_clone_keeps_them() -> None:
    est = StanceEstimator(epochs=1.5, target="t", model_dir="somewhere", learning_rate=1e-4)
    params = est.get_params()
    assert params == {
        "base_model": None,
        "method": "full",
        "epochs": 1.5,
        "batch_size": 32,
        "learning_rate": 1e-4,
        "trainable_layers": None,
        "max_length": 128,
        "max_target_tokens": 32,
        "seed": 42,
        "target": "t",
        "model_dir": "somewhere",
    }
    assert est.set_params(epochs=4, seed=7) is est
    assert est.get_params() == params | {"epochs": 4, "seed": 7}
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    assert StanceEstimator(**params).get_params() == params


def test_predicting_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        StanceEstimator().predict(["hello"])
    with pytest.raises(NotFittedError):
        StanceEstimator().predict_proba(["hello"])


def test_fit_predict_shapes_and_columns_follow_classes(fitted: StanceEstimator) -> None:
    assert list(fitted.classes_) == ["oppose", "support"]
    assert fitted.classifier_.labels == ["support", "oppose"]
    assert (fitted.model_dir_ / "stance.json").exists()
    proba = fitted.predict_proba(TEXTS)
    assert proba.shape == (len(TEXTS), 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    raw = fitted.classifier_.predict_proba(TEXTS, TARGET)
    assert np.allclose(proba, raw[:, ::-1])  # columns reordered from the model's order to classes_
    predicted = fitted.predict(TEXTS)
    assert predicted.shape == (len(TEXTS),)
    assert list(predicted) == list(fitted.classes_[proba.argmax(axis=1)])
    assert 0.0 <= fitted.score(TEXTS, LABELS) <= 1.0
    assert fitted.predict_proba([]).shape == (0, 2)


def test_targets_come_from_pairs_a_dataframe_column_or_the_target_param(fitted: StanceEstimator) -> None:
    def direct(texts: list[str], targets: list[str]) -> np.ndarray:
        """The model's own probabilities for these targets, in ``classes_`` order."""
        return fitted.classifier_.predict_proba(texts, targets)[:, ::-1]

    assert not np.allclose(direct(["a"], ["other"]), direct(["a"], [TARGET]))  # so a wrong target shows
    assert np.allclose(fitted.predict_proba(TEXTS[:2]), direct(TEXTS[:2], [TARGET, TARGET]))
    pairs = [("a", "other"), ("b", ""), ("c", None)]  # blank and missing targets fall back to target=
    assert np.allclose(fitted.predict_proba(pairs), direct(["a", "b", "c"], ["other", TARGET, TARGET]))
    untargeted = copy.copy(fitted).set_params(target=None)
    assert np.allclose(untargeted.predict_proba(["a"]), direct(["a"], [""]))
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": TEXTS[:4], "target": [TARGET, None, "other", np.nan]})
    assert np.allclose(fitted.predict_proba(frame), direct(TEXTS[:4], [TARGET, TARGET, "other", TARGET]))
    assert np.allclose(fitted.predict_proba(pd.DataFrame({"text": TEXTS[:4]})), fitted.predict_proba(TEXTS[:4]))


def test_bad_inputs_are_clear_errors(fitted: StanceEstimator, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="single string"):
        fitted.predict("one comment")
    with pytest.raises(ValueError, match="pair"):
        fitted.predict([("text", "target", "extra")])
    with pytest.raises(ValueError, match="one class only"):
        StanceEstimator().fit(["a", "b"], ["support", "support"])
    with pytest.raises(ValueError, match="inconsistent"):
        StanceEstimator().fit(["a", "b", "c"], ["support", "oppose"])
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a model directory"):
        StanceEstimator(model_dir=tmp_path).fit(TEXTS, LABELS)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_pairs_with_integer_labels_into_a_model_dir_then_pickle_and_cleanup(
    tiny_base_model: Path, tmp_path: Path
) -> None:
    pairs = [(text, TARGET) for text in TEXTS]
    y = [1 if label == "support" else 0 for label in LABELS]
    est = tiny(tiny_base_model, model_dir=tmp_path / "model").fit(pairs, y)
    assert est.model_dir_ == tmp_path / "model" and (tmp_path / "model" / "stance.json").exists()
    assert list(est.classes_) == [0, 1]
    assert set(est.predict(pairs).tolist()) <= {0, 1}

    restored = pickle.loads(pickle.dumps(est))
    assert restored.get_params() == est.get_params()
    assert restored.model_dir_ != est.model_dir_ and (restored.model_dir_ / "stance.json").exists()
    assert np.allclose(restored.predict_proba(pairs), est.predict_proba(pairs))
    assert "classifier_" in est.__dict__  # pickling left the original whole

    owned = restored.model_dir_.parent
    del restored
    gc.collect()
    assert not owned.exists()  # the temporary model directory goes with its estimator


def test_cross_val_score_gives_two_finite_scores(tiny_base_model: Path) -> None:
    from sklearn.model_selection import cross_val_score

    scores = cross_val_score(tiny(tiny_base_model, target=TARGET), TEXTS, LABELS, cv=2, scoring="f1_macro")
    assert scores.shape == (2,) and np.all(np.isfinite(scores))


def test_grid_search_over_epochs(tiny_base_model: Path) -> None:
    from sklearn.model_selection import GridSearchCV

    pairs = [(text, TARGET) for text in TEXTS]
    search = GridSearchCV(tiny(tiny_base_model), {"epochs": [1, 2]}, cv=2, scoring="f1_macro").fit(pairs, LABELS)
    assert search.best_params_["epochs"] in (1, 2)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.predict(pairs[:3]).shape == (3,)
