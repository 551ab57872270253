"""Model directories on disk: where the bundled model is, what ``stance.json`` holds, and loading and
saving the three stored forms (a plain Hugging Face directory, a LoRA adapter, a low-rank delta)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from stance.core.labels import TASKS
from stance.errors import ModelError, first_line
from stance.model.compact import DELTA_FILE, load_delta, save_delta
from stance.model.heads import TaskHead, load_heads, save_heads
from stance.model.names import resolve_base_model

# The bundled model is package data, so a wheel carries it; the repo's models/default links here.
DEFAULT_MODEL_DIR = Path(str(resources.files("stance.model") / "default"))
STANCE_CONFIG = "stance.json"  # our settings beside a model; written last, so its presence marks a whole directory
ADAPTER_CONFIG = "adapter_config.json"
STORAGES = ("full", "adapter", "delta")
# Never the network (models come from disk or the local Hugging Face cache), never remote code, never
# unpickled weights. transformers' look for a LoRA adapter does not pass local_files_only on by itself.
LOAD_OPTIONS = {
    "local_files_only": True, "trust_remote_code": False, "use_safetensors": True, "adapter_kwargs": {"local_files_only": True},
}


def default_model_path() -> str:
    """The model ``predict`` and ``stance classify`` use: $STANCE_MODEL, else the bundled one."""
    return os.environ.get("STANCE_MODEL") or str(DEFAULT_MODEL_DIR)


@dataclass
class ModelSettings:
    """What ``stance.json`` records about how a model reads comments: its labels and base model, the
    window sizes it was trained with, the temperature ``stance calibrate`` fitted, how the weights
    are stored (``format``: one of :data:`STORAGES`), the task of the model's own head (``task``:
    stance unless it says sentiment) and its further heads (``heads``: task → ``{"labels": [...],
    "temperature": t}``, weights in ``heads.safetensors``), the ``languages`` it was trained on and
    whether it reads each reply with the comment it answers (``reply_context``)."""

    labels: list[str] = field(default_factory=list)
    base_model: str | None = None
    max_length: int | None = None
    max_target_tokens: int | None = None
    stride: int | None = None
    temperature: float = 1.0
    format: str | None = None
    task: str | None = None
    heads: dict[str, dict[str, Any]] | None = None
    languages: list[str] | None = None  # what its training comments were written in (ISO 639-1), where known
    reply_context: bool | None = None  # trained with the comments replied to (parents) read after the target
    # The model's own figures, each {"set", "measure", "value"} (a score in percent, or a count) and
    # optionally "baseline" (text): its validation scores from training, a shipped model's benchmarks.
    # A shipped model's card table is rendered from them and `stance info` lists them: figures are
    # data, never read back out of Markdown.
    figures: list[dict[str, Any]] | None = None

    @classmethod
    def read(cls, directory: Path) -> ModelSettings | None:
        """The settings stored in ``directory``, or None where it has no ``stance.json``."""
        path = directory / STANCE_CONFIG
        if not path.exists():
            return None
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ModelError(f"{path}: unreadable ({err}); the model directory is damaged") from None
        if not isinstance(stored, dict):
            raise ModelError(f"{path}: not a JSON object; the model directory is damaged")
        known = {f.name for f in fields(cls)}
        settings = cls(**{key: value for key, value in stored.items() if key in known})
        if settings.format is not None and settings.format not in STORAGES:
            raise ModelError(f"{path}: format {settings.format!r} is not one of {', '.join(STORAGES)}")
        _check_temperature(settings.temperature, path)
        if settings.reply_context not in (None, True, False):
            raise ModelError(f"{path}: reply_context {settings.reply_context!r} is not true or false; the model directory is damaged")
        if settings.task is not None and settings.task not in TASKS:
            raise ModelError(f"{path}: task {settings.task!r} is not one of {', '.join(TASKS)}")
        for task, head in (settings.heads or {}).items():
            labels = head.get("labels") if isinstance(head, dict) else None
            if task not in TASKS or task == settings.main_task or not isinstance(labels, list) or not labels:
                raise ModelError(f"{path}: head {task!r} is not a further task with a list of labels; the model directory is damaged")
            _check_temperature(head.get("temperature", 1.0), path)
        for figure in settings.figures or []:
            if not _is_figure(figure):
                raise ModelError(f"{path}: figure {figure!r} is not a set, a measure and a number; the model directory is damaged")
        return settings

    @property
    def main_task(self) -> str:
        """The task of the model's own (Hugging Face) head."""
        return self.task or "stance"

    def tasks(self) -> dict[str, list[str]]:
        """Every task the model answers and its labels, its own head's first."""
        return {self.main_task: list(self.labels)} | {task: list(head["labels"]) for task, head in (self.heads or {}).items()}

    def temperatures(self) -> dict[str, float]:
        """The temperature of each task's head."""
        return {self.main_task: self.temperature} | {
            task: float(head.get("temperature", 1.0)) for task, head in (self.heads or {}).items()
        }

    def write(self, directory: str | Path) -> None:
        """Write (or replace, atomically) ``stance.json`` in ``directory``; unset settings are left out."""
        from stance.io.files import atomic_file

        with atomic_file(Path(directory, STANCE_CONFIG)) as handle:
            handle.write(json.dumps({key: value for key, value in asdict(self).items() if value is not None}, indent=2) + "\n")

    def reading(self) -> dict[str, Any]:
        """The classifier settings stored here (the window sizes, base model, languages, reply context, task and temperatures)."""
        keys = ("max_length", "max_target_tokens", "stride", "base_model", "languages", "reply_context")
        stored = {key: getattr(self, key) for key in keys if getattr(self, key) is not None}
        return stored | {"task": self.main_task, "temperature": self.temperatures()}


