"""Where a training run starts: the base model with a fresh head per task, or a trained model's encoder
and the heads whose labels match, wrapped in LoRA adapters for ``method='lora'``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stance.errors import ConfigError, ModelError, first_line
from stance.model.classifier import StanceClassifier
from stance.model.heads import TaskHead, head_attribute, new_head, swap_in_head
from stance.model.names import resolve_base_model
from stance.model.storage import ModelSettings, load_base_classifier
from stance.training.config import TrainingConfig


def initial_classifier(config: TrainingConfig, labels: Mapping[str, list[str]], trained: str | None) -> StanceClassifier:
    """The base model with a fresh head per task for its ``labels`` (task → labels; the first task's
    is the model's own head), the model wrapped in LoRA for ``method='lora'``. A trained model
    (``init_from``, or a ``base_model`` that is a stance model directory) brings its encoder and
    the heads whose labels match."""
    from transformers import AutoTokenizer

    tasks = list(labels)
    if trained:
        model, tokenizer, heads, base_model = _start_from(trained, config, labels)
    else:
        try:
            tokenizer = AutoTokenizer.from_pretrained(resolve_base_model(config.base_model), local_files_only=True)
            model = load_base_classifier(config.base_model, labels[tasks[0]])
        except (OSError, ValueError) as err:
            raise ModelError(
                f"{config.base_model}: cannot load the base model ({first_line(err)}); "
                "pass a local directory or a Hugging Face name that is in your local cache"
            ) from None
        heads, base_model = {}, config.base_model
    # Built before LoRA wraps the model, so the further heads train in full, as its own head does.
    heads = {task: heads.get(task) or TaskHead(labels[task], new_head(model, len(labels[task]))) for task in tasks[1:]}
    if config.method == "lora":
        model = _with_lora(model, config)
    return StanceClassifier(
        model,
        tokenizer,
        task=tasks[0],
        heads=heads,
        max_length=config.max_length,
        max_target_tokens=config.max_target_tokens,
        base_model=base_model,
        runtime=config.runtime(),
    )


def starts_from_trained(config: TrainingConfig) -> str | None:
    """The trained model directory training starts from: ``init_from``, or a ``base_model`` that is
    one (``stance train --base-model models/default``); None for a bare base model."""
    if config.init_from:
        return str(config.init_from)
    candidate = Path(config.base_model).expanduser()
    return str(candidate) if ModelSettings.read(candidate) is not None else None


def continued_tasks(config: TrainingConfig) -> dict[str, list[str]] | None:
    """The tasks and labels of the model ``init_from`` names, which a run continuing it keeps (its own
    task first); None where training starts afresh."""
    if not config.init_from:
        return None
    settings = ModelSettings.read(Path(config.init_from).expanduser())
    if settings is None:
        raise ConfigError(f"{config.init_from}: not a trained stance model (no stance.json); give it as --base-model", settings="init_from")
    return settings.tasks()


def _start_from(directory: str, config: TrainingConfig, labels: Mapping[str, list[str]]) -> tuple[Any, Any, dict[str, TaskHead], str]:
    """The model, tokenizer, further heads and underlying base model of the trained model in
    ``directory``, to train on from there.

    ``init_from`` continues a model: it must have been trained from ``config.base_model`` (a compact
    result is stored against it); ``labels`` are then its own (:func:`continued_tasks`), so every head
    is kept. A trained model given as ``base_model`` lends its encoder to any labels: a head whose
    labels differ is replaced by a fresh one. Either way a further head whose labels match is kept.
    """
    start = StanceClassifier.from_pretrained(directory, runtime=config.runtime())
    main = next(iter(labels))
    same_head = start.task == main and start.labels == list(labels[main])
    if config.init_from and start.base_model != config.base_model:
        raise ConfigError(
            f"{directory}: was trained from {start.base_model}, not {config.base_model}; train from that base model",
            settings=("init_from", "base_model"),
        )
    model = start.model
    original_own = TaskHead(start.labels, getattr(model, head_attribute(model)))
    if not same_head:
        mine = start.heads.get(main)
        own = mine if mine and mine.labels == list(labels[main]) else TaskHead(list(labels[main]), new_head(model, len(labels[main])))
        model = swap_in_head(model, own)
    heads = {task: head for task, head in start.heads.items() if head.labels == list(labels.get(task, [])) and task != main}
    if start.task != main and start.labels == list(labels.get(start.task, [])):
        heads[start.task] = original_own
    return model, start.tokenizer, heads, start.base_model


def _with_lora(model: Any, config: TrainingConfig) -> Any:
    """``model`` wrapped for LoRA training: small adapters on every linear layer, its head in full."""
    from peft import LoraConfig, TaskType, get_peft_model

    lora = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=config.lora_rank,
        lora_alpha=config.lora_alpha or 2 * config.lora_rank,
        lora_dropout=config.lora_dropout,
        target_modules="all-linear",
        # The pooler's tanh saturates under LoRA's learning rates; it stays as pretrained.
        exclude_modules=["pooler.dense"],
    )
    return get_peft_model(model, lora)
