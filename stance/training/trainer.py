"""Fine-tuning a transformer on labelled comments, with a resumable Hugging Face Trainer run."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.errors import ConfigError, DataError, ModelError, OutputError, first_line
from stance.evaluation.metrics import headline_scores
from stance.extract.language import main_languages
from stance.model.base import resolve_base_model
from stance.model.classifier import StanceClassifier
from stance.model.devices import (
    resolve_device,
    supports_bf16,
    torch_threads,
    usable_cores,
)
from stance.model.heads import (
    TaskHead,
    encoder_of,
    head_attribute,
    new_head,
    swap_in_head,
)
from stance.model.storage import ModelSettings, load_base_classifier, quiet_transformers
from stance.training.config import TrainingConfig
from stance.training.contrastive import tune_contrastively
from stance.training.data import (
    LabelledComment,
    check_label_set,
    drop_targets,
    split_validation,
    tasks_of,
)
from stance.training.labels import label_word, ordered_labels
from stance.training.model_card import render_model_card


@dataclass
class TrainingResult:
    """Where the model went and how it scored on the validation split."""

    output_dir: Path
    labels: list[str]
    metrics: dict[str, float]
    report: str
    data: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, list[str]] = field(default_factory=dict)  # every task's labels, the model's own first


def train(
    train_data: Sequence[LabelledComment],
    output_dir: str | Path,
    config: TrainingConfig | None = None,
    *,
    validation: Sequence[LabelledComment] | None = None,
    resume: bool = False,
    force: bool = False,
    compact: bool = False,
    data_description: Mapping[str, Any] | None = None,
    callbacks: Sequence[Any] = (),
) -> TrainingResult:
    """Fine-tune ``config.base_model`` on ``train_data`` and write a model directory to ``output_dir``.

    With ``compact`` only the difference from the base model is saved (see ``save_pretrained``).
    Each task the data has labels for (stance, sentiment; see :func:`tasks_of`) gets a head on the one
    encoder. Without ``validation`` a stratified 10 % is held out. The checkpoint with the best
    validation macro-F1 (averaged over the tasks) is kept. Where comments carry a ``parent`` (the comment
    replied to), the model learns to read it and keeps ``reply_context``. Checkpoints live in ``<output_dir>.checkpoints`` until the run ends, so a
    killed run continues with ``resume=True``. ``callbacks`` are Hugging Face ``TrainerCallback``
    objects added to the run (early stopping, :class:`~stance.training.progress.TrainingProgress`
    for a progress bar or log lines, your own logging); without them the run is silent.

    Under ``torchrun`` or ``accelerate launch`` each process trains on its share of every epoch
    (``batch_size`` comments per process and step); the main process writes the model, and every
    process returns its result.
    """
    from transformers import set_seed

    config = config or TrainingConfig()
    output_dir = Path(output_dir)
    checkpoints = output_dir.with_name(output_dir.name + ".checkpoints")
    args = _training_arguments(config, checkpoints)  # under torchrun or accelerate launch, joins the other processes
    # The main process clears what is in the way first; the others then find the same, or fail the same way.
    with args.main_process_first(local=False, desc="checking the outputs"):
        _check_outputs(output_dir, checkpoints, resume=resume, force=force)
        last_checkpoint = last_complete_checkpoint(checkpoints) if resume else None
    tasks = tasks_of(train_data)
    for task in tasks:
        check_label_set(train_data, "training data", task=task)
    if not validation:
        train_data, validation = split_validation(train_data, config.validation_fraction, config.seed)
    validation = [e for e in validation if any(e.gold(task) is not None for task in tasks)]
    for task in tasks:
        if not any(e.gold(task) is not None for e in validation):
            raise DataError(f"validation data: no comments with a {task} label, and the model learns {task}; "
                            "give validation comments for every task trained")
    labels = {
        task: ordered_labels({e.gold(task) for e in (*train_data, *validation) if e.gold(task) is not None}, task) for task in tasks
    }
    set_seed(config.seed)
    trained_start = starts_from_trained(config)
    classifier = _initial_classifier(config, labels, trained_start)
    classifier.languages = main_languages(e.text for e in train_data)
    # Windows too short to hold a parent after the target (max_length 64 with 32-token targets) read none.
    classifier.reply_context = any(e.parent for e in train_data) and classifier.windows.parent_tokens > 0
    if config.threads is None and args.world_size > 1:  # the processes on a machine share its cores
        classifier.backend.threads = max(1, usable_cores() // int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
    if config.method == "contrastive" and last_checkpoint is None:  # a checkpoint holds the tuned weights already
        with torch_threads(classifier.backend.threads):  # pairs share a target: before any targets are dropped
            tune_contrastively(
                encoder_of(classifier.model), classifier.tokenizer, train_data, task=tasks[0], rounds=config.contrastive_rounds,
                batch_size=config.batch_size, learning_rate=config.contrastive_learning_rate, seed=config.seed,
            )
    if config.target_dropout:
        train_data = drop_targets(train_data, config.target_dropout, config.seed)
    trainer = _build_trainer(classifier, train_data, validation, config, args)
    for callback in callbacks:
        trainer.add_callback(callback)
    # Its notes (checkpoint sorting, ...) are for library developers.
    with quiet_transformers(), torch_threads(classifier.backend.threads):
        trainer.train(resume_from_checkpoint=str(last_checkpoint) if last_checkpoint else None)
    classifier.backend.model = trainer.model.model  # the best checkpoint, loaded at the end

    shared: list[TrainingResult | None] = [None]
    try:
        if args.process_index == 0:  # every process trained; one writes the model
            shared[0] = _write_model(
                classifier, output_dir, train_data, validation, config, labels,
                trained_start=trained_start, compact=compact, data_description=data_description,
            )
    finally:  # also after a failure, so that the others stop rather than wait out the timeout
        _share_from_main(shared, args)
    if shared[0] is None:
        raise OutputError(f"{output_dir}: the main process of the run could not write the model; its error says why")
    if args.process_index == 0:  # after the others have finished with the best checkpoint
        shutil.rmtree(checkpoints, ignore_errors=True)
    return shared[0]


def _write_model(
    classifier: StanceClassifier,
    output_dir: Path,
    train_data: Sequence[LabelledComment],
    validation: Sequence[LabelledComment],
    config: TrainingConfig,
    labels: dict[str, list[str]],
    *,
    trained_start: str | None,
    compact: bool,
    data_description: Mapping[str, Any] | None,
) -> TrainingResult:
    """Score the trained ``classifier`` on ``validation`` and save it with its model card to ``output_dir``."""
    tasks = list(labels)
    metrics, report = _validation_scores(classifier, validation)
    data = {
        "training comments": len(train_data),
        "validation comments": len(validation),
        **{
            f"{label_word(task)} counts (training)": dict(Counter(e.gold(task) for e in train_data if e.gold(task) is not None))
            for task in tasks
        },
        **(data_description or {}),
    }
    if trained_start:
        data["started from"] = trained_start
    card = render_model_card(
        tasks=labels, base_model=classifier.base_model, data=data, settings=config.to_dict(), metrics=metrics, report=report,
        compact=compact, languages=classifier.languages or (), reply_context=classifier.reply_context,
    )
    # An adapter is stored against the bare base model, so one trained on top of a trained model is stored as a delta.
    storage = ("adapter" if config.method == "lora" and not trained_start else "delta") if compact else "full"
    classifier.save_pretrained(output_dir, card=card, storage=storage)
    return TrainingResult(output_dir=output_dir, labels=labels[tasks[0]], metrics=metrics, report=report, data=data, tasks=labels)


def _share_from_main(shared: list[Any], args: Any) -> None:
    """In a distributed run, ``shared`` as the main process filled it, on every process: the others wait for it here."""
    import torch.distributed as dist

    if args.world_size > 1:
        dist.broadcast_object_list(shared, src=0)


def is_main_process() -> bool:
    """Whether this process reports the run: the only one, or rank 0 of a distributed run (torchrun and
    accelerate launch set ``RANK`` before the process group exists)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    return os.environ.get("RANK", "0") == "0"


