"""`stance export MODEL OUTPUT`: write any model stance loads as a plain Hugging Face directory."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from stance.cli._app import app, echo_log


@app.command()
def export(
    model: Annotated[str, typer.Argument(help="Model directory: a compact one (`stance train --compact`; the bundled model, whose path `stance info` prints), or a full one.")],
    output: Annotated[str, typer.Argument(help="Directory to write.")],
    task: Annotated[
        Optional[str],
        typer.Option(help="stance or sentiment: write that head alone, as the model's own. Default: every head (the "
                     "model's own loads in plain transformers; the others stay in heads.safetensors)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Merge an adapter into its base model and save a directory that `transformers` loads as is.

    \b
      stance export models/default exported-model
    \b
      stance export models/default sentiment-model --task sentiment
    """
    from stance.io.files import check_writable
    from stance.model.classifier import StanceClassifier

    check_writable(output, force, folder=True)
    classifier = StanceClassifier.from_pretrained(model)
    # plain transformers knows no temperature: fold it into the weights, so both give the same confidences
    (classifier.only(task) if task else classifier).with_temperatures_folded().save_pretrained(output)
    echo_log(f"exported {model} to {output}")
