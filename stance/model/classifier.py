"""The stance classifier: a sequence-classification transformer reading (target, comment) pairs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np

from stance.errors import ModelError
from stance.model import DEFAULT_MAX_LENGTH, DEFAULT_MAX_TARGET_TOKENS, DEFAULT_STRIDE
from stance.model.backends import Backend, make_backend
from stance.model.precision import BATCH_SIZES, resolve_runtime
from stance.model.prediction import Prediction
from stance.model.storage import (
    ModelSettings,
    check_model_source,
    default_model_path,
    load_torch_model,
    save_model,
    stored_form,
)
from stance.model.windows import WindowEncoder


class StanceClassifier:
    """Labels comments with their stance toward a target.

    Long comments are split into overlapping windows that each carry the target; their
    probabilities are averaged, weighted by window length. Batches are sorted by length.
    ``temperature`` divides the logits before the softmax (1.0: as trained; above 1: less
    confident); ``stance calibrate`` fits it on held-out data. ``device`` is ``auto`` (a GPU where
    present, else the CPU), ``cpu``, ``cuda`` or ``mps``. ``precision`` is ``fp32`` (the reference),
    ``bf16``, ``int8`` (ONNX Runtime on the CPU, see :mod:`stance.model.onnx`) or ``auto`` (int8 on
    the CPU, bf16 or fp32 on a GPU); ``batch_size`` defaults to the fastest measured for the precision.
    The runtime is chosen once, here (:func:`~stance.model.backends.make_backend`).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_length: int = DEFAULT_MAX_LENGTH,
        max_target_tokens: int = DEFAULT_MAX_TARGET_TOKENS,
        stride: int = DEFAULT_STRIDE,
        batch_size: int | None = None,
        base_model: str | None = None,
        temperature: float = 1.0,
        precision: str = "fp32",
        device: str = "auto",
    ) -> None:
        if not (0 < temperature < float("inf")):
            raise ValueError(f"temperature {temperature!r}: must be a positive number")
        device, precision = resolve_runtime(device, precision)
        self.backend: Backend = make_backend(model, tokenizer, precision, device)
        self.base_model = base_model or self.backend.name_or_path
        self.tokenizer = tokenizer
        self.max_length = min(max_length, self.backend.max_positions or max_length)
        # Keep at least half the window for the comment, and the overlap under that half.
        self.max_target_tokens = min(max_target_tokens, self.max_length // 2)
        self.stride = min(stride, self.max_length // 4)
        self.batch_size = batch_size or BATCH_SIZES[self.precision]
        self.temperature = float(temperature)
        self.windows = WindowEncoder(
            tokenizer,
            max_length=self.max_length,
            max_target_tokens=self.max_target_tokens,
            stride=self.stride,
            input_names=self.backend.input_names,
            pad_id=self.backend.pad_id if self.backend.pad_id is not None else 0,
        )

    @property
    def labels(self) -> list[str]:
        """Label names in output order, from the model's ``id2label``."""
        return list(self.backend.labels)

    @property
    def precision(self) -> str:
        return self.backend.precision

    @property
    def device(self) -> str:
        return self.backend.device

    @property
    def model(self) -> Any:
        """The torch model (for training and saving); an int8 classifier has none."""
        model = getattr(self.backend, "model", None)
        if model is None:
            raise ModelError(f"this classifier runs on {type(self.backend).__name__}; load it in fp32 or bf16 for its torch model")
        return model

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path | None = None, **options: Any) -> StanceClassifier:
        """Load a model directory written by ``stance train`` (full, or a compact adapter or delta), any
        plain Hugging Face classifier directory, or a name in the local Hugging Face cache.

        ``options`` are the constructor's (precision, device, batch_size, ...); the window sizes and
        temperature stored in the directory's ``stance.json`` apply unless given.
        """
        from stance.model.base import resolve_base_model

        source = str(name_or_path or default_model_path())
        path = Path(source)
        settings = ModelSettings.read(path) if path.is_dir() else None
        check_model_source(source, settings)
        device, precision = resolve_runtime(options.get("device", "auto"), options.get("precision", "fp32"))
        options = options | {"device": device, "precision": precision}
        options = (settings.reading() if settings else {}) | options
        local_dir = Path(resolve_base_model(source))
        if options["precision"] == "int8" and local_dir.is_dir():
            from stance.model.onnx import load_int8

            base = Path(resolve_base_model(settings.base_model)) if stored_form(path, settings) != "full" else None
            model, tokenizer = load_int8(
                local_dir, base if base and base.is_dir() else None, lambda: load_torch_model(source, settings)
            )
            return cls(model, tokenizer, **options)
        return cls(*load_torch_model(source, settings), **options)

    def save_pretrained(
        self, directory: str | Path, *, card: str | None = None, storage: str = "full", delta_rank: int = 64
    ) -> None:
        """Write the model directory; it appears whole or not at all (``stance.json`` is written last).

        ``storage``: ``"full"``, a plain Hugging Face directory (config, safetensors, tokenizer) that
        ``transformers.pipeline`` loads; ``"adapter"`` (LoRA-trained models), only the LoRA adapter;
        ``"delta"``, only the difference from the base model, with rank-``delta_rank`` matrices.
        The two compact forms take a few MB and are merged into the base by :meth:`from_pretrained`;
        ``stance export`` turns them into a full directory.
        """
        if self.precision != "fp32":
            raise ModelError(f"cannot save a {self.precision} classifier; load the model in fp32 to save it")
        self.backend.model = save_model(
            self.model, self.tokenizer, directory, self.settings(), storage=storage, card=card, delta_rank=delta_rank
        )

    def settings(self) -> ModelSettings:
        """What ``stance.json`` records about how this classifier reads comments."""
        return ModelSettings(
            labels=self.labels,
            base_model=self.base_model,
            max_length=self.max_length,
            max_target_tokens=self.max_target_tokens,
            stride=self.stride,
            temperature=self.temperature,
        )

    @overload
    def predict(self, texts: str, targets: str | None = ..., *, progress: bool = ...) -> Prediction: ...
    @overload
    def predict(
        self, texts: Sequence[str], targets: str | Sequence[str] | None = ..., *, progress: bool = ...
    ) -> list[Prediction]: ...

    def predict(self, texts, targets=None, *, progress=False):
        """Predict the stance of one comment (returns a Prediction) or of a list (returns a list).

        ``targets`` is one target for all comments or one per comment; ``None`` means no target.
        """
        single = isinstance(texts, str)
        probabilities = self.predict_proba([texts] if single else texts, targets, progress=progress)
        labels = self.labels
        predictions = [
            Prediction(
                label=labels[int(row.argmax())],
                confidence=float(row.max()),
                scores={label: float(p) for label, p in zip(labels, row)},
            )
            for row in probabilities
        ]
        return predictions[0] if single else predictions

    def predict_proba(
        self, texts: str | Sequence[str], targets: str | Sequence[str] | None = None, *, progress: bool = False
    ) -> np.ndarray:
        """Label probabilities in :attr:`labels` order: one row per comment for a list, one row for a string."""
        if isinstance(texts, str):
            return self.predict_proba([texts], targets, progress=progress)[0]
        texts = list(texts)
        logits, owners, weights = self.window_logits(texts, targets, progress=progress)
        return combine_windows(logits, owners, weights, len(texts), self.temperature)

    def window_logits(
        self, texts: Sequence[str], targets: str | Sequence[str] | None = None, *, progress: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw logits (before the temperature) of every window, the comment each window belongs to, its weight.

        :func:`combine_windows` turns them into :meth:`predict_proba`'s probabilities at any temperature.
        """
        target_list = _broadcast_targets(targets, len(texts))
        windows, owners, weights = self.encode_windows(list(texts), target_list)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]["input_ids"]))
        batches = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]

        def inputs_of(batch: list[int]) -> dict[str, np.ndarray]:
            return self.windows.pad([windows[i] for i in batch], self.backend.pad_multiple)

        results = self.backend.map_batches(batches, inputs_of)
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(batches), desc="classifying", unit="batch", leave=False, delay=1.0)
        window_logits = np.zeros((len(windows), len(self.labels)), dtype=np.float64)
        for batch, logits in zip(batches, results):
            window_logits[batch] = logits
        return window_logits, owners, weights

    def encode_windows(self, texts: list[str], targets: list[str]) -> tuple[list[dict[str, list[int]]], np.ndarray, np.ndarray]:
        """Tokenise (target, comment) pairs into model windows (see :class:`WindowEncoder`).

        Returns the windows, the index of the comment each window belongs to, and each window's length
        (its weight when window probabilities are averaged per comment).
        """
        return self.windows.encode(texts, targets)


def combine_windows(
    logits: np.ndarray, owners: np.ndarray, weights: np.ndarray, n_texts: int, temperature: float = 1.0
) -> np.ndarray:
    """Per-comment probabilities: softmax(logits / temperature) per window, averaged by window weight."""
    scaled = logits / temperature
    window_probs = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    window_probs /= window_probs.sum(axis=1, keepdims=True)
    totals = np.zeros((n_texts, logits.shape[1]))
    np.add.at(totals, owners, window_probs * weights[:, None])
    return totals / np.bincount(owners, weights=weights, minlength=n_texts)[:, None]


def _broadcast_targets(targets: str | Sequence[str] | None, n: int) -> list[str]:
    if targets is None or isinstance(targets, str):
        return [targets or ""] * n
    target_list = [target or "" for target in targets]
    if len(target_list) != n:
        raise ValueError(f"got {len(target_list)} targets for {n} comments; pass one target, or one per comment")
    return target_list


@lru_cache(maxsize=2)
def _cached_classifier(name_or_path: str, stamp: int | None) -> StanceClassifier:
    """One loaded classifier per model; ``stamp`` (its stance.json's modification time) makes a
    retrained or recalibrated model load afresh."""
    return StanceClassifier.from_pretrained(name_or_path)


def _stamp(name_or_path: str) -> int | None:
    try:
        return Path(name_or_path, "stance.json").stat().st_mtime_ns
    except OSError:
        return None


@overload
def predict(texts: str, target: str | None = ..., *, model: str | None = ...) -> Prediction: ...
@overload
def predict(texts: Sequence[str], target: str | Sequence[str] | None = ..., *, model: str | None = ...) -> list[Prediction]: ...


def predict(texts, target=None, *, model=None):
    """Stance of a comment (or a list of comments) toward ``target``, with the default model.

    >>> predict("Great move!", target="UK-Japan cyber pact").label  # doctest: +SKIP
    'support'
    """
    name = str(model or default_model_path())
    return _cached_classifier(name, _stamp(name)).predict(texts, target)