def _is_figure(figure: Any) -> bool:
    """A stored figure: its set and measure as text, its value a number, its baseline (if any) text."""
    return (
        isinstance(figure, dict) and isinstance(figure.get("set"), str) and isinstance(figure.get("measure"), str)
        and isinstance(figure.get("value"), (int, float)) and not isinstance(figure.get("value"), bool)
        and isinstance(figure.get("baseline", ""), str)
    )


def is_temperature(value: Any) -> bool:
    """A usable temperature: a finite positive number (not a boolean)."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 < value < float("inf")


def _check_temperature(temperature: Any, path: Path) -> None:
    if not is_temperature(temperature):
        raise ModelError(f"{path.parent}: temperature {temperature!r} in {STANCE_CONFIG} is not a positive number")


def stored_form(path: Path, settings: ModelSettings | None) -> str:
    """``adapter``, ``delta`` or ``full``: how the model in ``path`` is stored, as its ``stance.json``
    says (directories written before it said so, and plain ones, are told by their files)."""
    if settings is not None and settings.format:
        return settings.format
    if (path / ADAPTER_CONFIG).exists():
        return "adapter"
    return "delta" if (path / DELTA_FILE).exists() else "full"


def check_model_source(source: str, settings: ModelSettings | None) -> None:
    """Fail with a clear message where ``source`` cannot be a model (see :func:`load_torch_model`)."""
    path = Path(source)
    if not path.exists() and source == str(DEFAULT_MODEL_DIR):
        raise ModelError(f"{source}: the bundled model is missing; reinstall stance, or rebuild it with scripts/train_default.py")
    compact = stored_form(path, settings) != "full"
    if compact and not (settings and settings.labels and settings.base_model):
        raise ModelError(
            f"{source}: compact model directory without labels and base model in {STANCE_CONFIG}; "
            "it is incomplete, retrain or re-export it"
        )
    if not path.exists():
        resolve_base_model(source)  # a name in the local Hugging Face cache, or an error at once
    if path.exists() and not (path / "config.json").exists() and not compact:
        raise ModelError(
            f"{source}: not a model directory (no config.json or {ADAPTER_CONFIG}); "
            "pass a directory written by `stance train` or a Hugging Face model name"
        )


def load_torch_model(source: str, settings: ModelSettings | None) -> tuple[Any, Any, dict[str, TaskHead]]:
    """The torch classifier, its tokenizer and its further heads stored at ``source`` (a directory or
    a Hugging Face name).

    A compact directory holds only the difference from its base model: the base is loaded offline
    and the difference added back.
    """
    from safetensors import SafetensorError
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = Path(source)
    form = stored_form(path, settings)
    try:
        with quiet_transformers():
            if form == "adapter":
                model = _load_adapter_model(path, settings)
            elif form == "delta":
                model = load_delta(load_base_classifier(settings.base_model, settings.labels), path)
            else:
                model = AutoModelForSequenceClassification.from_pretrained(source, **LOAD_OPTIONS)
            tokenizer_source = source if (path / "tokenizer_config.json").exists() or not path.exists() else None
            tokenizer_source = tokenizer_source or (settings.base_model if settings else None)
            if not tokenizer_source:
                raise ModelError(f"{source}: no tokenizer files and no base model named in {STANCE_CONFIG}")
            tokenizer = AutoTokenizer.from_pretrained(resolve_base_model(tokenizer_source), local_files_only=True)
            further = settings.tasks() if settings else {}
            further.pop(settings.main_task if settings else "stance", None)
            heads = load_heads(model, further, path) if further else {}
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as err:
        raise ModelError(f"{source}: cannot load the model ({first_line(err)}); the files may be damaged or half-written") from None
    return model, tokenizer, heads


def save_model(
    model: Any,
    tokenizer: Any,
    directory: str | Path,
    settings: ModelSettings,
    *,
    heads: Mapping[str, TaskHead],
    storage: str,
    card: str | None,
    delta_rank: int,
) -> Any:
    """Write a model directory whole or not at all (``stance.json`` last); returns the model as saved
    (a LoRA model is merged into its base for the full and delta forms). Further ``heads`` are
    stored in full beside it, whatever the storage."""
    from peft import PeftModel

    from stance.io.files import atomic_directory

    if storage not in STORAGES:
        raise ValueError(f"storage {storage!r}: expected one of {', '.join(STORAGES)}")
    is_adapter = isinstance(model, PeftModel)
    if storage == "adapter" and not is_adapter:
        raise ModelError("adapter storage needs a LoRA-trained model; this one was fully fine-tuned")
    if is_adapter and storage != "adapter":
        model = model.merge_and_unload()
    with atomic_directory(directory) as tmp, quiet_transformers():
        if storage == "delta":
            save_delta(model, load_base_classifier(settings.base_model, settings.labels), tmp, delta_rank)
        else:
            model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        if heads:
            save_heads(heads, tmp)
        if card:
            (tmp / "README.md").write_text(card, encoding="utf-8")
        replace(settings, format=storage).write(tmp)
    return model


def load_base_classifier(base_model: str, labels: list[str]) -> Any:
    """The base model with a fresh classification head for ``labels``, loaded offline.

    Quietly: transformers' report that the head is new states what every caller expects (a stored
    head replaces it at once, or training fits it); a load that fails still raises.
    """
    from transformers import AutoModelForSequenceClassification

    with quiet_transformers():
        return AutoModelForSequenceClassification.from_pretrained(
            resolve_base_model(base_model),
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            ignore_mismatched_sizes=True,  # a base that is itself a classifier gets a head of our size
            **LOAD_OPTIONS,
        )


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Within the block, transformers logs errors only and shows no progress bars; both are restored
    after, so a caller's own transformers settings stay as they were. The API prints nothing."""
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def _load_adapter_model(path: Path, settings: ModelSettings) -> Any:
    """Load the base model named in stance.json and merge the LoRA adapter stored at ``path``."""
    from peft import PeftModel

    base = load_base_classifier(settings.base_model, settings.labels)
    return PeftModel.from_pretrained(base, str(path)).merge_and_unload()