def _validation_scores(classifier: StanceClassifier, validation: Sequence[LabelledComment]) -> tuple[dict[str, float], str]:
    """Each task's headline scores on the validation comments labelled for it (the model's own
    task's unprefixed, the others' as ``sentiment_macro_f1``) and a classification report per task."""
    from sklearn.metrics import classification_report

    predictions = classifier.predict([e.text for e in validation], [e.target for e in validation], parents=[e.parent for e in validation])
    metrics: dict[str, float] = {}
    reports = []
    for task, task_labels in classifier.tasks.items():
        pairs = [(e.gold(task), p.label_for(task)) for e, p in zip(validation, predictions)]
        y_true = [gold for gold, _ in pairs if gold is not None]
        y_pred = [predicted for gold, predicted in pairs if gold is not None]
        if not y_true:
            continue
        prefix = "" if task == classifier.task else f"{task}_"
        metrics |= {prefix + name: value for name, value in headline_scores(y_true, y_pred, task_labels).items()}
        report = classification_report(y_true, y_pred, labels=task_labels, digits=3, zero_division=0)
        reports.append(report if len(classifier.tasks) == 1 else f"{task}\n{report}")
    return metrics, "\n".join(reports)


def _check_outputs(output_dir: Path, checkpoints: Path, *, resume: bool, force: bool) -> None:
    if output_dir.exists() and not force:
        raise OutputError(f"{output_dir}: already exists; overwrite it only if you mean to", settings="force")
    if checkpoints.exists() and not resume:
        if not force:
            raise OutputError(
                f"{checkpoints}: checkpoints of an interrupted run are here; resume it, or start over",
                settings=("resume", "force"),
            )
        shutil.rmtree(checkpoints)


