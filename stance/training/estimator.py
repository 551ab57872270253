"""A scikit-learn estimator around fine-tuning, for cross-validation and grid search.

>>> from sklearn.model_selection import cross_val_score           # doctest: +SKIP
>>> from stance.training.estimator import StanceEstimator                   # doctest: +SKIP
>>> cross_val_score(StanceEstimator(epochs=2), texts, labels, cv=3, scoring="f1_macro")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import shutil
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from stance.errors import OutputError
from stance.model.storage import quiet_transformers
from stance.training.config import TrainingConfig

DEFAULTS = TrainingConfig()  # the estimator's parameters default to the config's


class StanceEstimator(ClassifierMixin, BaseEstimator):
    """Fine-tune a stance classifier with ``fit``; label comments with ``predict``.

    ``X`` is a list of comment strings (all toward ``target``), a list of ``(text, target)`` pairs,
    or a pandas DataFrame with a ``text`` and an optional ``target`` column. Rows without a target
    of their own use ``target``; ``None`` and ``""`` mean no target. ``y`` holds the labels, used as
    given (no alias normalisation): ``predict`` returns values from ``classes_``.

    Parameters are those of :class:`stance.training.TrainingConfig` (``base_model=None`` is the
    default base model), plus ``target`` and ``model_dir``: where ``fit`` writes the trained model.
    With ``model_dir=None`` each fit writes to a temporary directory that the estimator owns and
    that is deleted with it. A given ``model_dir`` is overwritten by every fit, so leave it ``None``
    under ``cross_val_score``/``GridSearchCV`` (whose clones would share it), above all with
    ``n_jobs > 1``. Training holds out 10 % of ``X`` as its validation split (the checkpoint with
    the best validation macro-F1 is kept) and seeds the global random generators with ``seed``.

    Fitted attributes: ``classes_`` (the sorted labels, the column order of ``predict_proba``),
    ``classifier_`` (the loaded :class:`~stance.model.classifier.StanceClassifier`), ``model_dir_`` (the
    trained model directory) and ``training_result_`` (its validation metrics and report).

    Fitted estimators pickle: the model's files travel inside the pickle, and unpickling writes
    them to a new temporary directory (the new ``model_dir_``).

    >>> from sklearn.model_selection import cross_val_score        # doctest: +SKIP
    >>> cross_val_score(StanceEstimator(epochs=2), texts, labels, cv=3, scoring="f1_macro")  # doctest: +SKIP
    """

    def __init__(
        self,
        base_model: str | None = None,
        method: str = DEFAULTS.method,
        epochs: float = DEFAULTS.epochs,
        batch_size: int = DEFAULTS.batch_size,
        learning_rate: float | None = DEFAULTS.learning_rate,
        trainable_layers: int | str | None = DEFAULTS.trainable_layers,
        max_length: int = DEFAULTS.max_length,
        max_target_tokens: int = DEFAULTS.max_target_tokens,
        seed: int = DEFAULTS.seed,
        target: str | None = None,
        model_dir: str | Path | None = None,
    ) -> None:
        self.base_model = base_model
        self.method = method
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.trainable_layers = trainable_layers
        self.max_length = max_length
        self.max_target_tokens = max_target_tokens
        self.seed = seed
        self.target = target
        self.model_dir = model_dir

    def fit(self, X: Any, y: Any) -> StanceEstimator:
        """Fine-tune on comments ``X`` with labels ``y``; returns ``self``."""
        from stance.core.labelled import LabelledComment
        from stance.model.classifier import StanceClassifier
        from stance.training.trainer import train

        texts, targets = self._rows(X)
        y = column_or_1d(np.asarray(y), warn=True)
        check_consistent_length(texts, y)
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y has one class only ({classes[0]!r}); training needs at least two")
        names = [str(label) for label in classes]
        if len(set(names)) != len(names):
            raise ValueError(f"labels {list(classes)} are not distinct as strings; map them to distinct names")

        examples = [
            LabelledComment(text=text, label=names[i], target=target)
            for text, target, i in zip(texts, targets, y_index.tolist())
        ]
        config = TrainingConfig(
            base_model=self.base_model or DEFAULTS.base_model,
            method=self.method,
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            trainable_layers=self.trainable_layers,
            max_length=self.max_length,
            max_target_tokens=self.max_target_tokens,
            seed=self.seed,
        )
        output_dir, cleanup = self._new_model_dir()
        try:
            with quiet_transformers():
                result = train(examples, output_dir, config, force=True)
                classifier = StanceClassifier.from_pretrained(output_dir)
        except BaseException:
            if cleanup is not None:
                cleanup()
            raise
        # Only a fit that succeeded replaces the previous model (and frees its temporary directory).
        self._release_model_dir()
        if cleanup is not None:
            self._model_dir_cleanup = cleanup
        self.classes_ = classes
        self.classifier_ = classifier
        self.model_dir_ = output_dir
        self.training_result_ = result
        self._columns = self._column_order(names)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n_comments, n_classes)``, columns in ``classes_`` order."""
        check_is_fitted(self, "classifier_")
        texts, targets = self._rows(X)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self.classifier_.predict_proba(texts, targets)[:, self._columns]

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each comment, as values from ``classes_``."""
        probabilities = self.predict_proba(X)  # first: it raises NotFittedError before fit
        return self.classes_[np.argmax(probabilities, axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    # --- input ----------------------------------------------------------------------------------

    def _rows(self, X: Any) -> tuple[list[str], list[str]]:
        """Texts and targets from a list of texts, of (text, target) pairs, or a DataFrame."""
        default = self.target or ""
        if isinstance(X, (str, bytes)):
            raise TypeError("X is a single string; pass a list of comments")
        if hasattr(X, "columns"):  # a pandas DataFrame, duck-typed
            if "text" not in X.columns:
                raise ValueError(f"X has no 'text' column (found: {', '.join(map(str, X.columns))})")
            texts = list(X["text"])
            targets = list(X["target"]) if "target" in X.columns else [None] * len(texts)
        elif isinstance(X, Iterable):
            texts, targets = [], []
            for n, row in enumerate(X):
                if isinstance(row, str):
                    text, target = row, None
                else:
                    try:
                        text, target = row
                    except (TypeError, ValueError):
                        raise ValueError(
                            f"X[{n}]: expected a comment string or a (text, target) pair, got {row!r}"
                        ) from None
                texts.append(text)
                targets.append(target)
        else:
            raise TypeError(
                f"X must be a list of comments, of (text, target) pairs, or a DataFrame; got {type(X).__name__}"
            )
        for n, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"X[{n}]: the comment text is not a string: {text!r}")
        return [str(text) for text in texts], [_target_or(target, default) for target in targets]

    # --- the model directory --------------------------------------------------------------------

    def _new_model_dir(self) -> tuple[Path, weakref.finalize | None]:
        """Where a fit writes its model: ``model_dir``, or a fresh temporary directory of our own.

        For the temporary directory, also the finalizer that deletes it when the estimator is
        garbage-collected (or at exit); it holds no reference to the estimator.
        """
        if self.model_dir is None:
            return self._owned_dir()
        from stance.model.storage import STANCE_CONFIG

        path = Path(self.model_dir)
        if path.exists() and not (path / STANCE_CONFIG).exists() and (not path.is_dir() or any(path.iterdir())):
            raise OutputError(f"{path}: exists and is not a model directory; StanceEstimator will not overwrite it")
        return path, None

    def _owned_dir(self) -> tuple[Path, weakref.finalize]:
        owned = Path(tempfile.mkdtemp(prefix="stance-estimator-"))
        return owned / "model", weakref.finalize(self, shutil.rmtree, owned, ignore_errors=True)

    def _release_model_dir(self) -> None:
        cleanup = self.__dict__.pop("_model_dir_cleanup", None)
        if cleanup is not None:
            cleanup()

    def _column_order(self, names: list[str]) -> np.ndarray:
        labels = self.classifier_.labels
        missing = sorted(set(names) - set(labels))
        if missing:
            raise RuntimeError(f"the trained model lacks labels {missing} (it has {labels})")
        return np.array([labels.index(name) for name in names], dtype=np.intp)

    # --- pickling -------------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the model as the files of its directory, not as live torch objects or a temp dir."""
        state = dict(super().__getstate__())  # a copy: object.__getstate__ may return __dict__ itself
        state.pop("_model_dir_cleanup", None)
        classifier = state.pop("classifier_", None)
        if classifier is not None:
            with tempfile.TemporaryDirectory(prefix="stance-pickle-") as scratch, quiet_transformers():
                directory = Path(scratch) / "model"
                classifier.save_pretrained(directory)
                state["_model_files"] = {
                    file.relative_to(directory).as_posix(): file.read_bytes()
                    for file in sorted(directory.rglob("*"))
                    if file.is_file()
                }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        files = state.pop("_model_files", None)
        super().__setstate__(state)
        if files is not None:
            from stance.model.classifier import StanceClassifier

            directory, self._model_dir_cleanup = self._owned_dir()
            for name, data in files.items():
                (directory / name).parent.mkdir(parents=True, exist_ok=True)
                (directory / name).write_bytes(data)
            with quiet_transformers():
                self.classifier_ = StanceClassifier.from_pretrained(directory)
            self.model_dir_ = directory


def _target_or(target: Any, default: str) -> str:
    """A row's own target, or ``default`` where it has none (None, NaN or empty)."""
    if target is None or (isinstance(target, float) and math.isnan(target)):
        return default
    return str(target) or default
