"""Fine-tuning a transformer on labelled comments, with a resumable Hugging Face Trainer run."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.core.checks import parse_whole_number
from stance.core.labelled import LabelledComment, check_label_set, tasks_of
from stance.core.labels import label_word, ordered_labels
from stance.core.metrics import headline_scores
from stance.errors import DataError, OutputError
from stance.extract.language import main_languages
from stance.model.classifier import StanceClassifier
from stance.model.devices import torch_threads, usable_cores
from stance.model.heads import encoder_of
from stance.model.storage import quiet_transformers
from stance.training.config import TrainingConfig
from stance.training.contrastive import tune_contrastively
from stance.training.data import drop_targets, split_validation
from stance.training.loop import build_trainer, training_arguments
from stance.training.model_card import render_model_card
from stance.training.start import continued_tasks, initial_classifier, starts_from_trained


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
    replied to), the model learns to read it and keeps ``reply_context``. Only the top
    ``config.trainable_layers`` layers train: the layers below run once per window first, their output
    kept with the checkpoints (:mod:`stance.training.frozen`). Checkpoints live in
    ``<output_dir>.checkpoints`` until the run ends, so a killed run continues with ``resume=True``.
    ``callbacks`` are Hugging Face ``TrainerCallback`` objects added to the run (early stopping,
    :class:`~stance.training.progress.TrainingProgress` for a progress bar or log lines, your own
    logging; one with an ``on_frozen_features(done, total)`` method hears how far the frozen layers
    have run); without them the run is silent.

    Under ``torchrun`` or ``accelerate launch`` each process trains on its share of every epoch
    (``batch_size`` comments per process and step); the main process writes the model, and every
    process returns its result.
    """
    from transformers import set_seed

    config = config or TrainingConfig()
    output_dir = Path(output_dir)
    train_data, validation, labels = _split_and_check(train_data, validation, config, continued_tasks(config))  # before anything is written
    checkpoints = checkpoints_of(output_dir)
    args = training_arguments(config, checkpoints, config.runtime().resolve().device)  # under torchrun or accelerate launch, joins the other processes
    # The main process clears what is in the way first; the others then find the same, or fail the same way.
    with args.main_process_first(local=False, desc="checking the outputs"):
        _check_outputs(output_dir, checkpoints, resume=resume, force=force, main=args.process_index == 0)
        last_checkpoint = last_complete_checkpoint(checkpoints) if resume else None
        if args.process_index == 0:
            _note_run(checkpoints, config, resume=resume, started=last_checkpoint is not None)
    try:
        set_seed(config.seed)
        trained_start = starts_from_trained(config)
        classifier = initial_classifier(config, labels, trained_start)
        classifier.languages = main_languages(e.text for e in train_data)
        # Windows too short to hold a parent after the target (max_length 64 with 32-token targets) read none.
        classifier.reply_context = any(e.parent for e in train_data) and classifier.windows.parent_tokens > 0
        if config.threads is None and args.world_size > 1:  # the processes on a machine share its cores
            classifier.threads = max(1, usable_cores() // int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
        if config.method == "contrastive" and last_checkpoint is None:  # a checkpoint holds the tuned weights already
            with torch_threads(classifier.threads):  # pairs share a target: before any targets are dropped
                tune_contrastively(
                    encoder_of(classifier.model), classifier.tokenizer, train_data, task=next(iter(labels)), rounds=config.contrastive_rounds,
                    batch_size=config.batch_size, learning_rate=config.contrastive_learning_rate, seed=config.seed,
                )
        if last_checkpoint is not None:  # its weights, before the frozen layers run: a contrastive step changed them
            _load_checkpoint(classifier, last_checkpoint)
        if config.target_dropout:
            train_data = drop_targets(train_data, config.target_dropout, config.seed)
        with torch_threads(classifier.threads):
            trainer = build_trainer(classifier, train_data, validation, config, args, callbacks)
            with quiet_transformers():  # its notes (checkpoint sorting, ...) are for library developers
                trainer.train(resume_from_checkpoint=str(last_checkpoint) if last_checkpoint else None)
    except BaseException as err:
        kept = any(checkpoints.glob("checkpoint-*"))
        if args.process_index == 0 and not kept:
            shutil.rmtree(checkpoints, ignore_errors=True)  # nothing to resume from: leave nothing behind
        if out_of_space(err):
            where = f"; the checkpoints so far are in {checkpoints}, and --resume continues once it can write" if kept else ""
            raise OutputError(f"{checkpoints}: cannot write (No space left on device){where}") from None
        raise
    classifier.model = trainer.model.model  # the best checkpoint, loaded at the end

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


def out_of_space(err: BaseException) -> bool:
    """Whether a failure is a full disk: an OSError saying so, or the same wrapped by torch or safetensors in
    their own error types (their writers report the OS error only in their message)."""
    from stance.io.files import WRITE_ERRNOS

    if isinstance(err, OSError) and err.errno in WRITE_ERRNOS:
        return True
    return isinstance(err, Exception) and any(sign in str(err) for sign in ("No space left on device", "os error 28", "error code: 28"))


def checkpoints_of(output_dir: str | Path) -> Path:
    """Where a run writing ``output_dir`` keeps its checkpoints until it ends (``--resume`` reads them)."""
    output_dir = Path(output_dir)
    return output_dir.with_name(output_dir.name + ".checkpoints")


def finished(output_dir: str | Path) -> bool:
    """Whether a run writing ``output_dir`` has ended: the model is there and no checkpoints are left."""
    return Path(output_dir).is_dir() and not checkpoints_of(output_dir).exists()


def _split_and_check(
    train_data: Sequence[LabelledComment], validation: Sequence[LabelledComment] | None, config: TrainingConfig,
    continued: Mapping[str, list[str]] | None = None,
) -> tuple[Sequence[LabelledComment], list[LabelledComment], dict[str, list[str]]]:
    """The training and validation comments (a stratified share held out where no validation is given)
    and every task's labels; a task with one label or no validation comments is a :class:`DataError`.

    ``continued`` (the tasks and labels of the model training continues from) are the labels: the data
    may give fewer (a batch without a mixed comment, or with stance labels only), never others; and
    the validation comments need not cover every task then (the best epoch is chosen on those they do)."""
    tasks = tasks_of(train_data)
    for task in tasks:
        check_label_set(train_data, "training data", known=(continued or {}).get(task), task=task)
    if not validation:
        train_data, validation = split_validation(train_data, config.validation_fraction, config.seed)
    validation = [e for e in validation if any(e.gold(task) is not None for task in tasks)]
    for task in tasks:  # a model continued keeps its head for a task the few held-out comments lack: it is not scored
        if not any(e.gold(task) is not None for e in validation) and (task not in (continued or {}) or not validation):
            raise DataError(f"validation data: no comments with a {task} label, and the model learns {task}; "
                            "give validation comments for every task trained")
    continued = continued or {}
    for task in set(tasks) & set(continued):
        if any(e.gold(task) is not None for e in validation):
            check_label_set(validation, "validation data", known=continued[task], task=task)
    labels = {task: list(labels) for task, labels in continued.items()} | {
        task: ordered_labels({e.gold(task) for e in (*train_data, *validation) if e.gold(task) is not None}, task)
        for task in tasks if task not in continued
    }
    return train_data, validation, labels


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
        tasks=labels, base_model=classifier.base_model, data=data, settings=config.to_dict() | {"precision": config.resolved_precision(classifier.device)}, metrics=metrics, report=report,
        compact=compact, languages=classifier.languages or (), reply_context=classifier.reply_context,
    )
    # An adapter is stored against the bare base model, so one trained on top of a trained model is stored as a delta.
    storage = ("adapter" if config.method == "lora" and not trained_start else "delta") if compact else "full"
    figures = [{"set": "validation", "measure": name, "value": round(100 * value, 2)} for name, value in metrics.items()]
    classifier.save_pretrained(output_dir, card=card, storage=storage, figures=figures)
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