def last_complete_checkpoint(checkpoints: Path) -> Path | None:
    """The newest checkpoint that was saved whole; ones cut short by a kill are removed.

    The Trainer writes ``trainer_state.json`` last, so a checkpoint without a readable one was
    being written when the run died.
    """
    import json

    complete = []
    for folder in checkpoints.glob("checkpoint-*"):
        step = folder.name.rpartition("-")[2]
        if not step.isdigit():  # not one of the Trainer's
            continue
        try:
            json.loads((folder / "trainer_state.json").read_text(encoding="utf-8"))
            complete.append((int(step), folder))
        except (OSError, ValueError):
            shutil.rmtree(folder, ignore_errors=True)
    return max(complete)[1] if complete else None


def _initial_classifier(config: TrainingConfig, labels: Mapping[str, list[str]], trained: str | None) -> StanceClassifier:
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
        device=config.device,
        threads=config.threads,
    )


def starts_from_trained(config: TrainingConfig) -> str | None:
    """The trained model directory training starts from: ``init_from``, or a ``base_model`` that is
    one (``stance train --base-model models/default``); None for a bare base model."""
    if config.init_from:
        return str(config.init_from)
    candidate = Path(config.base_model).expanduser()
    return str(candidate) if ModelSettings.read(candidate) is not None else None


def _start_from(directory: str, config: TrainingConfig, labels: Mapping[str, list[str]]) -> tuple[Any, Any, dict[str, TaskHead], str]:
    """The model, tokenizer, further heads and underlying base model of the trained model in
    ``directory``, to train on from there.

    ``init_from`` continues a model: it must have been trained from ``config.base_model`` (a compact
    result is stored against it) and its own head must answer the first task with the same labels.
    A trained model given as ``base_model`` lends its encoder to any labels: a head whose labels
    differ is replaced by a fresh one. Either way a further head whose labels match is kept.
    """
    start = StanceClassifier.from_pretrained(directory, device=config.device)
    main = next(iter(labels))
    same_head = start.task == main and start.labels == list(labels[main])
    if config.init_from:
        if start.base_model != config.base_model:
            raise ConfigError(
                f"{directory}: was trained from {start.base_model}, not {config.base_model}; train from that base model",
                settings=("init_from", "base_model"),
            )
        if not same_head:
            raise ConfigError(
                f"{directory}: its own head answers {start.task} with labels {start.labels}, not {main} with {list(labels[main])}; "
                "start from a model with the same labels, or use it as --base-model",
                settings="init_from",
            )
    model = start.model
    original_own = TaskHead(start.labels, getattr(model, head_attribute(model)))
    if not same_head:
        mine = start.backend.heads.get(main)
        own = mine if mine and mine.labels == list(labels[main]) else TaskHead(list(labels[main]), new_head(model, len(labels[main])))
        model = swap_in_head(model, own)
    heads = {task: head for task, head in start.backend.heads.items() if head.labels == list(labels.get(task, [])) and task != main}
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


