"""`stance train DATA --output DIR`: fine-tune a transformer on labelled comments."""

from __future__ import annotations

import sys
from typing import Annotated, List, Optional

import typer

from stance.cli._app import (
    TRAINING,
    BaseModelOption,
    DefaultTargetOption,
    DeviceOption,
    EpochsOption,
    LabelColumnOption,
    LabelMapOption,
    LearningRateOption,
    MaxLengthOption,
    ParentColumnOption,
    SeedOption,
    SentimentColumnOption,
    TargetColumnOption,
    TextColumnLabelledOption,
    ThreadsOption,
    TrainableLayersOption,
    TrainingPrecisionOption,
    app,
    echo_log,
    stderr_is_terminal,
    stop_interrupted,
)


@app.command()
def train(
    data: Annotated[
        List[str],
        typer.Argument(metavar="DATA...", help="Labelled comments: JSONL or CSV with text, label and optional target columns, or a "
                       "Label Studio export (JSON or JSON_MIN). Several files train as one (the rounds of `stance suggest`)."),
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="Model directory to write.")],
    validation: Annotated[
        Optional[str], typer.Option(help="Labelled validation file. Default: a stratified 10% of DATA.")
    ] = None,
    base_model: BaseModelOption = TRAINING.base_model,
    init_from: Annotated[
        Optional[str],
        typer.Option(help="Continue from a trained model directory ('default': the bundled one) instead of the bare base "
                     "model. It keeps its labels and heads: DATA may hold fewer of its labels (no mixed comment, stance "
                     "labels only), never others; a task it lacks gets a new head. To start from a trained model with "
                     "other labels, give it as --base-model."),
    ] = None,
    method: Annotated[
        str,
        typer.Option(help="full (all weights), lora (small adapters) or contrastive (full, after a step on pairs of "
                     "comments with like and unlike labels: for a few hundred labelled comments or fewer)."),
    ] = TRAINING.method,
    epochs: EpochsOption = TRAINING.epochs,
    batch_size: Annotated[int, typer.Option(help="Comments per training step; per process under torchrun or accelerate launch.")] = TRAINING.batch_size,
    learning_rate: LearningRateOption = None,
    trainable_layers: TrainableLayersOption = None,
    precision: TrainingPrecisionOption = TRAINING.precision,
    max_length: MaxLengthOption = TRAINING.max_length,
    text_column: TextColumnLabelledOption = "text",
    label_column: LabelColumnOption = None,
    label_map: LabelMapOption = None,
    sentiment_column: SentimentColumnOption = None,
    target_column: TargetColumnOption = "target",
    target: DefaultTargetOption = "",
    parent_column: ParentColumnOption = "parent_text",
    seed: SeedOption = TRAINING.seed,
    compact: Annotated[
        bool,
        typer.Option(help="Save only the difference from the base model (a few MB); `stance export` makes it a full directory."),
    ] = False,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run from its last checkpoint.")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite an existing output directory.")] = False,
    device: DeviceOption = "auto",
    threads: ThreadsOption = None,
) -> None:
    """Fine-tune a transformer on labelled comments and write a model directory.

    The directory loads with `transformers.pipeline("text-classification", model=DIR)` and holds a
    model card (README.md) with the labels, data and validation metrics. With --sentiment-column one
    encoder learns both tasks, a head each (rows may carry either label or both); `stance export
    --task sentiment` gives the sentiment head its own plain directory. The best checkpoint by
    validation macro-F1 is kept; a killed run continues with --resume. Examples:

    \b
      stance train my_comments.csv --output my-model --label-column stance
    \b
      stance train data/train.jsonl -o my-model --label-column stance --sentiment-column sentiment
    """
    from stance.core.labelled import tasks_of
    from stance.core.labels import parse_label_map
    from stance.io.files import check_writable
    from stance.training.config import TrainingConfig
    from stance.training.data import load_labelled
    from stance.training.progress import TrainingProgress
    from stance.training.trainer import finished, is_main_process
    from stance.training.trainer import train as run_training

    if init_from == "default":
        from stance.model.storage import default_model_path

        init_from = default_model_path()
    config = TrainingConfig(
        base_model=base_model, init_from=init_from, method=method, epochs=epochs, batch_size=batch_size,
        learning_rate=learning_rate, trainable_layers=trainable_layers, precision=precision, max_length=max_length, seed=seed,
        device=device, threads=threads,
    )
    if resume and not force and finished(output):
        echo_log(f"{output}: trained already; nothing left to resume (--force trains it again)")
        return
    if not resume:
        check_writable(output, force, folder=True)
    columns = {
        "text_column": text_column, "label_column": label_column, "target_column": target_column, "sentiment_column": sentiment_column,
        "parent_column": parent_column, "label_map": parse_label_map(label_map),
    }
    unlabelled: list[str] = []
    examples = [example for path in data for example in load_labelled(path, **columns, default_target=target, unlabelled=unlabelled)]
    named = ", ".join(data)
    if unlabelled:
        echo_log(f"{named}: skipped {len(unlabelled)} rows with no label (first at {unlabelled[0]})")
    held_out = load_labelled(validation, **columns, default_target=target) if validation else None
    start = config.init_from or config.base_model
    reports = is_main_process()  # under torchrun or accelerate launch, one process speaks for all
    if reports:
        echo_log(f"training {' and '.join(tasks_of(examples))} on {len(examples)} comments from {named}, starting from {start}")
    try:
        result = run_training(
            examples, output, config, validation=held_out, resume=resume, force=force, compact=compact,
            data_description={"data": named}, callbacks=[TrainingProgress(sys.stderr, bar=stderr_is_terminal())],
        )
    except KeyboardInterrupt:
        stop_interrupted("stopped: the same command with --resume continues from the last checkpoint (one per epoch, or per tenth of a long run)")
    if not reports:
        return
    echo_log(f"model written to {result.output_dir}")
    typer.echo(" ".join(f"{name}={value:.3f}" for name, value in result.metrics.items()))
    typer.echo(result.report)
