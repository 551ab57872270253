"""The typer app the command modules register on."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="stance",
    help=(
        "Label every reader comment under an article as support, oppose, mixed or neutral.\n\n"
        "\b\n"
        "  stance classify page.txt                      label the comments of a page\n"
        "  stance train labelled.csv -o my-model         fine-tune on your own labelled comments\n"
        "  stance evaluate test.jsonl --model my-model   score a model beside a TF-IDF baseline\n"
        "  stance export models/default plain-model      write a plain Hugging Face directory"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def stderr_is_terminal() -> bool:
    """Progress bars only when a person watches stderr."""
    return sys.stderr.isatty()


def echo_log(message: str) -> None:
    """Logs go to stderr; stdout is for data."""
    typer.echo(message, err=True)
