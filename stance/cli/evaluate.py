"""`stance evaluate DATA --model DIR`: score a model with intervals, tests and breakdowns; or cross-validate."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from stance.core.labelled import LabelledComment

from stance.cli._app import (
    TRAINING,
    BaseModelOption,
    DefaultTargetOption,
    DeviceOption,
    EpochsOption,
    LabelColumnOption,
    LabelledDataArgument,
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
    app,
    echo_log,
    stderr_is_terminal,
)


@app.command()
def evaluate(
    data: LabelledDataArgument,
    model: Annotated[Optional[str], typer.Option(help="Model directory or name. Default: the bundled model.")] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Folder for report.json, report.md and the plots.")
    ] = "stance-evaluation",
    score: Annotated[
        Optional[str],
        typer.Option(help="Headline score: macro_f1 (default), accuracy, weighted_f1, kappa, f1_favor_against "
                     "(TweetEval's mean F1 of support and oppose), or labels to average F1 over, e.g. 'support,oppose'."),
    ] = None,
    baseline_train: Annotated[
        Optional[str],
        typer.Option(help="Labelled comments to train the baselines on (your train split; same columns as DATA). "
                     "Default: the baselines are cross-validated on DATA itself, which the report says."),
    ] = None,
    group_column: Annotated[
        Optional[str], typer.Option(help="Column to break scores down by (e.g. topic). Default: the target.")
    ] = None,
    cv: Annotated[
        Optional[int],
        typer.Option(help="Instead of scoring --model: K-fold cross-validation of training and scoring on DATA."),
    ] = None,
    group_by: Annotated[
        Optional[str], typer.Option(help="With --cv: keep each target (or --group-column value: 'group') in one fold.")
    ] = None,
    base_model: BaseModelOption = TRAINING.base_model,
    epochs: EpochsOption = TRAINING.epochs,
    learning_rate: LearningRateOption = None,
    trainable_layers: TrainableLayersOption = None,
    max_length: MaxLengthOption = TRAINING.max_length,
    seed: SeedOption = TRAINING.seed,
    resamples: Annotated[
        Optional[int], typer.Option(min=100, help="Bootstrap resamples for the 95 % intervals. Default: 1000.")
    ] = None,
    text_column: TextColumnLabelledOption = "text",
    label_column: LabelColumnOption = None,
    label_map: LabelMapOption = None,
    sentiment_column: SentimentColumnOption = None,
    parent_column: ParentColumnOption = "parent_text",
    target_column: TargetColumnOption = "target",
    target: DefaultTargetOption = "",
    force: Annotated[bool, typer.Option(help="Overwrite an existing report in the output folder.")] = False,
    device: DeviceOption = "auto",
    threads: ThreadsOption = None,
) -> None:
    """Score a model as a reviewer would, with scikit-learn doing the scores.

    Prints and writes (report.json, report.md, confusion_matrix.png, reliability.png): per-label
    precision/recall/F1, accuracy, macro/weighted-F1 and Cohen's kappa with 95 % bootstrap
    intervals; the same for a majority-class and a TF-IDF + logistic-regression baseline trained on
    the same comments (5-fold cross-validation), or on your train split with --baseline-train, with McNemar's test and a paired bootstrap of the
    difference; calibration (expected calibration error, reliability diagram); raw and
    row-normalised confusion matrices; scores by comment length and by group; the most confident
    mistakes. With --cv K it instead fine-tunes and scores K times (the --base-model, --epochs, ...
    options) and reports mean ± std per fold: the honest figure for a few hundred comments.

    \b
      stance evaluate data/test.jsonl --label-column stance --group-column topic -o report/
    \b
      stance evaluate data/test.jsonl --label-column stance --baseline-train data/train.jsonl
    \b
      stance evaluate tweets.jsonl --model my-model --score f1_favor_against
    \b
      stance evaluate my_300_comments.csv --cv 5 --group-by target --epochs 4
    """
    from pathlib import Path

    from stance.core.labelled import check_label_set, tasks_of
    from stance.core.labels import parse_label_map
    from stance.evaluation.report import REPORT_JSON
    from stance.io.files import check_writable
    from stance.training.data import load_labelled

    renames = parse_label_map(label_map)
    examples = load_labelled(
        data, text_column=text_column, label_column=label_column, target_column=target_column, label_map=renames,
        default_target=target, group_column=group_column, sentiment_column=sentiment_column, parent_column=parent_column,
    )
    if cv is not None:
        _cross_validate(
            examples, cv, output=output, force=force, group_by=group_by, sentiment_column=sentiment_column,
            unused={"--model": model, "--score": score, "--resamples": resamples, "--baseline-train": baseline_train},
            config_options={"base_model": base_model, "epochs": epochs, "learning_rate": learning_rate,
                            "trainable_layers": trainable_layers, "max_length": max_length, "seed": seed,
                            "device": device, "threads": threads},
        )
        return
    if group_by is not None:
        raise typer.BadParameter("only with --cv", param_hint="--group-by")
    tasks = tasks_of(examples)
    # One task: its report in OUTPUT, as always; both: OUTPUT/stance and OUTPUT/sentiment.
    folders = {task: Path(output) / task if len(tasks) > 1 else Path(output) for task in tasks}
    for folder in folders.values():
        check_writable(folder / REPORT_JSON, force)

    from stance.evaluation.evaluate import evaluate as run_evaluation
    from stance.evaluation.report import render_text, write_report
    from stance.model.classifier import StanceClassifier

    baseline_examples = load_labelled(
        baseline_train, text_column=text_column, label_column=label_column, target_column=target_column, label_map=renames,
        default_target=target, sentiment_column=sentiment_column, parent_column=parent_column,
    ) if baseline_train else None
    classifier = StanceClassifier.from_pretrained(model, device=device, threads=threads)
    for task in tasks:  # every head and label set the data asks for, before the first report is written
        check_label_set(examples, data, known=classifier.tasks[classifier.resolve_task(task)], task=task)
    for task, folder in folders.items():
        report = run_evaluation(
            classifier, examples, score=score if task == "stance" or len(tasks) == 1 else None, model_name=str(model or "default"),
            data_name=data, n_resamples=resamples or 1000, progress=stderr_is_terminal(), task=task,
            baseline_train=baseline_examples, baseline_train_name=baseline_train or "",
        )
        write_report(report, folder)
        typer.echo(render_text(report))
        echo_log("wrote " + ", ".join(report.files.values()))


def _cross_validate(
    examples: list[LabelledComment], cv: int, *, output: str, force: bool, group_by: str | None, sentiment_column: str | None,
    unused: dict[str, object], config_options: dict[str, object],
) -> None:
    """`evaluate --cv K`: train and score a model per fold, beside the baseline; flags that only scoring
    a given model takes are refused."""
    from pathlib import Path

    from stance.evaluation.cross_validation import CV_REPORT_JSON, cross_validate, write_cv_report
    from stance.io.files import check_writable
    from stance.training.config import TrainingConfig
    from stance.training.progress import TrainingProgress

    for name, value in unused.items():
        if value is not None:
            raise typer.BadParameter("cross-validation trains and scores its own models; leave it out", param_hint=name)
    if sentiment_column is not None:
        raise typer.BadParameter("cross-validation scores stance only so far; leave it out", param_hint="--sentiment-column")
    check_writable(Path(output) / CV_REPORT_JSON, force)
    config = TrainingConfig(**config_options)
    report = cross_validate(
        examples, config, k=cv, group_by=group_by, callbacks=[TrainingProgress(sys.stderr, bar=stderr_is_terminal())]
    )
    typer.echo(report.render())
    echo_log(f"wrote {write_cv_report(report, output)}")
