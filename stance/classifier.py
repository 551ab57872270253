"""The stance classifier: a sequence-classification transformer reading (target, comment) pairs."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, overload

import numpy as np

from stance.base_models import resolve_base_model
from stance.compact import DELTA_FILE, load_delta, save_delta
from stance.devices import resolve_device
from stance.errors import ModelError
from stance.onnx_model import OnnxModel
from stance.precision import BATCH_SIZES, apply_precision, resolve_precision
from stance.prediction import Prediction
from stance.windows import WindowEncoder

# The bundled model is package data, so a wheel carries it; the repo's models/default links here.
DEFAULT_MODEL_DIR = Path(str(resources.files("stance") / "default_model"))
STANCE_CONFIG = "stance.json"  # our settings beside a model; written last, so its presence marks a whole directory
ADAPTER_CONFIG = "adapter_config.json"


def default_model_path() -> str:
    """The model ``predict`` and ``stance classify`` use: $STANCE_MODEL, else the bundled one."""
    return os.environ.get("STANCE_MODEL") or str(DEFAULT_MODEL_DIR)


class StanceClassifier:
    """Labels comments with their stance toward a target.

    Long comments are split into overlapping windows that each carry the target; their
    probabilities are averaged, weighted by window length. Batches are sorted by length.
    ``temperature`` divides the logits before the softmax (1.0: as trained; above 1: less
    confident); ``stance calibrate`` fits it on held-out data. ``device`` is ``auto`` (a GPU where
    present, else the CPU), ``cpu``, ``cuda`` or ``mps``. ``precision`` is ``fp32`` (the reference),
    ``bf16``, ``int8`` (ONNX Runtime on the CPU, see :mod:`stance.onnx_model`) or ``auto`` (int8 on
    the CPU, bf16 or fp32 on a GPU); ``batch_size`` defaults to the fastest measured for the precision.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_length: int = 256,
        max_target_tokens: int = 64,
        stride: int = 32,
        batch_size: int | None = None,
        base_model: str | None = None,
        temperature: float = 1.0,
        precision: str = "fp32",
        device: str = "auto",
    ) -> None:
        if not (0 < temperature < float("inf")):
            raise ValueError(f"temperature {temperature!r}: must be a positive number")
        self.device = "cpu" if isinstance(model, OnnxModel) else resolve_device(device)
        self.precision = resolve_precision(precision, self.device)
        self.model = apply_precision(model, tokenizer, self.precision, self.device)
        if not isinstance(self.model, OnnxModel):
            self.model.eval()
        self.pad_multiple = 16 if self.precision == "bf16" else None  # fewer distinct shapes: kernels are reused
        self.base_model = base_model or getattr(model.config, "_name_or_path", None)
        self.tokenizer = tokenizer
        positions = getattr(model.config, "max_position_embeddings", None) or max_length
        self.max_length = min(max_length, positions)
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
            input_names=self.model.input_names if isinstance(self.model, OnnxModel) else tokenizer.model_input_names,
            pad_id=_first_set(getattr(tokenizer, "pad_token_id", None), getattr(model.config, "pad_token_id", None), 0),
        )

    @property
    def labels(self) -> list[str]:
        """Label names in output order, from the model's ``id2label``."""
        id2label = self.model.config.id2label
        return [str(id2label[i]) for i in range(len(id2label))]

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path | None = None, **settings: Any) -> StanceClassifier:
        """Load a plain Hugging Face classifier directory/name, or a stance adapter directory.

        An adapter directory (``adapter_config.json`` + ``stance.json``) holds only the LoRA
        difference from its base model; the base is loaded offline and the adapter merged into it.
        """
        source = str(name_or_path or default_model_path())
        path = Path(source)
        stance_config = _read_stance_config(path)
        if not path.exists() and source == str(DEFAULT_MODEL_DIR):
            raise ModelError(f"{source}: the bundled model is missing; reinstall stance, or rebuild it with scripts/train_default.py")
        compact = (path / ADAPTER_CONFIG).exists() or (path / DELTA_FILE).exists()
        if compact and not (stance_config.get("labels") and stance_config.get("base_model")):
            raise ModelError(
                f"{source}: compact model directory without labels and base model in {STANCE_CONFIG}; "
                "it is incomplete, retrain or re-export it"
            )
        if not path.exists() and _looks_like_path(source):
            raise ModelError(
                f"{source}: no such model directory; pass a directory written by `stance train` "
                "or the name of a Hugging Face model available offline"
            )
        if path.exists() and not (path / "config.json").exists() and not compact:
            raise ModelError(
                f"{source}: not a model directory (no config.json or {ADAPTER_CONFIG}); "
                "pass a directory written by `stance train` or a Hugging Face model name"
            )
        kept = {
            key: stance_config[key]
            for key in ("max_length", "max_target_tokens", "stride", "base_model", "temperature")
            if key in stance_config
        }
        temperature = kept.get("temperature", 1.0)
        if not isinstance(temperature, (int, float)) or not 0 < temperature < float("inf"):
            raise ModelError(f"{source}: temperature {temperature!r} in {STANCE_CONFIG} is not a positive number")
        device = resolve_device(settings.get("device", "auto"))
        settings = settings | {"device": device, "precision": resolve_precision(settings.get("precision", "fp32"), device)}
        local_dir = Path(resolve_base_model(source))
        if settings["precision"] == "int8" and local_dir.is_dir():
            base = Path(resolve_base_model(stance_config["base_model"])) if compact else None  # a difference from it
            model, tokenizer = cls._int8_export(local_dir, source, base if base and base.is_dir() else None, settings)
            return cls(model, tokenizer, **(kept | settings))
        from safetensors import SafetensorError
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # loading takes a second; the API prints nothing
        try:
            if (path / ADAPTER_CONFIG).exists():
                model = _load_adapter_model(path, stance_config)
            elif (path / DELTA_FILE).exists():
                model = load_delta(load_base_classifier(stance_config["base_model"], stance_config["labels"]), path)
            else:
                model = AutoModelForSequenceClassification.from_pretrained(source, trust_remote_code=False, use_safetensors=True)
            tokenizer_source = source if (path / "tokenizer_config.json").exists() or not path.exists() else None
            tokenizer_source = tokenizer_source or stance_config.get("base_model")
            if not tokenizer_source:
                raise ModelError(f"{source}: no tokenizer files and no base model named in {STANCE_CONFIG}")
            tokenizer = AutoTokenizer.from_pretrained(resolve_base_model(tokenizer_source))
        except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as err:
            raise ModelError(f"{source}: cannot load the model ({first_line(err)}); the files may be damaged or half-written") from None
        return cls(model, tokenizer, **(kept | settings))

    @classmethod
    def _int8_export(
        cls, model_dir: Path, source: str, base_dir: Path | None, settings: dict[str, Any]
    ) -> tuple[OnnxModel, Any]:
        """The cached int8 ONNX export of ``model_dir`` (a difference from ``base_dir`` where given) and
        its tokenizer, built first if not cached (or damaged)."""
        from stance.files import atomic_directory
        from stance.onnx_model import cached_export, export_int8, is_complete_export, open_export

        export = cached_export(model_dir, base_dir)
        if is_complete_export(export):
            try:
                return open_export(export)
            except Exception:  # damaged on disk since it was written (onnxruntime has its own error types)
                shutil.rmtree(export, ignore_errors=True)
        reference = cls.from_pretrained(source, **(settings | {"precision": "fp32"}))
        try:
            with atomic_directory(export) as tmp:
                export_int8(reference.model, reference.tokenizer, tmp)
        except OSError as err:
            if not is_complete_export(export):  # else another process has just built it
                raise ModelError(
                    f"{export}: cannot write the int8 model there ({first_line(err)}); "
                    "set STANCE_CACHE to a writable folder, or pass --precision fp32"
                ) from None
        except Exception as err:  # the exporter and quantiser raise many types
            raise ModelError(
                f"{source}: cannot convert the model to int8 ({first_line(err)}); pass --precision fp32"
            ) from None
        try:
            return open_export(export)
        except Exception as err:
            raise ModelError(f"{export}: the int8 model just built there does not load ({first_line(err)})") from None

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
        from peft import PeftModel

        from stance.files import atomic_directory

        if self.precision != "fp32":
            raise ModelError(f"cannot save a {self.precision} classifier; load the model in fp32 to save it")
        if storage not in ("full", "adapter", "delta"):
            raise ValueError(f"storage {storage!r}: expected 'full', 'adapter' or 'delta'")
        is_adapter = isinstance(self.model, PeftModel)
        if storage == "adapter" and not is_adapter:
            raise ModelError("adapter storage needs a LoRA-trained model; this one was fully fine-tuned")
        if is_adapter and storage != "adapter":
            self.model = self.model.merge_and_unload()
        with atomic_directory(directory) as tmp:
            if storage == "delta":
                save_delta(self.model, load_base_classifier(self.base_model, self.labels), tmp, delta_rank)
            else:
                self.model.save_pretrained(tmp)
            self.tokenizer.save_pretrained(tmp)
            if card:
                (tmp / "README.md").write_text(card, encoding="utf-8")
            write_stance_config(tmp, self.settings() | {"format": storage})

    def settings(self) -> dict[str, Any]:
        """What ``stance.json`` records about how this classifier reads comments."""
        return {
            "labels": self.labels,
            "base_model": self.base_model,
            "max_length": self.max_length,
            "max_target_tokens": self.max_target_tokens,
            "stride": self.stride,
            "temperature": self.temperature,
        }

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

        def logits_of(batch: list[int]) -> np.ndarray:
            return self._batch_logits(self.windows.pad([windows[i] for i in batch], self.pad_multiple))

        if isinstance(self.model, OnnxModel):
            results = self.model.map_batches(batches, logits_of)
        else:
            results = map(logits_of, batches)
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(batches), desc="classifying", unit="batch", leave=False, delay=1.0)
        window_logits = np.zeros((len(windows), len(self.labels)), dtype=np.float64)
        for batch, logits in zip(batches, results):
            window_logits[batch] = logits
        return window_logits, owners, weights

    def _batch_logits(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        if isinstance(self.model, OnnxModel):
            return self.model.logits(inputs)
        import torch

        with torch.inference_mode():
            tensors = {name: torch.from_numpy(array).to(self.model.device) for name, array in inputs.items()}
            return self.model(**tensors).logits.float().cpu().numpy()

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


def _read_stance_config(path: Path) -> dict[str, Any]:
    config_file = path / STANCE_CONFIG
    if not config_file.exists():
        return {}
    try:
        return json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ModelError(f"{config_file}: unreadable ({err}); the model directory is damaged") from None


def write_stance_config(directory: str | Path, settings: dict[str, Any]) -> None:
    """Write (or replace, atomically) a model directory's stance.json."""
    from stance.files import atomic_file

    with atomic_file(Path(directory, STANCE_CONFIG)) as handle:
        handle.write(json.dumps(settings, indent=2) + "\n")


def load_base_classifier(base_model: str, labels: list[str], *, quiet: bool = True) -> Any:
    """The base model with a fresh classification head for ``labels``, loaded offline.

    ``quiet`` silences transformers' note that the head is new (true when a stored head replaces it
    at once; training leaves it on).
    """
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    if quiet:
        hf_logging.set_verbosity_error()
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            resolve_base_model(base_model),
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            ignore_mismatched_sizes=True,  # a base that is itself a classifier gets a head of our size
            trust_remote_code=False,
            use_safetensors=True,  # never unpickle weights
        )
    finally:
        hf_logging.set_verbosity(verbosity)


