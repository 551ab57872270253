"""The Hugging Face Trainer that runs a training loop: its arguments, its datasets (token windows, or
the cached output of a frozen bottom), its loss weights and its validation metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stance.core.labelled import LabelledComment
from stance.core.metrics import headline_scores
from stance.errors import DataError
from stance.model.classifier import StanceClassifier
from stance.training.config import TrainingConfig
from stance.training.frozen import FeatureCollator, as_inputs, cache_features, check_split, frozen_parameters, layer_count
from stance.training.multitask import NO_LABEL

TOKEN_COLUMNS = ("input_ids", "token_type_ids", "attention_mask")


def frozen_layers(config: TrainingConfig, model: Any) -> int | None:
    """How many layers (above the embeddings) stay frozen and are cached: None where every weight trains."""
    trainable = config.resolved_trainable_layers()
    if trainable == "all":
        return None
    return max(0, layer_count(model) - trainable)


def window_rows(classifier: StanceClassifier, examples: Sequence[LabelledComment], training: bool) -> list[dict[str, Any]]:
    """Tokenised windows with their label ids (a column per task, NO_LABEL where a comment has none)
    and length. For training, every window; with a ``label_space`` column where a comment's source
    gives fewer labels than the model has. For validation, each comment's first window, scored over
    every label as predictions are."""
    label2id = {task: {label: i for i, label in enumerate(labels)} for task, labels in classifier.tasks.items()}
    windows, owners, _ = classifier.encode_windows([e.text for e in examples], [e.target for e in examples], [e.parent for e in examples])
    limited = training and any(e.label_space for e in examples)
    rows, seen = [], set()
    for window, owner in zip(windows, owners.tolist()):
        if not training and owner in seen:
            continue
        seen.add(owner)
        example = examples[owner]
        golds = [example.gold(task) for task in label2id]
        row = window | {"labels": [NO_LABEL if gold is None else label2id[task][gold] for task, gold in zip(label2id, golds)]}
        if limited:
            row["label_space"] = [
                float(label in example.label_space.get(task, labels)) for task, labels in classifier.tasks.items() for label in labels
            ]
            for task, gold in zip(label2id, golds):
                if gold is not None and gold not in example.label_space.get(task, (gold,)):
                    raise DataError(f"{example.origin or repr(example.text[:40])}: its {task} label {gold!r} is outside its label "
                                    f"space {list(example.label_space[task])}; a label space lists the labels its source can give")
        rows.append(row | {"length": len(window["input_ids"])})
    return rows


def training_arguments(config: TrainingConfig, checkpoints: Path, device: str) -> Any:
    """The Trainer's settings. Making them sets up the process group of a distributed run (one
    process per device under torchrun or accelerate launch), so they come before anything that
    only one process may do. ``device`` is the resolved device."""
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(checkpoints),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.eval_batch_size,
        learning_rate=config.resolved_learning_rate(),
        weight_decay=config.weight_decay,
        warmup_steps=config.warmup_ratio,  # a share of the steps when below 1
        **_evaluation_schedule(config),
        load_best_model_at_end=True,
        metric_for_best_model="mean_macro_f1",  # over the tasks; with one task, its macro-F1
        greater_is_better=True,
        save_total_limit=config.checkpoints_kept,
        seed=config.seed,
        data_seed=config.seed,
        train_sampling_strategy="group_by_length",
        report_to="none",
        label_names=["labels"],  # the wrapper's forward() takes none, so the Trainer cannot find them itself
        # The loss is a mean over each process's batch, which DDP averages; the Trainer would multiply it by the
        # number of processes, as for a loss summed over the labels of all the processes' batches.
        average_tokens_across_devices=False,
        # Cached features come as window numbers, which only the collator reads.
        remove_unused_columns=config.resolved_trainable_layers() == "all",
        **device_arguments(device, config.resolved_precision(device)),
        logging_steps=config.logging_steps,
        disable_tqdm=True,  # progress is the caller's callback (TrainingProgress)
    )


def build_trainer(
    classifier: StanceClassifier,
    train_data: Sequence[LabelledComment],
    validation: Sequence[LabelledComment],
    config: TrainingConfig,
    args: Any,
    callbacks: Sequence[Any] = (),
) -> Any:
    """The Trainer for ``classifier``'s model and heads, with ``callbacks``. Where layers are frozen, their
    output for every training and validation window is computed first (by the main process; kept in
    the checkpoint folder, ``args.output_dir``), reported to the callbacks that have an
    ``on_frozen_features(done, total)`` method, and the Trainer's batches carry it instead of tokens."""
    from datasets import Dataset
    from transformers import DataCollatorWithPadding, PrinterCallback, Trainer

    from stance.training.multitask import MultiTaskModel, masked_loss

    train_rows = window_rows(classifier, train_data, training=True)
    eval_rows = window_rows(classifier, validation, training=False)
    frozen = frozen_layers(config, classifier.model)
    if frozen is None:
        collator: Any = DataCollatorWithPadding(classifier.tokenizer)
    else:
        windows = [{name: row[name] for name in TOKEN_COLUMNS if name in row} for row in (*train_rows, *eval_rows)]
        model = classifier.model
        device = next(model.parameters()).device.type
        check_split(model, frozen, as_inputs(classifier.windows.pad(windows[:2]), device))
        with args.main_process_first(local=False, desc="running the frozen layers"):
            store = cache_features(
                model, frozen, windows, classifier.windows.pad, Path(args.output_dir), batch_size=config.eval_batch_size,
                bf16=args.bf16, device=device, progress=_feature_progress(callbacks),
            )
        for parameter in frozen_parameters(model, frozen).values():  # out of the optimizer; still saved in checkpoints
            parameter.requires_grad_(False)
        train_rows, eval_rows = _by_window(train_rows, 0), _by_window(eval_rows, len(train_rows))
        collator = FeatureCollator(store)
    trainer = Trainer(
        model=MultiTaskModel(classifier.model, classifier.heads, list(classifier.tasks), frozen=frozen),
        args=args,
        train_dataset=Dataset.from_list(train_rows),
        eval_dataset=Dataset.from_list(eval_rows),
        processing_class=classifier.tokenizer,
        data_collator=collator,
        compute_metrics=_metrics(classifier.tasks),
        compute_loss_func=masked_loss(list(classifier.tasks), _loss_weights(classifier.tasks, train_data, config)),
        callbacks=list(callbacks),
    )
    # The Trainer prints its logs to stdout; the API prints nothing.
    trainer.remove_callback(PrinterCallback)
    return trainer


