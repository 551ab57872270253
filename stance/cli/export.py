"""`stance export MODEL OUTPUT`: write any model stance loads as a plain Hugging Face directory."""

from __future__ import annotations

from typing import Annotated

import typer

from stance.cli._app import app, echo_log


@app.command()
def export(
    model: Annotated[str, typer.Argument(help="Model directory: a compact one (`stance train --compact`; the bundled model, whose path `stance info` prints), or a full one.")],
    output: Annotated[str, typer.Argument(help="Directory to write.")],
    force: Annotated[bool, typer.Option(help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Merge an adapter into its base model and save a directory that `transformers` loads as is.

    \b
      stance export models/default exported-model
    """
    from stance.files import check_writable
    from stance.model.classifier import StanceClassifier

    check_writable(output, force)
    StanceClassifier.from_pretrained(model).save_pretrained(output)
    echo_log(f"exported {model} to {output}")
