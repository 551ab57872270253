"""The stance classifier: a sequence-classification transformer reading (target, comment) pairs."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np

from stance.errors import ModelError
from stance.model import DEFAULT_MAX_LENGTH, DEFAULT_MAX_TARGET_TOKENS, DEFAULT_STRIDE
from stance.model.backends import Backend, load_backend, make_backend
from stance.model.heads import TaskHead, divide_output, head_attribute, swap_in_head
from stance.model.prediction import Prediction
from stance.model.runtime import RUNTIME_OPTIONS, Runtime
from stance.model.storage import ModelSettings, check_model_source, default_model_path, is_temperature, save_model
from stance.model.windows import WindowEncoder, length_batches


class StanceClassifier:
    """Labels comments with their stance toward a target, and their sentiment where the model has that head.

    Long comments are split into overlapping windows that each carry the target; their
    probabilities are averaged, weighted by window length. Batches are sorted by length.
    ``temperature`` divides the logits before the softmax (1.0: as trained; above 1: less
    confident), one for every task or a task → temperature mapping; ``stance calibrate`` fits it on
    held-out data. ``task`` is what the model's own head answers (stance, or sentiment for a
    sentiment-only model) and ``heads`` its further task heads (:mod:`stance.model.heads`). ``runtime`` (a
    :class:`~stance.model.runtime.Runtime`) says where and how it computes; ``device``, ``precision``,
    ``threads`` and ``batch_size``, where given, take the place of its fields (``precision="int8"``: ONNX
    Runtime on the CPU, see :mod:`stance.model.onnx`).
    ``languages`` are those its training comments were written in (stored in ``stance.json``), so
    that ``stance classify`` can warn about comments in others. ``reply_context`` says the model was
    trained reading each reply after the comment it answers: only such a model is given the parents.
    The runtime is settled once, here, and the backend chosen for it (:func:`~stance.model.backends.make_backend`).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        task: str = "stance",
        heads: Mapping[str, TaskHead] | None = None,
        max_length: int = DEFAULT_MAX_LENGTH,
        max_target_tokens: int = DEFAULT_MAX_TARGET_TOKENS,
        stride: int = DEFAULT_STRIDE,
        base_model: str | None = None,
        temperature: float | Mapping[str, float] = 1.0,
        languages: Sequence[str] | None = None,
        reply_context: bool = False,
        runtime: Runtime | None = None,
        device: str | None = None,
        precision: str | None = None,
        threads: int | None = None,
        batch_size: int | None = None,
    ) -> None:
        settled = Runtime.of(runtime, device=device, precision=precision, threads=threads, batch_size=batch_size).resolve()
        self.backend: Backend = make_backend(model, tokenizer, settled, task, heads)
        self.temperatures = _temperatures(temperature, self.tasks)
        self.base_model = base_model or self.backend.name_or_path
        self.source: str | None = None  # where from_pretrained loaded it: a resolved directory or a hub name
        self.languages = list(languages) if languages is not None else None  # trained on (ISO 639-1); None: not known
        self.reply_context = reply_context
        self.tokenizer = tokenizer
        self.max_length = min(max_length, self.backend.max_positions or max_length)
        # Keep at least half the window for the comment, and the overlap under that half.
        self.max_target_tokens = min(max_target_tokens, self.max_length // 2)
        self.stride = min(stride, self.max_length // 4)
        self.windows = WindowEncoder(
            tokenizer,
            max_length=self.max_length,
            max_target_tokens=self.max_target_tokens,
            stride=self.stride,
            input_names=self.backend.input_names,
            pad_id=self.backend.pad_id if self.backend.pad_id is not None else 0,
        )

    @property
    def tasks(self) -> dict[str, list[str]]:
        """Each task the model answers (``stance``, ``sentiment``) and its labels in output order."""
        return {task: list(labels) for task, labels in self.backend.tasks.items()}

    @property
    def task(self) -> str:
        """The task of the model's own head: ``stance``, or ``sentiment`` for a sentiment-only model."""
        return next(iter(self.backend.tasks))

    @property
    def labels(self) -> list[str]:
        """The labels of the model's own head in output order, from its ``id2label``."""
        return self.tasks[self.task]

    @property
    def temperature(self) -> float:
        """The temperature of the model's own head."""
        return self.temperatures[self.task]

    @temperature.setter
    def temperature(self, value: float) -> None:
        self.temperatures = _temperatures(self.temperatures | {self.task: value}, self.tasks)

    @property
    def runtime(self) -> Runtime:
        """Where and how it computes, settled: the device, precision, CPU threads and batch size."""
        return self.backend.runtime

    @property
    def precision(self) -> str:
        return self.runtime.precision

    @property
    def device(self) -> str:
        return self.runtime.device

    @property
    def batch_size(self) -> int:
        """Windows per model batch."""
        return self.runtime.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self.backend.runtime = Runtime.of(self.runtime, batch_size=value)

    def _torch_backend(self) -> Any:
        """The torch backend, whose model and heads training and saving work on; an int8 classifier has none."""
        if getattr(self.backend, "model", None) is None:
            raise ModelError(f"this classifier runs on {type(self.backend).__name__}; load it in fp32 or bf16 for its torch model")
        return self.backend

    @property
    def model(self) -> Any:
        """The torch model (for training and saving); an int8 classifier has none."""
        return self._torch_backend().model

    @model.setter
    def model(self, model: Any) -> None:
        """Swap in a torch model of the same architecture (training loads its best checkpoint so)."""
        self._torch_backend().model = model

    @property
    def heads(self) -> dict[str, TaskHead]:
        """The further task heads (task → :class:`TaskHead`), whose torch modules training updates in place."""
        return self._torch_backend().heads

    @property
    def threads(self) -> int:
        """How many CPU threads it computes with."""
        return self.runtime.threads

    @threads.setter
    def threads(self, value: int) -> None:
        self.backend.runtime = Runtime.of(self.runtime, threads=value)

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path | None = None, **options: Any) -> StanceClassifier:
        """Load a model directory written by ``stance train`` (full, or a compact adapter or delta), any
        plain Hugging Face classifier directory, or a name in the local Hugging Face cache.

        ``options`` are the constructor's (``runtime`` or precision, device, threads, batch_size; ...); the window
        sizes and temperature stored in the directory's ``stance.json`` apply unless given.
        """
        from stance.model.names import resolve_base_model

        source = str(name_or_path or default_model_path())
        path = Path(source)
        settings = ModelSettings.read(path) if path.is_dir() else None
        check_model_source(source, settings)
        given = {name: options.pop(name) for name in RUNTIME_OPTIONS if name in options}
        settled = Runtime.of(options.pop("runtime", None), **given).resolve()
        stored = settings.reading() if settings else {}
        if isinstance(options.get("temperature"), Mapping):  # some heads' temperatures: the others stay as stored
            options["temperature"] = stored.get("temperature", {}) | dict(options["temperature"])
        backend, tokenizer = load_backend(source, settings, settled)
        classifier = cls(backend, tokenizer, runtime=settled, **(stored | options))
        local_dir = Path(resolve_base_model(source))
        classifier.source = str(local_dir.resolve()) if local_dir.is_dir() else source
        return classifier

    def save_pretrained(
        self, directory: str | Path, *, card: str | None = None, storage: str = "full", delta_rank: int = 64,
        figures: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """Write the model directory; it appears whole or not at all (``stance.json`` is written last).

        ``storage``: ``"full"``, a plain Hugging Face directory (config, safetensors, tokenizer) that
        ``transformers.pipeline`` loads; ``"adapter"`` (LoRA-trained models), only the LoRA adapter;
        ``"delta"``, only the difference from the base model, with rank-``delta_rank`` matrices.
        The two compact forms take a few MB and are merged into the base by :meth:`from_pretrained`;
        ``stance export`` turns them into a full directory. ``figures`` (the model's scores, see
        :class:`~stance.model.storage.ModelSettings`) are stored in ``stance.json``.
        """
        if self.precision != "fp32":
            raise ModelError(f"cannot save a {self.precision} classifier; load the model in fp32 to save it")
        self.model = save_model(
            self.model, self.tokenizer, directory, replace(self.settings(), figures=[dict(f) for f in figures] or None),
            heads=self.heads, storage=storage, card=card,
            delta_rank=delta_rank,
        )

    def only(self, task: str) -> StanceClassifier:
        """A classifier for ``task`` alone, its head made the model's own: saved, a plain Hugging Face
        directory for that task (``stance export --task``). Needs the torch model (fp32 or bf16)."""
        task = self.resolve_task(task)
        model = self.model if task == self.task else swap_in_head(copy.deepcopy(self.model), self.heads[task])
        return self._like(model, task=task, heads={}, temperature=self.temperatures[task])

    def with_temperatures_folded(self) -> StanceClassifier:
        """The same classifier with each head's temperature folded into its output layer (weights and bias
        divided by it) and every temperature 1.0: the same probabilities, also from plain ``transformers``,
        which knows nothing of ``stance.json`` (``stance export``). Needs the torch model."""
        model = copy.deepcopy(self.model)
        heads = {task: TaskHead(head.labels, copy.deepcopy(head.module)) for task, head in self.heads.items()}
        divide_output(getattr(model, head_attribute(model)), self.temperatures[self.task])
        for task, head in heads.items():
            divide_output(head.module, self.temperatures[task])
        return self._like(model, task=self.task, heads=heads, temperature=1.0)

    def _like(self, model: Any, *, task: str, heads: Mapping[str, TaskHead], temperature: float | Mapping[str, float]) -> StanceClassifier:
        """A classifier of ``model`` and ``heads`` that reads comments as this one does."""
        return StanceClassifier(
            model, self.tokenizer, task=task, heads=heads, max_length=self.max_length, max_target_tokens=self.max_target_tokens,
            stride=self.stride, base_model=self.base_model, temperature=temperature, runtime=self.runtime,
            languages=self.languages, reply_context=self.reply_context,
        )

    def settings(self) -> ModelSettings:
        """What ``stance.json`` records about how this classifier reads comments."""
        further = {
            task: {"labels": labels, "temperature": self.temperatures[task]} for task, labels in self.tasks.items() if task != self.task
        }
        return ModelSettings(
            labels=self.labels,
            base_model=self.base_model,
            max_length=self.max_length,
            max_target_tokens=self.max_target_tokens,
            stride=self.stride,
            temperature=self.temperature,
            task=None if self.task == "stance" else self.task,
            heads=further or None,
            languages=self.languages,
            reply_context=self.reply_context or None,
        )

    @overload
    def predict(self, texts: str, target: str | None = ..., *, parents: str | None = ..., progress: bool = ...) -> Prediction: ...
    @overload
    def predict(
        self, texts: Sequence[str], target: str | Sequence[str] | None = ..., *, parents: Sequence[str | None] | None = ...,
        progress: bool = ...,
    ) -> list[Prediction]: ...

    def predict(self, texts, target=None, *, parents=None, progress=False):
        """Predict the stance (and sentiment, where the model has that head) of one comment (returns a
        Prediction) or of a list (returns a list), from one pass of the model.

        ``target`` is one target for all comments or one per comment; ``None`` means no target.
        An empty comment (nothing but white space) gets no labels and ``empty=True``.
        ``parents`` are the texts of the comments replied to (one per comment, None for none); a model
        trained without them (see ``reply_context``) leaves them unread.
        """
        single = isinstance(texts, str)
        texts = [texts] if single else list(texts)
        parents = _parent_list(single, parents)
        logits, owners, weights = self._window_logits(texts, target, parents, progress=progress)
        predictions = self._predictions(texts, logits, owners, weights)
        return predictions[0] if single else predictions

    def predict_proba(
        self,
        texts: str | Sequence[str],
        target: str | Sequence[str] | None = None,
        *,
        parents: str | Sequence[str | None] | None = None,
        task: str | None = None,
        progress: bool = False,
    ) -> np.ndarray:
        """Probabilities of ``task``'s labels (default: the model's own head's) in :attr:`tasks` order:
        one row per comment for a list, one row for a string. ``parents`` as in :meth:`predict`."""
        if isinstance(texts, str):
            return self.predict_proba([texts], target, parents=_parent_list(True, parents), task=task, progress=progress)[0]
        parents = _parent_list(False, parents)
        texts = list(texts)
        task = self.resolve_task(task)
        logits, owners, weights = self.window_logits(texts, target, parents=parents, task=task, progress=progress)
        return combine_windows(logits, owners, weights, len(texts), self.temperatures[task])

    def window_logits(
        self, texts: Sequence[str], target: str | Sequence[str] | None = None, *, parents: Sequence[str | None] | None = None,
        task: str | None = None, progress: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw logits of ``task`` (before the temperature) of every window, the comment each window
        belongs to, its weight.

        :func:`combine_windows` turns them into :meth:`predict_proba`'s probabilities at any temperature.
        """
        logits, owners, weights = self._window_logits(texts, target, parents, progress=progress)
        return logits[self.resolve_task(task)], owners, weights

    def resolve_task(self, task: str | None) -> str:
        """``task``, or the model's own head's where None; a task the model has no head for is an error."""
        if task is None:
            return self.task
        if task not in self.tasks:
            raise ModelError(
                f"this model has no {task} head (it answers {', '.join(self.tasks)}); train one on data with {task} labels",
                settings=f"{task}_column" if task == "sentiment" else (),
            )
        return task

    def predict_with_features(
        self, texts: Sequence[str], target: str | Sequence[str] | None = None, *, parents: Sequence[str | None] | None = None,
        progress: bool = False,
    ) -> tuple[list[Prediction], np.ndarray]:
        """:meth:`predict`'s answers and, from the same pass, a vector of what each comment says (its tokens at
        the encoder's middle layer, :func:`~stance.model.heads.middle_layer_mean`, averaged over its windows by
        weight): what `stance suggest` spreads its choice over. Needs a torch precision; int8 gives labels only."""
        texts = list(texts)
        logits, owners, weights, window_features = self._window_logits(texts, target, parents, progress=progress, features=True)
        return self._predictions(texts, logits, owners, weights), per_comment(window_features, owners, weights, len(texts))

    def _predictions(
        self, texts: Sequence[str], logits: Mapping[str, np.ndarray], owners: np.ndarray, weights: np.ndarray
    ) -> list[Prediction]:
        """Each comment's :class:`Prediction` from the logits of its windows (none for an empty comment)."""
        answers = {
            task: _labelled(self.tasks[task], combine_windows(task_logits, owners, weights, len(texts), self.temperatures[task]))
            for task, task_logits in logits.items()
        }
        return [
            Prediction.empty_comment() if not text.strip() else Prediction.of({task: rows[i] for task, rows in answers.items()})
            for i, text in enumerate(texts)
        ]

    def _window_logits(
        self, texts: Sequence[str], targets: str | Sequence[str] | None, parents: Sequence[str | None] | None, *, progress: bool,
        features: bool = False,
    ) -> tuple[Any, ...]:
        """Every task's window logits from one pass, with the windows' owners and weights; with ``features``,
        then each window's vector (:func:`~stance.model.heads.middle_layer_mean`)."""
        target_list = _broadcast_targets(targets, len(texts))
        windows, owners, weights = self.encode_windows(list(texts), target_list, parents)
        # Lengths bucketed where scores must not depend on the batch: on the CPU (a GPU gains nothing by it).
        multiple = self.backend.pad_multiple if self.runtime.device == "cpu" else None
        batches = length_batches([len(window["input_ids"]) for window in windows], self.batch_size, multiple)

        def inputs_of(batch: list[int]) -> dict[str, np.ndarray]:
            return self.windows.pad([windows[i] for i in batch], self.backend.pad_multiple)

        results = self.backend.map_batches(batches, inputs_of, features=features)
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(batches), desc="classifying", unit="batch", leave=False, delay=1.0)
        logits = {task: np.zeros((len(windows), len(labels)), dtype=np.float64) for task, labels in self.tasks.items()}
        window_features: np.ndarray | None = None
        for outputs, batch in zip(results, batches):  # results first: it runs to its end, and its threads' settings are restored
            for task_logits, output in zip(logits.values(), outputs):
                task_logits[batch] = output
            if features:
                if window_features is None:
                    window_features = np.zeros((len(windows), outputs[-1].shape[1]), dtype=np.float32)
                window_features[batch] = outputs[-1]
        if features:
            return logits, owners, weights, window_features if window_features is not None else np.zeros((0, 0), dtype=np.float32)
        return logits, owners, weights

    def encode_windows(
        self, texts: list[str], targets: list[str], parents: Sequence[str | None] | None = None
    ) -> tuple[list[dict[str, list[int]]], np.ndarray, np.ndarray]:
        """Tokenise (target, comment) pairs into model windows (see :class:`WindowEncoder`), with the
        comments replied to where the model reads them (``reply_context``).

        Returns the windows, the index of the comment each window belongs to, and each window's length
        (its weight when window probabilities are averaged per comment).
        """
        if parents is None or not self.reply_context:
            return self.windows.encode(texts, targets)
        if len(parents) != len(texts):
            raise ValueError(f"got {len(parents)} parents for {len(texts)} comments; pass one per comment (None for none)")
        return self.windows.encode(texts, targets, [parent or "" for parent in parents])


def _labelled(labels: list[str], probabilities: np.ndarray) -> list[dict[str, float]]:
    """Each row of probabilities as label → probability."""
    return [{label: float(p) for label, p in zip(labels, row)} for row in probabilities]


def _temperatures(temperature: float | Mapping[str, float], tasks: Mapping[str, list[str]]) -> dict[str, float]:
    """A temperature for every task: one number for all, or task → number (unnamed tasks keep 1.0)."""
    given = dict(temperature) if isinstance(temperature, Mapping) else dict.fromkeys(tasks, temperature)
    unknown = sorted(set(given) - set(tasks))
    if unknown:
        raise ValueError(f"temperature for {', '.join(unknown)}: the model answers {', '.join(tasks)}")
    for task, value in given.items():
        if not is_temperature(value):
            raise ValueError(f"temperature {value!r} for {task}: must be a positive number")
    return {task: float(given.get(task, 1.0)) for task in tasks}


def combine_windows(
    logits: np.ndarray, owners: np.ndarray, weights: np.ndarray, n_texts: int, temperature: float = 1.0
) -> np.ndarray:
    """Per-comment probabilities: softmax(logits / temperature) per window, averaged by window weight."""
    scaled = logits / temperature
    window_probs = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    window_probs /= window_probs.sum(axis=1, keepdims=True)
    return per_comment(window_probs, owners, weights, n_texts)


def per_comment(values: np.ndarray, owners: np.ndarray, weights: np.ndarray, n_texts: int) -> np.ndarray:
    """Each comment's rows of ``values`` (one per window) averaged by window weight."""
    totals = np.zeros((n_texts, values.shape[1]))
    np.add.at(totals, owners, values * weights[:, None])
    return totals / np.bincount(owners, weights=weights, minlength=n_texts)[:, None]


def _parent_list(single: bool, parents: str | Sequence[str | None] | None) -> Sequence[str | None] | None:
    """``parents`` as a list: one text for one comment, a list (None for none) for a list of comments."""
    if isinstance(parents, str) != (single and parents is not None):
        raise TypeError("parents: one text for one comment, a list (None for none) for a list of comments")
    return [parents] if single and parents is not None else parents


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
def predict(texts: str, target: str | None = ..., *, parents: str | None = ..., model: str | None = ...) -> Prediction: ...
@overload
def predict(
    texts: Sequence[str], target: str | Sequence[str] | None = ..., *, parents: Sequence[str | None] | None = ..., model: str | None = ...
) -> list[Prediction]: ...


def predict(texts, target=None, *, parents=None, model=None):
    """Stance of a comment (or a list of comments) toward ``target``, with the default model; the
    ``parents`` (the comments replied to) are read by a model trained with them.

    >>> predict("Great move!", target="UK-Japan cyber pact").label  # doctest: +SKIP
    'support'
    """
    name = str(model or default_model_path())
    return _cached_classifier(name, _stamp(name)).predict(texts, target, parents=parents)