def _features(classifier: StanceClassifier, examples: Sequence[LabelledComment], training: bool) -> Any:
    """Tokenised windows with their label ids (a column per task, NO_LABEL where a comment has none),
    as a datasets.Dataset. For training, every window; with a ``label_space`` column where a
    comment's source gives fewer labels than the model has. For validation, each comment's first
    window, scored over every label as predictions are."""
    from datasets import Dataset

    from stance.training.multitask import NO_LABEL

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
    return Dataset.from_list(rows)


def _training_arguments(config: TrainingConfig, checkpoints: Path) -> Any:
    """The Trainer's settings. Making them sets up the process group of a distributed run (one
    process per device under torchrun or accelerate launch), so they come before anything that
    only one process may do."""
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
        **device_arguments(resolve_device(config.device)),
        logging_steps=config.logging_steps,
        disable_tqdm=True,  # progress is the caller's callback (TrainingProgress)
    )


def _build_trainer(
    classifier: StanceClassifier,
    train_data: Sequence[LabelledComment],
    validation: Sequence[LabelledComment],
    config: TrainingConfig,
    args: Any,
) -> Any:
    import numpy as np
    import torch
    from transformers import DataCollatorWithPadding, PrinterCallback, Trainer

    from stance.training.multitask import NO_LABEL, MultiTaskModel, masked_loss

    tasks = classifier.tasks
    loss_weights: dict[str, Any] = dict.fromkeys(tasks)
    for task, labels in tasks.items() if config.class_weights else ():
        counts = Counter(e.gold(task) for e in train_data if e.gold(task) is not None)
        # Square root of the inverse frequency: rare labels count more without a few examples dominating.
        loss_weights[task] = torch.tensor(
            [(counts.total() / (len(labels) * counts[label])) ** 0.5 if counts[label] else 0.0 for label in labels],
            dtype=torch.float32,
        )

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

    trainer = Trainer(
        model=MultiTaskModel(classifier.model, classifier.backend.heads, list(tasks)),
        args=args,
        train_dataset=_features(classifier, train_data, training=True),
        eval_dataset=_features(classifier, validation, training=False),
        processing_class=classifier.tokenizer,
        data_collator=DataCollatorWithPadding(classifier.tokenizer),
        compute_metrics=compute_metrics,
        compute_loss_func=masked_loss(list(tasks), loss_weights),
    )
    # The Trainer prints its logs to stdout; the API prints nothing.
    trainer.remove_callback(PrinterCallback)
    return trainer


def _evaluation_schedule(config: TrainingConfig) -> dict[str, Any]:
    """Score and save after each epoch, or at ``max_evaluations`` even points when epochs are more."""
    if config.epochs <= config.max_evaluations:
        return {"eval_strategy": "epoch", "save_strategy": "epoch"}
    share = 1 / config.max_evaluations  # below 1: a share of all the run's steps
    return {"eval_strategy": "steps", "eval_steps": share, "save_strategy": "steps", "save_steps": share}


def device_arguments(device: str) -> dict[str, bool]:
    """The Trainer's device settings for a resolved ``device``: the CPU in fp32, a GPU in mixed
    precision (bf16 where it runs at full speed, else fp16), Apple's MPS in fp32."""
    bf16 = supports_bf16(device)
    return {"use_cpu": device == "cpu", "bf16": bf16, "fp16": device == "cuda" and not bf16}