def _check_outputs(output_dir: Path, checkpoints: Path, *, resume: bool, force: bool, main: bool) -> None:
    """Refuse to replace a model or an interrupted run's checkpoints unless asked. The ``main`` process
    clears what a new run replaces; the others (under torchrun) then find what it left."""
    if output_dir.exists() and not force:
        raise OutputError(f"{output_dir}: already exists; overwrite it only if you mean to", settings="force")
    if resume:
        return
    if any(checkpoints.glob("checkpoint-*")) and not force:
        raise OutputError(
            f"{checkpoints}: checkpoints of an interrupted run are here; resume it, or start over",
            settings=("resume", "force"),
        )
    if main and checkpoints.exists():  # a run cut short before its first checkpoint leaves only what is made again
        shutil.rmtree(checkpoints)


def _note_run(checkpoints: Path, config: TrainingConfig, *, resume: bool, started: bool) -> None:
    """Keep the settings that shape the model's weights beside the checkpoints; a resumed run must
    have the same (a checkpoint of other weights would not load)."""
    import json

    from stance.io.files import cannot_write, check_same_run

    about = checkpoints / "run.json"
    settings = config.to_dict()
    identity = {name: settings[name] for name in ("base_model", "init_from", "method", "trainable_layers", "max_length", "lora_rank")}
    if resume and (started or about.exists()):
        check_same_run(checkpoints, about, identity, what="the interrupted run")
        return
    try:
        checkpoints.mkdir(parents=True, exist_ok=True)
        about.write_text(json.dumps(identity), encoding="utf-8")
    except OSError as err:
        shutil.rmtree(checkpoints, ignore_errors=True)
        raise cannot_write(checkpoints, err) from None


def _load_checkpoint(classifier: StanceClassifier, checkpoint: Path) -> None:
    """The weights of the model and its heads as ``checkpoint`` holds them (the Trainer's own file)."""
    from safetensors.torch import load_file

    from stance.training.multitask import MultiTaskModel

    weights = load_file(str(checkpoint / "model.safetensors"), device=str(next(classifier.model.parameters()).device))
    MultiTaskModel(classifier.model, classifier.heads, list(classifier.tasks)).load_state_dict(weights)


def last_complete_checkpoint(checkpoints: Path) -> Path | None:
    """The newest checkpoint that was saved whole; ones cut short by a kill are removed.

    The Trainer writes ``trainer_state.json`` last, so a checkpoint without a readable one was
    being written when the run died.
    """
    import json

    complete = []
    for folder in checkpoints.glob("checkpoint-*"):
        step = parse_whole_number(folder.name.rpartition("-")[2])
        if step is None:  # not one of the Trainer's
            continue
        try:
            json.loads((folder / "trainer_state.json").read_text(encoding="utf-8"))
            complete.append((step, folder))
        except (OSError, ValueError):
            shutil.rmtree(folder, ignore_errors=True)
    return max(complete)[1] if complete else None
