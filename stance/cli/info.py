"""`stance info`: versions, the default model, the int8 cache and the device, for bug reports."""

from __future__ import annotations

import typer

from stance.cli._app import app


@app.command()
def info() -> None:
    """Print what a bug report needs: the versions of stance, torch, transformers and onnxruntime, the
    default model's path and its card's figures, the int8 cache folder and size, and the device and
    precision that `auto` picks here.

    \b
      stance info
    """
    from stance.about import system_info

    for key, value in system_info().items():
        if isinstance(value, list):
            typer.echo(f"{key}:")
            for line in value:
                typer.echo(f"  {line}")
        else:
            typer.echo(f"{key}: {value}")