def _load_adapter_model(path: Path, stance_config: dict[str, Any]) -> Any:
    """Load the base model named in stance.json and merge the LoRA adapter stored at ``path``."""
    from peft import PeftModel

    base = load_base_classifier(stance_config["base_model"], stance_config["labels"])
    return PeftModel.from_pretrained(base, str(path)).merge_and_unload()


def _looks_like_path(source: str) -> bool:
    """A local path rather than a Hugging Face id (``name`` or ``org/name``)."""
    return source.startswith((".", "/", "~")) or source.count("/") > 1 or os.sep != "/" and os.sep in source


def _first_set(*values: int | None) -> int:
    return next(value for value in values if value is not None)


def first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


@lru_cache(maxsize=2)
def _cached_classifier(name_or_path: str) -> StanceClassifier:
    return StanceClassifier.from_pretrained(name_or_path)


@overload
def predict(texts: str, target: str | None = ..., *, model: str | None = ...) -> Prediction: ...
@overload
def predict(texts: Sequence[str], target: str | Sequence[str] | None = ..., *, model: str | None = ...) -> list[Prediction]: ...


def predict(texts, target=None, *, model=None):
    """Stance of a comment (or a list of comments) toward ``target``, with the default model.

    >>> predict("Great move!", target="UK-Japan cyber pact").label  # doctest: +SKIP
    'support'
    """
    return _cached_classifier(str(model or default_model_path())).predict(texts, target)
