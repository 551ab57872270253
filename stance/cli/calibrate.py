"""`stance calibrate DATA --model DIR`: fit a temperature so the model's confidences match its accuracy."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from stance.cli._app import (
    DefaultTargetOption,
    LabelColumnOption,
    LabelMapOption,
    SentimentColumnOption,
    TargetColumnOption,
    TextColumnLabelledOption,
    app,
    echo_log,
    stderr_is_terminal,
)


@app.command()
def calibrate(
    data: Annotated[
        str, typer.Argument(help="Held-out labelled comments (a validation split, never the test split): JSONL or CSV.")
    ],
    model: Annotated[
        Optional[str],
        typer.Option(help="Model directory to calibrate (required): the fitted temperature is written into its stance.json."),
    ] = None,
    text_column: TextColumnLabelledOption = "text",
    label_column: LabelColumnOption = None,
    label_map: LabelMapOption = None,
    sentiment_column: SentimentColumnOption = None,
    target_column: TargetColumnOption = "target",
    target: DefaultTargetOption = "",
) -> None:
    """Fit a temperature on validation data so confidences mean what they say.

    A fine-tuned model is often overconfident: it says 0.95 where it is right 70% of the time.
    Temperature scaling divides its logits by one number fitted to minimise the log-loss of the
    gold labels; the predicted labels do not change, only the confidences. The temperature is
    recorded in the model directory's stance.json, so later `stance classify` runs use it. Each
    task the data has labels for (stance; sentiment with --sentiment-column) gets its own.

    Fit it on a validation split (20 comments at least, a few hundred is better), never on the
    test split you report scores on: `stance evaluate` on the test split then shows honest scores.

    \b
      stance calibrate data/dev.jsonl --model my-model
    """
    from stance.core.labelled import tasks_of
    from stance.core.labels import parse_label_map
    from stance.errors import InputError
    from stance.evaluation.calibration import calibrate as run_calibration
    from stance.model.classifier import StanceClassifier
    from stance.training.data import load_labelled

    if not model:
        raise InputError("--model is required: calibrating writes the fitted temperature into that model directory")
    examples = load_labelled(
        data, text_column=text_column, label_column=label_column, target_column=target_column, default_target=target,
        sentiment_column=sentiment_column, label_map=parse_label_map(label_map),
    )
    tasks = tasks_of(examples)
    heads = StanceClassifier.from_pretrained(model)
    for task in tasks:  # every head the data asks for, before the first temperature is written
        heads.resolve_task(task)
    for task in tasks:
        result = run_calibration(model, examples, task=task, data_name=data, progress=stderr_is_terminal())
        typer.echo(result.render())
        echo_log(f"wrote the {task} temperature {result.temperature:.3f} to {model}/stance.json")