def _feature_progress(callbacks: Sequence[Any]) -> Any:
    """One function that tells every callback able to hear it how far the frozen layers have run."""
    listeners = [callback.on_frozen_features for callback in callbacks if hasattr(callback, "on_frozen_features")]

    def progress(done: int, total: int) -> None:
        for listener in listeners:
            listener(done, total)

    return progress


def _by_window(rows: list[dict[str, Any]], first: int) -> list[dict[str, Any]]:
    """``rows`` with their tokens replaced by the number of their window in the feature store (from ``first``)."""
    return [{name: value for name, value in row.items() if name not in TOKEN_COLUMNS} | {"window": first + i} for i, row in enumerate(rows)]


def _loss_weights(tasks: dict[str, list[str]], train_data: Sequence[LabelledComment], config: TrainingConfig) -> dict[str, Any]:
    """Each task's class weights: the square root of the inverse frequency, so rare labels count more
    without a few examples dominating; None for every task without ``class_weights``."""
    import torch

    weights: dict[str, Any] = dict.fromkeys(tasks)
    for task, labels in tasks.items() if config.class_weights else ():
        counts = Counter(e.gold(task) for e in train_data if e.gold(task) is not None)
        weights[task] = torch.tensor(
            [(counts.total() / (len(labels) * counts[label])) ** 0.5 if counts[label] else 0.0 for label in labels],
            dtype=torch.float32,
        )
    return weights


def _metrics(tasks: dict[str, list[str]]) -> Any:
    """The Trainer's ``compute_metrics``: each task's headline scores and their mean macro-F1."""
    import numpy as np

    def compute_metrics(eval_pred: Any) -> dict[str, float]:
        outputs = eval_pred.predictions if isinstance(eval_pred.predictions, tuple) else (eval_pred.predictions,)
        gold_ids = np.asarray(eval_pred.label_ids).reshape(len(outputs[0]), len(tasks))
        scores: dict[str, float] = {}
        for column, ((task, labels), logits) in enumerate(zip(tasks.items(), outputs)):
            labelled = gold_ids[:, column] != NO_LABEL
            gold = [labels[i] for i in gold_ids[labelled, column]]
            predicted = [labels[i] for i in np.asarray(logits)[labelled].argmax(axis=-1)]
            prefix = "" if column == 0 else f"{task}_"
            scores |= {prefix + name: value for name, value in headline_scores(gold, predicted, labels).items()} if gold else {}
        f1s = [value for name, value in scores.items() if name.endswith("macro_f1")]
        return scores | {"mean_macro_f1": sum(f1s) / len(f1s)}

    return compute_metrics


def _evaluation_schedule(config: TrainingConfig) -> dict[str, Any]:
    """Score and save after each epoch, or at ``max_evaluations`` even points when epochs are more."""
    if config.epochs <= config.max_evaluations:
        return {"eval_strategy": "epoch", "save_strategy": "epoch"}
    share = 1 / config.max_evaluations  # below 1: a share of all the run's steps
    return {"eval_strategy": "steps", "eval_steps": share, "save_strategy": "steps", "save_steps": share}


def device_arguments(device: str, precision: str) -> dict[str, bool]:
    """The Trainer's device settings for a resolved ``device`` and training ``precision``
    (:meth:`TrainingConfig.resolved_precision`): ``bf16`` and ``fp16`` are mixed precision."""
    return {"use_cpu": device == "cpu", "bf16": precision == "bf16", "fp16": precision == "fp16"}
