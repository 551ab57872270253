"""`stance evaluate DATA --model DIR`: score a model on labelled comments, beside a TF-IDF baseline."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from stance.cli._app import app, echo_log, stderr_is_terminal


@app.command()
def evaluate(
    data: Annotated[str, typer.Argument(help="Labelled comments: JSONL or CSV with text, label and optional target columns.")],
    model: Annotated[Optional[str], typer.Option(help="Model directory or name. Default: the bundled model.")] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Folder for report.json and confusion_matrix.png.")
    ] = "stance-evaluation",
    text_column: Annotated[str, typer.Option()] = "text",
    label_column: Annotated[str, typer.Option()] = "label",
    target_column: Annotated[str, typer.Option()] = "target",
    target: Annotated[str, typer.Option(help="Target for rows without a target column value.")] = "",
    force: Annotated[bool, typer.Option(help="Overwrite an existing report in the output folder.")] = False,
) -> None:
    """Score a model with scikit-learn: classification report, macro-F1, confusion matrix.

    A TF-IDF + logistic-regression baseline is trained and scored on the same data in the same run
    (5-fold cross-validation) so you see what the transformer adds. Example:

    \b
      stance evaluate data/test.jsonl --label-column stance -o report/
    """
    from pathlib import Path

    from stance.classifier import StanceClassifier
    from stance.data import load_labelled
    from stance.evaluation import REPORT_JSON, evaluate as run_evaluation
    from stance.files import check_writable

    check_writable(Path(output) / REPORT_JSON, force)
    examples = load_labelled(
        data, text_column=text_column, label_column=label_column, target_column=target_column, default_target=target
    )
    classifier = StanceClassifier.from_pretrained(model)
    report = run_evaluation(
        classifier, examples, output, model_name=str(model or "default"), data_name=data, progress=stderr_is_terminal()
    )
    typer.echo(report.render())
    echo_log(f"wrote {report.files['report']} and {report.files['confusion_matrix']}")
